//! The small subset of HTTP/1.1 the index speaks.
//!
//! Requests are `GET` and `HEAD` with headers only; responses always carry
//! `Content-Length` (no chunked encoding), which keeps truncation faults exact.
//! Supported: persistent connections, one `Range` per request (`bytes=a-b`,
//! `bytes=a-`, `bytes=-n`), `If-None-Match`, and `Accept` quality values.

use std::io::{self, BufRead, Read};

/// Longest request head accepted, against runaway clients.
const MAX_HEAD: usize = 64 * 1024;

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Request {
    pub(crate) method: String,
    /// The path without query string.
    pub(crate) path: String,
    /// Whether the client wants the connection kept open afterwards.
    pub(crate) keep_alive: bool,
    headers: Vec<(String, String)>,
}

impl Request {
    /// The first header named `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The same request for another path: a redirect hop arriving where it leads.
    pub(crate) fn with_path(&self, path: String) -> Self {
        Self {
            path,
            ..self.clone()
        }
    }
}

/// Reads one request head; `Ok(None)` on a cleanly closed connection.
pub(crate) fn read_request(reader: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        let read = reader
            .by_ref()
            .take(MAX_HEAD as u64)
            .read_until(b'\n', &mut line)?;
        if read == 0 {
            return if head.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        if line == b"\r\n" || line == b"\n" {
            if head.is_empty() {
                // Tolerate stray blank lines between requests (RFC 9112 2.2).
                continue;
            }
            break;
        }
        head.push(String::from_utf8_lossy(&line).trim_end().to_string());
        if head.len() > 200 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "too many headers",
            ));
        }
    }
    let mut request_line = head[0].split_whitespace();
    let (Some(method), Some(target), version) = (
        request_line.next(),
        request_line.next(),
        request_line.next().unwrap_or("HTTP/1.0"),
    ) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad request line",
        ));
    };
    let headers: Vec<(String, String)> = head[1..]
        .iter()
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
        .collect();
    let path = target
        .split(['?', '#'])
        .next()
        .unwrap_or(target)
        .to_string();
    let mut request = Request {
        method: method.to_string(),
        path,
        keep_alive: version == "HTTP/1.1",
        headers,
    };
    if let Some(connection) = request.header("Connection") {
        let connection = connection.to_ascii_lowercase();
        if connection.contains("close") {
            request.keep_alive = false;
        } else if connection.contains("keep-alive") {
            request.keep_alive = true;
        }
    }
    // Bodies are not expected, but skipping one keeps the connection in sync.
    if let Some(length) = request
        .header("Content-Length")
        .and_then(|length| length.parse::<u64>().ok())
    {
        io::copy(&mut reader.by_ref().take(length), &mut io::sink())?;
    }
    Ok(Some(request))
}

/// What a `Range` header asks of a body of `length` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeRequest {
    /// No usable range: send everything with 200. Multi-range requests land
    /// here too, which RFC 9110 allows.
    Whole,
    /// Send `start..=end` with 206.
    Slice { start: u64, end: u64 },
    /// Answer 416.
    Unsatisfiable,
}

pub(crate) fn parse_range(header: Option<&str>, length: u64) -> RangeRequest {
    let Some(spec) = header.and_then(|header| header.trim().strip_prefix("bytes=")) else {
        return RangeRequest::Whole;
    };
    if spec.contains(',') {
        return RangeRequest::Whole;
    }
    let Some((first, last)) = spec.split_once('-') else {
        return RangeRequest::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        return match last.parse::<u64>() {
            Ok(0) => RangeRequest::Unsatisfiable,
            Ok(_) if length == 0 => RangeRequest::Unsatisfiable,
            Ok(suffix) => RangeRequest::Slice {
                start: length.saturating_sub(suffix),
                end: length - 1,
            },
            Err(_) => RangeRequest::Whole,
        };
    }
    let Ok(start) = first.parse::<u64>() else {
        return RangeRequest::Whole;
    };
    let end = if last.is_empty() {
        None
    } else if let Ok(end) = last.parse::<u64>() {
        Some(end)
    } else {
        return RangeRequest::Whole;
    };
    if end.is_some_and(|end| end < start) {
        return RangeRequest::Whole;
    }
    if start >= length {
        return RangeRequest::Unsatisfiable;
    }
    RangeRequest::Slice {
        start,
        end: end.map_or(length - 1, |end| end.min(length - 1)),
    }
}

/// The two page formats of the simple API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PageFormat {
    /// PEP 691.
    Json,
    /// PEP 503.
    Html,
}

impl PageFormat {
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/vnd.pypi.simple.v1+json",
            Self::Html => "application/vnd.pypi.simple.v1+html",
        }
    }
}

/// Picks the format with the highest quality in `Accept`; JSON wins ties, and
/// HTML is the answer when nothing usable is asked for (PEP 691 lets servers
/// default to it).
pub(crate) fn negotiate(accept: Option<&str>) -> PageFormat {
    let Some(accept) = accept else {
        return PageFormat::Html;
    };
    let mut json = 0.0_f64;
    let mut html = 0.0_f64;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|parameter| parameter.trim().strip_prefix("q="))
            .find_map(|quality| quality.trim().parse::<f64>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "application/vnd.pypi.simple.v1+json" | "application/vnd.pypi.simple.latest+json" => {
                json = json.max(quality);
            }
            "application/vnd.pypi.simple.v1+html"
            | "application/vnd.pypi.simple.latest+html"
            | "text/html"
            | "*/*" => html = html.max(quality),
            _ => {}
        }
    }
    if json > 0.0 && json >= html {
        PageFormat::Json
    } else {
        PageFormat::Html
    }
}

/// Whether `If-None-Match` names `etag` (weak comparison, `*` included).
pub(crate) fn etag_matches(if_none_match: Option<&str>, etag: &str) -> bool {
    let Some(header) = if_none_match else {
        return false;
    };
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
    })
}

pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Range Not Satisfiable",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Injected Status",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        let cases = [
            (None, RangeRequest::Whole),
            (Some("bytes=0-9"), RangeRequest::Slice { start: 0, end: 9 }),
            (
                Some("bytes=90-200"),
                RangeRequest::Slice { start: 90, end: 99 },
            ),
            (
                Some("bytes=95-"),
                RangeRequest::Slice { start: 95, end: 99 },
            ),
            (
                Some("bytes=-10"),
                RangeRequest::Slice { start: 90, end: 99 },
            ),
            (
                Some("bytes=-1000"),
                RangeRequest::Slice { start: 0, end: 99 },
            ),
            (Some("bytes=100-"), RangeRequest::Unsatisfiable),
            (Some("bytes=-0"), RangeRequest::Unsatisfiable),
            (Some("bytes=5-1"), RangeRequest::Whole),
            (Some("bytes=0-1,5-6"), RangeRequest::Whole),
            (Some("items=0-1"), RangeRequest::Whole),
        ];
        for (header, expected) in cases {
            assert_eq!(parse_range(header, 100), expected, "case {header:?}");
        }
    }

    #[test]
    fn accept_picks_the_preferred_format() {
        let cases = [
            (None, PageFormat::Html),
            (Some("text/html"), PageFormat::Html),
            (
                Some(
                    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01",
                ),
                PageFormat::Json,
            ),
            (
                Some("application/vnd.pypi.simple.v1+json; q=0.2, text/html"),
                PageFormat::Html,
            ),
            (
                Some("application/vnd.pypi.simple.latest+json"),
                PageFormat::Json,
            ),
            (Some("application/json"), PageFormat::Html),
        ];
        for (accept, expected) in cases {
            assert_eq!(negotiate(accept), expected, "case {accept:?}");
        }
    }

    #[test]
    fn request_heads_parse_with_keep_alive_defaults() {
        let raw = b"GET /simple/a/?x=1 HTTP/1.1\r\nHost: h\r\nrange: bytes=0-1\r\n\r\nGET / HTTP/1.0\r\n\r\n";
        let mut reader = io::BufReader::new(&raw[..]);
        let first = read_request(&mut reader).unwrap().unwrap();
        assert_eq!(first.path, "/simple/a/");
        assert_eq!(first.header("Range"), Some("bytes=0-1"));
        assert!(first.keep_alive);
        let second = read_request(&mut reader).unwrap().unwrap();
        assert!(!second.keep_alive);
        assert_eq!(read_request(&mut reader).unwrap(), None);
    }

    #[test]
    fn etags_match_weakly_and_by_wildcard() {
        assert!(etag_matches(Some("\"a\", W/\"b\""), "\"b\""));
        assert!(etag_matches(Some("*"), "\"b\""));
        assert!(!etag_matches(Some("\"a\""), "\"b\""));
        assert!(!etag_matches(None, "\"b\""));
    }
}
