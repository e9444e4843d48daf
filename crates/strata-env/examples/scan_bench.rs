//! Measures the site-packages scan, parallel against sequential.
//!
//! `cargo run --release -p strata-env --example scan_bench [SITE_PACKAGES...]`: without
//! arguments it generates 300 dist-info directories shaped like real ones (METADATA with a
//! description body, INSTALLER, RECORD) in a temporary directory.
#![expect(clippy::print_stdout, reason = "an example reports its measurements")]

use std::fmt::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arguments: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let generated = tempfile::tempdir()?;
    let directories = if arguments.is_empty() {
        for index in 0..300 {
            let path = generated
                .path()
                .join(format!("package_{index}-1.{index}.0.dist-info"));
            fs_err::create_dir_all(&path)?;
            let mut metadata =
                format!("Metadata-Version: 2.1\nName: package-{index}\nVersion: 1.{index}.0\n");
            for dependency in 1..=8 {
                writeln!(
                    metadata,
                    "Requires-Dist: package-{}>=1.0; python_version >= \"3.8\"",
                    (index + dependency) % 300
                )?;
            }
            metadata.push('\n');
            metadata.push_str(&"A long description line.\n".repeat(200));
            fs_err::write(path.join("METADATA"), metadata)?;
            fs_err::write(path.join("INSTALLER"), "pip\n")?;
            fs_err::write(path.join("RECORD"), "x,,\n")?;
        }
        vec![generated.path().to_path_buf()]
    } else {
        arguments
    };
    let runs = 50;
    let measure = |scan: &dyn Fn() -> usize| -> (Duration, usize) {
        let mut best = Duration::MAX;
        let mut count = 0;
        for _ in 0..runs {
            let start = Instant::now();
            count = scan();
            best = best.min(start.elapsed());
        }
        (best, count)
    };
    let (sequential, count) = measure(&|| {
        strata_env::scan_site_packages_sequential(&directories)
            .expect("scan")
            .distributions
            .len()
    });
    let (parallel, _) = measure(&|| {
        strata_env::scan_site_packages(&directories)
            .expect("scan")
            .distributions
            .len()
    });
    println!(
        "{count} distributions, best of {runs}: sequential {:.2} ms, parallel {:.2} ms ({} threads)",
        sequential.as_secs_f64() * 1000.0,
        parallel.as_secs_f64() * 1000.0,
        rayon::current_num_threads()
    );
    Ok(())
}
