//! Simple API pages: PEP 691 JSON and PEP 503 HTML, with the PEP 592, 658 and
//! 714 additions. Metadata files are advertised under both PEP 714's names and
//! the older ones (`dist-info-metadata` in JSON, `data-dist-info-metadata` in
//! HTML), as real indexes do for older clients.
//!
//! File URLs are relative (`../../files/<project>/<file>`) so clients must join
//! them against the page URL, as they must for real indexes that host files
//! elsewhere.

use std::fmt::Write as _;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::http::PageFormat;
use crate::store::{Project, hex};

/// What the fault switches change in one page.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageFaults {
    pub(crate) hide_metadata: bool,
    pub(crate) wrong_hash: bool,
    /// Hashes advertised instead of the files' own, by file name.
    pub(crate) advertised: Vec<(String, String)>,
    /// What is advertised for a file's metadata file instead of its own hash, by the
    /// file's name: another hash, or `None` for none.
    pub(crate) advertised_metadata: Vec<(String, Option<String>)>,
}

pub(crate) fn root_page<'a>(
    projects: impl Iterator<Item = &'a Project>,
    format: PageFormat,
) -> String {
    let names: Vec<&str> = projects.map(|project| project.name.as_str()).collect();
    match format {
        PageFormat::Json => {
            let projects: Vec<Value> = names.iter().map(|name| json!({ "name": name })).collect();
            json!({ "meta": { "api-version": "1.1" }, "projects": projects }).to_string()
        }
        PageFormat::Html => {
            let mut page = html_head("Simple index");
            for name in names {
                let _ = writeln!(
                    page,
                    "    <a href=\"{}/\">{}</a><br />",
                    escape(name),
                    escape(name)
                );
            }
            page.push_str("  </body>\n</html>\n");
            page
        }
    }
}

pub(crate) fn project_page(project: &Project, format: PageFormat, faults: &PageFaults) -> String {
    let files = project.files.iter().map(|listed| {
        let file = &listed.file;
        let advertised = faults
            .advertised
            .iter()
            .find(|(filename, _)| *filename == file.filename);
        let sha256 = if let Some((_, sha256)) = advertised {
            sha256.clone()
        } else if faults.wrong_hash {
            hex(&Sha256::digest(file.sha256.as_bytes()))
        } else {
            file.sha256.clone()
        };
        // `Some(None)`: a metadata file advertised without a hash.
        let metadata = listed
            .metadata_sha256
            .as_ref()
            .filter(|_| !faults.hide_metadata)
            .map(|own| {
                faults
                    .advertised_metadata
                    .iter()
                    .find(|(filename, _)| *filename == file.filename)
                    .map_or_else(|| Some(own.clone()), |(_, sha256)| sha256.clone())
            });
        (listed, format!("../..{}", file.url_path), sha256, metadata)
    });
    match format {
        PageFormat::Json => {
            let files: Vec<Value> = files
                .map(|(listed, url, sha256, metadata)| {
                    let mut entry = json!({
                        "filename": listed.file.filename,
                        "url": url,
                        "hashes": { "sha256": sha256 },
                        "requires-python": listed.requires_python,
                        "size": listed.file.size,
                        "yanked": match &listed.yanked {
                            None => Value::Bool(false),
                            Some(reason) if reason.is_empty() => Value::Bool(true),
                            Some(reason) => Value::String(reason.clone()),
                        },
                    });
                    if let Some(upload_time) = &listed.upload_time {
                        entry["upload-time"] = json!(upload_time);
                    }
                    if let Some(metadata) = metadata {
                        let value = match metadata {
                            Some(sha256) => json!({ "sha256": sha256 }),
                            None => json!(true),
                        };
                        entry["core-metadata"] = value.clone();
                        entry["dist-info-metadata"] = value;
                    }
                    entry
                })
                .collect();
            let versions: Vec<String> = project.versions.iter().map(ToString::to_string).collect();
            json!({
                "meta": { "api-version": "1.1" },
                "name": project.name,
                "files": files,
                "versions": versions,
            })
            .to_string()
        }
        PageFormat::Html => {
            let mut page = html_head(&format!("Links for {}", project.name));
            let _ = writeln!(page, "    <h1>Links for {}</h1>", escape(&project.name));
            for (listed, url, sha256, metadata) in files {
                let mut attributes = format!("href=\"{}#sha256={sha256}\"", escape(&url));
                if let Some(requires_python) = &listed.requires_python {
                    let _ = write!(
                        attributes,
                        " data-requires-python=\"{}\"",
                        escape(requires_python)
                    );
                }
                if let Some(reason) = &listed.yanked {
                    let _ = write!(attributes, " data-yanked=\"{}\"", escape(reason));
                }
                if let Some(metadata) = metadata {
                    let value = match metadata {
                        Some(sha256) => format!("sha256={sha256}"),
                        None => "true".to_string(),
                    };
                    let _ = write!(
                        attributes,
                        " data-core-metadata=\"{value}\" data-dist-info-metadata=\"{value}\""
                    );
                }
                let _ = writeln!(
                    page,
                    "    <a {attributes}>{}</a><br />",
                    escape(&listed.file.filename)
                );
            }
            page.push_str("  </body>\n</html>\n");
            page
        }
    }
}

fn html_head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.1\">\n    <title>{}</title>\n  </head>\n  <body>\n",
        escape(title)
    )
}

/// Escapes text for HTML content and double-quoted attributes.
pub(crate) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            _ => escaped.push(character),
        }
    }
    escaped
}

/// Cuts a page in half for [`crate::Fault::MalformedPage`]. The cut is moved to a
/// character boundary, and for JSON the result can never parse because the
/// closing brace is gone.
pub(crate) fn malformed(page: &str) -> String {
    let mut cut = page.len() / 2;
    while !page.is_char_boundary(cut) {
        cut -= 1;
    }
    page[..cut].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_attribute_breakers() {
        assert_eq!(
            escape(r#"<=3.9,>="x"&'"#),
            "&lt;=3.9,&gt;=&quot;x&quot;&amp;&#x27;"
        );
    }
}
