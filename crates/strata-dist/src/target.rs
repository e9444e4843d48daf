//! A target: the Python version and platform a lock is for.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};

use crate::error::{Error, PythonVersionParseError};
use crate::platform::Platform;
use crate::tags::{TagPriority, Tags};
use crate::wheel_filename::WheelFilename;

/// A CPython version as a target names it: `3.<minor>` or `3.<minor>.<patch>`.
///
/// Only CPython 3 is modelled: the wheel tags and markers strata derives assume it. A missing
/// patch means `.0` wherever a full version is needed, as uv does for `--python-version 3.11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PythonVersion {
    major: u8,
    minor: u8,
    patch: Option<u8>,
}

impl PythonVersion {
    /// A version from its parts; `major` should be 3.
    pub fn new(major: u8, minor: u8, patch: Option<u8>) -> Self {
        Self {
            major,
            minor,
            patch,
        }
    }

    /// The major version (3).
    pub fn major(&self) -> u8 {
        self.major
    }

    /// The minor version.
    pub fn minor(&self) -> u8 {
        self.minor
    }

    /// The patch version, when the target names one.
    pub fn patch(&self) -> Option<u8> {
        self.patch
    }

    /// The PEP 508 `python_version` value: `major.minor`.
    pub fn python_version(&self) -> Version {
        Version::new([u64::from(self.major), u64::from(self.minor)])
    }

    /// The PEP 508 `python_full_version` value: `major.minor.patch`, with a missing patch as 0.
    pub fn python_full_version(&self) -> Version {
        Version::new([
            u64::from(self.major),
            u64::from(self.minor),
            u64::from(self.patch.unwrap_or(0)),
        ])
    }
}

impl fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if let Some(patch) = self.patch {
            write!(f, ".{patch}")?;
        }
        Ok(())
    }
}

impl FromStr for PythonVersion {
    type Err = PythonVersionParseError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let mut parts = input.split('.');
        let mut number = |what: &'static str| -> Result<Option<u8>, PythonVersionParseError> {
            parts
                .next()
                .map(|part| {
                    if part.is_empty() || !part.bytes().all(|byte| byte.is_ascii_digit()) {
                        return Err(PythonVersionParseError::new(input, what));
                    }
                    part.parse::<u8>()
                        .map_err(|_| PythonVersionParseError::new(input, what))
                })
                .transpose()
        };
        let expected = "expected `3.<minor>` or `3.<minor>.<patch>`, such as `3.11` or `3.11.7`";
        let major = number(expected)?.ok_or(PythonVersionParseError::new(input, expected))?;
        let minor = number(expected)?.ok_or(PythonVersionParseError::new(input, expected))?;
        let patch = number(expected)?;
        if parts.next().is_some() {
            return Err(PythonVersionParseError::new(input, expected));
        }
        if major != 3 {
            return Err(PythonVersionParseError::new(
                input,
                "only CPython 3 targets are supported",
            ));
        }
        Ok(Self::new(major, minor, patch))
    }
}

/// Where a lock will be installed: a CPython version and a [`Platform`].
///
/// A target fixes the PEP 508 marker environment ([`Target::markers`]) and the wheel tags a
/// wheel must carry to be installable ([`Target::tags`], [`Target::tag_priority`]). The tag
/// table is built on first use and shared by clones, so a resolver can keep one target per
/// profile and ask it about thousands of wheels.
///
/// Equality and hashing look at the Python version and platform only.
#[derive(Clone)]
pub struct Target {
    python: PythonVersion,
    platform: Platform,
    tags: OnceLock<Arc<Tags>>,
}

impl Target {
    /// A target for `python` on `platform`.
    pub fn new(python: PythonVersion, platform: Platform) -> Self {
        Self {
            python,
            platform,
            tags: OnceLock::new(),
        }
    }

    /// A target from the strings a manifest or a command line holds: `--python-version` and
    /// `--python-platform`, spelled as uv spells them.
    pub fn parse(python_version: &str, python_platform: &str) -> Result<Self, Error> {
        Ok(Self::new(python_version.parse()?, python_platform.parse()?))
    }

    /// The Python version.
    pub fn python(&self) -> PythonVersion {
        self.python
    }

    /// The platform.
    pub fn platform(&self) -> Platform {
        self.platform
    }

    /// The PEP 508 marker environment of CPython at this version on this platform.
    ///
    /// Like uv's targets: `implementation_name` is `cpython`, `implementation_version` equals
    /// `python_full_version` (with a missing patch as `.0`), and `platform_release` and
    /// `platform_version` are empty because no single value describes every machine of a
    /// platform. `platform_machine` follows CPython rather than uv on Windows (see
    /// [`Platform::platform_machine`]).
    pub fn markers(&self) -> MarkerEnvironment {
        let python_version = self.python.python_version().to_string();
        let python_full_version = self.python.python_full_version().to_string();
        MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
            implementation_name: "cpython",
            implementation_version: &python_full_version,
            os_name: self.platform.os_name(),
            platform_machine: self.platform.platform_machine(),
            platform_python_implementation: "CPython",
            platform_release: "",
            platform_system: self.platform.platform_system(),
            platform_version: "",
            python_full_version: &python_full_version,
            python_version: &python_version,
            sys_platform: self.platform.sys_platform(),
        })
        .expect("versions made of release numbers always parse")
    }

    /// What an environment marker can tell about this target (see [`marker_identity`]): two
    /// targets with the same identity cannot be told apart by a lock's markers.
    pub fn marker_identity(&self) -> MarkerIdentity {
        marker_identity(&self.markers())
    }

    /// The wheel tags this target accepts, best first.
    pub fn tags(&self) -> &Tags {
        self.tags
            .get_or_init(|| Arc::new(Tags::for_target(self.python, self.platform)))
    }

    /// How well a wheel fits this target: `None` when it cannot be installed, otherwise a
    /// priority where **higher is better**, so the best wheel of a version is the
    /// `max_by_key` of this. See [`TagPriority`].
    pub fn tag_priority(&self, wheel: &WheelFilename) -> Option<TagPriority> {
        self.tags().wheel_priority(wheel)
    }

    /// Whether a wheel can be installed on this target.
    pub fn is_compatible(&self, wheel: &WheelFilename) -> bool {
        self.tag_priority(wheel).is_some()
    }

    /// Whether the wheel named `filename` can be installed on this target, read from the tags
    /// at the end of the name alone (`None` for a name that is not a wheel's): a cheap first
    /// look at the thousands of files an index page lists, before a full parse of the few
    /// that fit.
    ///
    /// ```
    /// let target = strata_dist::Target::parse("3.11", "x86_64-manylinux_2_28")?;
    /// assert_eq!(target.fits_wheel_name("numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl"), Some(true));
    /// assert_eq!(target.fits_wheel_name("numpy-2.0.0-cp311-cp311-win_amd64.whl"), Some(false));
    /// assert_eq!(target.fits_wheel_name("numpy-2.0.0.tar.gz"), None);
    /// # Ok::<(), strata_dist::Error>(())
    /// ```
    pub fn fits_wheel_name(&self, filename: &str) -> Option<bool> {
        let stem = filename.strip_suffix(".whl")?;
        let mut parts = stem.rsplitn(4, '-');
        let (platform, abi, python) = (parts.next()?, parts.next()?, parts.next()?);
        parts.next()?;
        Some(self.tags().fits(python, abi, platform))
    }

    /// Whether a package's `Requires-Python` admits this target.
    ///
    /// The specifiers are evaluated against the full Python version, and a target without a
    /// patch (`3.11`) is taken as `3.11.0`, as uv does: a package that needs `>=3.11.4` is
    /// rejected for a `3.11` target. Name the patch (`3.11.7`) to lock for a newer point
    /// release.
    pub fn allows_requires_python(&self, requires_python: &VersionSpecifiers) -> bool {
        requires_python.contains(&self.python.python_full_version())
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("python", &self.python)
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Python {} on {}", self.python, self.platform)
    }
}

impl PartialEq for Target {
    fn eq(&self, other: &Self) -> bool {
        (self.python, self.platform) == (other.python, other.platform)
    }
}

impl Eq for Target {}

impl Hash for Target {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.python, self.platform).hash(state);
    }
}

/// `(python_version, sys_platform, platform_machine)` of a marker environment: the variables a
/// lock of several targets selects its lines by (see `strata_lockfile::targets`), so what
/// tells one target, or one running interpreter, from another there.
pub type MarkerIdentity = (String, String, String);

/// The [`MarkerIdentity`] of `markers`, a target's or a real interpreter's.
///
/// ```
/// let target = strata_dist::Target::parse("3.12", "aarch64-apple-darwin")?;
/// assert_eq!(
///     target.marker_identity(),
///     ("3.12".to_string(), "darwin".to_string(), "arm64".to_string())
/// );
/// # Ok::<(), strata_dist::Error>(())
/// ```
pub fn marker_identity(markers: &MarkerEnvironment) -> MarkerIdentity {
    (
        markers.python_version().to_string(),
        markers.sys_platform().to_string(),
        markers.platform_machine().to_string(),
    )
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use pep508_rs::MarkerTree;

    use super::*;

    #[test]
    fn python_versions_with_and_without_patch_parse() {
        let cases = [
            ("3.11", PythonVersion::new(3, 11, None), "3.11.0"),
            ("3.12", PythonVersion::new(3, 12, None), "3.12.0"),
            ("3.11.7", PythonVersion::new(3, 11, Some(7)), "3.11.7"),
        ];
        for (input, expected, full) in cases {
            let version: PythonVersion = input.parse().unwrap();
            assert_eq!(version, expected, "{input}");
            assert_eq!(version.to_string(), input);
            assert_eq!(version.python_full_version().to_string(), full);
        }
    }

    #[test]
    fn malformed_python_versions_are_rejected() {
        for input in [
            "3", "", "3.", "3.x", "3.11.7.1", "2.7", "py311", "3.11rc1", "3.1000",
        ] {
            assert!(input.parse::<PythonVersion>().is_err(), "{input}");
        }
        insta::assert_snapshot!(
            "2.7".parse::<PythonVersion>().unwrap_err(),
            @"Invalid Python version `2.7`: only CPython 3 targets are supported"
        );
    }

    #[test]
    fn linux_target_markers_match_cpython_on_linux() {
        let target = Target::parse("3.11", "x86_64-manylinux_2_28").unwrap();
        let markers = target.markers();
        assert_eq!(markers.python_version().to_string(), "3.11");
        assert_eq!(markers.python_full_version().to_string(), "3.11.0");
        assert_eq!(markers.sys_platform(), "linux");
        assert_eq!(markers.platform_system(), "Linux");
        assert_eq!(markers.platform_machine(), "x86_64");
        assert_eq!(markers.os_name(), "posix");
        assert_eq!(markers.implementation_name(), "cpython");
        assert_eq!(markers.platform_python_implementation(), "CPython");
    }

    #[test]
    fn markers_select_the_requirements_a_real_install_would() {
        let cases = [
            (
                "3.11",
                "x86_64-manylinux_2_28",
                r#"platform_system == "Linux" and platform_machine == "x86_64""#,
                true,
            ),
            (
                "3.11",
                "macos",
                r#"sys_platform == "darwin" and platform_machine == "arm64""#,
                true,
            ),
            (
                "3.11",
                "windows",
                r#"sys_platform == "win32" and platform_machine == "AMD64""#,
                true,
            ),
            ("3.11", "windows", r#"os_name == "nt""#, true),
            ("3.11", "linux", r#"python_version < "3.12""#, true),
            ("3.12", "linux", r#"python_version < "3.12""#, false),
            (
                "3.11.7",
                "linux",
                r#"python_full_version >= "3.11.4""#,
                true,
            ),
            ("3.11", "linux", r#"python_full_version >= "3.11.4""#, false),
            ("3.11", "linux", r#"implementation_name == "cpython""#, true),
            (
                "3.11",
                "aarch64-manylinux_2_28",
                r#"platform_machine == "aarch64""#,
                true,
            ),
        ];
        for (python, platform, marker, expected) in cases {
            let target = Target::parse(python, platform).unwrap();
            let marker = MarkerTree::from_str(marker).unwrap();
            assert_eq!(
                marker.evaluate(&target.markers(), &[]),
                expected,
                "{python} {platform} {marker:?}"
            );
        }
    }

    #[test]
    fn requires_python_is_checked_against_the_full_version() {
        let cases = [
            ("3.11", ">=3.8", true),
            ("3.11", ">=3.12", false),
            ("3.11", "<3.11", false),
            ("3.11", ">=3.11.4", false),
            ("3.11.7", ">=3.11.4", true),
            ("3.12", ">=3.9,!=3.12.*", false),
            ("3.12", "~=3.10", true),
        ];
        for (python, requires_python, expected) in cases {
            let target = Target::parse(python, "linux").unwrap();
            let specifiers = VersionSpecifiers::from_str(requires_python).unwrap();
            assert_eq!(
                target.allows_requires_python(&specifiers),
                expected,
                "{python} {requires_python}"
            );
        }
    }

    #[test]
    fn targets_with_the_same_parts_are_equal() {
        let left = Target::parse("3.11", "linux").unwrap();
        let right = left.clone();
        let _ = left.tags();
        assert_eq!(left, right);
        assert_ne!(left, Target::parse("3.12", "linux").unwrap());
    }
}
