//! Repairs for the malformed requirement and specifier strings found in published metadata.
//!
//! pip accepts much of what PEP 508 and PEP 440 reject (its old parser did), so uploads carry
//! `foo (>=1.0,)`, `>=3.6.*`, `>=7.2.0<8.0.0`, `>=2.7'`. uv repairs these with a fixed list of
//! rewrites tried one after the other until the string parses; strata applies the same list,
//! written as plain string scans instead of regular expressions because they run only after a
//! strict parse has failed and should stay cheap when they do.
//!
//! Rewrites touch only the part before the marker (`;`): markers legitimately contain quotes and
//! comparison operators.

use std::str::FromStr;

use pep440_rs::{VersionSpecifiers, VersionSpecifiersParseError};
use pep508_rs::{Pep508Error, Requirement};

/// A rewrite and the words that describe it in a warning.
type Fixup = (fn(&str) -> String, &'static str);

const FIXUPS: [Fixup; 8] = [
    (insert_missing_comma, "inserting missing comma"),
    (
        not_equal_tilde_to_wildcard,
        "replacing invalid tilde with wildcard",
    ),
    (
        remove_star_after_inequality,
        "removing star after comparison operator other than equal and not equal",
    ),
    (insert_missing_dot, "inserting missing dot"),
    (remove_trailing_comma, "removing trailing comma"),
    (greater_than_dev, "assuming 0.0.0dev"),
    (remove_trailing_zero, "removing trailing zero"),
    (remove_stray_quotes, "removing stray quotes"),
];

/// A repair that made a malformed requirement or specifier string parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    pub(crate) repaired: String,
    pub(crate) fixes: Vec<&'static str>,
}

impl Repair {
    /// The string that parsed.
    pub fn repaired(&self) -> &str {
        &self.repaired
    }

    /// What was done, in words (`removing trailing comma`), in the order it was done.
    pub fn fixes(&self) -> &[&'static str] {
        &self.fixes
    }
}

/// Parses a `Requires-Python`-style specifier string as published metadata and index pages
/// write it, repairing the mistakes uv repairs (`>=3.6.*`, `>=2.7,`, `>=3.6'`, ...).
///
/// Returns the specifiers and the repair, if one was needed, so the caller can report it; or the
/// strict parser's error when no repair helps.
pub fn parse_specifiers_lenient(
    input: &str,
) -> Result<(VersionSpecifiers, Option<Repair>), VersionSpecifiersParseError> {
    parse_with_fixups(input, VersionSpecifiers::from_str)
}

/// Parses a `Requires-Dist`-style PEP 508 requirement as published metadata writes it, repairing
/// the mistakes uv repairs (`foo (>=1.0,)`, `foo >=7.2<8`, ...) in the part before the marker.
///
/// For user-written input (`.in` files, manifests) use the strict [`crate::parse_requirement`].
pub fn parse_requirement_lenient(
    input: &str,
) -> Result<(Requirement, Option<Repair>), Pep508Error> {
    parse_with_fixups(input, crate::parse_requirement)
}

/// Parses `input` with `parse`, and on failure retries after each cumulative rewrite.
///
/// Returns the value and, when rewrites were needed, the repaired string and what was done; or
/// the error of the strict parse, which describes the input the user wrote.
pub(crate) fn parse_with_fixups<T, E>(
    input: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<(T, Option<Repair>), E> {
    let error = match parse(input) {
        Ok(value) => return Ok((value, None)),
        Err(error) => error,
    };
    let (mut head, tail) = match input.find(';') {
        Some(position) => (input[..position].to_string(), &input[position..]),
        None => (input.to_string(), ""),
    };
    let mut applied = Vec::new();
    for (fixup, description) in FIXUPS {
        let patched = fixup(&head);
        if patched == head {
            continue;
        }
        applied.push(description);
        head = patched;
        let candidate = format!("{head}{tail}");
        if let Ok(value) = parse(&candidate) {
            return Ok((
                value,
                Some(Repair {
                    repaired: candidate,
                    fixes: applied,
                }),
            ));
        }
    }
    Err(error)
}

/// The index where version specifiers may start: after the distribution name.
fn specifier_start(input: &str) -> usize {
    input.find(['<', '>', '=', '!', '~', '(']).unwrap_or(0)
}

/// `>=7.2.0<8.0.0` -> `>=7.2.0,<8.0.0`.
fn insert_missing_comma(input: &str) -> String {
    let start = specifier_start(input);
    let mut output = String::with_capacity(input.len() + 4);
    let mut previous = None;
    for (index, character) in input.char_indices() {
        if index > start
            && previous.is_some_and(|previous: char| previous.is_ascii_digit())
            && matches!(character, '<' | '>' | '=' | '~' | '^' | '!')
        {
            output.push(',');
        }
        output.push(character);
        previous = Some(character);
    }
    output
}

/// `!=~5.0` -> `!=5.0.*`.
fn not_equal_tilde_to_wildcard(input: &str) -> String {
    let mut output = String::with_capacity(input.len() + 4);
    let mut rest = input;
    while let Some(position) = rest.find("!=~") {
        output.push_str(&rest[..position]);
        output.push_str("!=");
        rest = &rest[position + 3..];
        let version_length = rest
            .find(|character: char| !(character.is_ascii_digit() || character == '.'))
            .unwrap_or(rest.len());
        let version = rest[..version_length].trim_end_matches('.');
        output.push_str(version);
        output.push_str(".*");
        rest = &rest[version_length..];
    }
    output.push_str(rest);
    output
}

/// `>=1.9.*` -> `>=1.9`; a wildcard only means something after `==` and `!=`.
fn remove_star_after_inequality(input: &str) -> String {
    let mut output = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(position) = rest.find(".*") {
        let before = &rest[..position];
        let version_start = before
            .rfind(|character: char| !(character.is_ascii_digit() || character == '.'))
            .map_or(0, |index| index + 1);
        let operator = before[..version_start].trim_end();
        let is_inequality =
            operator.ends_with(['<', '>']) || operator.ends_with("<=") || operator.ends_with(">=");
        output.push_str(before);
        if !is_inequality || version_start == position {
            output.push_str(".*");
        }
        rest = &rest[position + 2..];
    }
    output.push_str(rest);
    output
}

/// `!=3.0*` -> `!=3.0.*`.
fn insert_missing_dot(input: &str) -> String {
    let mut output = String::with_capacity(input.len() + 2);
    let mut previous = None;
    for character in input.chars() {
        if character == '*' && previous.is_some_and(|previous: char| previous.is_ascii_digit()) {
            output.push('.');
        }
        output.push(character);
        previous = Some(character);
    }
    output
}

/// `>=3.6,` -> `>=3.6`, and `foo (>=1.0,)` -> `foo (>=1.0)`.
fn remove_trailing_comma(input: &str) -> String {
    let trimmed = input.trim_end();
    if let Some(inner) = trimmed.strip_suffix(')') {
        let inner = inner.trim_end();
        if let Some(inner) = inner.strip_suffix(',') {
            return format!("{})", inner.trim_end_matches([',', ' ']));
        }
        return input.to_string();
    }
    if trimmed.ends_with(',') {
        let stripped = trimmed.trim_end_matches([',', ' ', '\t']);
        // Keep the whitespace before a marker's `;`.
        return format!("{stripped}{}", &input[trimmed.len()..]);
    }
    input.to_string()
}

/// `>dev` -> `>0.0.0dev`.
fn greater_than_dev(input: &str) -> String {
    input.replace(">dev", ">0.0.0dev")
}

/// `>=9.0.0a1.0` -> `>=9.0.0a1`.
fn remove_trailing_zero(input: &str) -> String {
    let mut output = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(position) = rest.find(".0") {
        let before = &rest[..position];
        let digits = before.len() - before.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let label = &before[..before.len() - digits];
        let follows_label = digits > 0
            && ["a", "b", "rc", "post", "dev"]
                .iter()
                .any(|suffix| label.ends_with(suffix));
        output.push_str(before);
        if !follows_label {
            output.push_str(".0");
        }
        rest = &rest[position + 2..];
    }
    output.push_str(rest);
    output
}

/// `>=2.7'` -> `>=2.7`.
fn remove_stray_quotes(input: &str) -> String {
    input.replace(['\'', '"'], "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_specifiers_seen_in_published_metadata_are_repaired() {
        // (written, equivalent valid form)
        let cases = [
            (">=7.2.0<8.0.0", ">=7.2.0,<8.0.0"),
            ("!=~5.0,>=4.12", "!=5.0.*,>=4.12"),
            ("!=~5,>=4.12", "!=5.*,>=4.12"),
            (">=1.9.*", ">=1.9"),
            (">=3.6.*", ">=3.6"),
            (">=2.7,!=3.0.*,!=3.1.*,<3.4.*", ">=2.7,!=3.0.*,!=3.1.*,<3.4"),
            (">=2.7,!=3.0*,!=3.1*", ">=2.7,!=3.0.*,!=3.1.*"),
            (">=3.6,", ">=3.6"),
            (">=3.6, ", ">=3.6"),
            (
                ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*,",
                ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*, !=3.4.*",
            ),
            (">= '2.7'", ">= 2.7"),
            (">=3.6'", ">=3.6"),
            (">dev", ">0.0.0dev"),
            (">=9.0.0a1.0", ">=9.0.0a1"),
        ];
        for (written, expected) in cases {
            let (parsed, fix) = parse_specifiers_lenient(written).unwrap();
            assert_eq!(
                parsed,
                VersionSpecifiers::from_str(expected).unwrap(),
                "{written}"
            );
            assert!(fix.is_some(), "{written} needed a repair");
        }
    }

    #[test]
    fn malformed_requirements_are_repaired_without_touching_markers() {
        let cases = [
            ("pyzmq >=3.6,", "pyzmq >=3.6"),
            (
                "elasticsearch-dsl (>=7.2.0<8.0.0)",
                "elasticsearch-dsl (>=7.2.0,<8.0.0)",
            ),
            ("torch (>=1.9.*)", "torch (>=1.9)"),
            ("requests (>=2.0,)", "requests (>=2.0)"),
            ("botocore>=1.3.0,<1.4.0',", "botocore>=1.3.0,<1.4.0"),
            (
                "numpy \">=1.19\"; python_version >= \"3.7\"",
                "numpy >=1.19; python_version >= \"3.7\"",
            ),
            (
                "colorama>=0.4, ; sys_platform == \"win32\"",
                "colorama>=0.4 ; sys_platform == \"win32\"",
            ),
        ];
        for (written, expected) in cases {
            let (parsed, fix) = parse_requirement_lenient(written).unwrap();
            assert_eq!(
                parsed,
                Requirement::from_str(expected).unwrap(),
                "{written}"
            );
            assert!(fix.is_some(), "{written} needed a repair");
        }
    }

    #[test]
    fn valid_input_is_parsed_without_repairs() {
        let (_, fix) = parse_with_fixups(">=3.8,<4", VersionSpecifiers::from_str).unwrap();
        assert_eq!(fix, None);
    }

    #[test]
    fn hopeless_input_reports_the_strict_error() {
        let error = parse_with_fixups("banana", VersionSpecifiers::from_str).unwrap_err();
        assert!(error.to_string().contains("banana"), "{error}");
    }
}
