//! Real pip as the oracle: a lock compiled from a generated universe installs with
//! `pip install --require-hashes --no-deps` into a fresh venv, and `pip check` passes.
//!
//! Each universe is generated from a seed around a planted solution: one release of every
//! package is chosen in advance, and the planted releases' requirements (and the top-level
//! ones) always admit the other planted releases, so a solution exists; the other releases
//! require random ranges, so the resolver has to backtrack around them. Extras, markers for
//! other platforms and Pythons, `!=` exclusions and sdists appear along the way.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::{Requirement, VersionOrUrl};
use strata_testindex::{Package, TestIndex, Universe};

use crate::{compile, pins};

/// `SplitMix64`: a tiny deterministic generator, so each seed is one fixed universe.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn range(&mut self, low: u32, high: u32) -> u32 {
        let span = u64::from(high - low + 1);
        low + u32::try_from(self.next() % span).unwrap()
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.range(1, 100) <= percent
    }
}

/// A specifier set on versions `1.0..=count.0` that admits `planted.0`.
fn admitting(rng: &mut Rng, planted: u32, count: u32) -> String {
    match rng.range(0, 5) {
        0 => String::new(),
        1 => format!(">={}.0", rng.range(1, planted)),
        2 => format!("<{}.0", rng.range(planted + 1, count + 1)),
        3 => format!("=={planted}.0"),
        4 => format!(">={}.0,<{}.0", rng.range(1, planted), planted + 1),
        _ => {
            let other = rng.range(1, count + 1);
            if other == planted {
                format!("~={planted}.0")
            } else {
                format!("!={other}.0")
            }
        }
    }
}

/// Any specifier set on versions around `1.0..=count.0`.
fn random_range(rng: &mut Rng, count: u32) -> String {
    match rng.range(0, 3) {
        0 => format!(">={}.0", rng.range(1, count + 1)),
        1 => format!("<{}.0", rng.range(1, count + 1)),
        2 => format!("=={}.0", rng.range(1, count)),
        _ => String::new(),
    }
}

/// A generated universe and the top-level requirements to compile.
struct Generated {
    universe: Universe,
    requirements: Vec<String>,
}

fn generate(seed: u64) -> Generated {
    let mut rng = Rng(seed);
    let packages = rng.range(5, 8);
    let name = |index: u32| format!("gen{index}");
    let counts: Vec<u32> = (0..packages).map(|_| rng.range(1, 4)).collect();
    let planted: Vec<u32> = counts.iter().map(|count| rng.range(1, *count)).collect();
    // The package that has an extra, and the one its extra pulls in.
    let extra_owner = rng.range(0, packages - 2);
    let mut universe = Universe::new();
    for index in 0..packages {
        let count = counts[index as usize];
        for version in 1..=count {
            let is_planted = version == planted[index as usize];
            let mut package = Package::new(name(index), format!("{version}.0"));
            // Dependencies only point forward, so the graph has no cycles.
            for dependency in index + 1..packages {
                if !rng.chance(45) {
                    continue;
                }
                let dependency_count = counts[dependency as usize];
                let specifiers = if is_planted {
                    admitting(&mut rng, planted[dependency as usize], dependency_count)
                } else {
                    random_range(&mut rng, dependency_count)
                };
                package = package.requires(format!("{}{specifiers}", name(dependency)));
            }
            if index == extra_owner {
                let dependency = packages - 1;
                let specifiers = admitting(
                    &mut rng,
                    planted[dependency as usize],
                    counts[dependency as usize],
                );
                package = package.extra("more", [format!("{}{specifiers}", name(dependency))]);
            }
            // Requirements for other targets, which must not be locked or checked.
            if rng.chance(30) {
                package = package.requires("not-on-the-index; sys_platform == 'win32'");
            }
            if rng.chance(30) {
                package = package.requires("not-on-the-index-either; python_version < '3.8'");
            }
            if rng.chance(25) {
                package = package.sdist();
            }
            universe = universe.package(package);
        }
    }
    let mut requirements = vec![name(0)];
    for index in 1..packages {
        if rng.chance(30) {
            let specifiers = admitting(&mut rng, planted[index as usize], counts[index as usize]);
            requirements.push(format!("{}{specifiers}", name(index)));
        }
    }
    requirements.push(format!(
        "{}[more]{}",
        name(extra_owner),
        admitting(
            &mut rng,
            planted[extra_owner as usize],
            counts[extra_owner as usize]
        )
    ));
    Generated {
        universe,
        requirements,
    }
}

/// Runs a Python tool with no user configuration and no other index.
fn python(dir: &Path, program: &Path, args: &[&str], index: &TestIndex) -> String {
    let mut command = Command::new(program);
    strata_testindex::hermetic(&mut command)
        .args(args)
        .current_dir(dir)
        .env("PIP_NO_INPUT", "1")
        .env("PIP_NO_CACHE_DIR", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_INDEX_URL", index.url());
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{} {args:?} failed:\n{stdout}\n{}",
        program.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

fn lock_installs_with_pip(seed: u64) {
    let generated = generate(seed);
    let index = TestIndex::start(generated.universe);
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::new();
    for requirement in &generated.requirements {
        writeln!(input, "{requirement}").unwrap();
    }
    fs_err::write(dir.path().join("requirements.in"), &input).unwrap();
    let output = compile(
        dir.path(),
        &index,
        &["--generate-hashes", "requirements.in", "-o", "out.txt"],
    );
    assert_eq!(
        output.code, 0,
        "seed {seed}: compile failed on a solvable universe:\n{input}\n{}",
        output.stderr
    );
    let lock = fs_err::read_to_string(dir.path().join("out.txt")).unwrap();
    let pinned = pins(&lock);

    // Every top-level requirement holds, by the specifiers' own semantics.
    for line in &generated.requirements {
        let requirement: Requirement = Requirement::from_str(line).unwrap();
        let pin = pinned
            .iter()
            .find_map(|pin| pin.strip_prefix(&format!("{}==", requirement.name)))
            .unwrap_or_else(|| panic!("seed {seed}: `{line}` is not locked:\n{lock}"));
        if let Some(VersionOrUrl::VersionSpecifier(specifiers)) = &requirement.version_or_url {
            assert!(
                specifiers.contains(&Version::from_str(pin).unwrap()),
                "seed {seed}: `{line}` locked at {pin}"
            );
        }
    }

    // The venv has no pip of its own (ensurepip costs seconds); the machine's pip installs
    // into it through `--python`.
    let venv = dir.path().join("venv");
    let host = Path::new("python3");
    python(
        dir.path(),
        host,
        &["-m", "venv", "--without-pip", venv.to_str().unwrap()],
        &index,
    );
    let venv_python = venv.join("bin/python");
    let pip = |args: &[&str]| {
        let mut all = vec!["-m", "pip", "--python", venv_python.to_str().unwrap()];
        all.extend_from_slice(args);
        python(dir.path(), host, &all, &index)
    };
    pip(&[
        "install",
        "--require-hashes",
        "--no-deps",
        "--index-url",
        &index.url(),
        "-r",
        "out.txt",
    ]);
    pip(&["check"]);
    let installed = pip(&["freeze"]);
    let mut installed: Vec<String> = installed.lines().map(str::to_string).collect();
    installed.sort();
    assert_eq!(installed, pinned, "seed {seed}: pip installed another set");
}

#[test]
fn lock_of_generated_universe_1_installs_with_pip_and_passes_pip_check() {
    lock_installs_with_pip(1);
}

#[test]
fn lock_of_generated_universe_2_installs_with_pip_and_passes_pip_check() {
    lock_installs_with_pip(2);
}

#[test]
fn lock_of_generated_universe_3_installs_with_pip_and_passes_pip_check() {
    lock_installs_with_pip(3);
}

#[test]
fn lock_of_generated_universe_4_installs_with_pip_and_passes_pip_check() {
    lock_installs_with_pip(4);
}

#[test]
fn generated_universes_differ_by_seed_and_repeat_for_a_seed() {
    let requirements = |seed| generate(seed).requirements;
    assert_eq!(requirements(7), requirements(7));
    assert!((1..=4).any(|seed| requirements(seed) != requirements(seed + 1)));
}
