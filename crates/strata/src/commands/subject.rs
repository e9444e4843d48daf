//! What `check`, `tree` and `why` look at: an installed environment, or a lock read back with
//! the index's metadata for every pin.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use pep440_rs::Version;
use pep508_rs::{PackageName, Requirement};
use strata_diagnostic::Diagnose;
use strata_env::{
    Distribution, Environment, EnvironmentSource, Extras, InterpreterRequest, Locked,
};
use strata_project::{ProfileName, Project};

use crate::args::{EnvironmentArgs, GlobalArgs};
use crate::commands::{display_path, parse_lock, try_load_project};
use crate::env_vars;
use crate::printer::Printer;
use crate::settings;

/// An environment to inspect, with what only the lock mode knows.
pub(crate) struct Subject {
    pub(crate) environment: Environment,
    /// Lock mode: the versions the index offers for each pin, newest first.
    pub(crate) available: HashMap<PackageName, Vec<Version>>,
    /// Lock mode with `--profile`: the profile's own requirement and constraint lines, each
    /// with where it was written.
    pub(crate) top_level: Vec<(String, Requirement)>,
    /// Lock mode: the lines of the lock that strata did not write (its digest does not match),
    /// each as `file:line: what`; empty for an intact lock or one without a digest.
    pub(crate) edited: Vec<String>,
}

impl Subject {
    /// What "not there" means to the user: not installed, or not pinned.
    pub(crate) fn absent(&self, package: &PackageName) -> String {
        match &self.environment.lock {
            Some(lock) => format!("`{package}` is not in the lock `{}`", display_path(lock)),
            None => format!("`{package}` is not installed in this environment"),
        }
    }
}

/// Opens the lock `--lock`/`--profile` names, else the environment `--site-packages`,
/// `--python`, `--venv`, `VIRTUAL_ENV` or `./.venv` names (else `python3`'s).
///
/// `versions_of` names the packages whose available versions the lock mode lists on the index
/// (`why P` needs them; `check` and `tree` need none).
pub(crate) fn open_subject(
    global: &GlobalArgs,
    args: &EnvironmentArgs,
    versions_of: &[PackageName],
    printer: &mut Printer,
) -> Result<Subject> {
    if args.lock.is_some() || args.profile.is_some() {
        return open_lock(global, args, versions_of, printer);
    }
    Ok(Subject {
        environment: open_environment(args, printer)?,
        available: HashMap::new(),
        top_level: Vec::new(),
        edited: Vec::new(),
    })
}

fn open_environment(args: &EnvironmentArgs, printer: &mut Printer) -> Result<Environment> {
    let source = match &args.site_packages {
        Some(directory) => EnvironmentSource::SitePackages(directory.clone()),
        None => EnvironmentSource::Interpreter(InterpreterRequest {
            python: args.python.clone(),
            venv: args.venv.clone(),
            virtual_env: env_vars::var(env_vars::VIRTUAL_ENV)
                .filter(|value| !value.is_empty())
                .map(PathBuf::from),
            working_directory: std::env::current_dir()?,
        }),
    };
    let cache = settings::cache_dir();
    let environment = Environment::open_with_cache(&source, Extras::Follow, Some(&cache))?;
    printer.verbose(&format!(
        "Read {} distributions from {}{}",
        environment.graph.distributions().len(),
        environment
            .site_packages
            .iter()
            .map(|path| format!("`{}`", path.display()))
            .collect::<Vec<_>>()
            .join(", "),
        environment
            .python
            .as_ref()
            .map(|python| format!(" (interpreter `{}`)", python.display()))
            .unwrap_or_default()
    ));
    Ok(environment)
}

/// The lock file, its target and the profile's own lines, from `--profile` or `--lock`.
struct LockRequest {
    path: PathBuf,
    /// The profile's targets; empty for `--lock`, whose header says.
    targets: Vec<strata_dist::Target>,
    top_level: Vec<(String, Requirement)>,
}

fn profile_request(project: &Project, name: &str) -> Result<LockRequest> {
    let name: &ProfileName = &project.profile(name).diagnosed()?.name;
    Ok(LockRequest {
        path: strata_lock::lock_path(project, name),
        targets: strata_lock::profile_targets(project, name).diagnosed()?,
        top_level: strata_lock::profile_demands(project, name)
            .into_iter()
            .map(|demand| (demand_label(project, &demand.source), demand.requirement))
            .collect(),
    })
}

/// How `why` names where a demand comes from.
fn demand_label(project: &Project, source: &strata_lock::DemandSource) -> String {
    use strata_lock::{DemandSource, Relation};
    match source {
        DemandSource::Line {
            origin,
            constraint,
            profile,
        } => {
            let kind = if *constraint {
                "constraint of profile"
            } else {
                "profile"
            };
            format!(
                "{} ({kind} `{profile}`)",
                origin_label(origin, &project.root)
            )
        }
        DemandSource::ParentPin { lock, parent } => {
            format!("{} (the pin of parent `{parent}`)", display_path(lock))
        }
        DemandSource::SolvedWith {
            pin,
            version,
            relation,
        } => {
            let how = match relation {
                Relation::Member { member, profile } => {
                    format!("locked in `{member}`, solved with `{profile}`")
                }
                Relation::Engine { engine, extends } => {
                    format!("locked in engine `{engine}`, which extends `{extends}`")
                }
            };
            format!("{pin} {version} ({how})")
        }
    }
}

/// Where a line was written, relative to the project root as users read it.
fn origin_label(origin: &strata_project::Origin, root: &Path) -> String {
    let text = origin.to_string();
    let root = format!("{}/", root.display());
    text.strip_prefix(&root).unwrap_or(&text).to_string()
}

/// Reads a lock; `profile` names the profile it belongs to, for the remedy when it is missing.
fn read_lock(path: &Path, profile: Option<&str>) -> Result<strata_lockfile::Lock> {
    let text = fs_err::read_to_string(path).with_context(|| match profile {
        Some(profile) => format!(
            "Cannot read the lock `{}`; `strata lock {profile}` writes it",
            display_path(path)
        ),
        None => format!("Cannot read the lock `{}`", display_path(path)),
    })?;
    parse_lock(&text, path)
}

fn open_lock(
    global: &GlobalArgs,
    args: &EnvironmentArgs,
    versions_of: &[PackageName],
    printer: &mut Printer,
) -> Result<Subject> {
    let project = try_load_project(global)?;
    let request = match (&args.profile, &args.lock) {
        (Some(name), _) => {
            let Some(project) = project.as_ref() else {
                bail!("`--profile {name}` needs a project: run inside one or pass `--project`");
            };
            let request = profile_request(project, name)?;
            if request.targets.len() == 1
                && (args.target.python_version.is_some() || args.target.python_platform.is_some())
            {
                printer.warning(
                    "`--python-version` and `--python-platform` are ignored with `--profile`: \
                     a profile's lock is read on the target it was locked for",
                );
            }
            request
        }
        (None, Some(path)) => LockRequest {
            path: path.clone(),
            // A strata lock's own header names them (below).
            targets: Vec::new(),
            top_level: Vec::new(),
        },
        (None, None) => unreachable!("open_lock runs only in lock mode"),
    };
    let lock = read_lock(&request.path, args.profile.as_deref())?;
    let targets = if request.targets.is_empty() {
        lock.targets()?
    } else {
        request.targets
    };
    let flags_given = args.target.python_version.is_some() || args.target.python_platform.is_some();
    let target = match targets.as_slice() {
        // A lock of one target is read for it; with `--lock`, the flags say otherwise.
        [only] if args.profile.is_some() || !flags_given => only.clone(),
        // Another tool's lock, `strata compile`'s, or the flags': the flags', else the
        // project's.
        [] | [_] => settings::target(&args.target, project.as_ref())?,
        several => choose_target(several, &args.target, &request.path)?,
    };
    // A lock of several targets: the lines this one installs.
    let lock = lock.for_target(&target);
    let client = settings::index_client(&args.index, project.as_ref(), vec![target.clone()])?;
    let watched = client.clone();
    let progress = printer.progress(move || {
        let stats = watched.stats();
        format!(
            "Reading the pins' requirements: {} metadata files ({} cached), {} pages",
            stats.metadata_fetched + stats.metadata_cached,
            stats.metadata_cached,
            stats.pages_downloaded + stats.pages_cached + stats.pages_not_modified,
        )
    });
    let lookup = strata_lock::Lookup {
        versions_of: versions_of.to_vec(),
        concurrency: args.index.concurrency,
        directory_root: directory_root(&request.path, project.as_ref()),
    };
    let pins = strata_index::block_on(strata_lock::pinned_metadata(
        &client, &lock, &target, &lookup,
    ))
    .diagnosed()?;
    let mut top_level = request.top_level;
    if let (Some(project), Some(name)) = (&project, &args.profile)
        && !versions_of.is_empty()
    {
        let name = &project.profile(name).diagnosed()?.name;
        let demands = strata_index::block_on(strata_lock::solved_with_demands(
            project,
            name,
            &lock,
            &client,
            &target,
            &lookup,
            versions_of,
        ))
        .diagnosed()?;
        top_level.extend(
            demands
                .into_iter()
                .map(|demand| (demand_label(project, &demand.source), demand.requirement)),
        );
    }
    drop(progress);
    printer.verbose(&format!(
        "Read the requirements of {} pins of `{}` for {target}",
        pins.len(),
        display_path(&request.path)
    ));

    let edited = edited_lines(&request.path, &targets);
    let mut distributions = Vec::with_capacity(pins.len());
    let mut unchecked = Vec::new();
    let mut available = HashMap::new();
    for pin in pins {
        let requires = match pin.requires_dist {
            Ok(requires) => requires,
            Err(reason) => {
                unchecked.push(strata_env::UncheckedPin {
                    name: pin.name.clone(),
                    version: pin.version.clone(),
                    line: pin.line,
                    reason,
                });
                Vec::new()
            }
        };
        let mut distribution = Distribution::locked(
            pin.name.clone(),
            pin.version,
            requires,
            pin.requested,
            Locked {
                lock: request.path.clone(),
                file: pin.file,
            },
        );
        distribution.requested_extras = pin.extras;
        distributions.push(distribution);
        available.insert(pin.name, pin.available);
    }
    // An upstream engine's lock is installed on top of its image: the image's packages it
    // relies on are there, opaque (their requirements are the image's business, as in the solve).
    for (name, version) in lock.provided() {
        let (Ok(name), Ok(version)) = (PackageName::from_str(&name), Version::from_str(&version))
        else {
            // strata wrote these lines, and the lock's digest says whether anyone else did.
            continue;
        };
        distributions.push(Distribution::locked(
            name,
            version,
            Vec::new(),
            false,
            Locked {
                lock: request.path.clone(),
                file: None,
            },
        ));
    }
    let environment = Environment::from_lock(
        request.path,
        distributions,
        unchecked,
        target.markers(),
        Extras::Follow,
    );
    Ok(Subject {
        environment,
        available,
        top_level,
        edited,
    })
}

/// The lines of the lock at `path` (and of the other file of its pair, `<name>.txt` next to
/// `pylock.<name>.toml`) that strata did not write, when a digest says one of them was edited.
fn edited_lines(path: &Path, targets: &[strata_dist::Target]) -> Vec<String> {
    use strata_lockfile::integrity::{LockText, Seal, seal_of_pylock, seal_of_requirements};

    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let named = file_name
        .strip_prefix("pylock.")
        .and_then(|rest| rest.strip_suffix(".toml"));
    let (txt, pylock) = if let Some(name) = named {
        (
            path.with_file_name(format!("{name}.txt")),
            path.to_path_buf(),
        )
    } else {
        let stem = file_name.strip_suffix(".txt").unwrap_or(&file_name);
        (
            path.to_path_buf(),
            path.with_file_name(format!("pylock.{stem}.toml")),
        )
    };
    let txt_text = fs_err::read_to_string(&txt).ok();
    let pylock_text = fs_err::read_to_string(&pylock).ok();
    let broken = txt_text
        .as_deref()
        .is_some_and(|text| matches!(seal_of_requirements(text), Seal::Broken { .. }))
        || pylock_text
            .as_deref()
            .is_some_and(|text| matches!(seal_of_pylock(text), Seal::Broken { .. }));
    if !broken {
        return Vec::new();
    }
    let (txt_label, pylock_label) = (display_path(&txt), display_path(&pylock));
    strata_lockfile::integrity::edited_lines(
        LockText {
            label: &txt_label,
            text: txt_text.as_deref().unwrap_or_default(),
        },
        pylock_text.as_deref().map(|text| LockText {
            label: &pylock_label,
            text,
        }),
        targets,
    )
}

/// Where the local directory pins of the lock at `path` are relative to: a `pylock.toml`'s
/// own directory (PEP 751), else the project root (a profile's lock says so in its header),
/// else the current directory (`strata compile`'s output).
fn directory_root(path: &Path, project: Option<&Project>) -> Option<PathBuf> {
    if path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("toml"))
    {
        return path.parent().map(Path::to_path_buf);
    }
    project.map(|project| project.root.clone())
}

/// Which of a lock's several targets to read it for: the one `--python-version` and
/// `--python-platform` name (a flag left out matches any), else the one this machine is (its
/// operating system and architecture; with several Python versions of it, the flag says which).
fn choose_target(
    targets: &[strata_dist::Target],
    flags: &crate::args::TargetArgs,
    path: &Path,
) -> Result<strata_dist::Target> {
    let listed = || {
        targets
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    let python: Option<strata_dist::PythonVersion> = flags
        .python_version
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(strata_dist::Error::from)?;
    let platform: Option<strata_dist::Platform> = flags
        .python_platform
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(strata_dist::Error::from)?;
    let host = strata_env::host_target("3.12")?.markers();
    let matching: Vec<&strata_dist::Target> = targets
        .iter()
        .filter(|target| python.is_none_or(|python| target.python() == python))
        .filter(|target| match platform {
            Some(platform) => target.platform() == platform,
            None if python.is_some() => true,
            None => {
                let markers = target.markers();
                markers.sys_platform() == host.sys_platform()
                    && markers.platform_machine() == host.platform_machine()
            }
        })
        .collect();
    match matching.as_slice() {
        [one] => Ok((*one).clone()),
        [] if python.is_some() || platform.is_some() => bail!(
            "`{}` covers {}, and none of them is the one `--python-version`/`--python-platform` name",
            display_path(path),
            listed()
        ),
        [] => bail!(
            "`{}` covers {}, and this machine ({} {}) is none of them: pass `--python-version` and `--python-platform` to read it for one",
            display_path(path),
            listed(),
            host.sys_platform(),
            host.platform_machine()
        ),
        _ => bail!(
            "`{}` covers {}, of which several fit: pass `--python-version` (and `--python-platform`) to say which",
            display_path(path),
            listed()
        ),
    }
}
