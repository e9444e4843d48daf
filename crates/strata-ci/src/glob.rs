//! Path globs as CI path filters write them: `*` matches within one path segment, `**` any
//! number of whole segments (`src/**` is everything under `src`, `**/*.py` every Python file),
//! `?` one character. Paths use `/` and are relative to the project root.

/// Whether `path` matches `pattern`.
///
/// ```
/// assert!(strata_ci::glob_matches("src/**", "src/app/cli.py"));
/// assert!(strata_ci::glob_matches("**/*.py", "cli.py"));
/// assert!(!strata_ci::glob_matches("src/*.py", "src/app/cli.py"));
/// ```
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    segments(&pattern, &path)
}

fn segments(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments(rest, &path[skip..])),
        Some((first, rest)) => path
            .split_first()
            .is_some_and(|(segment, tail)| segment_matches(first, segment) && segments(rest, tail)),
    }
}

fn segment_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    chars(&pattern, &text)
}

fn chars(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('*', rest)) => (0..=text.len()).any(|skip| chars(rest, &text[skip..])),
        Some(('?', rest)) => !text.is_empty() && chars(rest, &text[1..]),
        Some((first, rest)) => text.first() == Some(first) && chars(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::glob_matches;

    #[test]
    fn double_star_spans_whole_segments_and_star_stays_within_one() {
        assert!(glob_matches("src/**", "src/a.py"));
        assert!(glob_matches("src/**", "src/a/b/c.py"));
        assert!(!glob_matches("src/**", "srcx/a.py"));
        assert!(!glob_matches("src/**", "tests/src/a.py"));
        assert!(glob_matches("**/test_*.py", "tests/engines/test_vllm.py"));
        assert!(glob_matches("tests/*.py", "tests/test_a.py"));
        assert!(!glob_matches("tests/*.py", "tests/engines/test_a.py"));
        assert!(glob_matches("docs/?.md", "docs/a.md"));
        assert!(!glob_matches("docs/?.md", "docs/ab.md"));
        assert!(glob_matches("README.md", "README.md"));
        assert!(!glob_matches("README.md", "docs/README.md"));
    }
}
