//! Times `strata_contracts::check` on a project: `cargo run --release --example
//! contracts_bench -- <project root> [--packages a,b] [--host glob,glob] [--engines x,y] [--config importlinter.ini]`.
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
    ContractsConfig, ImportLinterConfig, check, check_collection, collect, render,
};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(root) = args.next().map(PathBuf::from) else {
        eprintln!(
            "usage: contracts_bench <project root> [--packages a,b] [--host g] [--engines x]"
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
    if std::env::var_os("CONTRACTS_BENCH_PHASES").is_some() {
        let roots = config.scan_roots();
        let start = Instant::now();
        let collection = collect(&config.root, &roots).expect("roots exist");
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
