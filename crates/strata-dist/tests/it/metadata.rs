//! Core metadata samples shaped like real ones.

use std::str::FromStr;

use pep508_rs::{ExtraName, PackageName};
use strata_dist::{Metadata, MetadataVersion, MetadataWarning, Target};

const TORCH_LIKE: &str = include_str!("../fixtures/torch-like.METADATA");
const LEGACY_1_1: &str = include_str!("../fixtures/legacy-1.1.PKG-INFO");
const MODERN_2_4: &str = include_str!("../fixtures/modern-2.4.METADATA");

fn names_for(metadata: &Metadata, target: &Target, extras: &[&str]) -> Vec<String> {
    let extras: Vec<ExtraName> = extras
        .iter()
        .map(|extra| ExtraName::from_str(extra).expect("test extras are valid"))
        .collect();
    let markers = target.markers();
    metadata
        .requires_dist
        .iter()
        .filter(|requirement| requirement.marker.evaluate(&markers, &extras))
        .map(|requirement| requirement.name.to_string())
        .collect()
}

#[test]
fn torch_like_metadata_keeps_every_requirement_and_ignores_the_description() {
    let metadata = Metadata::parse(TORCH_LIKE.as_bytes()).unwrap();
    assert_eq!(metadata.name, PackageName::from_str("torch").unwrap());
    assert_eq!(metadata.version.to_string(), "2.5.1+cu121");
    assert_eq!(metadata.metadata_version, Some(MetadataVersion::new(2, 1)));
    assert_eq!(metadata.requires_dist.len(), 22);
    assert_eq!(metadata.requires_python.unwrap().to_string(), ">=3.8.0");
    assert_eq!(metadata.provides_extra.len(), 2);
    assert!(metadata.warnings.is_empty(), "{:?}", metadata.warnings);
    assert!(
        !metadata
            .requires_dist
            .iter()
            .any(|requirement| requirement.name.as_ref() == "this-is-in-the-description")
    );
}

#[test]
fn torch_like_markers_select_cuda_wheels_only_on_linux_x86_64() {
    let metadata = Metadata::parse(TORCH_LIKE.as_bytes()).unwrap();
    let linux = names_for(
        &metadata,
        &Target::parse("3.11", "x86_64-manylinux_2_28").unwrap(),
        &[],
    );
    let macos = names_for(&metadata, &Target::parse("3.11", "macos").unwrap(), &[]);
    let linux_312 = names_for(&metadata, &Target::parse("3.12", "linux").unwrap(), &[]);
    assert!(linux.contains(&"nvidia-cudnn-cu12".to_string()));
    assert!(linux.contains(&"triton".to_string()));
    assert!(!linux.contains(&"setuptools".to_string()));
    assert!(
        !macos
            .iter()
            .any(|name| name.starts_with("nvidia-") || name == "triton")
    );
    assert_eq!(
        macos,
        [
            "filelock",
            "typing-extensions",
            "networkx",
            "jinja2",
            "fsspec",
            "sympy"
        ]
    );
    assert!(linux_312.contains(&"setuptools".to_string()));
}

#[test]
fn legacy_1_1_pkg_info_parses_without_dependencies() {
    let metadata = Metadata::parse(LEGACY_1_1.as_bytes()).unwrap();
    assert_eq!(metadata.name.as_ref(), "python-dateutil");
    assert_eq!(metadata.version.to_string(), "2.2");
    assert_eq!(metadata.metadata_version, Some(MetadataVersion::new(1, 1)));
    // `Requires: six` names a module (Metadata 1.1), not a distribution requirement, and the
    // folded description must not leak a field.
    assert!(metadata.requires_dist.is_empty());
    assert!(!metadata.is_static_for_sdist());
}

#[test]
fn metadata_2_4_with_license_expression_and_sloppy_requirements_parses() {
    let metadata = Metadata::parse(MODERN_2_4.as_bytes()).unwrap();
    assert_eq!(metadata.name.as_ref(), "example-serving-kit");
    assert_eq!(metadata.version.to_string(), "3.2.0rc1");
    assert_eq!(metadata.metadata_version, Some(MetadataVersion::new(2, 4)));
    assert_eq!(
        metadata.requires_python.as_ref().unwrap().to_string(),
        ">=3.10, <3.14"
    );
    let extras: Vec<&str> = metadata.provides_extra.iter().map(AsRef::as_ref).collect();
    assert_eq!(extras, ["vllm", "trt-llm", "dev"]);
    assert_eq!(metadata.dynamic, ["License-File"]);
    assert!(metadata.is_static_for_sdist());

    // `numpy>=1.26,` has a trailing comma: repaired, and the repair is reported.
    assert!(matches!(
        &metadata.warnings[..],
        [MetadataWarning::RequiresDistRepaired { line: 12, fixes, .. }] if fixes == &["removing trailing comma"]
    ));
    insta::assert_snapshot!(
        metadata.warnings[0],
        @"Line 12: repaired `Requires-Dist: numpy>=1.26,` to `numpy>=1.26` by removing trailing comma"
    );

    let linux = Target::parse("3.11", "x86_64-manylinux_2_28").unwrap();
    assert_eq!(
        names_for(&metadata, &linux, &["vllm", "trt-llm"]),
        [
            "fastapi",
            "uvicorn",
            "pydantic",
            "numpy",
            "vllm",
            "tensorrt-llm"
        ]
    );
    let windows = Target::parse("3.10", "windows").unwrap();
    assert_eq!(
        names_for(&metadata, &windows, &["vllm"]),
        ["fastapi", "uvicorn", "pydantic", "numpy", "tomli"]
    );
}

#[test]
fn requires_python_of_parsed_metadata_filters_targets() {
    let metadata = Metadata::parse(MODERN_2_4.as_bytes()).unwrap();
    let requires_python = metadata.requires_python.unwrap();
    let cases = [
        ("3.9", false),
        ("3.10", true),
        ("3.13", true),
        ("3.14", false),
    ];
    for (python, expected) in cases {
        let target = Target::parse(python, "linux").unwrap();
        assert_eq!(
            target.allows_requires_python(&requires_python),
            expected,
            "{python}"
        );
    }
}
