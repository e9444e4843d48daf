//! `strata build`: the project's sdist and wheel, built by its PEP 517 backend in an isolated
//! environment installed from a hashed build lock (see `strata_lock::resolve_build_lock` for the
//! lock, `strata_build` for the frontend).
//!
//! Build environments are kept in the cache (`<cache>/build-envs/<key>`), one per build lock
//! and interpreter: a second build with an unchanged lock neither resolves nor installs
//! anything, so it makes no index request at all. An environment is made under an exclusive file
//! lock and marked complete only once pip succeeded, so a killed or concurrent build never
//! reuses a half-installed one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use strata_build::{BuildVenv, Distributions, PipSources, ProjectBuild, Session, SessionOptions};
use strata_diagnostic::{Diagnose, Diagnosed};
use strata_dist::Target;
use strata_lock::BuildInputs;
use strata_lockfile::requirements_txt;
use strata_project::Project;
use strata_resolve::Resolver;

use crate::ExitStatus;
use crate::args::{BuildArgs, DataFormat, GlobalArgs};
use crate::commands::{display_path, load_project};
use crate::output;
use crate::printer::Printer;
use crate::settings;

/// The file that marks a build environment as complete.
const COMPLETE_MARKER: &str = ".strata-complete";

pub(crate) fn build(
    global: &GlobalArgs,
    args: &BuildArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let interpreter = Interpreter::ask(&args.python)?;
    let distributions = match (args.sdist, args.wheel) {
        (true, false) => Distributions::Sdist,
        (false, true) => Distributions::Wheel,
        _ => Distributions::Both,
    };
    let out_dir = args
        .out_dir
        .clone()
        .unwrap_or_else(|| project.root.join("dist"));
    let cache = settings::cache_dir();
    let work_dir = tempfile::Builder::new()
        .prefix("strata-build-")
        .tempdir()
        .context("Failed to create a temporary directory for the build")?;
    let name = project
        .name
        .as_ref()
        .map_or_else(|| "project".to_string(), ToString::to_string);
    let mut session = Session::new(
        format!("`{name}`"),
        work_dir.path(),
        cache.join("build-logs").join(format!("{name}.log")),
        SessionOptions {
            echo: !printer.is_quiet(),
            ..SessionOptions::default()
        },
    )
    .diagnosed()?;
    printer.status(&format!(
        "Building {} of `{name}` with {} ({})",
        match distributions {
            Distributions::Both => "the sdist and the wheel",
            Distributions::Sdist => "the sdist",
            Distributions::Wheel => "the wheel",
        },
        args.python.display(),
        interpreter.target,
    ));
    let started = std::time::Instant::now();
    let mut environments = LockedEnvironments {
        project: &project,
        args,
        name: name.clone(),
        identity: settings::index_identity(&args.index, &project),
        lock_path: strata_lock::build_lock_path(&project),
        interpreter: &interpreter,
        cache: cache.clone(),
        resolver: None,
        sources: None,
        lock_written: false,
        created: 0,
        reused: 0,
    };
    let build = ProjectBuild {
        source: project.root.clone(),
        distributions,
        python: args.python.clone(),
        work_dir: work_dir.path().to_path_buf(),
        out_dir: out_dir.clone(),
    };
    let built = strata_build::build_project(&build, &mut session, &mut environments)
        .map_err(Diagnosed::from)?;

    let artifacts: Vec<&strata_build::check::Checked> =
        built.sdist.iter().chain(&built.wheel).collect();
    let json = output::build::BuildJson {
        sdist: built
            .sdist
            .as_ref()
            .map(|checked| output::build::Artifact::new(checked, &out_dir)),
        wheel: built
            .wheel
            .as_ref()
            .map(|checked| output::build::Artifact::new(checked, &out_dir)),
        build_lock: display_path(&environments.lock_path),
        build_lock_written: environments.lock_written,
        environments_created: environments.created,
        environments_reused: environments.reused,
    };
    printer.status(&format!(
        "Built {} in {:.2}s; build lock `{}` {}",
        artifacts
            .iter()
            .map(|checked| format!("`{}`", display_path(&out_dir.join(&checked.filename))))
            .collect::<Vec<_>>()
            .join(" and "),
        started.elapsed().as_secs_f64(),
        json.build_lock,
        if json.build_lock_written {
            "written"
        } else {
            "unchanged"
        },
    ));
    match args.format {
        DataFormat::Json => printer.data(&output::json::render(&json)?)?,
        DataFormat::Text => {
            for checked in artifacts {
                printer.data(&format!(
                    "{}\n",
                    display_path(&out_dir.join(&checked.filename))
                ))?;
            }
        }
    }
    Ok(ExitStatus::Success)
}

/// The interpreter a build runs with: its target (for the build lock) and its real executable
/// (part of a build environment's key, since a venv links to it).
struct Interpreter {
    target: Target,
    executable: PathBuf,
}

impl Interpreter {
    /// Asks `python` for its version and platform. The platform is named the way `--python-
    /// platform` names it: glibc Linux as `<arch>-manylinux_2_<glibc minor>` (within the range
    /// strata knows), musl Linux as `<arch>-musllinux_1_2`, macOS as `<arch>-apple-darwin`.
    fn ask(python: &Path) -> Result<Self> {
        #[derive(Deserialize)]
        struct Answer {
            version: String,
            system: String,
            machine: String,
            libc: (String, String),
            executable: PathBuf,
        }
        const SCRIPT: &str = "import json, platform, sys\nprint(json.dumps({'version': '%d.%d' % sys.version_info[:2], 'system': platform.system(), 'machine': platform.machine(), 'libc': list(platform.libc_ver()), 'executable': sys.executable}))";
        let output = Command::new(python)
            .args(["-I", "-c", SCRIPT])
            .output()
            .with_context(|| format!("Failed to run `{}`", python.display()))?;
        if !output.status.success() {
            bail!(
                "`{}` failed ({}): {}",
                python.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let answer: Answer = serde_json::from_slice(&output.stdout)
            .with_context(|| format!("`{}` gave an unreadable answer", python.display()))?;
        let arch = match answer.machine.as_str() {
            "x86_64" | "AMD64" | "amd64" => "x86_64",
            "aarch64" | "arm64" | "ARM64" => "aarch64",
            other => bail!("strata cannot build on a `{other}` machine (x86_64 and aarch64 only)"),
        };
        let platform = match (answer.system.as_str(), answer.libc.0.as_str()) {
            ("Linux", "glibc") => {
                let minor: u16 = answer
                    .libc
                    .1
                    .split('.')
                    .nth(1)
                    .and_then(|minor| minor.parse().ok())
                    .unwrap_or(17);
                format!("{arch}-manylinux_2_{}", minor.clamp(17, 40))
            }
            ("Linux", _) => format!("{arch}-musllinux_1_2"),
            ("Darwin", _) => format!("{arch}-apple-darwin"),
            ("Windows", _) => format!("{arch}-pc-windows-msvc"),
            (other, _) => bail!("strata cannot build on `{other}`"),
        };
        Ok(Self {
            target: Target::parse(&answer.version, &platform)?,
            executable: answer.executable,
        })
    }
}

/// Build environments from the build lock, made once per lock and kept in the cache.
struct LockedEnvironments<'a> {
    project: &'a Project,
    args: &'a BuildArgs,
    name: String,
    identity: String,
    lock_path: PathBuf,
    interpreter: &'a Interpreter,
    cache: PathBuf,
    /// Made on the first resolution: a build whose lock serves it needs no index client.
    resolver: Option<Resolver>,
    /// Where pip downloads the lock's files from, read on the first install.
    sources: Option<PipSources>,
    lock_written: bool,
    created: usize,
    reused: usize,
}

impl strata_build::Environments for LockedEnvironments<'_> {
    fn interpreter(
        &mut self,
        session: &mut Session,
        requires: &[String],
        added: &[String],
    ) -> Result<PathBuf, strata_build::Error> {
        self.environment(session, requires, added).map_err(|error| {
            let error: Box<dyn std::error::Error + Send + Sync> = error.into();
            strata_build::ErrorKind::Environment(error).into()
        })
    }
}

impl LockedEnvironments<'_> {
    fn environment(
        &mut self,
        session: &mut Session,
        requires: &[String],
        added: &[String],
    ) -> Result<PathBuf> {
        let lock = self.lock(session, requires, added)?;
        let mut key = Sha256::new();
        key.update(lock.as_bytes());
        key.update(self.interpreter.executable.as_os_str().as_encoded_bytes());
        let key = format!("{:x}", key.finalize());
        let envs = self.cache.join("build-envs");
        let dir = envs.join(&key[..16]);
        if dir.join(COMPLETE_MARKER).is_file() {
            self.reused += 1;
            mark_used(&dir);
            return Ok(BuildVenv::existing(&dir).python().to_path_buf());
        }
        fs_err::create_dir_all(&envs)?;
        let guard = fs_err::File::create(envs.join(format!("{}.lock", &key[..16])))?;
        guard
            .file()
            .lock()
            .context("Failed to lock the build environment")?;
        // Another build may have made it while this one waited.
        if dir.join(COMPLETE_MARKER).is_file() {
            self.reused += 1;
            return Ok(BuildVenv::existing(&dir).python().to_path_buf());
        }
        if dir.exists() {
            fs_err::remove_dir_all(&dir)?;
        }
        session.note(&format!(
            "making a build environment from `{}`",
            display_path(&self.lock_path)
        ));
        // An empty lock (an in-tree backend of the standard library) needs no pip at all.
        let empty = requirements_txt::read(&lock).is_ok_and(|lock| lock.packages.is_empty());
        let sources = if empty {
            PipSources::default()
        } else {
            self.pip_sources()?
        };
        let made = BuildVenv::create(session, &self.args.python, &dir).and_then(|mut venv| {
            if !empty {
                venv.install_lock(session, &self.lock_path, &sources)?;
            }
            Ok(venv)
        });
        let venv = match made {
            Ok(venv) => venv,
            Err(error) => {
                let _ = fs_err::remove_dir_all(&dir);
                return Err(Diagnosed::from(error).into());
            }
        };
        fs_err::write(dir.join(COMPLETE_MARKER), &key)?;
        self.created += 1;
        Ok(venv.python().to_path_buf())
    }

    /// Where pip downloads the lock's files from: the indexes the lock was resolved against.
    fn pip_sources(&mut self) -> Result<PipSources> {
        if self.sources.is_none() {
            let config = settings::index_config(&self.args.index, Some(self.project), &[])?;
            self.sources = Some(PipSources {
                index_url: Some(config.index_url.url().to_string()),
                extra_index_urls: config.pip_extra_index_urls(),
                find_links: config.find_links.clone(),
            });
        }
        Ok(self.sources.clone().expect("read above"))
    }

    /// The build lock's text for `requires` and `added`: the file as it is when it serves
    /// them, else resolved again and written (refused with `--locked`).
    fn lock(
        &mut self,
        session: &mut Session,
        requires: &[String],
        added: &[String],
    ) -> Result<String> {
        let wanted = BuildInputs::new(requires, added, &self.interpreter.target, &self.identity);
        let existing = match fs_err::read_to_string(&self.lock_path) {
            Ok(text) => Some(text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(error) => return Err(error.into()),
        };
        let recorded = match &existing {
            Some(text) => Some(
                requirements_txt::read(text)
                    .with_context(|| format!("Failed to read `{}`", self.lock_path.display()))?,
            ),
            None => None,
        };
        let recorded_inputs = recorded.as_ref().and_then(BuildInputs::recorded);
        if let (Some(text), Some(inputs)) = (&existing, &recorded_inputs)
            && !self.args.upgrade
            && inputs.covers(&wanted)
        {
            return Ok(text.clone());
        }
        let display = display_path(&self.lock_path);
        if self.args.locked {
            bail!(
                "The build lock `{display}` {}; run `strata build` without `--locked` to update it",
                stale_reason(recorded_inputs.as_ref(), &wanted, self.args.upgrade)
            );
        }
        // What the backend added before stays locked while `[build-system]` is unchanged, so a
        // lock does not flip between the sdist's and the wheel's requirement sets.
        let inputs = match &recorded_inputs {
            Some(inputs)
                if inputs.requires == wanted.requires
                    && inputs.target == wanted.target
                    && inputs.index == wanted.index =>
            {
                let added: Vec<String> =
                    inputs.added.iter().chain(&wanted.added).cloned().collect();
                BuildInputs::new(&wanted.requires, &added, &wanted.target, &self.identity)
            }
            _ => wanted,
        };
        let listed: Vec<&String> = inputs.all().collect();
        session.note(&format!(
            "resolving the build requirements ({}) for {}",
            if listed.is_empty() {
                "none".to_string()
            } else {
                listed
                    .iter()
                    .map(|requirement| format!("`{requirement}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            inputs.target
        ));
        let mut preferences = self.build_profile_pins();
        if let Some(recorded) = &recorded {
            preferences.extend(
                recorded
                    .packages
                    .iter()
                    .map(|package| (package.name.clone(), package.version.clone())),
            );
        }
        if self.resolver.is_none() {
            let client = settings::index_client(
                &self.args.index,
                Some(self.project),
                vec![inputs.target.clone()],
            )?;
            self.resolver = Some(Resolver::new(client).diagnosed()?);
        }
        let resolver = self.resolver.as_ref().expect("made above");
        let lock = strata_lock::resolve_build_lock(
            resolver,
            &self.name,
            &inputs,
            preferences,
            self.args.upgrade,
        )
        .diagnosed()?;
        let text = requirements_txt::write(&lock);
        strata_fs::write_atomic(&self.lock_path, text.as_bytes())
            .with_context(|| format!("Failed to write `{display}`"))?;
        self.lock_written = true;
        Ok(text)
    }

    /// The pins of the `build` profile's lock, when the manifest has that profile and its lock
    /// reads: the build role's versions, preferred so the backend builds with them.
    fn build_profile_pins(&self) -> HashMap<pep508_rs::PackageName, pep440_rs::Version> {
        let Ok(profile) = self.project.profile("build") else {
            return HashMap::new();
        };
        fs_err::read_to_string(strata_lock::lock_path(self.project, &profile.name))
            .ok()
            .and_then(|text| requirements_txt::read_pins(&text).ok())
            .unwrap_or_default()
    }
}

/// Why a build lock does not serve a build, for `--locked`.
fn stale_reason(recorded: Option<&BuildInputs>, wanted: &BuildInputs, upgrade: bool) -> String {
    let Some(recorded) = recorded else {
        return "is missing or was not written by `strata build`".to_string();
    };
    if upgrade {
        "would be resolved again (`--upgrade`)".to_string()
    } else if recorded.requires != wanted.requires {
        format!(
            "was made for `[build-system].requires` {:?}, not {:?}",
            recorded.requires, wanted.requires
        )
    } else if recorded.target != wanted.target {
        format!("was made for {}, not {}", recorded.target, wanted.target)
    } else if recorded.index != wanted.index {
        "was made with other indexes".to_string()
    } else {
        let missing: Vec<&String> = wanted
            .added
            .iter()
            .filter(|added| !recorded.added.contains(added))
            .collect();
        format!("lacks {missing:?}, which the build backend asks for")
    }
}

/// Records that the build environment `dir` was used now (its marker's modification time), so
/// that `strata cache prune` keeps it.
fn mark_used(dir: &Path) {
    // Best effort: an environment that cannot be marked is at worst made again after a prune.
    if let Ok(marker) = fs_err::File::options()
        .append(true)
        .open(dir.join(COMPLETE_MARKER))
    {
        let _ = marker.file().set_modified(std::time::SystemTime::now());
    }
}

/// Removes the build environments of `cache` not used for `max_age_days` days, and those a
/// killed build left unfinished (no marker, an hour old), each under its file lock so that a
/// build using it at the same time is never cut short. Returns what was removed.
pub(crate) fn prune_build_environments(
    cache: &Path,
    max_age_days: u64,
) -> Result<strata_index::cache::CacheSummary> {
    let mut removed = strata_index::cache::CacheSummary::default();
    let envs = cache.join("build-envs");
    let Ok(entries) = fs_err::read_dir(&envs) else {
        return Ok(removed);
    };
    let now = std::time::SystemTime::now();
    let age = |path: &Path| {
        fs_err::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
    };
    let unused = std::time::Duration::from_secs(max_age_days * 24 * 3600);
    for entry in entries.flatten() {
        let dir = entry.path();
        if !dir.is_dir() {
            continue;
        }
        let marker = dir.join(COMPLETE_MARKER);
        let stale = if marker.is_file() {
            age(&marker).is_some_and(|age| age > unused)
        } else {
            age(&dir).is_some_and(|age| age > std::time::Duration::from_hours(1))
        };
        if !stale {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let guard = fs_err::File::create(envs.join(format!("{name}.lock")))?;
        if guard.file().try_lock().is_err() {
            // A build is using (or making) it right now.
            continue;
        }
        let size = directory_size(&dir);
        fs_err::remove_dir_all(&dir)?;
        removed.files += size.files;
        removed.bytes += size.bytes;
        drop(guard);
        let _ = fs_err::remove_file(envs.join(format!("{name}.lock")));
    }
    Ok(removed)
}

/// How many files and bytes are under `dir`.
fn directory_size(dir: &Path) -> strata_index::cache::CacheSummary {
    let mut size = strata_index::cache::CacheSummary::default();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs_err::read_dir(&dir).into_iter().flatten().flatten() {
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => stack.push(entry.path()),
                Ok(_) => {
                    size.files += 1;
                    size.bytes += entry.metadata().map_or(0, |meta| meta.len());
                }
                Err(_) => {}
            }
        }
    }
    size
}
