//! Why a contracts check could not be done at all.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use strata_diagnostic::{Diagnostic, Snippet};

/// The check could not run: the configuration is invalid or the sources cannot be found.
/// Broken contracts are not errors; they are [`crate::Finding`]s in the [`crate::Report`].
///
/// It displays as its [`ErrorKind`]. An error that names a line of the configuration keeps that
/// line's text, which its [`Diagnostic`] snippet shows under the message: the text is what the
/// user has to change.
#[derive(Debug)]
pub struct Error {
    kind: Box<ErrorKind>,
    /// The text of the configuration line the kind names, once known.
    line_text: Option<String>,
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The configuration file and 1-based line this error names, if it names one.
    fn location(&self) -> Option<(&Path, usize)> {
        match &*self.kind {
            ErrorKind::Syntax { path, line, .. }
            | ErrorKind::InvalidContract { path, line, .. } => Some((path, *line)),
            _ => None,
        }
    }

    /// This error, with the text of the line it names taken from `source`, the text of the
    /// file it names.
    #[must_use]
    pub(crate) fn with_line_from(mut self, source: &str) -> Self {
        if self.line_text.is_none()
            && let Some((_, line)) = self.location()
        {
            self.line_text = line
                .checked_sub(1)
                .and_then(|index| source.lines().nth(index))
                .map(str::to_owned);
        }
        self
    }

    /// [`Error::with_line_from`] for an error raised after the configuration was parsed: the
    /// file it names is read again (once, on the way out).
    #[must_use]
    pub(crate) fn with_line_from_file(self) -> Self {
        let source = self
            .location()
            .and_then(|(path, _)| fs_err::read_to_string(path).ok());
        match source {
            Some(source) => self.with_line_from(&source),
            None => self,
        }
    }
}

impl Diagnostic for Error {
    /// The configuration line, underlined from its first non-blank character to its end; the
    /// path as given, without `./` components.
    fn snippet(&self) -> Option<Snippet> {
        let (path, line) = self.location()?;
        let text = self.line_text.as_deref()?;
        let indent = text.chars().take_while(|c| c.is_whitespace()).count();
        let width = text.trim().chars().count();
        let path: PathBuf = path
            .components()
            .filter(|component| *component != Component::CurDir)
            .collect();
        Some(Snippet::from_line(
            &path,
            line,
            text,
            indent..indent + width,
        ))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.kind)
    }
}

impl<T: Into<ErrorKind>> From<T> for Error {
    fn from(kind: T) -> Self {
        Self {
            kind: Box::new(kind.into()),
            line_text: None,
        }
    }
}

/// The kinds of [`Error`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A configuration file could not be read.
    #[error("Failed to read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A configuration file is not valid TOML or INI.
    #[error("{}:{line}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A contract or the top-level import-linter section is invalid.
    #[error("{}:{line}: {message}", path.display())]
    InvalidContract {
        /// The file.
        path: PathBuf,
        /// 1-based line of the section or key, when known.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The project root is not a directory.
    #[error("Project root `{}` is not a directory", root.display())]
    RootNotFound {
        /// The path given.
        root: PathBuf,
    },
    /// A root package is neither `<root>/src/<name>` nor `<root>/<name>`.
    #[error("Root package `{package}` not found under `{}` (looked in `src/` and the root)", root.display())]
    PackageNotFound {
        /// The package name.
        package: String,
        /// The project root.
        root: PathBuf,
    },
    /// A module named by a contract does not exist in the graph.
    #[error("Contract `{contract}`: module `{module}` does not exist")]
    MissingModule {
        /// The contract name.
        contract: String,
        /// The module.
        module: String,
    },
    /// An `ignore_imports` line matched no import and alerting is `error`.
    #[error("Contract `{contract}`: no matches for ignored import `{expression}`")]
    UnmatchedIgnoreImport {
        /// The contract name.
        contract: String,
        /// The expression as written.
        expression: String,
    },
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use strata_diagnostic::Diagnostic;

    use crate::{ContractsConfig, ImportLinterConfig, check};

    #[test]
    fn a_configuration_error_shows_the_line_it_names() {
        let text = "[tool.importlinter]\nroot_package = \"app\"\n\n  not a key\n";
        let error = ImportLinterConfig::parse(Path::new("./pyproject.toml"), text).unwrap_err();
        let snippet = error.snippet().expect("the line of the syntax error");
        assert_eq!(
            snippet.path,
            Path::new("pyproject.toml"),
            "`./` is left out"
        );
        assert_eq!((snippet.line, snippet.text.as_str()), (4, "  not a key"));
        assert_eq!(
            (snippet.column, snippet.width),
            (3, 9),
            "the text, not the indent"
        );
    }

    #[test]
    fn a_contract_refused_while_checking_shows_its_line() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(dir.path().join("app")).unwrap();
        fs_err::write(dir.path().join("app/__init__.py"), "").unwrap();
        // Valid to the parser; the checker refuses an external module without
        // `include_external_packages`, once the graph is built.
        fs_err::write(
            dir.path().join(".importlinter"),
            "[importlinter]\nroot_package = app\n\n[importlinter:contract:one]\nname = No numpy\n\
             type = forbidden\nsource_modules = app\nforbidden_modules = numpy\n",
        )
        .unwrap();
        let config = ContractsConfig::discover(dir.path()).unwrap();
        let error = check(&config).unwrap_err();
        let snippet = error.snippet().expect("the contract's line");
        assert_eq!(snippet.line, 4, "{error}");
        assert_eq!(snippet.text, "[importlinter:contract:one]");
    }
}
