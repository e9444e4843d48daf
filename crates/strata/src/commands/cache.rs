//! `strata cache dir|clean|prune`.

use anyhow::Result;

use crate::ExitStatus;
use crate::args::CacheCommand;
use crate::printer::Printer;
use crate::settings;

pub(crate) fn cache(command: &CacheCommand, printer: &mut Printer) -> Result<ExitStatus> {
    // Neither printing nor removing the cache is a use of it: it is not marked here.
    let dir = settings::cache_location();
    match command {
        CacheCommand::Dir => printer.data(&format!("{}\n", dir.display()))?,
        CacheCommand::Clean => {
            let removed = strata_index::cache::clean(&dir)?;
            printer.status(&format!(
                "Removed {} files ({} bytes) from `{}`",
                removed.files,
                removed.bytes,
                dir.display()
            ));
        }
        CacheCommand::Prune => {
            let removed = strata_index::cache::prune(&dir, 30)?;
            let left = strata_index::cache::summary(&dir);
            printer.status(&format!(
                "Removed {} files ({} bytes); {} files ({} bytes) remain in `{}`",
                removed.files,
                removed.bytes,
                left.files,
                left.bytes,
                dir.display()
            ));
        }
    }
    Ok(ExitStatus::Success)
}
