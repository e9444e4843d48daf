//! Parsing PEP 508 requirements without the parser's one panic.
//!
//! `pep508_rs` 0.9 checks that a name does not end in `.`, `-` or `_` only when the input ends
//! there; when more text follows (`pytest-[timeout]`, `numpy- >=1`) it builds an invalid
//! `PackageName` and panics on its own `expect`. Requirements come from users (`.in` files,
//! manifests, the command line), from index metadata and from installed environments, any of
//! which may be hostile or broken, so every parse goes through [`parse_requirement`], which
//! reports that case as the parser's own end-of-input error does.

use std::str::FromStr;

use pep508_rs::{Pep508Error, Pep508ErrorSource, Requirement};

/// Parses a PEP 508 requirement as `Requirement::from_str` does, but returns an error where
/// `pep508_rs` 0.9 would panic (a name ending in a separator before more text).
///
/// ```
/// assert!(strata_dist::parse_requirement("numpy>=1.26").is_ok());
/// let error = strata_dist::parse_requirement("pytest-[timeout]").unwrap_err();
/// assert_eq!((error.start, error.len), (6, 1));
/// ```
pub fn parse_requirement(input: &str) -> Result<Requirement, Pep508Error> {
    if let Some((at, separator)) = name_ending_in_separator(input) {
        return Err(Pep508Error {
            message: Pep508ErrorSource::String(format!(
                "Package name must end with an alphanumeric character, not '{separator}'"
            )),
            start: at,
            len: 1,
            input: input.to_string(),
        });
    }
    Requirement::from_str(input)
}

/// Where a requirement's name ends in `.`, `-` or `_` with more text after it (`pytest-[x]`,
/// `numpy- >=1`): the separator's character index in `text`, and the separator. `None` for
/// every other input, valid or not.
pub fn name_ending_in_separator(text: &str) -> Option<(usize, char)> {
    let trimmed = text.trim_start();
    let name_end =
        trimmed.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))?;
    let name = &trimmed[..name_end];
    let first = name.chars().next()?;
    let last = name.chars().next_back()?;
    if !first.is_ascii_alphanumeric() || !matches!(last, '.' | '-' | '_') {
        return None;
    }
    let leading = text[..text.len() - trimmed.len()].chars().count();
    Some((leading + name.chars().count() - 1, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ending_in_a_separator_before_more_text_are_errors_not_panics() {
        for (input, at) in [
            ("pytest-[timeout]", 6),
            ("numpy- >=1", 5),
            ("  a_ ; python_version > '3'", 3),
            ("x. @ https://files.invalid/x-1.0-py3-none-any.whl", 1),
        ] {
            let error = parse_requirement(input).unwrap_err();
            assert_eq!(error.start, at, "{input}");
            assert!(
                error.to_string().contains("must end with an alphanumeric"),
                "{error}"
            );
        }
    }

    #[test]
    fn other_input_is_the_parser_s_own_business() {
        assert_eq!(
            parse_requirement("numpy[extra]>=1; python_version > '3'")
                .unwrap()
                .name
                .as_ref(),
            "numpy"
        );
        // A separator at the very end: pep508_rs reports it itself.
        assert!(parse_requirement("numpy-").is_err());
        assert_eq!(name_ending_in_separator("numpy-"), None);
    }

    #[test]
    fn metadata_with_such_a_requirement_is_an_error_not_a_panic() {
        assert!(crate::parse_requirement_lenient("pytest-[timeout]").is_err());
    }
}
