//! Measures the two hot paths: core metadata parsing the way the environment scanner uses it
//! (300 files in a row), and wheel compatibility checks the way a resolver uses them (every wheel
//! of a large index page against one target).
//!
//! `cargo run --release -p strata-dist --example throughput`
#![expect(clippy::print_stdout, reason = "an example reports its measurement")]

use std::time::Instant;

use strata_dist::{Metadata, Target, WheelFilename};

const SAMPLES: [&str; 3] = [
    include_str!("../tests/fixtures/torch-like.METADATA"),
    include_str!("../tests/fixtures/legacy-1.1.PKG-INFO"),
    include_str!("../tests/fixtures/modern-2.4.METADATA"),
];

fn main() {
    let files: Vec<&str> = SAMPLES.iter().copied().cycle().take(300).collect();
    let mut best = f64::MAX;
    for _ in 0..20 {
        let start = Instant::now();
        let mut requirements = 0;
        for file in &files {
            let metadata = Metadata::parse(file.as_bytes()).expect("samples are valid");
            requirements += metadata.requires_dist.len();
        }
        best = best.min(start.elapsed().as_secs_f64());
        assert_eq!(requirements, 100 * (22 + 8));
    }
    println!(
        "parsed {} metadata files in {:.2} ms (best of 20)",
        files.len(),
        best * 1000.0
    );
    tags();
}

/// Builds a torch-sized listing: many versions, each with wheels for many interpreters and
/// platforms, then times tag-table construction and the compatibility checks.
#[expect(
    clippy::cast_precision_loss,
    reason = "a count of wheels fits an f64 exactly"
)]
fn tags() {
    let mut wheels = Vec::new();
    for version in 0..100 {
        for python in ["cp39", "cp310", "cp311", "cp312", "cp313"] {
            for platform in [
                "manylinux_2_17_x86_64.manylinux2014_x86_64",
                "manylinux_2_28_aarch64",
                "macosx_11_0_arm64",
                "win_amd64",
                "linux_x86_64",
            ] {
                let filename = format!("torch-2.{version}.0-{python}-{python}-{platform}.whl");
                wheels.push(WheelFilename::parse(&filename).expect("generated names are valid"));
            }
        }
    }
    let start = Instant::now();
    let target = Target::parse("3.11", "x86_64-manylinux_2_28").expect("a known target");
    let tag_count = target.tags().len();
    let build = start.elapsed().as_secs_f64();

    let mut best = f64::MAX;
    for _ in 0..20 {
        let start = Instant::now();
        let compatible = wheels
            .iter()
            .filter(|wheel| target.is_compatible(wheel))
            .count();
        best = best.min(start.elapsed().as_secs_f64());
        assert_eq!(compatible, 100);
    }
    println!(
        "built {tag_count} tags in {:.2} ms; checked {} wheels in {:.2} ms ({:.0} ns each, best of 20)",
        build * 1000.0,
        wheels.len(),
        best * 1000.0,
        best * 1e9 / wheels.len() as f64
    );
}
