//! Resolution of Python requirements for a target, with explanations people understand.
//!
//! Given top-level requirements, constraints, overrides, preferences and a [`Target`], find one
//! version of every package such that pip would accept the set on that target, or explain why
//! none exists. The solver is PubGrub (the `pubgrub` crate, as in uv and cargo's new resolver);
//! this crate supplies Python's rules (see the `provider` module): extras as virtual packages,
//! markers against the target, wheel tags and `requires-python` deciding which versions are
//! candidates, yanked and pre-release policies, constraints and overrides, and preferences from
//! an existing lock.
//!
//! The solve runs on its own thread; metadata comes from [`strata_index::IndexClient`] on a tokio
//! runtime owned by the [`Resolver`], with prefetching so the solver rarely waits (see the
//! `solve` module). A failed solve returns [`ResolveError::NoSolution`], whose explanation
//! speaks of packages, specifiers and the target, names each requirement with where it was
//! written when the request's [`Origins`] say, and ends with the requirements that clash; with
//! hints (its [`Diagnostic`](strata_diagnostic::Diagnostic) impl).
//!
//! What this crate does not do: read projects, write locks, or install anything.
//!
//! [`Target`]: strata_dist::Target
#![warn(missing_docs)]

pub use error::{NoSolution, ResolveError};
pub use package::ResolverPackage;
pub use provider::Unavailable;
pub use request::{
    BinaryPolicy, Edge, Origins, PrereleaseMode, Provided, ProvidedPackage, Resolution,
    ResolveRequest, ResolvedPackage, Upgrade,
};
pub use solve::Resolver;

mod error;
mod package;
mod provider;
mod report;
mod request;
mod solve;
