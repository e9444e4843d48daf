//! Temporary projects: a manifest, `.in` files and version files in a fresh directory, with a
//! cache of their own next to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use strata_testindex::TestIndex;

use crate::Output;

/// The variable the `indexes` tests put the engine index's URL in.
pub(crate) const ENGINE_INDEX_VARIABLE: &str = "STRATA_TEST_ENGINE_INDEX_URL";

/// The role hierarchy base -> backend -> build -> development, base -> quantization,
/// base -> ui, and two engines on base that each pin their own torch.
pub(crate) const ML_MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[profiles.base]
file = "requirements/base.in"

[profiles.backend]
extends = ["base"]
file = "requirements/backend.in"

[profiles.build]
extends = ["backend"]
file = "requirements/build.in"

[profiles.development]
extends = ["build"]
file = "requirements/development.in"

[profiles.quantization]
extends = ["base"]
file = "requirements/quantization.in"

[profiles.ui]
extends = ["base"]
file = "requirements/ui.in"

[engines.vllm]
extends = ["base"]
version = { file = "engine_versions/vllm.yaml", key = "library.current_version" }

[engines.sglang]
extends = ["base"]
requirements = ["transformers"]
version = { file = "engine_versions/sglang.yaml", key = "library.current_version" }
"#;

/// The `.in` and version files of [`ML_MANIFEST`].
pub(crate) const ML_FILES: &[(&str, &str)] = &[
    (
        "requirements/base.in",
        "# What every role shares; engines build on these pins.\nnumpy\nrich>=13\nfilelock\n",
    ),
    (
        "requirements/backend.in",
        "fastapi>=0.110\nuvicorn\n# Caps numpy below 2.\naccelerate==0.33.0\n",
    ),
    ("requirements/build.in", "build>=1.2\nwheel\n"),
    ("requirements/development.in", "pytest>=8\nruff\n"),
    ("requirements/quantization.in", "bitsandbytes>=0.43\n"),
    ("requirements/ui.in", "gradio>=4.44,<5\n"),
    (
        "engine_versions/vllm.yaml",
        "library:\n  name: vllm\n  current_version: \"0.6.3\"\n",
    ),
    (
        "engine_versions/sglang.yaml",
        "library:\n  name: sglang\n  current_version: \"0.4.0\"\n",
    ),
];

/// Every profile and engine of [`ML_MANIFEST`], in declaration order.
pub(crate) const ML_LOCKS: &[&str] = &[
    "base",
    "backend",
    "build",
    "development",
    "quantization",
    "ui",
    "vllm",
    "sglang",
];

/// A project directory and its cache, removed on drop.
pub(crate) struct TestProject {
    root: tempfile::TempDir,
}

impl TestProject {
    /// A project with `manifest` as its `strata.toml` and `files` beside it.
    pub(crate) fn new(manifest: &str, files: &[(&str, &str)]) -> Self {
        let root = tempfile::tempdir().unwrap();
        let project = Self { root };
        fs_err::create_dir_all(project.dir()).unwrap();
        project.write("strata.toml", manifest);
        for (path, contents) in files {
            project.write(path, contents);
        }
        project
    }

    /// The ML project of [`ML_MANIFEST`].
    pub(crate) fn ml() -> Self {
        Self::new(ML_MANIFEST, ML_FILES)
    }

    /// The project directory.
    pub(crate) fn dir(&self) -> PathBuf {
        self.root.path().join("project")
    }

    /// The temporary root, for filtering paths out of output.
    pub(crate) fn root(&self) -> &Path {
        self.root.path()
    }

    /// The cache directory strata runs with.
    pub(crate) fn cache(&self) -> PathBuf {
        self.root.path().join("cache")
    }

    pub(crate) fn write(&self, path: &str, contents: &str) {
        let path = self.dir().join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, contents).unwrap();
    }

    pub(crate) fn read(&self, path: &str) -> String {
        fs_err::read_to_string(self.dir().join(path)).unwrap()
    }

    /// Replaces the one occurrence of `old` in `path`.
    pub(crate) fn edit(&self, path: &str, old: &str, new: &str) {
        let text = self.read(path);
        assert_eq!(text.matches(old).count(), 1, "`{old}` in {path}");
        self.write(path, &text.replace(old, new));
    }

    /// `locks/<name>.txt`.
    pub(crate) fn lock_path(&self, name: &str) -> PathBuf {
        self.dir().join("locks").join(format!("{name}.txt"))
    }

    /// The pins of `locks/<name>.txt`.
    pub(crate) fn pins(&self, name: &str) -> BTreeMap<String, String> {
        crate::pins(&self.lock_path(name))
    }

    /// Every lock file under `locks/` with its bytes and modification time.
    pub(crate) fn lock_files(&self) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
        let mut files = BTreeMap::new();
        let Ok(entries) = fs_err::read_dir(self.dir().join("locks")) else {
            return files;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let metadata = entry.metadata().unwrap();
            files.insert(
                entry.file_name().to_string_lossy().into_owned(),
                (
                    fs_err::read(entry.path()).unwrap(),
                    metadata.modified().unwrap(),
                ),
            );
        }
        files
    }

    /// `strata lock <args>` against `index`.
    pub(crate) fn lock(&self, index: &TestIndex, args: &[&str]) -> Output {
        self.lock_with_env(index, args, &[])
    }

    /// `strata lock <args>` against `index` with more environment variables.
    pub(crate) fn lock_with_env(
        &self,
        index: &TestIndex,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Output {
        crate::lock_with_env(&self.dir(), &self.cache(), index, args, env)
    }

    /// `strata <args>` (any command) against `index`.
    pub(crate) fn strata(&self, index: &TestIndex, args: &[&str]) -> Output {
        crate::strata_with_env(&self.dir(), &self.cache(), index, args, &[])
    }

    /// `strata lock <args>` that must succeed.
    pub(crate) fn lock_ok(&self, index: &TestIndex, args: &[&str]) -> Output {
        let output = self.lock(index, args);
        assert_eq!(output.code, 0, "{}", output.render());
        output
    }
}
