//! Parsing PEP 508 requirements without the parser's one panic.
//!
//! `pep508_rs` 0.9 checks that a name does not end in `.`, `-` or `_` only when the input ends
//! there; when more text follows (`pytest-[timeout]`, `numpy- >=1`) it builds an invalid
//! `PackageName` and panics on its own `expect`. Requirements come from users (`.in` files,
//! manifests, the command line), from index metadata and from installed environments, any of
//! which may be hostile or broken, so every parse goes through [`parse_requirement`], which
//! reports that case as the parser's own end-of-input error does.
//!
//! The marker parser has a second panic: after an expression it measures the next word in
//! characters and slices the input in bytes, so a word with a non-ASCII character there
//! (`a ; python_version > '3' é`) slices inside a character. Outside quoted strings a marker is
//! ASCII, so [`marker_non_ascii`] finds such a character first, and [`parse_requirement`] and
//! [`parse_marker`] report it as an error.

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
    if let Some(start) = marker_start(input)
        && let Some((at, found)) = marker_non_ascii(&input[start..])
    {
        return Err(error_at(
            input,
            start + at,
            found,
            format!(
                "Unexpected character \'{found}\' in the marker: outside quoted strings a marker is ASCII"
            ),
        ));
    }
    if let Some((at, separator)) = extra_ending_in_separator(input) {
        return Err(error_at(
            input,
            at,
            separator,
            format!("Extra name must end with an alphanumeric character, not '{separator}'"),
        ));
    }
    if let Some((at, separator)) = name_ending_in_separator(input) {
        // `at` counts characters; the error, like the parser's own, counts bytes.
        let at = input.char_indices().nth(at).map_or(at, |(byte, _)| byte);
        return Err(error_at(
            input,
            at,
            separator,
            format!("Package name must end with an alphanumeric character, not '{separator}'"),
        ));
    }
    Requirement::from_str(input)
}

/// Parses a PEP 508 marker expression (`sys_platform == 'linux'`), returning an error where
/// `pep508_rs` 0.9 would panic (see the module docs).
///
/// ```
/// assert!(strata_dist::parse_marker("sys_platform == 'darwin'").is_ok());
/// assert!(strata_dist::parse_marker("python_version > '3' é").is_err());
/// ```
pub fn parse_marker(input: &str) -> Result<pep508_rs::MarkerTree, Pep508Error> {
    if let Some((at, found)) = marker_non_ascii(input) {
        return Err(error_at(
            input,
            at,
            found,
            format!(
                "Unexpected character \'{found}\' in the marker: outside quoted strings a marker is ASCII"
            ),
        ));
    }
    pep508_rs::MarkerTree::parse_str(input)
}

/// The first character of `marker` (a marker expression alone) that is not ASCII and not
/// inside a quoted string, with its byte index; `None` when there is none.
pub fn marker_non_ascii(marker: &str) -> Option<(usize, char)> {
    let mut quote: Option<char> = None;
    for (index, c) in marker.char_indices() {
        match quote {
            Some(open) if c == open => quote = None,
            None if c == '\'' || c == '"' => quote = Some(c),
            None if !c.is_ascii() => return Some((index, c)),
            // Inside quotes, or ASCII outside them.
            _ => {}
        }
    }
    None
}

/// The byte index where a requirement's marker begins (after its `;`), if it has one: the
/// first `;` of a requirement without a URL, else the first one after whitespace (PEP 508 asks
/// for whitespace between a URL and its marker, since a URL may hold a `;`).
fn marker_start(requirement: &str) -> Option<usize> {
    let after_url = requirement.find(" @ ").or_else(|| requirement.find("@ "));
    let semicolon = match after_url {
        None => requirement.find(';')?,
        Some(at) => {
            let rest = &requirement[at..];
            at + rest
                .char_indices()
                .find(|(index, c)| *c == ';' && rest[..*index].ends_with(char::is_whitespace))?
                .0
        }
    };
    Some(semicolon + 1)
}

/// An error about the character `found` at byte `at` of `input`; like the parser's own, its
/// span is in bytes.
fn error_at(input: &str, at: usize, found: char, message: String) -> Pep508Error {
    Pep508Error {
        message: Pep508ErrorSource::String(message),
        start: at,
        len: found.len_utf8(),
        input: input.to_string(),
    }
}

/// Where an extra in a requirement's `[...]` ends in `.`, `-` or `_` (`uvicorn[standard-]`),
/// which `pep508_rs` 0.9 accepts while reading and then panics on: the separator's byte index
/// in `text`, and the separator. `None` for every other input.
fn extra_ending_in_separator(text: &str) -> Option<(usize, char)> {
    let open = text.find('[')?;
    // Only the extras right after the name: a `[` in a marker or URL is the parser's business.
    let name = text[..open].trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return None;
    }
    let close = text[open..].find(']').map_or(text.len(), |at| open + at);
    let mut start = open + 1;
    for extra in text[open + 1..close].split(',') {
        let trimmed = extra.trim_end();
        if let Some(last) = trimmed.chars().next_back()
            && matches!(last, '.' | '-' | '_')
        {
            return Some((start + trimmed.len() - last.len_utf8(), last));
        }
        start += extra.len() + 1;
    }
    None
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
    fn a_non_ascii_word_after_a_marker_expression_is_an_error_not_a_panic() {
        for (input, at) in [
            ("a ; python_version > '3' é", 25),
            ("a ; python_version > '3' and é", 29),
            ("a @ file:///x;y ; os_name == 'posix' ü", 37),
        ] {
            let error = parse_requirement(input).unwrap_err();
            assert_eq!(error.start, at, "{input}");
            assert!(error.to_string().contains("a marker is ASCII"), "{error}");
        }
        // Inside quotes, and in a URL before its marker, any character is the parser's business.
        assert!(parse_requirement("a ; platform_release == 'é'").is_ok());
        assert!(parse_marker("python_version > '3' é").is_err());
        assert!(parse_marker("platform_version == 'ü'").is_ok());
    }

    #[test]
    fn an_extra_ending_in_a_separator_is_an_error_not_a_panic() {
        for (input, at) in [
            ("uvicorn[standard-]>=0.30", 16),
            ("numpy[foo-]<2", 9),
            ("x[a, b_ ]", 6),
            ("x[a.", 3),
        ] {
            let error = parse_requirement(input).unwrap_err();
            assert_eq!(error.start, at, "{input}");
            assert!(error.to_string().contains("Extra name must end"), "{error}");
        }
        assert!(parse_requirement("uvicorn[standard]>=0.30").is_ok());
        assert!(parse_requirement("x ; extra == 'a-'").is_ok());
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
