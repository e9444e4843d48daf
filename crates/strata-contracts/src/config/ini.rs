//! The subset of Python's `configparser` that `setup.cfg` and `.importlinter` use.

use std::path::Path;

use super::{RawSection, RawValue};
use crate::error::{Error, ErrorKind};

/// A key whose value may continue on the following indented lines.
struct Pending {
    key: String,
    line: usize,
    values: Vec<String>,
    multiline: bool,
}

impl Pending {
    fn finish(self, sections: &mut [RawSection]) {
        let Some(section) = sections.last_mut() else {
            return;
        };
        let mut values: Vec<String> = self
            .values
            .into_iter()
            .filter(|value| !value.is_empty())
            .collect();
        // import-linter splits a multi-line value into a list and keeps a one-line value as a
        // string.
        let value = if self.multiline {
            RawValue::List(values)
        } else {
            RawValue::String(values.pop().unwrap_or_default())
        };
        section.values.push((self.key, value, self.line));
    }
}

/// Reads every section of an INI file: `key = value` or `key: value`, values continued on
/// indented lines become lists, and `#` or `;` lines are comments.
pub(super) fn parse(path: &Path, text: &str) -> Result<Vec<RawSection>, Error> {
    let mut sections: Vec<RawSection> = Vec::new();
    let mut pending: Option<Pending> = None;
    for (index, raw_line) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw_line.trim();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if raw_line.starts_with([' ', '\t'])
            && let Some(pending) = pending.as_mut()
        {
            if !trimmed.is_empty() {
                pending.multiline = true;
                pending.values.push(trimmed.to_owned());
            }
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        if let Some(done) = pending.take() {
            done.finish(&mut sections);
        }
        if let Some(name) = trimmed
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            sections.push(RawSection {
                name: name.trim().to_owned(),
                line,
                values: Vec::new(),
            });
            continue;
        }
        let syntax = |message: String| -> Error {
            ErrorKind::Syntax {
                path: path.to_path_buf(),
                line,
                message,
            }
            .into()
        };
        let Some(split) = trimmed.find(['=', ':']) else {
            return Err(syntax(format!(
                "Expected `key = value` or a `[section]`, found `{trimmed}`"
            )));
        };
        if sections.is_empty() {
            return Err(syntax("Key outside of any `[section]`".to_owned()));
        }
        pending = Some(Pending {
            key: trimmed[..split].trim().to_lowercase(),
            line,
            values: vec![trimmed[split + 1..].trim().to_owned()],
            multiline: false,
        });
    }
    if let Some(done) = pending.take() {
        done.finish(&mut sections);
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines_become_a_list_and_one_line_values_stay_strings() {
        let text = "[importlinter]\nroot_package = app\n\n[importlinter:contract:one]\nname = One\nlayers =\n    app.high\n    # a comment\n    app.low\n";
        let sections = parse(Path::new("setup.cfg"), text).unwrap();
        assert_eq!(sections.len(), 2);
        assert_eq!(
            sections[0].values,
            vec![(
                "root_package".to_owned(),
                RawValue::String("app".to_owned()),
                2
            )]
        );
        assert_eq!(
            sections[1].values[1],
            (
                "layers".to_owned(),
                RawValue::List(vec!["app.high".to_owned(), "app.low".to_owned()]),
                6
            )
        );
    }

    #[test]
    fn a_key_outside_a_section_names_the_line() {
        let error = parse(Path::new("setup.cfg"), "\nname = x\n").unwrap_err();
        insta::assert_snapshot!(error, @"setup.cfg:2: Key outside of any `[section]`");
    }
}
