//! Times `strata_contracts::check` on a project: `cargo run --release --example
//! contracts_bench -- <project root> [--packages a,b] [--host glob,glob] [--engines x,y]
//! [--config importlinter.ini] [--cache-dir DIR]`; without `--cache-dir`, every file is parsed.
//! Reads the project's import-linter configuration, if any; prints the timings and the summary.

#![allow(clippy::print_stdout, clippy::print_stderr)]
#![expect(
    clippy::disallowed_methods,
    reason = "the benchmark's own switches (CONTRACTS_BENCH_*), not strata settings"
)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use strata_contracts::{
    ContractsConfig, ImportLinterConfig, check, check_collection, collect, parse_imports, render,
};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(root) = args.next().map(PathBuf::from) else {
        eprintln!(
            "usage: contracts_bench <project root> [--packages a,b] [--host g] [--engines x] [--config f] [--cache-dir d]"
        );
        return ExitCode::from(2);
    };
    let mut config = match ContractsConfig::discover(&root) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    while let (Some(flag), Some(value)) = (args.next(), args.next()) {
        let list: Vec<String> = value.split(',').map(str::to_owned).collect();
        match flag.as_str() {
            "--packages" => config.packages = list,
            "--host" => config.host = list,
            "--engines" => config.engine_packages = list,
            "--cache-dir" => config.cache_dir = Some(PathBuf::from(&value)),
            "--config" => match ImportLinterConfig::from_file(&PathBuf::from(&value)) {
                Ok(importlinter) => config.importlinter = importlinter,
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("unknown flag {other}");
                return ExitCode::from(2);
            }
        }
    }
    if std::env::var_os("CONTRACTS_BENCH_PROFILE").is_some() {
        profile(&config);
    }
    if std::env::var_os("CONTRACTS_BENCH_PHASES").is_some() {
        let roots = config.scan_roots();
        let start = Instant::now();
        let collection =
            collect(&config.root, &roots, config.cache_dir.as_deref()).expect("roots exist");
        let collected = start.elapsed();
        let report = check_collection(&config, &roots, &collection).expect("valid config");
        eprintln!(
            "phases: collect {:.3} s, check {:.3} s ({} findings)",
            collected.as_secs_f64(),
            start.elapsed().as_secs_f64() - collected.as_secs_f64(),
            report.findings.len()
        );
    }
    let start = Instant::now();
    let report = match check(&config) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let elapsed = start.elapsed();
    // For comparing with `lint-imports` output: every link of every violation.
    if std::env::var_os("CONTRACTS_BENCH_LINKS").is_some() {
        for finding in &report.findings {
            println!("finding {}", finding.message);
            for link in &finding.chain {
                println!("link {} -> {}", link.importer, link.imported);
            }
        }
    }
    print!("{}", render::summary(&report));
    println!(
        "strata: {} files, {} findings, {} parse failures in {:.3} s",
        report.files,
        report.findings.len(),
        report.parse_failures.len(),
        elapsed.as_secs_f64()
    );
    ExitCode::SUCCESS
}

/// The cold path step by step (best of three), on one thread and on all of them: walking, reading, parsing
/// alone, and parsing plus the import visitor (`parse_imports`), then `collect` as a whole, whose
/// excess over the steps is result assembly. The walk here is a plain `.py` walk of the same
/// roots, a close stand-in for `collect`'s own.
#[expect(
    clippy::cast_precision_loss,
    reason = "megabytes and averages for display"
)]
fn profile(config: &ContractsConfig) {
    use rayon::prelude::*;

    let roots = config.scan_roots();
    let bases = [config.root.join("src"), config.root.clone()];
    let start = Instant::now();
    let mut files: Vec<(PathBuf, String, bool)> = Vec::new();
    for root in &roots {
        let Some(base) = bases.iter().find(|base| base.join(root).exists()) else {
            continue;
        };
        for entry in ignore::WalkBuilder::new(base.join(root))
            .require_git(false)
            .build()
            .flatten()
        {
            let path = entry.path();
            if path.extension().is_some_and(|extension| extension == "py") {
                let relative = path.strip_prefix(base).unwrap_or(path).with_extension("");
                let is_package = relative.ends_with("__init__");
                let name = relative
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy())
                    .filter(|part| part != "__init__")
                    .collect::<Vec<_>>()
                    .join(".");
                files.push((path.to_path_buf(), name, is_package));
            }
        }
    }
    let walk = start.elapsed().as_secs_f64();
    let bytes: u64 = files
        .iter()
        .map(|(path, ..)| std::fs::metadata(path).map_or(0, |metadata| metadata.len()))
        .sum();
    eprintln!(
        "profile: {} files, {:.1} MB, {:.0} bytes per file on average; walk {walk:.3} s",
        files.len(),
        bytes as f64 / 1e6,
        bytes as f64 / files.len().max(1) as f64
    );
    let threads = rayon::current_num_threads();
    for pool_threads in [1, threads] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(pool_threads)
            .build()
            .expect("a thread pool");
        pool.install(|| {
            // The best of three: this machine is shared, and noise only ever adds time.
            let timed = |step: &dyn Fn()| {
                (0..3)
                    .map(|_| {
                        let start = Instant::now();
                        step();
                        start.elapsed().as_secs_f64()
                    })
                    .fold(f64::INFINITY, f64::min)
            };
            let sources: Vec<String> = files
                .par_iter()
                .map(|(path, ..)| std::fs::read_to_string(path).unwrap_or_default())
                .collect();
            let read = timed(&|| {
                let total: usize = files
                    .par_iter()
                    .map(|(path, ..)| std::fs::read_to_string(path).map_or(0, |text| text.len()))
                    .sum();
                assert!(total > 0 || files.is_empty());
            });
            let lines = timed(&|| {
                let total: usize = sources
                    .par_iter()
                    .map(|source| memchr::memchr_iter(b'\n', source.as_bytes()).count())
                    .sum();
                assert!(total > 0 || files.is_empty());
            });
            let parse = timed(&|| {
                let parsed: usize = sources
                    .par_iter()
                    .map(|source| usize::from(ruff_python_parser::parse_module(source).is_ok()))
                    .sum();
                assert!(parsed > 0 || files.is_empty());
            });
            let imports = timed(&|| {
                let total: usize = sources
                    .par_iter()
                    .zip(&files)
                    .map(|(source, (_, name, is_package))| {
                        parse_imports(source, name, *is_package).map_or(0, |imports| imports.len())
                    })
                    .sum();
                assert!(total > 0 || files.is_empty());
            });
            let whole = timed(&|| {
                collect(&config.root, &roots, None).expect("roots exist");
            });
            eprintln!(
                "profile ({pool_threads} thread{}): read {read:.3} s, line index {lines:.3} s, \
                 parse_module {parse:.3} s, parse_imports {imports:.3} s (visitor and line \
                 index {:.3} s), collect {whole:.3} s (minus walk, read, parse_imports: {:.3} s)",
                if pool_threads == 1 { "" } else { "s" },
                imports - parse,
                whole - walk - read - imports,
            );
        });
    }
}
