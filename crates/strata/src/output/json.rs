//! Every `--format json` document, written one way: pretty-printed, one per run, ending in a
//! newline, with its schema version first.
//!
//! A document is an object whose first key is `"schema-version"`: the version of that
//! document's schema. Fields are only ever added within a version; renaming or removing one, or
//! changing what a value means, bumps it. A command's document that does not say its version is
//! at version 1, which [`render`] writes for it; one whose schema has moved on carries its own
//! `schema-version` field, which is kept. Pretty rather than compact because the documents are
//! read by people as well as by `jq`, and every command printed them that way already.
//!
//! A command whose answer is a list puts it under a key (`outdated`: `engines`, `conflicts`:
//! `pairs`), so that every document is an object with a version.

use serde::Serialize;
use serde_json::Value;

/// The schema version of a document that does not give its own.
const SCHEMA_VERSION: u64 = 1;

/// The key that holds a document's schema version.
const SCHEMA_VERSION_KEY: &str = "schema-version";

/// `document` as the text a command prints on stdout: `"schema-version"` first when it is an
/// object without one, pretty-printed, with a final newline.
pub(crate) fn render(document: &impl Serialize) -> serde_json::Result<String> {
    // Through a `Value` (insertion-ordered: serde_json's `preserve_order`), which prints exactly
    // as the document itself would, so the key can go first without each command's types
    // declaring it.
    let mut value = serde_json::to_value(document)?;
    if let Value::Object(map) = &mut value
        && !map.contains_key(SCHEMA_VERSION_KEY)
    {
        map.shift_insert(0, SCHEMA_VERSION_KEY.to_owned(), SCHEMA_VERSION.into());
    }
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[derive(Serialize)]
    #[serde(rename_all = "kebab-case")]
    struct Summary {
        profile: &'static str,
        python_version: &'static str,
        packages: Vec<&'static str>,
        size: f64,
    }

    fn summary() -> Summary {
        Summary {
            profile: "base",
            python_version: "3.11",
            packages: vec!["numpy", "rich"],
            size: 1.5,
        }
    }

    #[test]
    fn the_schema_version_comes_first_and_nothing_else_moves() {
        let direct = serde_json::to_string_pretty(&summary()).unwrap();
        let rendered = render(&summary()).unwrap();
        assert_eq!(
            rendered,
            format!(
                "{{\n  \"schema-version\": 1,\n{}\n",
                direct.strip_prefix("{\n").unwrap()
            )
        );
    }

    #[test]
    fn a_document_with_its_own_version_keeps_it() {
        let document = BTreeMap::from([("schema-version", 2), ("count", 3)]);
        assert_eq!(
            render(&document).unwrap(),
            "{\n  \"count\": 3,\n  \"schema-version\": 2\n}\n"
        );
    }

    #[test]
    fn a_list_is_printed_as_it_is() {
        assert_eq!(render(&["a", "b"]).unwrap(), "[\n  \"a\",\n  \"b\"\n]\n");
    }
}
