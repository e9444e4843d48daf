//! Legacy `.egg-info` requirements: `requires.txt` as `Requires-Dist` lines.
//!
//! `requires.txt` is INI-like: unsectioned lines are plain requirements, and a `[extra]`,
//! `[:marker]` or `[extra:marker]` header puts the lines after it under that extra and marker.
//! The conversion is pip's (`BaseDistribution._iter_egg_info_dependencies`), which is
//! `importlib.metadata`'s plus the `safe_extra` normalization of the extra name, so the marker
//! compares equal to what dist-info metadata would say.

/// Converts the text of a `requires.txt` into `Requires-Dist` values.
pub(crate) fn requires_txt_to_requires_dist(text: &str) -> Vec<String> {
    let mut requirements = Vec::new();
    let (mut extra, mut marker) = (String::new(), String::new());
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            let header = line.trim_matches(|c| c == '[' || c == ']');
            let (name, condition) = header.split_once(':').unwrap_or((header, ""));
            extra = safe_extra(name);
            marker = condition.to_string();
            continue;
        }
        let condition = match (extra.is_empty(), marker.is_empty()) {
            (false, false) => format!("({marker}) and extra == \"{extra}\""),
            (false, true) => format!("extra == \"{extra}\""),
            (true, false) => marker.clone(),
            (true, true) => String::new(),
        };
        if condition.is_empty() {
            requirements.push(line.to_string());
        } else {
            requirements.push(format!("{line} ; {condition}"));
        }
    }
    requirements
}

/// `pkg_resources.safe_extra`: runs of characters other than letters, digits, `.` and `-`
/// become `_`, and the result is lowercase.
fn safe_extra(extra: &str) -> String {
    let mut safe = String::with_capacity(extra.len());
    let mut in_run = false;
    for character in extra.chars() {
        if character.is_ascii_alphanumeric() || character == '.' || character == '-' {
            safe.push(character.to_ascii_lowercase());
            in_run = false;
        } else if !in_run {
            safe.push('_');
            in_run = true;
        }
    }
    safe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_become_extra_and_marker_conditions() {
        let text = "six>=1.0\n\n# comment\n[Socks Proxy]\nPySocks!=1.5.7\n[:python_version < \"3.8\"]\ntyping-extensions\n[test:sys_platform == \"win32\"]\npywin32\n";
        assert_eq!(
            requires_txt_to_requires_dist(text),
            [
                "six>=1.0",
                "PySocks!=1.5.7 ; extra == \"socks_proxy\"",
                "typing-extensions ; python_version < \"3.8\"",
                "pywin32 ; (sys_platform == \"win32\") and extra == \"test\"",
            ]
        );
    }
}
