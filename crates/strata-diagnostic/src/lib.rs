//! What an error tells a person besides its message: the input it points at, and what to do.
//!
//! Library crates return typed errors (`thiserror`), each with the fields a person needs: the
//! file and line, the package, the profile. Two things are computed from those fields rather
//! than written into the message, because the CLI lays them out apart from it:
//!
//! * a [`Snippet`]: the offending line of an input file, drawn under the message with a caret
//!   under the fault;
//! * hints: one actionable sentence each ("Did you mean `backend`?"), printed after the message
//!   and its causes.
//!
//! An error type offers them by implementing [`Diagnostic`]. The renderer never needs to know
//! which crate an error comes from: a [`Diagnosed`] wrapper carries any diagnostic through an
//! `anyhow` chain (or any `dyn Error` chain), where it is found by one downcast, to a type of
//! this crate. `dyn Error` cannot be downcast to a trait, so the wrapper is what makes the trait
//! findable; it is the design of `miette`'s `Report`, cut down to what strata renders.
//!
//! The wrapper is transparent: it displays as the error it holds and reports that error's source
//! as its own, so a chain reads the same with or without it. The outermost diagnostic of a chain
//! speaks for the chain ([`Diagnosed::outermost`]): an error that wraps another knows its
//! context and includes the inner error's hints where they still apply (a failed lock includes
//! the resolver's hints, and adds its own).
//!
//! This crate depends on nothing but `std`, so every library crate can implement the trait
//! without pulling anything in.
//!
//! ```
//! use std::fmt;
//!
//! use strata_diagnostic::{Diagnose, Diagnosed, Diagnostic};
//!
//! #[derive(Debug)]
//! struct UnknownProfile(String);
//!
//! impl fmt::Display for UnknownProfile {
//!     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
//!         write!(f, "Unknown profile `{}`", self.0)
//!     }
//! }
//!
//! impl std::error::Error for UnknownProfile {}
//!
//! impl Diagnostic for UnknownProfile {
//!     fn hints(&self) -> Vec<String> {
//!         vec!["Did you mean `backend`?".to_string()]
//!     }
//! }
//!
//! fn lookup(name: &str) -> Result<(), UnknownProfile> {
//!     Err(UnknownProfile(name.to_string()))
//! }
//!
//! // Where the library error leaves typed code, it is wrapped; the chain above it may be anything.
//! let error: Box<dyn std::error::Error> = Box::new(lookup("backnd").diagnosed().unwrap_err());
//! let chain = std::iter::successors(Some(&*error), |&error| error.source());
//! let diagnostic = Diagnosed::outermost(chain).expect("the wrapped error");
//! assert_eq!(diagnostic.hints(), ["Did you mean `backend`?"]);
//! assert_eq!(error.to_string(), "Unknown profile `backnd`");
//! ```
#![warn(missing_docs)]

pub use diagnosed::{Diagnose, Diagnosed};
pub use snippet::Snippet;

mod diagnosed;
mod snippet;

/// An error that can say more than its message: the input it points at and what to do about it.
///
/// Both are computed from the error's fields, never from its message text. The defaults say
/// nothing, so an error type implements only what it has.
pub trait Diagnostic: std::error::Error + Send + Sync + 'static {
    /// Actionable sentences for the user, each naming the flag, key or file to change.
    fn hints(&self) -> Vec<String> {
        Vec::new()
    }

    /// The place in an input file the error points at, with the path as the user would type it.
    fn snippet(&self) -> Option<Snippet> {
        None
    }
}
