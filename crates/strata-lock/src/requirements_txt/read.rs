//! Reading pins back from a `requirements.txt` lock (ours, pip-compile's or uv's).

use std::collections::HashMap;
use std::str::FromStr;

use pep440_rs::{Operator, Version};
use pep508_rs::{PackageName, Requirement, VersionOrUrl};

/// A line that is not a requirement this reader understands.
#[derive(Debug, thiserror::Error)]
#[error("Line {line} is not a pinned requirement: {reason}")]
pub struct ReadError {
    /// 1-based line.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// The `name==version` pins of a lock. Hash options, comments and pip option lines are
/// skipped; a requirement that is not an exact pin is an error naming the line.
pub fn read_pins(text: &str) -> Result<HashMap<PackageName, Version>, ReadError> {
    let mut pins = HashMap::new();
    let mut logical = String::new();
    let mut start = 0;
    for (index, raw) in text.lines().enumerate() {
        if logical.is_empty() {
            start = index + 1;
        }
        let line = raw.split(" #").next().unwrap_or_default();
        let (body, continues) = match line.trim_end().strip_suffix('\\') {
            Some(body) => (body, true),
            None => (line, false),
        };
        logical.push_str(body);
        logical.push(' ');
        if continues {
            continue;
        }
        let text = std::mem::take(&mut logical);
        let requirement_text = text.split("--hash").next().unwrap_or_default().trim();
        if requirement_text.is_empty()
            || requirement_text.starts_with('#')
            || requirement_text.starts_with('-')
        {
            continue;
        }
        let requirement = Requirement::<pep508_rs::VerbatimUrl>::from_str(requirement_text)
            .map_err(|error| ReadError {
                line: start,
                reason: error.message.to_string(),
            })?;
        match &requirement.version_or_url {
            Some(VersionOrUrl::VersionSpecifier(specifiers)) => {
                let pinned = specifiers
                    .iter()
                    .find(|specifier| {
                        matches!(specifier.operator(), Operator::Equal | Operator::ExactEqual)
                    })
                    .ok_or_else(|| ReadError {
                        line: start,
                        reason: format!("`{requirement_text}` is not pinned with `==`"),
                    })?;
                pins.insert(requirement.name.clone(), pinned.version().clone());
            }
            // A direct URL pins a file, not a version: nothing to prefer.
            Some(VersionOrUrl::Url(_)) => {}
            None => {
                return Err(ReadError {
                    line: start,
                    reason: format!("`{requirement_text}` has no version"),
                });
            }
        }
    }
    Ok(pins)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_come_back_from_what_the_writer_and_pip_compile_write() {
        let text = "#\n# header\n#\n--index-url https://mirror.invalid/simple\nnumpy==1.26.4 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via -r requirements.in\nuvicorn[standard]==0.30.1  # via -r x.in\n";
        let pins = read_pins(text).unwrap();
        assert_eq!(pins.len(), 2);
        assert_eq!(
            pins[&PackageName::new("numpy".to_string()).unwrap()].to_string(),
            "1.26.4"
        );
        assert_eq!(
            pins[&PackageName::new("uvicorn".to_string()).unwrap()].to_string(),
            "0.30.1"
        );
    }

    #[test]
    fn unpinned_line_is_an_error_naming_the_line() {
        let error = read_pins("numpy==1\nrequests>=2\n").unwrap_err();
        assert_eq!(error.line, 2);
    }
}
