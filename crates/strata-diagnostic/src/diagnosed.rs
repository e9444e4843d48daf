//! A diagnostic on its way through an error chain that knows nothing of it.

use std::error::Error;
use std::fmt;

use crate::{Diagnostic, Snippet};

/// Any [`Diagnostic`], boxed as a concrete type so that a `dyn Error` chain (an
/// `anyhow::Error`'s, say) can be searched for it by downcasting.
///
/// It is transparent: it displays as the error it holds and its [`source`](Error::source) is
/// that error's source, so wrapping changes nothing in the chain a person reads.
///
/// It does not implement [`Diagnostic`] itself (as `anyhow::Error` does not implement
/// `std::error::Error`): that is what lets every diagnostic convert into it with `From`, and
/// a `Diagnosed` never ends up wrapped in another.
pub struct Diagnosed(Box<dyn Diagnostic>);

impl Diagnosed {
    /// Wraps `diagnostic`.
    pub fn new(diagnostic: impl Diagnostic) -> Self {
        Self(Box::new(diagnostic))
    }

    /// The wrapped error's hints.
    pub fn hints(&self) -> Vec<String> {
        self.0.hints()
    }

    /// The wrapped error's snippet.
    pub fn snippet(&self) -> Option<Snippet> {
        self.0.snippet()
    }

    /// The wrapped error, if it is an `E`.
    pub fn downcast_ref<E: Diagnostic>(&self) -> Option<&E> {
        let error: &(dyn Error + 'static) = &*self.0;
        error.downcast_ref()
    }

    /// The first `Diagnosed` of `chain`, an error followed by its sources: the outermost, which
    /// speaks for the errors inside it.
    ///
    /// A diagnostic that wraps another decides which of the inner one's hints still apply, so
    /// the ones further down are not asked. A chain without one has nothing to add to its
    /// messages.
    pub fn outermost<'a>(
        chain: impl IntoIterator<Item = &'a (dyn Error + 'static)>,
    ) -> Option<&'a Self> {
        chain.into_iter().find_map(<dyn Error>::downcast_ref)
    }
}

impl<E: Diagnostic> From<E> for Diagnosed {
    fn from(diagnostic: E) -> Self {
        Self::new(diagnostic)
    }
}

impl fmt::Debug for Diagnosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Diagnosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Error for Diagnosed {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

/// Wraps the error of a `Result` in [`Diagnosed`]: `project.load(path).diagnosed()?`.
///
/// This is the one call to write where a library error leaves typed code for a chain of
/// `dyn Error`s (an `anyhow::Error`): without it the error still reads the same, but its hints
/// and snippet cannot be found.
pub trait Diagnose<T> {
    /// The result, with its error wrapped.
    fn diagnosed(self) -> Result<T, Diagnosed>;
}

impl<T, E: Diagnostic> Diagnose<T> for Result<T, E> {
    fn diagnosed(self) -> Result<T, Diagnosed> {
        self.map_err(Diagnosed::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A diagnostic with a name for its message, hints naming it, and maybe an error inside.
    #[derive(Debug)]
    struct Fault {
        name: &'static str,
        inner: Option<Box<dyn Error + Send + Sync>>,
    }

    impl fmt::Display for Fault {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.name)
        }
    }

    impl Error for Fault {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.inner
                .as_deref()
                .map(|inner| inner as &(dyn Error + 'static))
        }
    }

    impl Diagnostic for Fault {
        fn hints(&self) -> Vec<String> {
            vec![format!("hint of {}", self.name)]
        }
    }

    /// A plain error around another, as `anyhow`'s context is.
    #[derive(Debug)]
    struct Context(&'static str, Box<dyn Error + Send + Sync>);

    impl fmt::Display for Context {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Context {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&*self.1)
        }
    }

    fn chain<'a>(error: &'a (dyn Error + 'static)) -> Vec<&'a (dyn Error + 'static)> {
        std::iter::successors(Some(error), |&error| error.source()).collect()
    }

    #[test]
    fn wrapping_leaves_the_chain_as_it_reads() {
        let io = std::io::Error::other("disk on fire");
        let fault = Fault {
            name: "Failed to read `base.in`",
            inner: Some(Box::new(io)),
        };
        let wrapped = Diagnosed::from(fault);
        let messages: Vec<String> = chain(&wrapped).iter().map(ToString::to_string).collect();
        assert_eq!(messages, ["Failed to read `base.in`", "disk on fire"]);
        assert!(format!("{wrapped:?}").starts_with("Fault"), "{wrapped:?}");
    }

    #[test]
    fn the_outermost_diagnostic_speaks_for_the_chain() {
        // A diagnosed error holding another diagnosed one, under a plain context.
        let inner = Diagnosed::new(Fault {
            name: "inner",
            inner: None,
        });
        let outer = Diagnosed::new(Fault {
            name: "outer",
            inner: Some(Box::new(inner)),
        });
        let error = Context("while locking", Box::new(outer));
        let found = Diagnosed::outermost(chain(&error)).expect("a diagnosed error in the chain");
        assert_eq!(found.hints(), ["hint of outer"]);
        assert!(found.downcast_ref::<Fault>().is_some());
        assert!(Diagnosed::outermost(chain(&Context("plain", "no".into()))).is_none());
    }

    #[test]
    fn diagnose_wraps_only_the_error() {
        let ok: Result<u8, Fault> = Ok(7);
        assert_eq!(ok.diagnosed().ok(), Some(7));
        let failed: Result<u8, Fault> = Err(Fault {
            name: "x",
            inner: None,
        });
        assert_eq!(failed.diagnosed().unwrap_err().hints(), ["hint of x"]);
    }
}
