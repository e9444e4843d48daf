//! Credentials from a `.netrc` file, as pip (through requests) and uv read them.
//!
//! Only what index authentication needs: `machine HOST login USER password SECRET` entries and a
//! `default` entry, tokens separated by any whitespace. `macdef` blocks are skipped. A URL that
//! carries its own credentials keeps them; `.netrc` only fills in for URLs without.
//!
//! See: <https://www.gnu.org/software/inetutils/manual/html_node/The-_002enetrc-file.html>

use std::path::Path;

/// A login and password for a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credentials {
    pub(crate) login: String,
    pub(crate) password: String,
}

/// The entries of a `.netrc` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Netrc {
    machines: Vec<(String, Credentials)>,
    default: Option<Credentials>,
}

impl Netrc {
    /// Reads `path`; a missing or unreadable file gives no entries.
    pub(crate) fn load(path: &Path) -> Self {
        fs_err::read_to_string(path)
            .map(|text| Self::parse(&text))
            .unwrap_or_default()
    }

    pub(crate) fn parse(text: &str) -> Self {
        let mut netrc = Self::default();
        let mut tokens = text.split_whitespace().peekable();
        // The entry being read: `Some(host)` for a machine, `None` for `default`.
        let mut current: Option<Option<String>> = None;
        let mut login = String::new();
        let mut password = String::new();
        let finish = |netrc: &mut Self,
                      current: Option<Option<String>>,
                      login: &mut String,
                      password: &mut String| {
            if let Some(host) = current {
                let credentials = Credentials {
                    login: std::mem::take(login),
                    password: std::mem::take(password),
                };
                match host {
                    Some(host) => netrc.machines.push((host, credentials)),
                    None => netrc.default = Some(credentials),
                }
            }
        };
        while let Some(token) = tokens.next() {
            match token {
                "machine" => {
                    finish(&mut netrc, current.take(), &mut login, &mut password);
                    current = Some(tokens.next().map(str::to_string));
                }
                "default" => {
                    finish(&mut netrc, current.take(), &mut login, &mut password);
                    current = Some(None);
                }
                "login" => login = tokens.next().unwrap_or_default().to_string(),
                "password" => password = tokens.next().unwrap_or_default().to_string(),
                "account" => {
                    tokens.next();
                }
                "macdef" => {
                    // A macro runs to the next blank line, which whitespace splitting cannot
                    // see; macros are rare in index setups, so end the entry here.
                    finish(&mut netrc, current.take(), &mut login, &mut password);
                    tokens.next();
                }
                _ => {}
            }
        }
        finish(&mut netrc, current.take(), &mut login, &mut password);
        netrc
    }

    /// The credentials for `host`, falling back to the `default` entry.
    pub(crate) fn for_host(&self, host: &str) -> Option<&Credentials> {
        self.machines
            .iter()
            .find(|(machine, _)| machine.eq_ignore_ascii_case(host))
            .map(|(_, credentials)| credentials)
            .or(self.default.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machines_and_default_are_read() {
        let netrc = Netrc::parse(
            "machine mirror.invalid\n  login alice\n  password s3cret\n\nmachine other.invalid login bob password pw account x\ndefault login anon password none\n",
        );
        assert_eq!(netrc.for_host("mirror.invalid").unwrap().login, "alice");
        assert_eq!(netrc.for_host("MIRROR.invalid").unwrap().password, "s3cret");
        assert_eq!(netrc.for_host("other.invalid").unwrap().password, "pw");
        assert_eq!(netrc.for_host("elsewhere.invalid").unwrap().login, "anon");
    }

    #[test]
    fn no_entry_and_no_default_gives_none() {
        let netrc = Netrc::parse("machine a.invalid login x password y\n");
        assert!(netrc.for_host("b.invalid").is_none());
    }
}
