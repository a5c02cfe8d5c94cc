//! Helpers the unit tests of the outbound translations share.

use tollgate_codecs::h1::Fields;

/// A block's fields as owned text pairs, in order.
pub(crate) fn pairs(fields: &Fields) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|field| {
            (
                String::from_utf8(field.name.to_vec()).unwrap(),
                String::from_utf8(field.value.to_vec()).unwrap(),
            )
        })
        .collect()
}

/// Borrowed pairs as owned ones, to compare with [`pairs`].
pub(crate) fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}
