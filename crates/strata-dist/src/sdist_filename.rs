//! Source distribution filenames: `{name}-{version}.{tar.gz,zip,...}`.
//!
//! Unlike wheel names, source distribution names were never escaped: both the name and the
//! version may contain `-` (`python-dateutil-2.9.0.tar.gz`, legacy `foo-1.0-1.tar.gz`). The split
//! is only certain when the package is known, which it is when the file comes from the package's
//! own index page: [`SourceDistFilename::parse`] takes the name, as uv does.
//! [`SourceDistFilename::parse_best_effort`] guesses for the rare caller without one.

use std::fmt;
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::PackageName;

use crate::error::{
    SourceDistFilenameError, SourceDistFilenameErrorKind, WheelFilenameError,
    WheelFilenameErrorKind,
};
use crate::wheel_filename::WheelFilename;

/// The archive format of a source distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SourceDistExtension {
    /// `.tar.gz`, the only format PEP 625 keeps.
    TarGz,
    /// `.zip`.
    Zip,
    /// `.tar.bz2`.
    TarBz2,
    /// `.tar.xz`.
    TarXz,
}

impl SourceDistExtension {
    const ALL: [Self; 4] = [Self::TarGz, Self::Zip, Self::TarBz2, Self::TarXz];

    /// The extension with its leading dot.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TarGz => ".tar.gz",
            Self::Zip => ".zip",
            Self::TarBz2 => ".tar.bz2",
            Self::TarXz => ".tar.xz",
        }
    }

    /// The extension of `filename` and the filename without it.
    fn split(filename: &str) -> Option<(&str, Self)> {
        Self::ALL.into_iter().find_map(|extension| {
            filename
                .strip_suffix(extension.as_str())
                .map(|stem| (stem, extension))
        })
    }
}

impl fmt::Display for SourceDistExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed source distribution filename.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SourceDistFilename {
    name: PackageName,
    version: Version,
    extension: SourceDistExtension,
}

impl SourceDistFilename {
    /// Parses the filename of a file of `package`, such as `python-dateutil-2.9.0.tar.gz` for
    /// `python-dateutil`.
    ///
    /// The leading part must normalize to `package` (so `Python_DateUtil-2.9.0.tar.gz` matches);
    /// the rest after a `-` is the version.
    pub fn parse(filename: &str, package: &PackageName) -> Result<Self, SourceDistFilenameError> {
        let error = |kind| SourceDistFilenameError::new(filename, kind);
        let (stem, extension) = SourceDistExtension::split(filename)
            .ok_or_else(|| error(SourceDistFilenameErrorKind::UnknownExtension))?;
        // Normalization folds runs of `-_.` and case, so the name part can be longer or shorter
        // than the normalized name: try each `-` and keep the one whose prefix matches.
        let split = stem
            .match_indices('-')
            .map(|(position, _)| (&stem[..position], &stem[position + 1..]))
            .find(|(name, _)| normalizes_to(name, package))
            .ok_or_else(|| {
                error(SourceDistFilenameErrorKind::NameMismatch(
                    package.to_string(),
                ))
            })?;
        let version = Version::from_str(split.1).map_err(|parse_error| {
            error(SourceDistFilenameErrorKind::InvalidVersion(
                parse_error.to_string(),
            ))
        })?;
        Ok(Self {
            name: package.clone(),
            version,
            extension,
        })
    }

    /// Parses a filename without knowing its package: the name ends at the first `-` that is
    /// followed by a digit and leaves a valid version.
    ///
    /// Wrong for names with a `-<digit>` inside (`django-2fa-1.0.tar.gz`); use
    /// [`SourceDistFilename::parse`] whenever the package is known.
    pub fn parse_best_effort(filename: &str) -> Result<Self, SourceDistFilenameError> {
        let error = |kind| SourceDistFilenameError::new(filename, kind);
        let (stem, extension) = SourceDistExtension::split(filename)
            .ok_or_else(|| error(SourceDistFilenameErrorKind::UnknownExtension))?;
        stem.match_indices('-')
            .filter(|(position, _)| {
                stem.as_bytes()
                    .get(position + 1)
                    .is_some_and(u8::is_ascii_digit)
            })
            .find_map(|(position, _)| {
                let name = Some(&stem[..position])
                    .filter(|name| !name.is_empty())
                    .and_then(|name| PackageName::from_str(name).ok())?;
                let version = Version::from_str(&stem[position + 1..]).ok()?;
                Some(Self {
                    name,
                    version,
                    extension,
                })
            })
            .ok_or_else(|| error(SourceDistFilenameErrorKind::NoNameVersionSplit))
    }

    /// The normalized package name.
    pub fn name(&self) -> &PackageName {
        &self.name
    }

    /// The version.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// The archive format.
    pub fn extension(&self) -> SourceDistExtension {
        self.extension
    }
}

/// Writes `<normalized name>-<version><extension>`, which is not always the original filename.
impl fmt::Display for SourceDistFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}{}", self.name, self.version, self.extension)
    }
}

/// Whether `candidate` is a spelling of `package` (PEP 503 normalization), without allocating in
/// the common case where it is not.
fn normalizes_to(candidate: &str, package: &PackageName) -> bool {
    let mut expected = package.as_ref().bytes();
    let mut previous_separator = false;
    for byte in candidate.bytes() {
        let byte = match byte {
            b'-' | b'_' | b'.' => {
                if previous_separator {
                    continue;
                }
                previous_separator = true;
                b'-'
            }
            _ => {
                previous_separator = false;
                byte.to_ascii_lowercase()
            }
        };
        if expected.next() != Some(byte) {
            return false;
        }
    }
    expected.next().is_none()
}

/// A file an index lists for a package: a wheel or a source distribution.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DistFilename {
    /// A `.whl` file.
    Wheel(WheelFilename),
    /// A source archive.
    SourceDist(SourceDistFilename),
}

impl DistFilename {
    /// Parses a file listed on `package`'s index page.
    ///
    /// Returns `Ok(None)` for files that are neither (`.exe`, `.egg`, `.msi`, signatures), so an
    /// index client can skip them silently, and an error for a wheel or archive whose name is
    /// malformed or belongs to another package.
    pub fn parse_for_package(
        filename: &str,
        package: &PackageName,
    ) -> Result<Option<Self>, crate::Error> {
        let is_wheel = std::path::Path::new(filename)
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("whl"));
        if is_wheel {
            let wheel = WheelFilename::parse(filename)?;
            if wheel.name() != package {
                return Err(WheelFilenameError::new(
                    filename,
                    WheelFilenameErrorKind::NameMismatch(package.to_string()),
                )
                .into());
            }
            return Ok(Some(Self::Wheel(wheel)));
        }
        if SourceDistExtension::split(filename).is_none() {
            return Ok(None);
        }
        Ok(Some(Self::SourceDist(SourceDistFilename::parse(
            filename, package,
        )?)))
    }

    /// The normalized package name.
    pub fn name(&self) -> &PackageName {
        match self {
            Self::Wheel(wheel) => wheel.name(),
            Self::SourceDist(sdist) => sdist.name(),
        }
    }

    /// The version.
    pub fn version(&self) -> &Version {
        match self {
            Self::Wheel(wheel) => wheel.version(),
            Self::SourceDist(sdist) => sdist.version(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str) -> PackageName {
        PackageName::from_str(name).unwrap()
    }

    #[test]
    fn known_package_names_with_dashes_split_correctly() {
        let cases = [
            (
                "python-dateutil-2.9.0.post0.tar.gz",
                "python-dateutil",
                "2.9.0.post0",
                SourceDistExtension::TarGz,
            ),
            (
                "python_dateutil-2.9.0.tar.gz",
                "python-dateutil",
                "2.9.0",
                SourceDistExtension::TarGz,
            ),
            (
                "Django-5.1.tar.gz",
                "django",
                "5.1",
                SourceDistExtension::TarGz,
            ),
            (
                "zope.interface-7.0.zip",
                "zope-interface",
                "7.0",
                SourceDistExtension::Zip,
            ),
            (
                "foo-1.0-1.tar.gz",
                "foo",
                "1.0.post1",
                SourceDistExtension::TarGz,
            ),
            (
                "django-2fa-1.0.tar.bz2",
                "django-2fa",
                "1.0",
                SourceDistExtension::TarBz2,
            ),
            (
                "flash_attn-2.6.3.tar.gz",
                "flash-attn",
                "2.6.3",
                SourceDistExtension::TarGz,
            ),
            (
                "lib--odd__name-0.1.tar.xz",
                "lib-odd-name",
                "0.1",
                SourceDistExtension::TarXz,
            ),
        ];
        for (filename, name, version, extension) in cases {
            let sdist = SourceDistFilename::parse(filename, &package(name)).unwrap();
            assert_eq!(sdist.name().as_ref(), name, "{filename}");
            assert_eq!(sdist.version().to_string(), version, "{filename}");
            assert_eq!(sdist.extension(), extension, "{filename}");
        }
    }

    #[test]
    fn another_package_file_is_rejected() {
        let error = SourceDistFilename::parse("numpy-1.26.4.tar.gz", &package("numpy-financial"))
            .unwrap_err();
        assert_eq!(error.filename(), "numpy-1.26.4.tar.gz");
        insta::assert_snapshot!(error, @"Invalid source distribution filename `numpy-1.26.4.tar.gz`: it is not a file of package `numpy-financial`");
        let error = SourceDistFilename::parse("numpy-1.26.4.rpm", &package("numpy")).unwrap_err();
        assert_eq!(error.kind(), &SourceDistFilenameErrorKind::UnknownExtension);
        let error =
            SourceDistFilename::parse("numpy-latest.tar.gz", &package("numpy")).unwrap_err();
        assert!(matches!(
            error.kind(),
            SourceDistFilenameErrorKind::InvalidVersion(_)
        ));
    }

    #[test]
    fn unknown_package_names_split_at_the_first_dash_before_a_digit() {
        let cases = [
            ("python-dateutil-2.9.0.tar.gz", "python-dateutil", "2.9.0"),
            ("foo-1.0-1.tar.gz", "foo", "1.0.post1"),
            ("torch-2.5.1.tar.gz", "torch", "2.5.1"),
        ];
        for (filename, name, version) in cases {
            let sdist = SourceDistFilename::parse_best_effort(filename).unwrap();
            assert_eq!(sdist.name().as_ref(), name, "{filename}");
            assert_eq!(sdist.version().to_string(), version, "{filename}");
        }
        assert!(SourceDistFilename::parse_best_effort("nodigits.tar.gz").is_err());
    }

    #[test]
    fn index_listings_sort_into_wheels_sources_and_others() {
        let numpy = package("numpy");
        let wheel =
            DistFilename::parse_for_package("numpy-2.1.0-cp312-cp312-win_amd64.whl", &numpy);
        assert!(matches!(wheel, Ok(Some(DistFilename::Wheel(_)))));
        let sdist = DistFilename::parse_for_package("numpy-2.1.0.tar.gz", &numpy);
        assert!(matches!(sdist, Ok(Some(DistFilename::SourceDist(_)))));
        assert!(matches!(
            DistFilename::parse_for_package("numpy-1.0.win32.exe", &numpy),
            Ok(None)
        ));
        assert!(DistFilename::parse_for_package("scipy-1.0-py3-none-any.whl", &numpy).is_err());
    }
}
