//! PEP 503 HTML project pages.
//!
//! Only anchors matter, so this is a small anchor scanner rather than an HTML parser: it finds
//! each `<a ...>`, reads its attributes (quoted or not, any case), takes the link text as the
//! filename, and unescapes entities. Indexes generate these pages mechanically, and the scanner
//! is tested on the shapes they produce.

use super::{RawFile, fragment_sha256};

/// Parses a PEP 503 page. Returns an error when the body is not HTML-like at all.
pub(crate) fn parse_html(body: &[u8]) -> Result<Vec<RawFile>, String> {
    let text =
        std::str::from_utf8(body).map_err(|error| format!("the page is not UTF-8: {error}"))?;
    let lower = text.to_ascii_lowercase();
    if !lower.contains("<html") && !lower.contains("<a ") && !lower.contains("<!doctype") {
        return Err("the page is not an HTML document".to_string());
    }
    let mut files = Vec::new();
    let mut position = 0;
    while let Some(start) = lower[position..]
        .find("<a ")
        .map(|offset| position + offset)
    {
        let Some(tag_end) = lower[start..].find('>').map(|offset| start + offset) else {
            return Err("an anchor is not closed".to_string());
        };
        let attributes = parse_attributes(&text[start + 3..tag_end]);
        let close = lower[tag_end..]
            .find("</a>")
            .map_or(text.len(), |offset| tag_end + offset);
        let filename = unescape(text[tag_end + 1..close].trim());
        position = close;
        let Some(href) = attribute(&attributes, "href") else {
            continue;
        };
        let href = unescape(href);
        let metadata = attribute(&attributes, "data-core-metadata")
            .or_else(|| attribute(&attributes, "data-dist-info-metadata"))
            .map(unescape);
        files.push(RawFile {
            sha256: fragment_sha256(&href),
            url: href,
            requires_python: attribute(&attributes, "data-requires-python")
                .map(unescape)
                .filter(|text| !text.trim().is_empty()),
            yanked: attribute(&attributes, "data-yanked").map(unescape),
            core_metadata: match metadata.as_deref() {
                None | Some("false") => None,
                Some(value) => Some(value.strip_prefix("sha256=").map(str::to_ascii_lowercase)),
            },
            size: None,
            upload_time: None,
            filename,
        });
    }
    Ok(files)
}

fn attribute<'a>(attributes: &'a [(String, &'a str)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| *value)
}

/// Reads `name="value"`, `name='value'`, `name=value` and bare `name` attributes.
fn parse_attributes(source: &str) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    let mut rest = source.trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let value;
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            if let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let body = &after[1..];
                let end = body.find(quote).unwrap_or(body.len());
                value = &body[..end];
                rest = body.get(end + 1..).unwrap_or("");
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                value = &after[..end];
                rest = &after[end..];
            }
        } else {
            value = "";
            rest = rest.trim_start_matches('/');
        }
        if !name.is_empty() {
            out.push((name, value));
        }
        rest = rest.trim_start();
    }
    out
}

/// Unescapes the entities pages use: named `&lt; &gt; &amp; &quot; &apos;` and numeric ones.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find(';').filter(|end| *end <= 10) else {
            out.push('&');
            rest = after;
            continue;
        };
        let entity = &after[..end];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| {
                    entity
                        .strip_prefix('#')
                        .and_then(|decimal| decimal.parse().ok())
                })
                .and_then(char::from_u32),
        };
        if let Some(c) = decoded {
            out.push(c);
            rest = &after[end + 1..];
        } else {
            out.push('&');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_attributes_indexes_write() {
        let page = br#"<!DOCTYPE html><html><body>
<a href="../../files/numpy-1.26.4.tar.gz#sha256=AbC" data-requires-python="&gt;=3.9">numpy-1.26.4.tar.gz</a><br/>
<a href='x.whl' data-yanked="bad &amp; broken" data-dist-info-metadata="sha256=f00">x.whl</a>
<A HREF=y.whl data-core-metadata=true data-yanked>y.whl</A>
</body></html>"#;
        let files = parse_html(page).unwrap();
        assert_eq!(files.len(), 3);
        assert_eq!(files[0].filename, "numpy-1.26.4.tar.gz");
        assert_eq!(files[0].sha256.as_deref(), Some("abc"));
        assert_eq!(files[0].requires_python.as_deref(), Some(">=3.9"));
        assert_eq!(files[1].yanked.as_deref(), Some("bad & broken"));
        assert_eq!(files[1].core_metadata, Some(Some("f00".to_string())));
        assert_eq!(files[2].url, "y.whl");
        assert_eq!(files[2].core_metadata, Some(None));
        assert_eq!(files[2].yanked.as_deref(), Some(""));
    }

    #[test]
    fn numeric_entities_unescape() {
        assert_eq!(unescape("&#60;3&#x2C;4&#62; &bogus; &"), "<3,4> &bogus; &");
    }

    #[test]
    fn non_html_is_an_error() {
        assert!(parse_html(b"{\"files\": []}").is_err());
    }
}
