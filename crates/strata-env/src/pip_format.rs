//! Requirements printed the way `pip check` prints them.
//!
//! pip prints `str(packaging.requirements.Requirement(text))`: the name as written, extras
//! sorted, specifiers as written but sorted as strings and joined by `,` with no spaces, a URL
//! after ` @ `, and the marker re-serialized from its tokens (single spaces, values in double
//! quotes, the outermost redundant parentheses dropped, legacy dotted variable names replaced).
//! pep508-rs's own `Display` normalizes names and simplifies markers, which reads well but is
//! not what pip says, so this module works from the written text.

/// Formats the written requirement `text` as pip's `str(Requirement)` would.
pub(crate) fn requirement(text: &str) -> String {
    let text = text.trim();
    let name_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
        .unwrap_or(text.len());
    let (name, mut rest) = text.split_at(name_end);
    let mut out = name.to_string();
    rest = rest.trim_start();
    if let Some(after) = rest.strip_prefix('[')
        && let Some(close) = after.find(']')
    {
        let mut extras: Vec<&str> = after[..close]
            .split(',')
            .map(str::trim)
            .filter(|extra| !extra.is_empty())
            .collect();
        extras.sort_unstable();
        if !extras.is_empty() {
            out.push('[');
            out.push_str(&extras.join(","));
            out.push(']');
        }
        rest = after[close + 1..].trim_start();
    }
    if let Some(url_part) = rest.strip_prefix('@') {
        let url_part = url_part.trim_start();
        let url_end = url_part.find(char::is_whitespace).unwrap_or(url_part.len());
        // packaging writes no space before the `@`.
        out.push_str("@ ");
        out.push_str(&url_part[..url_end]);
        if let Some(marker) = url_part[url_end..].trim_start().strip_prefix(';') {
            out.push_str(" ; ");
            out.push_str(&self::marker(marker));
        }
        return out;
    }
    let (specifiers, marker) = match rest.split_once(';') {
        Some((specifiers, marker)) => (specifiers, Some(marker)),
        None => (rest, None),
    };
    let specifiers = specifiers.trim();
    let specifiers = specifiers
        .strip_prefix('(')
        .and_then(|inner| inner.strip_suffix(')'))
        .unwrap_or(specifiers);
    let mut parts: Vec<String> = specifiers
        .split(',')
        .map(|part| {
            part.chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
        })
        .filter(|part| !part.is_empty())
        .collect();
    parts.sort_unstable();
    out.push_str(&parts.join(","));
    if let Some(marker) = marker {
        out.push_str("; ");
        out.push_str(&self::marker(marker));
    }
    out
}

/// The legacy marker variable names packaging still accepts, and what it prints instead.
const ALIASES: [(&str, &str); 6] = [
    ("os.name", "os_name"),
    ("sys.platform", "sys_platform"),
    ("platform.version", "platform_version"),
    ("platform.machine", "platform_machine"),
    (
        "platform.python_implementation",
        "platform_python_implementation",
    ),
    ("python_implementation", "platform_python_implementation"),
];

/// Re-serializes a marker from its tokens as packaging's `_format_marker` does.
pub(crate) fn marker(text: &str) -> String {
    let mut tokens: Vec<String> = Vec::new();
    let mut chars = text.trim().chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' || c == ')' {
            tokens.push(c.to_string());
            chars.next();
        } else if c == '"' || c == '\'' {
            chars.next();
            let value: String = chars.by_ref().take_while(|&d| d != c).collect();
            tokens.push(format!("\"{value}\""));
        } else if matches!(c, '<' | '>' | '=' | '!' | '~') {
            let mut op = String::new();
            while let Some(&d) = chars.peek()
                && matches!(d, '<' | '>' | '=' | '!' | '~')
            {
                op.push(d);
                chars.next();
            }
            tokens.push(op);
        } else {
            let mut word = String::new();
            while let Some(&d) = chars.peek()
                && !(d.is_whitespace()
                    || matches!(d, '(' | ')' | '"' | '\'' | '<' | '>' | '=' | '!' | '~'))
            {
                word.push(d);
                chars.next();
            }
            let word = ALIASES
                .iter()
                .find(|(alias, _)| *alias == word)
                .map_or(word, |(_, name)| (*name).to_string());
            tokens.push(word);
        }
    }
    // packaging drops parentheses around the whole marker (a one-element top-level group).
    while tokens.first().is_some_and(|token| token == "(")
        && tokens.last().is_some_and(|token| token == ")")
        && closes_at_end(&tokens)
    {
        tokens.remove(0);
        tokens.pop();
    }
    let mut out = String::new();
    for (index, token) in tokens.iter().enumerate() {
        let after_open = index > 0 && tokens[index - 1] == "(";
        if index > 0 && !after_open && token != ")" {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}

/// Whether the parenthesis opened by the first token closes at the last one.
fn closes_at_end(tokens: &[String]) -> bool {
    let mut depth = 0usize;
    for (index, token) in tokens.iter().enumerate() {
        match token.as_str() {
            "(" => depth += 1,
            ")" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return index == tokens.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_print_as_packaging_prints_them() {
        let cases = [
            ("numpy>=1.17,<2.0.0", "numpy<2.0.0,>=1.17"),
            ("Foo_Bar (>= 1.0, < 2)", "Foo_Bar<2,>=1.0"),
            (
                "requests[socks, security] >=2",
                "requests[security,socks]>=2",
            ),
            ("torch", "torch"),
            (
                "tomli>=1; python_version<'3.11' and (os_name=='posix' or sys.platform == \"win32\")",
                "tomli>=1; python_version < \"3.11\" and (os_name == \"posix\" or sys_platform == \"win32\")",
            ),
            ("pkg ; (extra == 'x')", "pkg; extra == \"x\""),
            (
                "pkg @ https://127.0.0.1/pkg.whl ; os_name == 'nt'",
                "pkg@ https://127.0.0.1/pkg.whl ; os_name == \"nt\"",
            ),
            (
                "b ; (python_version < \"3\") and extra == \"t\"",
                "b; (python_version < \"3\") and extra == \"t\"",
            ),
        ];
        for (written, expected) in cases {
            assert_eq!(requirement(written), expected, "case `{written}`");
        }
    }
}
