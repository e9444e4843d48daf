//! `strata cache dir|clean|prune`.

use anyhow::Result;
use strata_diagnostic::Diagnose;

use crate::ExitStatus;
use crate::args::{CacheCommand, DataFormat};
use crate::output;
use crate::output::cache::CacheJson;
use crate::printer::Printer;
use crate::settings;

pub(crate) fn cache(command: &CacheCommand, printer: &mut Printer) -> Result<ExitStatus> {
    // Neither printing nor removing the cache is a use of it: it is not marked here.
    let dir = settings::cache_location();
    let mut json = CacheJson {
        path: dir.display().to_string(),
        removed: None,
        remaining: None,
    };
    match command {
        CacheCommand::Dir(_) => {}
        CacheCommand::Clean(_) => {
            let removed = strata_index::cache::clean(&dir).diagnosed()?;
            printer.status(&format!(
                "Removed {} files ({} bytes) from `{}`",
                removed.files,
                removed.bytes,
                dir.display()
            ));
            json.removed = Some(removed);
        }
        CacheCommand::Prune(_) => {
            let mut removed = strata_index::cache::prune(&dir, 30).diagnosed()?;
            let environments = crate::commands::build::prune_build_environments(&dir, 30)?;
            removed.files += environments.files;
            removed.bytes += environments.bytes;
            let left = strata_index::cache::summary(&dir);
            printer.status(&format!(
                "Removed {} files ({} bytes); {} files ({} bytes) remain in `{}`",
                removed.files,
                removed.bytes,
                left.files,
                left.bytes,
                dir.display()
            ));
            json.removed = Some(removed);
            json.remaining = Some(left);
        }
    }
    match command.args().format {
        DataFormat::Json => {
            printer.data(&output::json::render(&json)?)?;
        }
        // `dir` is data; `clean` and `prune` said what they did on stderr.
        DataFormat::Text if matches!(command, CacheCommand::Dir(_)) => {
            printer.data(&format!("{}\n", dir.display()))?;
        }
        DataFormat::Text => {}
    }
    Ok(ExitStatus::Success)
}
