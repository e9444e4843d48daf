//! Wheel filenames: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
//!
//! Specified in the binary distribution format
//! (<https://packaging.python.org/specifications/binary-distribution-format/>). Each tag part may
//! be a compressed set joined by `.` (`py2.py3`, `manylinux_2_17_x86_64.manylinux2014_x86_64`):
//! the wheel supports every combination of them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::error::{WheelFilenameError, WheelFilenameErrorKind};

/// A parsed wheel filename.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WheelFilename {
    name: PackageName,
    version: Version,
    build: Option<BuildTag>,
    python_tags: Vec<String>,
    abi_tags: Vec<String>,
    platform_tags: Vec<String>,
}

impl WheelFilename {
    /// Parses a filename such as `torch-2.5.1-cp311-cp311-manylinux1_x86_64.whl`.
    pub fn parse(filename: &str) -> Result<Self, WheelFilenameError> {
        let error = |kind| WheelFilenameError::new(filename, kind);
        let stem = filename
            .strip_suffix(".whl")
            .ok_or_else(|| error(WheelFilenameErrorKind::MissingWhlExtension))?;
        let parts: Vec<&str> = stem.split('-').collect();
        let (name, version, build, python, abi, platform) = match parts[..] {
            [name, version, python, abi, platform] => (name, version, None, python, abi, platform),
            [name, version, build, python, abi, platform] => {
                (name, version, Some(build), python, abi, platform)
            }
            _ => return Err(error(WheelFilenameErrorKind::WrongPartCount(parts.len()))),
        };
        let name = Some(name)
            .filter(|name| !name.is_empty())
            .and_then(|name| PackageName::from_str(name).ok())
            .ok_or_else(|| error(WheelFilenameErrorKind::InvalidName(name.to_string())))?;
        let version = Version::from_str(version).map_err(|parse_error| {
            error(WheelFilenameErrorKind::InvalidVersion(
                parse_error.to_string(),
            ))
        })?;
        let build = build
            .map(|build| {
                BuildTag::parse(build).ok_or_else(|| {
                    error(WheelFilenameErrorKind::InvalidBuildTag(build.to_string()))
                })
            })
            .transpose()?;
        let split = |tags: &str, what: &'static str| -> Result<Vec<String>, WheelFilenameError> {
            tags.split('.')
                .map(|tag| {
                    if tag.is_empty() {
                        Err(error(WheelFilenameErrorKind::EmptyTag(what)))
                    } else {
                        Ok(tag.to_string())
                    }
                })
                .collect()
        };
        Ok(Self {
            name,
            version,
            build,
            python_tags: split(python, "Python")?,
            abi_tags: split(abi, "ABI")?,
            platform_tags: split(platform, "platform")?,
        })
    }

    /// The normalized package name.
    pub fn name(&self) -> &PackageName {
        &self.name
    }

    /// The version.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// The optional build tag, which breaks ties between wheels of one version and tag set.
    pub fn build(&self) -> Option<&BuildTag> {
        self.build.as_ref()
    }

    /// The Python tags (`cp311`, `py3`), in filename order.
    pub fn python_tags(&self) -> &[String] {
        &self.python_tags
    }

    /// The ABI tags (`cp311`, `abi3`, `none`), in filename order.
    pub fn abi_tags(&self) -> &[String] {
        &self.abi_tags
    }

    /// The platform tags (`manylinux_2_17_x86_64`, `any`), in filename order.
    pub fn platform_tags(&self) -> &[String] {
        &self.platform_tags
    }

    /// Whether the wheel is pure Python for every platform (`any`).
    pub fn is_universal(&self) -> bool {
        self.platform_tags.iter().any(|platform| platform == "any")
    }
}

impl FromStr for WheelFilename {
    type Err = WheelFilenameError;

    fn from_str(filename: &str) -> Result<Self, Self::Err> {
        Self::parse(filename)
    }
}

/// Writes the canonical filename: the name in its `.dist-info` form (`-` as `_`), so a filename
/// that was already canonical prints back unchanged.
impl fmt::Display for WheelFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.name.as_dist_info_name(), self.version)?;
        if let Some(build) = &self.build {
            write!(f, "-{build}")?;
        }
        write!(
            f,
            "-{}-{}-{}.whl",
            self.python_tags.join("."),
            self.abi_tags.join("."),
            self.platform_tags.join(".")
        )
    }
}

/// A wheel build tag: a number, optionally followed by a string (`1`, `2fixed`).
///
/// Build tags order by the number, then the string, as the binary distribution format says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BuildTag {
    number: u64,
    suffix: Option<Box<str>>,
}

impl BuildTag {
    fn parse(input: &str) -> Option<Self> {
        let digits = input.bytes().take_while(u8::is_ascii_digit).count();
        let number = input[..digits].parse().ok()?;
        let suffix = (digits < input.len()).then(|| input[digits..].into());
        Some(Self { number, suffix })
    }

    /// The leading number.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The text after the number, if any.
    pub fn suffix(&self) -> Option<&str> {
        self.suffix.as_deref()
    }
}

impl PartialOrd for BuildTag {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for BuildTag {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.number, &self.suffix).cmp(&(other.number, &other.suffix))
    }
}

impl fmt::Display for BuildTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number)?;
        if let Some(suffix) = &self.suffix {
            f.write_str(suffix)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Target;

    #[test]
    #[expect(clippy::type_complexity, reason = "a table of test cases")]
    fn real_world_wheel_filenames_parse() {
        // (filename, name, version, build, python, abi, platform)
        let cases: [(&str, &str, &str, Option<&str>, &[&str], &[&str], &[&str]); 7] = [
            (
                "six-1.16.0-py2.py3-none-any.whl",
                "six",
                "1.16.0",
                None,
                &["py2", "py3"],
                &["none"],
                &["any"],
            ),
            (
                "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
                "numpy",
                "1.26.4",
                None,
                &["cp311"],
                &["cp311"],
                &["manylinux_2_17_x86_64", "manylinux2014_x86_64"],
            ),
            (
                "torch-2.5.1-cp311-cp311-manylinux1_x86_64.whl",
                "torch",
                "2.5.1",
                None,
                &["cp311"],
                &["cp311"],
                &["manylinux1_x86_64"],
            ),
            (
                "torch-2.5.1+cu121-cp312-cp312-linux_x86_64.whl",
                "torch",
                "2.5.1+cu121",
                None,
                &["cp312"],
                &["cp312"],
                &["linux_x86_64"],
            ),
            (
                "typing_extensions-4.12.2-py3-none-any.whl",
                "typing-extensions",
                "4.12.2",
                None,
                &["py3"],
                &["none"],
                &["any"],
            ),
            (
                "cryptography-43.0.1-cp39-abi3-macosx_10_9_universal2.whl",
                "cryptography",
                "43.0.1",
                None,
                &["cp39"],
                &["abi3"],
                &["macosx_10_9_universal2"],
            ),
            (
                "flash_attn-2.6.3-1fixed-cp311-cp311-win_amd64.whl",
                "flash-attn",
                "2.6.3",
                Some("1fixed"),
                &["cp311"],
                &["cp311"],
                &["win_amd64"],
            ),
        ];
        for (filename, name, version, build, python, abi, platform) in cases {
            let wheel = WheelFilename::parse(filename).unwrap();
            assert_eq!(wheel.name().as_ref(), name, "{filename}");
            assert_eq!(wheel.version().to_string(), version, "{filename}");
            assert_eq!(
                wheel.build().map(ToString::to_string).as_deref(),
                build,
                "{filename}"
            );
            assert_eq!(wheel.python_tags(), python, "{filename}");
            assert_eq!(wheel.abi_tags(), abi, "{filename}");
            assert_eq!(wheel.platform_tags(), platform, "{filename}");
            assert_eq!(
                wheel.to_string(),
                filename,
                "canonical names print back unchanged"
            );
        }
    }

    #[test]
    fn non_canonical_names_are_normalized() {
        let wheel = WheelFilename::parse("Django-5.1-py3-none-any.whl").unwrap();
        assert_eq!(wheel.name().as_ref(), "django");
        assert_eq!(wheel.to_string(), "django-5.1-py3-none-any.whl");
    }

    #[test]
    fn malformed_wheel_filenames_keep_the_filename_in_the_error() {
        let cases = [
            (
                "numpy-1.26.4.tar.gz",
                WheelFilenameErrorKind::MissingWhlExtension,
            ),
            (
                "numpy-1.26.4-py3-any.whl",
                WheelFilenameErrorKind::WrongPartCount(4),
            ),
            (
                "a-b-c-d-e-f-g.whl",
                WheelFilenameErrorKind::WrongPartCount(7),
            ),
            (
                "numpy-one-py3-none-any.whl",
                WheelFilenameErrorKind::InvalidVersion(String::new()),
            ),
            (
                "numpy-1.0-x1-py3-none-any.whl",
                WheelFilenameErrorKind::InvalidBuildTag("x1".to_string()),
            ),
            (
                "numpy-1.0-py3..py2-none-any.whl",
                WheelFilenameErrorKind::EmptyTag("Python"),
            ),
            (
                "-1.0-py3-none-any.whl",
                WheelFilenameErrorKind::InvalidName(String::new()),
            ),
        ];
        for (filename, expected) in cases {
            let error = WheelFilename::parse(filename).unwrap_err();
            assert_eq!(error.filename(), filename);
            assert_eq!(
                std::mem::discriminant(error.kind()),
                std::mem::discriminant(&expected),
                "{filename}: {error}"
            );
        }
        insta::assert_snapshot!(
            WheelFilename::parse("numpy-1.26.4-py3-any.whl").unwrap_err(),
            @"Invalid wheel filename `numpy-1.26.4-py3-any.whl`: expected `name-version(-build)?-python-abi-platform.whl`, found 4 dash-separated parts"
        );
    }

    #[test]
    fn every_combination_of_parts_round_trips() {
        let names = ["six", "typing_extensions", "zope.interface", "a"];
        let versions = ["1.0", "2.5.1+cu121", "1!2.0.post3.dev4", "0.1rc2"];
        let builds = [None, Some("1"), Some("20fixed")];
        let pythons: [&[&str]; 3] = [&["py3"], &["py2", "py3"], &["cp311"]];
        let abis: [&[&str]; 3] = [&["none"], &["abi3"], &["cp311", "abi3"]];
        let platforms: [&[&str]; 3] = [
            &["any"],
            &["manylinux_2_17_x86_64", "manylinux2014_x86_64"],
            &[
                "macosx_10_9_x86_64",
                "macosx_11_0_arm64",
                "macosx_10_9_universal2",
            ],
        ];
        for name in names {
            for version in versions {
                for build in builds {
                    for python in pythons {
                        for abi in abis {
                            for platform in platforms {
                                let build_part =
                                    build.map(|build| format!("-{build}")).unwrap_or_default();
                                let filename = format!(
                                    "{}-{version}{build_part}-{}-{}-{}.whl",
                                    name.replace('.', "_"),
                                    python.join("."),
                                    abi.join("."),
                                    platform.join(".")
                                );
                                let wheel = WheelFilename::parse(&filename).unwrap();
                                assert_eq!(wheel.name(), &PackageName::from_str(name).unwrap());
                                assert_eq!(wheel.version(), &Version::from_str(version).unwrap());
                                assert_eq!(
                                    wheel.build().map(ToString::to_string).as_deref(),
                                    build
                                );
                                assert_eq!(wheel.python_tags(), python);
                                assert_eq!(wheel.abi_tags(), abi);
                                assert_eq!(wheel.platform_tags(), platform);
                                assert_eq!(
                                    WheelFilename::parse(&wheel.to_string()).unwrap(),
                                    wheel
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn build_tags_order_by_number_then_suffix() {
        let tag = |input: &str| BuildTag::parse(input).unwrap();
        assert!(tag("2") > tag("1"));
        assert!(tag("10") > tag("9"));
        assert!(tag("1b") > tag("1a"));
        assert!(tag("1a") > tag("1"));
    }

    #[test]
    fn target_ranks_wheels_of_one_version() {
        let target = Target::parse("3.11", "x86_64-manylinux_2_28").unwrap();
        let priority =
            |filename: &str| target.tag_priority(&WheelFilename::parse(filename).unwrap());
        let specific = priority("pkg-1.0-cp311-cp311-manylinux_2_28_x86_64.whl").unwrap();
        let older_glibc =
            priority("pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl").unwrap();
        let abi3 = priority("pkg-1.0-cp38-abi3-manylinux_2_17_x86_64.whl").unwrap();
        let pure = priority("pkg-1.0-py3-none-any.whl").unwrap();
        assert!(specific > older_glibc);
        assert!(older_glibc > abi3);
        assert!(abi3 > pure);

        let incompatible = [
            "pkg-1.0-cp311-cp311-manylinux_2_34_x86_64.whl",
            "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "pkg-1.0-cp311-cp311-manylinux_2_17_aarch64.whl",
            "pkg-1.0-cp311-cp311-linux_x86_64.whl",
            "pkg-1.0-cp311-cp311-musllinux_1_2_x86_64.whl",
            "pkg-1.0-cp311-cp311-win_amd64.whl",
            "pkg-1.0-py2-none-any.whl",
            "pkg-1.0-cp312-abi3-manylinux_2_17_x86_64.whl",
        ];
        for filename in incompatible {
            assert_eq!(priority(filename), None, "{filename}");
        }
    }
}
