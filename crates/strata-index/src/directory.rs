//! Local directory requirements (`./pkg`, `-e ./pkg`, `name @ file:///abs/pkg`): the metadata
//! of a project on disk.
//!
//! As for a git checkout, the metadata comes from the `[project]` table when none of the
//! fields a resolver needs is `dynamic`, else from a PEP 517 metadata build of the directory
//! (see [`crate::git`]). A directory has no commit to pin, so nothing is cached across runs: a
//! relock reads the directory again, and sees what changed in it. Within one run it is read
//! once, so every solve of the run sees the same project.

use std::path::Path;
use std::sync::Arc;

use pep508_rs::PackageName;
use strata_dist::Metadata;

use crate::client::IndexClient;
use crate::error::{Error, ErrorKind};

impl IndexClient {
    /// The metadata of the project in the directory `path` (absolute), which `package` names.
    /// Blocking: may run a build.
    ///
    /// # Errors
    ///
    /// When the directory is missing or no project, its metadata cannot be read or built, or
    /// the project there is not `package`.
    pub fn directory_metadata(
        &self,
        package: &PackageName,
        path: &Path,
    ) -> Result<Arc<Metadata>, Error> {
        let metadata = self.directory_memo(path, || {
            let label = format!("{}-directory", package.as_dist_info_name());
            let (metadata, _) = self.tree_metadata(path, &label)?;
            Ok(Arc::new(metadata))
        })?;
        if metadata.name != *package {
            return Err(ErrorKind::GitMetadata {
                url: path.display().to_string(),
                reason: format!("the project there is `{}`, not `{package}`", metadata.name),
            }
            .into());
        }
        Ok(metadata)
    }
}
