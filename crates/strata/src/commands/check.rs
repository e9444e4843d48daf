//! `strata check`: broken requirements of an installed environment or a lock, in `pip check`'s
//! words.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;
use strata_env::Finding;

use crate::ExitStatus;
use crate::args::{CheckArgs, DataFormat, GlobalArgs};
use crate::commands::open_subject;
use crate::output;
use crate::printer::Printer;

#[derive(Serialize)]
struct CheckJson<'a> {
    site_packages: &'a [PathBuf],
    #[serde(skip_serializing_if = "Option::is_none")]
    lock: Option<&'a Path>,
    findings: &'a [Finding],
    /// Lines of the lock strata did not write.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    edited: &'a [String],
}

pub(crate) fn check(
    global: &GlobalArgs,
    args: &CheckArgs,
    printer: &mut Printer,
) -> Result<ExitStatus> {
    let subject = open_subject(global, &args.environment, &[], printer)?;
    let environment = &subject.environment;
    let findings = strata_env::check(environment);
    let in_lock = environment.lock.is_some();
    let text = match args.format {
        DataFormat::Text if findings.is_empty() => "No broken requirements found.\n".to_string(),
        DataFormat::Text => findings.iter().fold(String::new(), |mut text, finding| {
            let _ = writeln!(text, "{}", finding.describe(in_lock));
            text
        }),
        DataFormat::Json => output::json::render(&CheckJson {
            site_packages: &environment.site_packages,
            lock: environment.lock.as_deref(),
            findings: &findings,
            edited: &subject.edited,
        })?,
    };
    printer.data(&text)?;
    if !subject.edited.is_empty() {
        // Whatever the pins say, they are not the lock strata resolved.
        printer.error(&format!(
            "error: the lock was edited after strata wrote it, so this is not a verdict on what `strata lock` resolved; run `strata lock` to lock it again:\n  {}\n",
            subject.edited.join("\n  ")
        ));
    }
    Ok(if findings.is_empty() && subject.edited.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::Problems
    })
}
