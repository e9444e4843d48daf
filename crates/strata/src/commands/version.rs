//! `strata version` and `strata version bump`: the project's own version, moved forward by
//! PEP 440's rules (`strata_project::project_version`), and the release committed and tagged
//! with the machine's `git`.
//!
//! Every refusal of `--commit` and `--tag` (no repository, other changes in the work tree, an
//! existing tag) is checked before the version file is written, so a refused run changes
//! nothing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use pep440_rs::{PrereleaseKind, Version};
use strata_diagnostic::Diagnose;
use strata_project::Project;
use strata_project::project_version::{self, Bump, ProjectVersion};

use crate::ExitStatus;
use crate::args::{DataFormat, GlobalArgs, PreKind, VersionArgs, VersionBumpArgs, VersionCommand};
use crate::commands::{display_path, git, load_project};
use crate::output;
use crate::output::version::{VersionBumpJson, VersionJson};
use crate::printer::Printer;

/// The byte-order mark an editor may have put at the start of the file; reading drops it, and
/// a rewrite keeps it.
const BYTE_ORDER_MARK: &[u8] = b"\xef\xbb\xbf";

pub(crate) fn version(
    global: &GlobalArgs,
    args: &VersionArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let project = load_project(global)?;
    let found = project_version::read(&project).diagnosed()?;
    match &args.command {
        Some(VersionCommand::Bump(bump_args)) => bump(&project, &found, bump_args, printer),
        None => {
            match args.format {
                DataFormat::Json => printer.data(&output::json::render(&VersionJson {
                    version: found.version.to_string(),
                    file: display_path(&found.path),
                    line: found.line,
                    declared_by: found.declared_by,
                })?)?,
                DataFormat::Text => {
                    printer.verbose(&format!(
                        "From {} ({}:{})",
                        found.declared_by.describe(),
                        display_path(&found.path),
                        found.line
                    ));
                    printer.data(&format!("{}\n", found.version))?;
                }
            }
            Ok(ExitStatus::Success)
        }
    }
}

fn bump(
    project: &Project,
    found: &ProjectVersion,
    args: &VersionBumpArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let bump = parse_bump(args)?;
    let from = &found.version;
    let to = project_version::next_version(from, &bump);
    if !args.allow_downgrade && !project_version::is_forward(from, &to) {
        bail!(
            "Refusing to move the version from {from} to {to}: {to} is not higher; pass \
             `--allow-downgrade` to write it anyway"
        );
    }
    let shown = display_path(&found.path);
    let mut json = VersionBumpJson {
        from: from.to_string(),
        to: to.to_string(),
        file: shown.clone(),
        line: found.line,
        written: false,
        commit: None,
        tag: None,
    };
    let text = found.rewritten(&to).diagnosed()?;
    if args.dry_run {
        match args.format {
            DataFormat::Json => printer.data(&output::json::render(&json)?)?,
            DataFormat::Text => {
                printer.data(&format!("{shown}:{}: {from} -> {to}\n", found.line))?;
            }
        }
        printer.status("Dry run: nothing was written");
        return Ok(ExitStatus::Success);
    }

    let tag = format!("v{to}");
    let repository = if args.commit {
        Some(check_repository(
            &found.path,
            args.tag.then_some(tag.as_str()),
        )?)
    } else {
        None
    };

    let mut bytes = if fs_err::read(&found.path)?.starts_with(BYTE_ORDER_MARK) {
        BYTE_ORDER_MARK.to_vec()
    } else {
        Vec::new()
    };
    bytes.extend_from_slice(text.as_bytes());
    strata_fs::write_atomic(&found.path, &bytes)
        .with_context(|| format!("Cannot write `{shown}`"))?;
    json.written = true;
    // The file as it is on disk now, through the whole lookup again: what `strata version`
    // will say.
    let reread = project_version::read(project).diagnosed()?;
    if reread.version != to {
        bail!(
            "`{shown}` reads back as {} after writing {to}; check the file",
            reread.version
        );
    }
    printer.status(&format!(
        "Bumped the version from {from} to {to} in `{shown}:{}`",
        found.line
    ));

    if let Some(repository) = repository {
        let message = format!("Release {to}");
        let file = repository.file.to_string_lossy();
        let written = || format!("`{shown}` now holds {to}, but it was not committed");
        git(&repository.top, &["add", "--", &file]).with_context(written)?;
        git(
            &repository.top,
            &["commit", "--quiet", "-m", &message, "--", &file],
        )
        .with_context(written)?;
        let commit = git(&repository.top, &["rev-parse", "HEAD"])?
            .trim()
            .to_string();
        printer.status(&format!(
            "Committed `{shown}` as `{message}` ({commit:.12})"
        ));
        json.commit = Some(commit.clone());
        if args.tag {
            git(
                &repository.top,
                &["tag", "--annotate", &tag, "-m", &message],
            )
            .with_context(|| format!("The release is committed ({commit:.12}), but not tagged"))?;
            printer.status(&format!("Tagged `{tag}`"));
            json.tag = Some(tag);
        }
    }
    match args.format {
        DataFormat::Json => printer.data(&output::json::render(&json)?)?,
        DataFormat::Text => printer.data(&format!("{to}\n"))?,
    }
    Ok(ExitStatus::Success)
}

fn parse_bump(args: &VersionBumpArgs) -> Result<Bump> {
    let bump = match args.to.as_str() {
        "major" => Bump::Major,
        "minor" => Bump::Minor,
        "patch" => Bump::Patch,
        "pre" => Bump::Pre(args.pre_kind.map(|kind| match kind {
            PreKind::Alpha => PrereleaseKind::Alpha,
            PreKind::Beta => PrereleaseKind::Beta,
            PreKind::Rc => PrereleaseKind::Rc,
        })),
        "post" => Bump::Post,
        "dev" => Bump::Dev,
        other => Bump::To(Version::from_str(other).map_err(|error| {
            anyhow::anyhow!(
                "`{other}` is neither a segment (`major`, `minor`, `patch`, `pre`, `post`, \
                 `dev`) nor a PEP 440 version: {error}"
            )
        })?),
    };
    if args.pre_kind.is_some() && !matches!(bump, Bump::Pre(_)) {
        bail!(
            "`--pre-kind` chooses the kind of a `pre` bump; with `{}`, write the version \
             itself (like `1.3.0rc0`) or use `strata version bump pre --pre-kind KIND`",
            args.to
        );
    }
    Ok(bump)
}

/// The repository that holds the version file, ready for a release commit.
struct Repository {
    /// Its top-level directory.
    top: PathBuf,
    /// The version file, relative to `top`.
    file: PathBuf,
}

/// Checks that `file` is in a git work tree where nothing else is changed or untracked, and
/// that `tag` (when given) does not exist yet.
fn check_repository(file: &Path, tag: Option<&str>) -> Result<Repository> {
    let absolute = fs_err::canonicalize(file)?;
    let dir = absolute.parent().unwrap_or(Path::new("/"));
    let top = git(dir, &["rev-parse", "--show-toplevel"]).with_context(|| {
        format!(
            "`--commit` needs a git repository, and `{}` is not in one",
            display_path(file)
        )
    })?;
    let top = fs_err::canonicalize(top.trim())?;
    let relative = absolute
        .strip_prefix(&top)
        .with_context(|| format!("`{}` is outside `{}`", absolute.display(), top.display()))?
        .to_path_buf();
    let status = git(
        &top,
        &["status", "--porcelain=v1", "-z", "--untracked-files=all"],
    )?;
    let mut others = Vec::new();
    let mut records = status.split('\0').filter(|record| !record.is_empty());
    while let Some(record) = records.next() {
        let (code, path) = record.split_at(record.len().min(3));
        if code.starts_with('R') || code.starts_with('C') {
            // A rename's or copy's source follows as its own record.
            records.next();
        }
        if Path::new(path) != relative {
            others.push(path.to_string());
        }
    }
    if !others.is_empty() {
        let shown: Vec<String> = others
            .iter()
            .take(5)
            .map(|path| format!("`{path}`"))
            .collect();
        bail!(
            "Refusing to commit the release: the work tree has other changes ({}{}); commit or \
             stash them first, so the release commit holds only the version",
            shown.join(", "),
            if others.len() > 5 {
                format!(" and {} more", others.len() - 5)
            } else {
                String::new()
            }
        );
    }
    if let Some(tag) = tag {
        let exists = Command::new("git")
            .arg("-C")
            .arg(&top)
            .args([
                "rev-parse",
                "--quiet",
                "--verify",
                &format!("refs/tags/{tag}"),
            ])
            .output()
            .context("Cannot run `git`: is it installed and on PATH?")?
            .status
            .success();
        if exists {
            bail!(
                "Refusing to tag the release: the tag `{tag}` already exists; bump to another \
                 version, or delete the tag (`git tag -d {tag}`) if it was a mistake"
            );
        }
    }
    Ok(Repository {
        top,
        file: relative,
    })
}
