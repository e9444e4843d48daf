//! Targets as a manifest names them.

use strata_dist::{Error, Platform, Target, WheelFilename};

#[test]
fn manifest_values_parse_into_targets() {
    let cases = [
        (
            "3.11",
            "x86_64-manylinux_2_28",
            "Python 3.11 on x86_64-manylinux_2_28",
        ),
        (
            "3.12",
            "aarch64-manylinux_2_34",
            "Python 3.12 on aarch64-manylinux_2_34",
        ),
        ("3.11.7", "macos", "Python 3.11.7 on macos"),
        (
            "3.10",
            "x86_64-pc-windows-msvc",
            "Python 3.10 on x86_64-pc-windows-msvc",
        ),
    ];
    for (python, platform, display) in cases {
        assert_eq!(
            Target::parse(python, platform).unwrap().to_string(),
            display
        );
    }
}

#[test]
fn bad_platform_in_a_manifest_is_reported_with_a_suggestion() {
    let Err(Error::Platform(error)) = Target::parse("3.11", "x86_64-manylinux-2_28") else {
        panic!("expected a platform error");
    };
    assert_eq!(error.input(), "x86_64-manylinux-2_28");
    assert_eq!(error.suggestion(), Some("x86_64-manylinux_2_28"));
}

#[test]
fn bad_python_version_in_a_manifest_is_reported() {
    let error = Target::parse("three", "linux").unwrap_err();
    insta::assert_snapshot!(error, @"Invalid Python version `three`: expected `3.<minor>` or `3.<minor>.<patch>`, such as `3.11` or `3.11.7`");
}

#[test]
fn aliases_share_tags_with_the_platform_they_stand_for() {
    let alias = Target::parse("3.12", "linux").unwrap();
    let explicit = Target::parse("3.12", "x86_64-manylinux_2_17").unwrap();
    assert_ne!(alias, explicit, "the spelling is part of the target");
    let alias_tags: Vec<String> = alias.tags().iter().map(ToString::to_string).collect();
    let explicit_tags: Vec<String> = explicit.tags().iter().map(ToString::to_string).collect();
    assert_eq!(alias_tags, explicit_tags);
}

#[test]
fn newer_glibc_target_accepts_newer_wheels_and_still_prefers_them() {
    let old = Target::parse("3.11", "x86_64-manylinux_2_17").unwrap();
    let new = Target::parse("3.11", "x86_64-manylinux_2_35").unwrap();
    let wheel_2_28 =
        WheelFilename::parse("vllm-0.6.3-cp38-abi3-manylinux_2_28_x86_64.whl").unwrap();
    let wheel_2014 = WheelFilename::parse("vllm-0.6.3-cp38-abi3-manylinux2014_x86_64.whl").unwrap();
    assert!(!old.is_compatible(&wheel_2_28));
    assert!(old.is_compatible(&wheel_2014));
    assert!(new.tag_priority(&wheel_2_28) > new.tag_priority(&wheel_2014));
}

#[test]
fn every_known_platform_builds_markers_and_tags() {
    for name in Platform::known_names() {
        let target = Target::parse("3.12", name).unwrap();
        let markers = target.markers();
        assert_eq!(markers.python_version().to_string(), "3.12");
        assert!(!target.tags().is_empty(), "{name}");
        let pure = WheelFilename::parse("six-1.16.0-py2.py3-none-any.whl").unwrap();
        assert!(target.is_compatible(&pure), "{name}");
    }
}
