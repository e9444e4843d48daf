//! Python distributions as data: targets, wheel tags, distribution filenames, core metadata.
//!
//! This crate sits at the bottom of strata's crate graph. The index client, the resolver, the
//! lock writer and the installed-environment scanner all speak its types; it speaks to nothing:
//! no network, no async runtime, no filesystem.
//!
//! # Targets
//!
//! strata locks a profile *for a target*, not for the machine running it: a [`Target`] is a
//! CPython version and a [`Platform`], named as uv names them for `--python-version` and
//! `--python-platform` (`3.11` and `x86_64-manylinux_2_28`). A developer on a laptop writes the
//! lock that a Linux GPU image installs, so every decision a resolver would take from the running
//! interpreter comes from the target instead:
//!
//! * **Markers.** [`Target::markers`] is the PEP 508 environment of that CPython on that platform
//!   (`sys_platform == "linux"`, `platform_machine == "x86_64"`, `python_full_version`, ...).
//!   Requirements whose markers it rejects are not part of the lock.
//! * **Wheel tags.** [`Target::tags`] lists the tags a wheel may carry to install there, in the
//!   order `packaging.tags.sys_tags()` gives on that interpreter: the interpreter's own ABI first,
//!   then the stable ABI (`abi3`) of this and every older CPython, then pure-Python tags; within
//!   each, the newest platform tag first (a `manylinux_2_28` wheel is preferred over a
//!   `manylinux2014` one when the target's glibc allows both). The order is the preference: when
//!   one version publishes several wheels that fit, the one with the earliest tag is the one pip
//!   would install, so it is the one to lock. [`Target::tag_priority`] answers "does this wheel
//!   fit, and how well" with a few hash lookups.
//! * **`Requires-Python`.** [`Target::allows_requires_python`] evaluates a package's range
//!   against the target's full version (`3.11` means `3.11.0`, as in uv).
//!
//! The tag list departs from `sys_tags()` in one place: the bare `linux_<arch>` tag is not
//! accepted, because such a wheel only promises to run on the host that built it, and a lock is
//! for somewhere else (see the [`Tags`] documentation).
//!
//! # Filenames and metadata
//!
//! [`WheelFilename`] and [`SourceDistFilename`] parse the names of the files an index lists;
//! [`Metadata`] parses the core metadata (`METADATA` in a wheel, `PKG-INFO` in a source
//! distribution) a resolver reads requirements from and the environment scanner reads from every
//! `.dist-info` directory. The metadata parser is tolerant in the ways uv is, because published
//! metadata is full of small mistakes that pip accepts; the same repairs are available on their
//! own as [`parse_requirement_lenient`] and [`parse_specifiers_lenient`] for index pages'
//! `requires-python` values.
//!
//! [`top_level_import_names`] reads the other thing a wheel's file list tells: which top-level
//! names it makes importable (`cv2` for `opencv-python-headless`).
//!
//! # What this crate does not do
//!
//! It does not fetch, unpack, build or install anything, read `WHEEL` or `RECORD` files, or
//! model non-CPython interpreters, free-threaded builds or `MACOSX_DEPLOYMENT_TARGET`.
//!
//! # Example
//!
//! ```
//! use strata_dist::{Target, WheelFilename};
//!
//! let target = Target::parse("3.11", "x86_64-manylinux_2_28")?;
//! let wheels = [
//!     "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
//!     "numpy-1.26.4-cp311-cp311-macosx_11_0_arm64.whl",
//!     "numpy-1.26.4-cp311-cp311-musllinux_1_1_x86_64.whl",
//! ];
//! let best = wheels
//!     .iter()
//!     .map(|name| WheelFilename::parse(name))
//!     .collect::<Result<Vec<_>, _>>()?
//!     .into_iter()
//!     .filter_map(|wheel| Some((target.tag_priority(&wheel)?, wheel)))
//!     .max_by_key(|(priority, _)| *priority)
//!     .map(|(_, wheel)| wheel.to_string());
//! assert_eq!(best.as_deref(), Some(wheels[0]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub use error::{
    Error, MetadataError, MetadataErrorKind, PlatformParseError, PythonVersionParseError,
    SourceDistFilenameError, SourceDistFilenameErrorKind, WheelFilenameError,
    WheelFilenameErrorKind,
};
pub use import_names::top_level_import_names;
pub use local_directory::{EDITABLE_FRAGMENT, LocalDirectory, directory_as_written};
pub use metadata::{
    Metadata, MetadataVersion, MetadataWarning, Repair, parse_requirement_lenient,
    parse_specifiers_lenient,
};
pub use platform::{Arch, Os, Platform};
pub use requirement::{
    marker_non_ascii, name_ending_in_separator, parse_marker, parse_requirement,
};
pub use sdist_filename::{DistFilename, SourceDistExtension, SourceDistFilename};
pub use tags::{Tag, TagPriority, Tags};
pub use target::{MarkerIdentity, PythonVersion, Target, marker_identity};
pub use wheel_filename::{BuildTag, WheelFilename};

mod error;
mod import_names;
mod local_directory;
mod metadata;
mod platform;
mod requirement;
mod sdist_filename;
mod tags;
mod target;
mod wheel_filename;
