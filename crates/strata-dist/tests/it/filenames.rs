//! Filenames as an index lists them.

use std::str::FromStr;

use pep508_rs::PackageName;
use strata_dist::{DistFilename, SourceDistFilename, Target, WheelFilename};

/// A slice of a real index page for one version of a CUDA package.
const LISTING: [&str; 8] = [
    "flash_attn-2.6.3.tar.gz",
    "flash_attn-2.6.3-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "flash_attn-2.6.3-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "flash_attn-2.6.3-cp311-cp311-manylinux_2_28_x86_64.whl",
    "flash_attn-2.6.3-cp311-cp311-linux_x86_64.whl",
    "flash_attn-2.6.3-cp311-cp311-manylinux_2_28_aarch64.whl",
    "flash_attn-2.6.3-cp312-cp312-win_amd64.whl",
    "flash_attn-2.6.3.win-amd64.exe",
];

#[test]
fn resolver_picks_the_best_wheel_of_a_listing_for_each_target() {
    let package = PackageName::from_str("flash-attn").unwrap();
    let files: Vec<DistFilename> = LISTING
        .iter()
        .filter_map(|filename| DistFilename::parse_for_package(filename, &package).unwrap())
        .collect();
    assert_eq!(files.len(), 7, "the installer is skipped");
    let best = |python: &str, platform: &str| -> Option<String> {
        let target = Target::parse(python, platform).unwrap();
        files
            .iter()
            .filter_map(|file| match file {
                DistFilename::Wheel(wheel) => Some((target.tag_priority(wheel)?, wheel)),
                DistFilename::SourceDist(_) => None,
            })
            .max_by_key(|(priority, _)| *priority)
            .map(|(_, wheel)| wheel.to_string())
    };
    let cases = [
        ("3.11", "x86_64-manylinux_2_28", Some(LISTING[3])),
        ("3.11", "x86_64-manylinux_2_17", Some(LISTING[2])),
        ("3.10", "linux", Some(LISTING[1])),
        ("3.11", "aarch64-manylinux_2_28", Some(LISTING[5])),
        ("3.11", "aarch64-manylinux_2_17", None),
        ("3.12", "windows", Some(LISTING[6])),
        ("3.12", "macos", None),
    ];
    for (python, platform, expected) in cases {
        assert_eq!(
            best(python, platform).as_deref(),
            expected,
            "{python} {platform}"
        );
    }
}

#[test]
fn canonical_wheel_filenames_round_trip() {
    for filename in LISTING.iter().filter(|filename| filename.contains("-cp3")) {
        assert_eq!(
            WheelFilename::from_str(filename).unwrap().to_string(),
            *filename
        );
    }
}

#[test]
fn sdist_of_a_listing_carries_the_known_name() {
    let package = PackageName::from_str("flash-attn").unwrap();
    let sdist = SourceDistFilename::parse(LISTING[0], &package).unwrap();
    assert_eq!(sdist.name(), &package);
    assert_eq!(sdist.version().to_string(), "2.6.3");
    assert_eq!(sdist.to_string(), "flash-attn-2.6.3.tar.gz");
}
