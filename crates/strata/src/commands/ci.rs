//! `strata ci plan`: the changed files (from git, `--changed` or stdin), the project at the base
//! revision, and the plan `strata-ci` makes of them. `strata ci workflow`: the workflow that
//! runs the plan, printed, written or checked. `strata ci run`: one cell in its image.

use std::fmt::Write as _;
use std::io::{BufRead, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use strata_ci::{Base, CiPlan, Matrix};
use strata_images::{ImagePlan, RunRequest};
use strata_project::Project;

use crate::ExitStatus;
use crate::args::{CiFormat, CiPlanArgs, CiRunArgs, CiWorkflowArgs, DataFormat, GlobalArgs};
use crate::commands::{display_path, git, load_project};
use crate::env_vars;
use crate::output;
use crate::printer::Printer;

/// `strata ci plan --format json`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct PlanJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    merge_base: Option<&'a str>,
    changed: &'a [PathBuf],
    #[serde(flatten)]
    plan: &'a CiPlan,
    builds: &'a Matrix,
    matrix: &'a Matrix,
    has_builds: bool,
    has_cells: bool,
}

/// Where the changed files came from, for the text output's first line.
struct Changes {
    files: Vec<PathBuf>,
    merge_base: Option<String>,
    /// The project at the base (kept alive with the directory it was unpacked in).
    base: Option<(tempfile::TempDir, std::result::Result<Project, String>)>,
}

pub(crate) fn ci_plan(
    global: &GlobalArgs,
    args: &CiPlanArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let images = ImagePlan::of(&project);
    let root = std::path::absolute(&project.root)?;
    let changes = if args.all {
        None
    } else {
        Some(changes(&project, &root, args)?)
    };
    let plan = match &changes {
        None => CiPlan::all(&project, &images),
        Some(changes) => {
            let no_base;
            let base = match &changes.base {
                Some((_, Ok(base))) => Base::Project(base),
                Some((_, Err(why))) => Base::Unavailable(why),
                None => {
                    no_base = "no --base given".to_string();
                    Base::Unavailable(&no_base)
                }
            };
            CiPlan::of_change(&project, &images, base, &changes.files)
        }
    };
    let builds = plan.matrix(true)?;
    let cells = plan.matrix(false)?;
    let changed: &[PathBuf] = changes.as_ref().map_or(&[], |changes| &changes.files);
    if args.github_output {
        github_output(&plan, &builds, &cells)?;
    }
    let text = match args.format {
        CiFormat::Json => output::json::render(&PlanJson {
            base: args.base.as_deref(),
            merge_base: changes
                .as_ref()
                .and_then(|changes| changes.merge_base.as_deref()),
            changed,
            plan: &plan,
            builds: &builds,
            matrix: &cells,
            has_builds: !builds.include.is_empty(),
            has_cells: !cells.include.is_empty(),
        })?,
        CiFormat::Matrix => format!("{}\n", serde_json::to_string(&cells)?),
        CiFormat::Text => {
            let mut text = String::new();
            match &changes {
                None => text.push_str("Every cell (--all)\n"),
                Some(changes) => {
                    let against =
                        changes
                            .merge_base
                            .as_ref()
                            .map_or_else(String::new, |merge_base| {
                                format!(
                                    " against {} (the merge-base of {} and {})",
                                    &merge_base[..merge_base.len().min(12)],
                                    args.base.as_deref().unwrap_or_default(),
                                    args.head
                                )
                            });
                    let count = changes.files.len();
                    let _ = writeln!(
                        text,
                        "{count} changed file{}{against}",
                        if count == 1 { "" } else { "s" }
                    );
                }
            }
            let width = plan
                .cells
                .iter()
                .map(|planned| planned.cell.id.len())
                .max()
                .unwrap_or(0);
            for planned in &plan.cells {
                for (index, reason) in planned.reasons.iter().enumerate() {
                    let id = if index == 0 {
                        planned.cell.id.as_str()
                    } else {
                        ""
                    };
                    let _ = writeln!(text, "  {id:<width$}  {reason}");
                }
            }
            if plan.cells.is_empty() {
                text.push_str("No cell runs.\n");
            }
            if !plan.skipped.is_empty() {
                let _ = writeln!(text, "Not triggered: {}", plan.skipped.join(", "));
            }
            text
        }
    };
    printer.data(&text)?;
    Ok(ExitStatus::Success)
}

/// The changed files, relative to the project root, and the project at the base.
fn changes(project: &Project, root: &Path, args: &CiPlanArgs) -> Result<Changes> {
    let mut files: Vec<PathBuf> = Vec::new();
    let mut merge_base = None;
    let mut base = None;
    if let Some(base_ref) = &args.base {
        let top = PathBuf::from(git(root, &["rev-parse", "--show-toplevel"])?.trim());
        let prefix = root
            .canonicalize()?
            .strip_prefix(top.canonicalize()?)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let found = git(&top, &["merge-base", base_ref, &args.head])?;
        let found = found.trim().to_string();
        if args.changed.is_empty() {
            for path in changed_between(&top, &found, &args.head)? {
                if let Ok(relative) = path.strip_prefix(&prefix) {
                    files.push(relative.to_path_buf());
                }
            }
        }
        base = Some(project_at(&top, &prefix, &found, project)?);
        merge_base = Some(found);
    }
    if !args.changed.is_empty() {
        let cwd = std::env::current_dir()?;
        let mut named: Vec<String> = Vec::new();
        for entry in &args.changed {
            if entry == "-" {
                for line in std::io::stdin().lock().lines() {
                    let line = line.context("Failed to read the changed files from stdin")?;
                    if !line.trim().is_empty() {
                        named.push(line.trim().to_string());
                    }
                }
            } else {
                named.push(entry.clone());
            }
        }
        for name in named {
            let absolute = std::path::absolute(cwd.join(&name))?;
            if let Some(relative) = strata_ci::project_relative(root, &normalize(&absolute)) {
                files.push(relative);
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(Changes {
        files,
        merge_base,
        base,
    })
}

/// `a/./b/../c` as `a/c`, without touching the filesystem (a deleted file has no real path).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The files that differ between `from` and `to`, relative to the repository's top: a rename
/// gives both paths, a deletion its path.
fn changed_between(top: &Path, from: &str, to: &str) -> Result<Vec<PathBuf>> {
    let output = git(top, &["diff", "--name-status", "-M", "-z", from, to])?;
    let mut fields = output.split('\0').filter(|field| !field.is_empty());
    let mut out = Vec::new();
    while let Some(status) = fields.next() {
        // Renames and copies (`R100`, `C75`) name the old path and the new one.
        let paths = if status.starts_with(['R', 'C']) { 2 } else { 1 };
        for _ in 0..paths {
            let path = fields.next().with_context(|| {
                format!("`git diff` printed a status `{status}` without its path")
            })?;
            out.push(PathBuf::from(path));
        }
    }
    Ok(out)
}

/// The project as it was at `rev`: the directories holding the files the model reads now,
/// unpacked from git into a temporary directory and loaded there. A project that does not load
/// there (it did not exist, or read a file from elsewhere) is an `Err` saying why, and the plan
/// counts the model's files as changed.
fn project_at(
    top: &Path,
    prefix: &Path,
    rev: &str,
    head: &Project,
) -> Result<(tempfile::TempDir, std::result::Result<Project, String>)> {
    let mut dirs: Vec<PathBuf> = vec![PathBuf::new()];
    for profile in head.profiles.keys() {
        for file in strata_ci::model_files(head, profile) {
            if let Some(parent) = file.parent() {
                dirs.push(parent.to_path_buf());
            }
        }
    }
    dirs.sort();
    dirs.dedup();
    let mut paths: Vec<String> = Vec::new();
    for dir in &dirs {
        let path = prefix.join(dir);
        let spec = path.to_string_lossy().replace('\\', "/");
        let spec = if spec.is_empty() {
            ".".to_string()
        } else {
            spec
        };
        // Only what exists at `rev`: `git archive` refuses a path that does not.
        let listed = git(top, &["ls-tree", "--name-only", rev, "--", &spec])?;
        if !listed.trim().is_empty() {
            paths.push(spec);
        }
    }
    let scratch = tempfile::tempdir()?;
    if !paths.is_empty() {
        // The root directory's own files only, not every subdirectory: the project's other
        // directories are named one by one.
        let mut archive = Command::new("git");
        archive
            .arg("-C")
            .arg(top)
            .args(["archive", "--format=tar", rev, "--"])
            .args(paths.iter().map(|path| {
                if path == "." || Path::new(path) == prefix {
                    format!(
                        ":(glob){}*",
                        if path == "." {
                            String::new()
                        } else {
                            format!("{path}/")
                        }
                    )
                } else {
                    path.clone()
                }
            }))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut archive = archive
            .spawn()
            .context("Cannot run `git`: is it installed?")?;
        let stdout = archive.stdout.take().expect("stdout is piped");
        let untar = Command::new("tar")
            .arg("-x")
            .arg("-C")
            .arg(scratch.path())
            .stdin(stdout)
            .output()
            .context("Cannot run `tar` to unpack the base revision")?;
        let archived = archive.wait_with_output()?;
        if !archived.status.success() || !untar.status.success() {
            bail!(
                "Failed to unpack the project at {rev}: {}{}",
                String::from_utf8_lossy(&archived.stderr),
                String::from_utf8_lossy(&untar.stderr)
            );
        }
    }
    let env = |name: &str| env_vars::var(name);
    let dir = scratch.path().join(prefix);
    let manifest = head
        .manifest
        .strip_prefix(&head.root)
        .unwrap_or(&head.manifest)
        .to_path_buf();
    let loaded = if dir.join(&manifest).is_file() {
        Project::load(&dir.join(&manifest), &env).map_err(|error| {
            format!(
                "the project at {} does not load: {error}",
                &rev[..rev.len().min(12)]
            )
        })
    } else {
        Err(format!(
            "{} has no `{}`",
            &rev[..rev.len().min(12)],
            manifest.display()
        ))
    };
    Ok((scratch, loaded))
}

/// Appends the matrices and the gates to `$GITHUB_OUTPUT` and a table to
/// `$GITHUB_STEP_SUMMARY`.
fn github_output(plan: &CiPlan, builds: &Matrix, cells: &Matrix) -> Result<()> {
    let Some(output) = env_vars::var(env_vars::GITHUB_OUTPUT) else {
        bail!("--github-output needs `GITHUB_OUTPUT`, which GitHub Actions sets in a step");
    };
    let mut text = String::new();
    let _ = writeln!(text, "builds={}", serde_json::to_string(builds)?);
    let _ = writeln!(text, "cells={}", serde_json::to_string(cells)?);
    let _ = writeln!(text, "has-builds={}", !builds.include.is_empty());
    let _ = writeln!(text, "has-cells={}", !cells.include.is_empty());
    append(Path::new(&output), &text)?;
    if let Some(summary) = env_vars::var(env_vars::GITHUB_STEP_SUMMARY) {
        let mut table = String::from("### strata ci plan\n\n");
        if plan.cells.is_empty() {
            table.push_str("No cell runs.\n");
        } else {
            table.push_str("| cell | why |\n|---|---|\n");
            for planned in &plan.cells {
                let reasons: Vec<String> = planned
                    .reasons
                    .iter()
                    .map(|reason| reason.to_string().replace('|', "\\|"))
                    .collect();
                let _ = writeln!(
                    table,
                    "| `{}` | {} |",
                    planned.cell.id,
                    reasons.join("<br>")
                );
            }
        }
        append(Path::new(&summary), &table)?;
    }
    Ok(())
}

fn append(path: &Path, text: &str) -> Result<()> {
    let mut file = fs_err::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    Ok(())
}

/// `strata ci workflow --format json`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct WorkflowJson<'a> {
    path: &'a str,
    /// `current`, `stale` or `missing` before this run; `written` when `--write` wrote it.
    status: &'a str,
    workflow: &'a str,
}

pub(crate) fn ci_workflow(
    global: &GlobalArgs,
    args: &CiWorkflowArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let images = ImagePlan::of(&project);
    let root = std::path::absolute(&project.root)?;
    let directory = strata_ci::project_directory(&root, &project.ci.workflow);
    let text = strata_ci::workflow(&project, &images, &directory);
    for unusable in strata_ci::index_variables(&project).1 {
        printer.warning(&format!(
            "index `{}` is written with `${{{}}}`, which no GitHub secret can be named: the \
             workflow cannot pass it to the jobs that lock; rename the variable (letters, digits \
             and `_`, not starting with a digit or `GITHUB_`)",
            unusable.index, unusable.variable
        ));
    }
    let path = project.root.join(&project.ci.workflow);
    let shown = display_path(&path);
    let on_disk = fs_err::read_to_string(&path).ok();
    let mut status = match &on_disk {
        Some(on_disk) if *on_disk == text => "current",
        Some(_) => "stale",
        None => "missing",
    };
    if args.check {
        let why = match status {
            "current" => {
                printer.status(&format!("`{shown}` is current"));
                return Ok(ExitStatus::Success);
            }
            "missing" => "does not exist",
            _ => {
                "is stale: the manifest's [tool.strata.ci], its engines, their images or its indexes changed since it was written"
            }
        };
        printer.error(&format!(
            "error: `{shown}` {why}; run `strata ci workflow --write`\n"
        ));
        return Ok(ExitStatus::Problems);
    }
    if args.write {
        // strata rewrites only what it wrote: a workflow of the user's at the same path is theirs.
        if let Some(on_disk) = &on_disk
            && !on_disk.contains(strata_ci::GENERATED_MARK)
        {
            bail!(
                "`{shown}` exists and was not written by strata; move it, or name another file \
                 with `workflow = \"...\"` in [tool.strata.ci] of `{}`",
                display_path(&project.manifest)
            );
        }
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)?;
        }
        if strata_fs::write_atomic_if_changed(&path, text.as_bytes())
            .with_context(|| format!("Failed to write `{shown}`"))?
        {
            printer.status(&format!("Wrote `{shown}`"));
            status = "written";
        } else {
            printer.status(&format!("`{shown}` is current"));
        }
    }
    match args.format {
        DataFormat::Json => printer.data(&output::json::render(&WorkflowJson {
            path: &shown,
            status,
            workflow: &text,
        })?)?,
        DataFormat::Text if !args.write => printer.data(&text)?,
        DataFormat::Text => {}
    }
    Ok(ExitStatus::Success)
}

pub(crate) fn ci_run(
    global: &GlobalArgs,
    args: &CiRunArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let images = ImagePlan::of(&project);
    let cells = strata_ci::cells(&project, &images);
    let Some(cell) = cells.iter().find(|cell| cell.id == args.cell) else {
        let ids: Vec<&str> = cells
            .iter()
            .filter(|cell| cell.kind != strata_ci::CellKind::Build)
            .map(|cell| cell.id.as_str())
            .collect();
        bail!(
            "`{}` is not a cell of `{}`; its cells are: {}",
            args.cell,
            display_path(&project.manifest),
            if ids.is_empty() {
                "none (no engine has an image)".to_string()
            } else {
                ids.join(", ")
            }
        );
    };
    if cell.kind == strata_ci::CellKind::Build {
        bail!(
            "`{}` builds an image: run `docker buildx bake {}` instead",
            cell.id,
            cell.engine
        );
    }
    let mut image = images
        .image(cell.engine.as_str())
        .expect("every cell is of an engine with an image")
        .clone();
    if strata_ci::is_built(&image) {
        image.image.push_str(&args.tag_suffix);
    }
    let request = RunRequest {
        project_dir: strata_fs::fs_err::canonicalize(&project.root)?,
        command: cell.command.clone(),
        runtime: args.container.runtime.into(),
        gpus: false,
    };
    let argv = strata_images::run_command(&project, &image, &request);
    crate::commands::run::run_or_print(&args.container, &image, &argv, printer)
}
