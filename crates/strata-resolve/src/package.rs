//! The packages the solver reasons about.
//!
//! PubGrub knows packages and versions, not extras. An extra is modelled the way uv does it: a
//! virtual package `name[extra]` whose version `v` depends on `name==v` (so the extra and its
//! base always agree) plus the extra's own requirements. Requiring `accelerate[torch]>=0.30`
//! becomes a dependency on `accelerate>=0.30` and on `accelerate[torch]>=0.30`.

use std::fmt;

use pep508_rs::{ExtraName, PackageName};

/// A node of the solve.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResolverPackage {
    /// The root: the requirements being locked (a profile, a `.in` file).
    Root,
    /// A real distribution.
    Package(PackageName),
    /// The extra `name[extra]` of a distribution.
    Extra(PackageName, ExtraName),
}

impl ResolverPackage {
    /// The distribution this node is about (`None` for the root).
    pub fn name(&self) -> Option<&PackageName> {
        match self {
            Self::Root => None,
            Self::Package(name) | Self::Extra(name, _) => Some(name),
        }
    }
}

impl fmt::Display for ResolverPackage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Root => f.write_str("your requirements"),
            Self::Package(name) => write!(f, "{name}"),
            Self::Extra(name, extra) => write!(f, "{name}[{extra}]"),
        }
    }
}
