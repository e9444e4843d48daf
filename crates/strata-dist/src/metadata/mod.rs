//! Core metadata: the `METADATA` file of a wheel and the `PKG-INFO` file of a source
//! distribution (<https://packaging.python.org/specifications/core-metadata/>).
//!
//! The format is a set of RFC 822 style headers (`Field: value`, a line starting with whitespace
//! continues the previous one), then a blank line, then an optional body holding the long
//! description, which is never read here. Field names are case-insensitive; fields that may
//! repeat (`Requires-Dist`, `Provides-Extra`, `Dynamic`) do.
//!
//! Only the fields dependency work needs are kept: `Metadata-Version`, `Name`, `Version`,
//! `Requires-Dist`, `Requires-Python`, `Provides-Extra` and `Dynamic`. Metadata 1.x `Requires`
//! fields name importable modules, not distributions; pip ignores them and so does strata.
//!
//! The parser is a single pass over lines with no regular expressions and no allocation for the
//! fields it skips, because the environment scanner reads hundreds of these files per command.
//!
//! Tolerance follows uv: malformed `Requires-Dist` and `Requires-Python` values are repaired by
//! the rewrites in `lenient.rs` and the repair is recorded as a [`MetadataWarning`]; a
//! `Requires-Python` that still does not parse is dropped with a warning (the distribution is
//! then treated as supporting every Python); an invalid `Provides-Extra` is dropped with a
//! warning. A `Requires-Dist` that cannot be repaired is an error, because silently losing a
//! dependency would produce a broken lock.

mod lenient;

pub use lenient::{Repair, parse_requirement_lenient, parse_specifiers_lenient};

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use pep508_rs::{ExtraName, PackageName, Requirement};

use crate::error::{MetadataError, MetadataErrorKind};

/// The `Metadata-Version` of a core metadata file, such as `2.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MetadataVersion {
    major: u32,
    minor: u32,
}

impl MetadataVersion {
    /// A version from its parts.
    pub fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }

    /// The major version.
    pub fn major(&self) -> u32 {
        self.major
    }

    /// The minor version.
    pub fn minor(&self) -> u32 {
        self.minor
    }
}

impl FromStr for MetadataVersion {
    type Err = ();

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let (major, minor) = input.trim().split_once('.').unwrap_or((input.trim(), "0"));
        Ok(Self::new(
            major.parse().map_err(|_| ())?,
            minor.parse().map_err(|_| ())?,
        ))
    }
}

impl fmt::Display for MetadataVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Something wrong in a metadata file that the parser worked around.
///
/// Warnings are data: the caller decides whether to show them (the environment scanner may list
/// them under `--verbose`, the resolver may ignore them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataWarning {
    /// A `Requires-Dist` value was invalid and has been repaired.
    RequiresDistRepaired {
        /// The 1-based line of the field.
        line: usize,
        /// The value as written.
        written: String,
        /// The value that parsed.
        repaired: String,
        /// What was done, in words.
        fixes: Vec<&'static str>,
    },
    /// The `Requires-Python` value was invalid and has been repaired.
    RequiresPythonRepaired {
        /// The value as written.
        written: String,
        /// The value that parsed.
        repaired: String,
        /// What was done, in words.
        fixes: Vec<&'static str>,
    },
    /// The `Requires-Python` value was invalid beyond repair and has been ignored.
    RequiresPythonIgnored {
        /// The value as written.
        written: String,
        /// The parser's explanation.
        message: String,
    },
    /// A `Provides-Extra` value is not a valid extra name and has been ignored.
    ProvidesExtraIgnored {
        /// The value as written.
        written: String,
    },
    /// `Metadata-Version` is absent or not `<major>.<minor>`.
    UnknownMetadataVersion {
        /// The value as written, if any.
        written: Option<String>,
    },
}

impl fmt::Display for MetadataWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RequiresDistRepaired {
                line,
                written,
                repaired,
                fixes,
            } => write!(
                f,
                "Line {line}: repaired `Requires-Dist: {written}` to `{repaired}` by {}",
                fixes.join(", ")
            ),
            Self::RequiresPythonRepaired {
                written,
                repaired,
                fixes,
            } => write!(
                f,
                "Repaired `Requires-Python: {written}` to `{repaired}` by {}",
                fixes.join(", ")
            ),
            Self::RequiresPythonIgnored { written, message } => {
                write!(f, "Ignored invalid `Requires-Python: {written}`: {message}")
            }
            Self::ProvidesExtraIgnored { written } => {
                write!(f, "Ignored invalid `Provides-Extra: {written}`")
            }
            Self::UnknownMetadataVersion {
                written: Some(written),
            } => {
                write!(f, "Unknown `Metadata-Version: {written}`")
            }
            Self::UnknownMetadataVersion { written: None } => {
                write!(f, "No `Metadata-Version` field")
            }
        }
    }
}

/// The dependency-relevant fields of a core metadata file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// `Metadata-Version`, when present and well-formed.
    pub metadata_version: Option<MetadataVersion>,
    /// `Name`, normalized.
    pub name: PackageName,
    /// `Version`.
    pub version: Version,
    /// Every `Requires-Dist`, in file order, repaired where needed.
    pub requires_dist: Vec<Requirement>,
    /// Each `Requires-Dist` as written (continuation lines folded), parallel to
    /// `requires_dist`: pip prints requirements from this text, so `strata check` does too.
    pub requires_dist_written: Vec<String>,
    /// `Requires-Python`, repaired where needed, or `None` when absent or unusable.
    pub requires_python: Option<VersionSpecifiers>,
    /// Every valid `Provides-Extra`, normalized, in file order.
    pub provides_extra: Vec<ExtraName>,
    /// Every `Dynamic` field name, as written.
    pub dynamic: Vec<String>,
    /// What the parser repaired or skipped.
    pub warnings: Vec<MetadataWarning>,
}

/// The fields the parser keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    MetadataVersion,
    Name,
    Version,
    RequiresDist,
    RequiresPython,
    ProvidesExtra,
    Dynamic,
}

impl Field {
    const ALL: [(&'static str, Self); 7] = [
        ("Requires-Dist", Self::RequiresDist),
        ("Provides-Extra", Self::ProvidesExtra),
        ("Name", Self::Name),
        ("Version", Self::Version),
        ("Requires-Python", Self::RequiresPython),
        ("Metadata-Version", Self::MetadataVersion),
        ("Dynamic", Self::Dynamic),
    ];

    fn from_header(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, field)| *field)
    }
}

/// Raw field values, borrowed from the input except where a continuation line forced a copy.
#[derive(Default)]
struct RawFields<'a> {
    metadata_version: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    version: Option<Cow<'a, str>>,
    requires_dist: Vec<(usize, Cow<'a, str>)>,
    requires_python: Option<Cow<'a, str>>,
    provides_extra: Vec<Cow<'a, str>>,
    dynamic: Vec<Cow<'a, str>>,
}

impl<'a> RawFields<'a> {
    fn scan(text: &'a str) -> Self {
        let mut fields = Self::default();
        let mut current: Option<(Field, usize, Cow<'a, str>)> = None;
        for (index, line) in text.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.starts_with([' ', '\t']) {
                // A continuation: only the kept fields need the text.
                if let Some((_, _, value)) = &mut current {
                    let continuation = line.trim();
                    if !continuation.is_empty() {
                        let value = value.to_mut();
                        value.push(' ');
                        value.push_str(continuation);
                    }
                }
                continue;
            }
            if let Some((field, line_number, value)) = current.take() {
                fields.store(field, line_number, value);
            }
            if line.is_empty() {
                // The headers end here; the body is the description.
                break;
            }
            // A line without a colon is not a header; skip it as pip's parser does.
            if let Some((name, value)) = line.split_once(':')
                && let Some(field) = Field::from_header(name.trim_end())
            {
                current = Some((field, index + 1, Cow::Borrowed(value.trim())));
            }
        }
        if let Some((field, line_number, value)) = current {
            fields.store(field, line_number, value);
        }
        fields
    }

    fn store(&mut self, field: Field, line: usize, value: Cow<'a, str>) {
        // Single-valued fields keep their first occurrence, as `email.message` does on `get`.
        match field {
            Field::MetadataVersion => {
                self.metadata_version.get_or_insert(value);
            }
            Field::Name => {
                self.name.get_or_insert(value);
            }
            Field::Version => {
                self.version.get_or_insert(value);
            }
            Field::RequiresPython => {
                self.requires_python.get_or_insert(value);
            }
            Field::RequiresDist => self.requires_dist.push((line, value)),
            Field::ProvidesExtra => self.provides_extra.push(value),
            Field::Dynamic => self.dynamic.push(value),
        }
    }
}

impl Metadata {
    /// Parses a `METADATA` or `PKG-INFO` file.
    ///
    /// Bytes that are not UTF-8 are replaced (old `PKG-INFO` files are often Latin-1 in fields
    /// this parser does not read).
    pub fn parse(content: &[u8]) -> Result<Self, MetadataError> {
        let text = String::from_utf8_lossy(content);
        let fields = RawFields::scan(&text);
        let mut warnings = Vec::new();

        let metadata_version = fields
            .metadata_version
            .as_deref()
            .and_then(|written| written.parse().ok());
        if metadata_version.is_none() {
            warnings.push(MetadataWarning::UnknownMetadataVersion {
                written: fields.metadata_version.as_deref().map(str::to_string),
            });
        }

        let name = fields
            .name
            .as_deref()
            .filter(|name| !name.is_empty())
            .ok_or_else(|| MetadataError::new(MetadataErrorKind::MissingField("Name")))?;
        let name = PackageName::from_str(name)
            .map_err(|_| MetadataError::new(MetadataErrorKind::InvalidName(name.to_string())))?;

        let version = fields
            .version
            .as_deref()
            .filter(|version| !version.is_empty())
            .ok_or_else(|| MetadataError::new(MetadataErrorKind::MissingField("Version")))?;
        let version = Version::from_str(version).map_err(|error| {
            MetadataError::new(MetadataErrorKind::InvalidVersion {
                name: name.to_string(),
                message: error.to_string(),
            })
        })?;

        let mut requires_dist = Vec::with_capacity(fields.requires_dist.len());
        let mut requires_dist_written = Vec::with_capacity(fields.requires_dist.len());
        for (line, written) in &fields.requires_dist {
            let (requirement, repair) = parse_requirement_lenient(written).map_err(|error| {
                MetadataError::new(MetadataErrorKind::InvalidRequiresDist {
                    name: name.to_string(),
                    line: *line,
                    message: error.to_string(),
                })
            })?;
            if let Some(Repair { repaired, fixes }) = repair {
                warnings.push(MetadataWarning::RequiresDistRepaired {
                    line: *line,
                    written: written.to_string(),
                    repaired,
                    fixes,
                });
            }
            requires_dist.push(requirement);
            requires_dist_written.push(written.to_string());
        }

        let requires_python = fields.requires_python.as_deref().and_then(|written| {
            match parse_specifiers_lenient(written) {
                Ok((specifiers, repair)) => {
                    if let Some(Repair { repaired, fixes }) = repair {
                        warnings.push(MetadataWarning::RequiresPythonRepaired {
                            written: written.to_string(),
                            repaired,
                            fixes,
                        });
                    }
                    Some(specifiers)
                }
                Err(error) => {
                    warnings.push(MetadataWarning::RequiresPythonIgnored {
                        written: written.to_string(),
                        message: error.to_string(),
                    });
                    None
                }
            }
        });

        let mut provides_extra = Vec::with_capacity(fields.provides_extra.len());
        for written in &fields.provides_extra {
            match ExtraName::from_str(written) {
                Ok(extra) if !written.is_empty() => provides_extra.push(extra),
                _ => warnings.push(MetadataWarning::ProvidesExtraIgnored {
                    written: written.to_string(),
                }),
            }
        }

        let dynamic = fields.dynamic.iter().map(ToString::to_string).collect();

        Ok(Self {
            metadata_version,
            name,
            version,
            requires_dist,
            requires_dist_written,
            requires_python,
            provides_extra,
            dynamic,
            warnings,
        })
    }

    /// Whether a source distribution's `PKG-INFO` can be trusted for resolution without building
    /// it (PEP 643), by uv's rule, so that the sdists uv resolves without a build strata does
    /// too.
    ///
    /// True when `Metadata-Version` is at least 2.2 (before it, a `PKG-INFO` could differ from
    /// the built wheel's metadata without saying so) and below 3.0 (a future major version may
    /// change what the fields mean), and none of `Requires-Dist`, `Requires-Python` and
    /// `Provides-Extra` is listed in `Dynamic`. The extras are included, as uv includes them: a
    /// dynamic extra list means the extra-marked requirements may change.
    ///
    /// The names in `Dynamic` are compared exactly, as uv compares them: setuptools 75.8 and
    /// later write lowercase names (`Dynamic: requires-dist`) for every field a `setup.py`
    /// passes, literal or not, so a case-insensitive reading would build every such sdist (uv
    /// tried it and reverted it, as it broke flash-attn, whose build needs torch). What this
    /// trusts is what uv trusts: the requirements setuptools wrote when it made the sdist.
    pub fn is_static_for_sdist(&self) -> bool {
        self.metadata_version.is_some_and(|version| {
            version >= MetadataVersion::new(2, 2) && version < MetadataVersion::new(3, 0)
        }) && !self.dynamic.iter().any(|field| {
            ["Requires-Dist", "Requires-Python", "Provides-Extra"].contains(&field.as_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Metadata {
        Metadata::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn minimal_metadata_has_name_and_version() {
        let metadata = parse("Metadata-Version: 2.1\nName: Foo_Bar\nVersion: 1.0\n");
        assert_eq!(metadata.name.as_ref(), "foo-bar");
        assert_eq!(metadata.version.to_string(), "1.0");
        assert_eq!(metadata.metadata_version, Some(MetadataVersion::new(2, 1)));
        assert!(metadata.warnings.is_empty());
    }

    #[test]
    fn field_names_are_case_insensitive_and_crlf_is_accepted() {
        let metadata =
            parse("metadata-version: 2.1\r\nNAME: foo\r\nversion: 1.0\r\nrequires-dist: bar\r\n");
        assert_eq!(metadata.name.as_ref(), "foo");
        assert_eq!(metadata.requires_dist.len(), 1);
    }

    #[test]
    fn body_after_the_blank_line_is_ignored() {
        let metadata = parse(
            "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\n\nRequires-Dist: not-a-dependency\nName: other\n",
        );
        assert_eq!(metadata.name.as_ref(), "foo");
        assert!(metadata.requires_dist.is_empty());
    }

    #[test]
    fn continuation_lines_extend_the_previous_field() {
        let metadata = parse(
            "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nRequires-Dist: bar>=1.0;\n  python_version < \"3.12\"\nDescription: first\n        |second line\n        |third line\nRequires-Python: >=3.8\n",
        );
        assert_eq!(
            metadata.requires_dist[0].to_string(),
            "bar>=1.0 ; python_full_version < '3.12'"
        );
        assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.8");
    }

    #[test]
    fn missing_or_invalid_name_and_version_are_errors() {
        let cases = [
            (
                "Metadata-Version: 2.1\nVersion: 1.0\n",
                "Core metadata has no `Name` field",
            ),
            (
                "Metadata-Version: 2.1\nName: foo\n",
                "Core metadata has no `Version` field",
            ),
            (
                "Metadata-Version: 2.1\nName: foo bar\nVersion: 1.0\n",
                "Core metadata field `Name` is not a valid package name: `foo bar`",
            ),
        ];
        for (text, message) in cases {
            let error = Metadata::parse(text.as_bytes()).unwrap_err();
            assert_eq!(error.to_string(), message);
        }
        let error = Metadata::parse(b"Name: foo\nVersion: one\n").unwrap_err();
        assert!(matches!(
            error.kind(),
            MetadataErrorKind::InvalidVersion { .. }
        ));
    }

    #[test]
    fn unrepairable_requires_dist_is_an_error_naming_package_and_line() {
        let error = Metadata::parse(
            b"Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nRequires-Dist: bar >= >= 1\n",
        )
        .unwrap_err();
        assert!(matches!(
            error.kind(),
            MetadataErrorKind::InvalidRequiresDist { line: 4, .. }
        ));
        assert!(
            error
                .to_string()
                .starts_with("Core metadata of `foo` line 4: invalid `Requires-Dist`: "),
            "{error}"
        );
    }

    #[test]
    fn invalid_requires_python_is_repaired_or_skipped_with_a_warning() {
        let metadata =
            parse("Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nRequires-Python: >=3.6.*\n");
        assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.6");
        assert!(matches!(
            metadata.warnings[..],
            [MetadataWarning::RequiresPythonRepaired { .. }]
        ));

        let metadata =
            parse("Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nRequires-Python: python3\n");
        assert_eq!(metadata.requires_python, None);
        assert!(matches!(
            metadata.warnings[..],
            [MetadataWarning::RequiresPythonIgnored { .. }]
        ));
    }

    #[test]
    fn extras_are_normalized_and_invalid_ones_skipped() {
        let metadata = parse(
            "Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nProvides-Extra: Dev_Tools\nProvides-Extra: not valid!\n",
        );
        assert_eq!(
            metadata.provides_extra,
            [ExtraName::from_str("dev-tools").unwrap()]
        );
        assert_eq!(
            metadata.warnings,
            [MetadataWarning::ProvidesExtraIgnored {
                written: "not valid!".to_string()
            }]
        );
    }

    #[test]
    fn sdist_metadata_is_static_only_from_2_2_without_dynamic_dependencies() {
        let cases = [
            ("2.1", "", false),
            ("2.2", "", true),
            ("2.4", "Dynamic: License-Expression\n", true),
            ("2.2", "Dynamic: Requires-Dist\n", false),
            ("2.2", "Dynamic: Requires-Python\n", false),
            ("2.2", "Dynamic: Provides-Extra\n", false),
            // setuptools' lowercase names for `setup.py` arguments, which uv does not read as
            // dynamic.
            (
                "2.2",
                "Dynamic: requires-dist\nDynamic: requires-python\n",
                true,
            ),
            ("1.1", "", false),
            ("3.0", "", false),
        ];
        for (version, dynamic, expected) in cases {
            let metadata = parse(&format!(
                "Metadata-Version: {version}\nName: foo\nVersion: 1.0\n{dynamic}"
            ));
            assert_eq!(
                metadata.is_static_for_sdist(),
                expected,
                "{version} {dynamic}"
            );
        }
        let metadata = parse("Name: foo\nVersion: 1.0\n");
        assert!(!metadata.is_static_for_sdist(), "no Metadata-Version");
    }
}
