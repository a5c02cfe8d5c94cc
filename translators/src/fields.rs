//! Field conversions between the codec's [`Fields`] and [`HeaderMap`], with the checks the
//! receiving side needs (RFC 9113 §8.2.1 toward HTTP/2, RFC 9112 §5 toward HTTP/1.1).

use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};
use tollgate_codecs::h1::{Field, Fields};

use crate::error::{Error, ErrorKind, shown};

/// The fields of an HTTP/1 block as a header map, names lowercased (RFC 9113 §8.2.1), minus
/// those `skip` refuses.
///
/// # Errors
///
/// [`ErrorKind::InvalidHeader`] for a name or value the `http` crate refuses (a control byte
/// the codec's policy accepted): it could not be carried faithfully.
pub(crate) fn from_h1(
    fields: &Fields,
    mut skip: impl FnMut(&Field<'_>) -> bool,
) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::with_capacity(fields.len());
    for (field, shared) in fields.iter_shared() {
        if skip(&field) {
            continue;
        }
        let name = name_of(&field)?;
        // The value shares the head's buffer: no copy per field.
        let value = HeaderValue::from_maybe_shared(shared).map_err(|_| bad_value(&name))?;
        headers.append(name, value);
    }
    Ok(headers)
}

/// One field as a name and value.
pub(crate) fn convert(field: &Field<'_>) -> Result<(HeaderName, HeaderValue), Error> {
    let name = name_of(field)?;
    let value = HeaderValue::from_bytes(field.value).map_err(|_| bad_value(&name))?;
    Ok((name, value))
}

fn name_of(field: &Field<'_>) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(field.name).map_err(|_| {
        Error::new(
            ErrorKind::InvalidHeader,
            format!("field name {:?} is not a token", shown(field.name)),
        )
    })
}

fn bad_value(name: &HeaderName) -> Error {
    Error::new(
        ErrorKind::InvalidHeader,
        format!("field {name} has a control byte in its value"),
    )
}

/// Checks that `value` can be written on an HTTP/1.1 field line as it is: `http` accepts
/// leading and trailing whitespace, which a field line would lose (RFC 9112 §5.1).
pub(crate) fn check_h1_value(name: &HeaderName, value: &HeaderValue) -> Result<(), Error> {
    let bytes = value.as_bytes();
    let ows = |b: Option<&u8>| b.is_some_and(|b| matches!(b, b' ' | b'\t'));
    if ows(bytes.first()) || ows(bytes.last()) {
        return Err(Error::new(
            ErrorKind::InvalidHeader,
            format!("field {name} has leading or trailing whitespace"),
        ));
    }
    Ok(())
}

/// An HTTP/1 field block from name/value pairs already checked by [`check_h1_value`].
pub(crate) fn to_h1(pairs: &[(&HeaderName, &HeaderValue)]) -> Result<Fields, Error> {
    Fields::from_pairs(
        pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes())),
    )
    .map_err(|error| Error::new(ErrorKind::InvalidHeader, error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9113_8_2_1_names_are_lowercased() {
        let fields = Fields::from_pairs([("X-Mixed-Case", "v"), ("Accept", "*/*")]).unwrap();
        let headers = from_h1(&fields, |_| false).unwrap();
        let names: Vec<_> = headers.keys().map(HeaderName::as_str).collect();
        assert_eq!(names, ["x-mixed-case", "accept"]);
    }

    #[test]
    fn skip_removes_fields_and_keeps_order_of_the_rest() {
        let fields = Fields::from_pairs([("a", "1"), ("b", "2"), ("a", "3")]).unwrap();
        let headers = from_h1(&fields, |field| field.is("b")).unwrap();
        let values: Vec<_> = headers.get_all("a").iter().collect();
        assert_eq!(values, ["1", "3"]);
        assert!(!headers.contains_key("b"));
    }

    #[test]
    fn control_bytes_the_codec_let_through_are_refused() {
        let fields = Fields::from_pairs([("x", "a\x01b")]).unwrap();
        let error = from_h1(&fields, |_| false).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidHeader);
        assert!(error.detail().contains('x'), "{error}");
    }

    #[test]
    fn rfc9112_5_1_whitespace_around_values_is_refused_for_http1() {
        let name = HeaderName::from_static("x");
        for bad in [" a", "a\t", " "] {
            let value = HeaderValue::from_str(bad).unwrap();
            assert_eq!(
                check_h1_value(&name, &value).unwrap_err().kind(),
                ErrorKind::InvalidHeader
            );
        }
        assert!(check_h1_value(&name, &HeaderValue::from_static("a b")).is_ok());
        assert!(check_h1_value(&name, &HeaderValue::from_static("")).is_ok());
    }
}
