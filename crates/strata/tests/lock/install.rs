//! The locks install with real pip, hashes required and no dependency resolution of its own,
//! into fresh virtual environments, and `pip check` finds nothing broken.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use strata_testindex::TestIndex;

use crate::project::TestProject;
use crate::universe;

/// Runs the machine's pip on `venv` (`--python`) with no user configuration; panics with its
/// output on failure.
fn pip(venv: &Path, cache: &Path, args: &[&str]) -> String {
    let mut command = Command::new("python3");
    command
        .args(["-m", "pip", "--python"])
        .arg(venv.join("bin/python"))
        .args(args)
        .env("PIP_CONFIG_FILE", "/dev/null")
        .env("PIP_NO_INPUT", "1")
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PIP_CACHE_DIR", cache);
    for variable in crate::INDEX_VARIABLES {
        command.env_remove(variable);
    }
    let output = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "pip {args:?}:\n{text}");
    text
}

/// A fresh venv at `venv`, or why there is none. It gets no pip of its own (seeding one takes
/// most of a minute on a busy machine): the machine's pip installs into it with `--python`.
fn venv(venv: &Path) -> Result<(), String> {
    let output = Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(venv)
        .output()
        .map_err(|error| format!("python3 is not runnable: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// `name -> version` of every distribution in the venv, from its `.dist-info` directories.
fn installed(venv: &Path) -> BTreeMap<String, String> {
    let site_packages = fs_err::read_dir(venv.join("lib"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path()
        .join("site-packages");
    fs_err::read_dir(site_packages)
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            let stem = name.strip_suffix(".dist-info")?;
            let (package, version) = stem.rsplit_once('-')?;
            Some((
                package.to_lowercase().replace(['_', '.'], "-"),
                version.to_string(),
            ))
        })
        .collect()
}

#[test]
fn development_and_engine_locks_install_with_pip_require_hashes_and_pass_pip_check() {
    let index = TestIndex::start(universe::ml());
    let project = TestProject::ml();
    project.lock_ok(&index, &[]);

    let locks = ["development", "vllm"];
    let results: Vec<Result<(), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = locks
            .iter()
            .map(|name| {
                let (project, index) = (&project, &index);
                scope.spawn(move || -> Result<(), String> {
                    let venv_dir = project.root().join(format!("venv-{name}"));
                    venv(&venv_dir)?;
                    let lock = project.lock_path(name);
                    let cache = project.root().join(format!("pip-cache-{name}"));
                    let url = index.url();
                    pip(
                        &venv_dir,
                        &cache,
                        &[
                            "install",
                            "--require-hashes",
                            "--no-deps",
                            "--index-url",
                            &url,
                            "-r",
                            lock.to_str().unwrap(),
                        ],
                    );
                    let check = pip(&venv_dir, &cache, &["check"]);
                    assert!(check.contains("No broken requirements"), "{name}: {check}");
                    assert_eq!(installed(&venv_dir), project.pins(name), "{name}");
                    Ok(())
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    });
    for result in results {
        if let Err(reason) = result {
            // Without a working venv there is nothing to install into; say why, loudly.
            let mut stderr = std::io::stderr().lock();
            std::io::Write::write_all(
                &mut stderr,
                format!("skipped: `python3 -m venv` is unavailable: {reason}\n").as_bytes(),
            )
            .unwrap();
            return;
        }
    }
}

#[test]
fn every_pylock_holds_the_same_pins_as_its_requirements_lock() {
    let index = TestIndex::start(universe::ml());
    let project = TestProject::ml();
    project.lock_ok(&index, &[]);
    for name in crate::project::ML_LOCKS {
        let pylock_path = project
            .dir()
            .join("locks")
            .join(format!("pylock.{name}.toml"));
        let pylock =
            strata_lock::pylock_toml::read(&fs_err::read_to_string(pylock_path).unwrap()).unwrap();
        let pins: BTreeMap<String, String> = pylock
            .pins()
            .map(|(package, version)| (package.to_string(), version.to_string()))
            .collect();
        assert_eq!(pins, project.pins(name), "`{name}`");
    }
}
