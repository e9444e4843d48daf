//! Index URLs and their redaction.
//!
//! Credentials travel in URLs (`https://user:token@host/simple`) or come from `~/.netrc`. They
//! are sent to the server but never printed, logged, written into a lock or a cache key: every
//! place that shows a URL goes through [`RedactedUrl`].

use std::fmt;

use url::Url;

/// A URL that displays with its credentials replaced by `****`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedactedUrl(Url);

// Errors are printed with `{:?}` too (`expect`, test failures): redacted there as well.
impl fmt::Debug for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RedactedUrl")
            .field(&redact(&self.0))
            .finish()
    }
}

impl RedactedUrl {
    /// Wraps a URL.
    pub fn new(url: &Url) -> Self {
        Self(url.clone())
    }

    /// The host, if the URL has one.
    pub fn host(&self) -> Option<&str> {
        self.0.host_str()
    }
}

impl fmt::Display for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

/// The URL as text with any user name and password replaced by `****`.
///
/// ```
/// # use url::Url;
/// let url = Url::parse("https://user:secret@mirror.invalid/simple/").unwrap();
/// assert_eq!(strata_index::redact(&url), "https://****:****@mirror.invalid/simple/");
/// ```
pub fn redact(url: &Url) -> String {
    if url.username().is_empty() && url.password().is_none() {
        return url.to_string();
    }
    let mut copy = url.clone();
    // Setting credentials only fails for URLs that cannot have them (`file:`), which have none.
    if !copy.username().is_empty() {
        let _ = copy.set_username("****");
    }
    if copy.password().is_some() {
        let _ = copy.set_password(Some("****"));
    }
    copy.to_string()
}

/// The same URL without credentials, used for cache keys and lock files.
pub fn without_credentials(url: &Url) -> Url {
    let mut copy = url.clone();
    let _ = copy.set_username("");
    let _ = copy.set_password(None);
    copy
}

/// One configured index: the base URL of a PEP 503 simple repository.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IndexUrl {
    url: Url,
}

impl IndexUrl {
    /// Parses an index URL; a missing trailing slash is added so relative joins work.
    pub fn parse(text: &str) -> Result<Self, url::ParseError> {
        let mut url = Url::parse(text)?;
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        Ok(Self { url })
    }

    /// The URL, with credentials if it has any.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The project page URL for a normalized name.
    pub fn project_url(&self, name: &pep508_rs::PackageName) -> Url {
        self.url
            .join(&format!("{name}/"))
            .expect("a normalized package name is a valid relative URL")
    }
}

impl fmt::Display for IndexUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_display() {
        let url = IndexUrl::parse("https://__token__:pypi-secret@mirror.invalid/simple").unwrap();
        assert_eq!(url.to_string(), "https://****:****@mirror.invalid/simple/");
        assert!(!RedactedUrl::new(url.url()).to_string().contains("secret"));
        assert_eq!(
            without_credentials(url.url()).as_str(),
            "https://mirror.invalid/simple/"
        );
    }

    #[test]
    fn project_url_is_joined_under_the_index() {
        let url = IndexUrl::parse("http://127.0.0.1:8080/simple").unwrap();
        let name = pep508_rs::PackageName::new("Foo_Bar".to_string()).unwrap();
        assert_eq!(
            url.project_url(&name).as_str(),
            "http://127.0.0.1:8080/simple/foo-bar/"
        );
    }
}
