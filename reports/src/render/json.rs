//! The report as pretty JSON. Field order is the order of the model's declarations, so two
//! renderings of equal reports are equal byte for byte and diff well in version control.

use crate::error::{Error, ErrorKind};
use crate::model::Report;

/// `report` as pretty-printed JSON, ending with a line break.
pub fn render(report: &Report) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(report).map_err(|err| {
        Error::new(
            ErrorKind::Serialize,
            format!("the report cannot be written as JSON: {err}"),
        )
    })?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::render;
    use crate::model::Report;
    use crate::model::tests::sample;

    #[test]
    fn pretty_json_loads_back_and_keeps_field_order() {
        let report = sample();
        let text = render(&report).unwrap();
        assert_eq!(Report::from_json(&text).unwrap(), report);
        let order: Vec<usize> = [
            "\"schema\"",
            "\"run\"",
            "\"environment\"",
            "\"subjects\"",
            "\"policy\"",
            "\"suites\"",
            "\"results\"",
        ]
        .iter()
        .map(|key| text.find(key).unwrap())
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        assert!(text.starts_with("{\n  \"schema\": \"tollgate.report/1\",\n"));
        assert_eq!(render(&report).unwrap(), text);
    }
}
