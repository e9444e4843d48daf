//! The lock tests' projects: the ML project's manifest, `.in` files and version files, and
//! what these tests do with any [`Project`] (lock it, read its locks).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

use strata_testindex::TestIndex;

use crate::support::{Output, Project};

/// The variable the `indexes` tests put the engine index's URL in. Its `STRATA_` prefix keeps
/// any value of the machine's out of every run (see the support module); a test sets it itself.
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

/// The ML project of [`ML_MANIFEST`].
pub(crate) fn ml_project() -> Project {
    Project::with_manifest(ML_MANIFEST, ML_FILES)
}

/// What the lock tests do with a project beyond the shared [`Project`]: lock it, and read its
/// locks under `locks/`.
pub(crate) trait Locks {
    /// `locks/<name>.txt`.
    fn lock_path(&self, name: &str) -> PathBuf;
    /// The pins of `locks/<name>.txt`.
    fn pins(&self, name: &str) -> BTreeMap<String, String>;
    /// Every lock file under `locks/` with its bytes and modification time.
    fn lock_files(&self) -> BTreeMap<String, (Vec<u8>, SystemTime)>;
    /// `strata lock <args> --index-url <index>`.
    fn lock(&self, index: &TestIndex, args: &[&str]) -> Output;
    /// `strata lock <args> --index-url <index>`, which must succeed.
    fn lock_ok(&self, index: &TestIndex, args: &[&str]) -> Output;
}

impl Locks for Project {
    fn lock_path(&self, name: &str) -> PathBuf {
        self.dir().join("locks").join(format!("{name}.txt"))
    }

    fn pins(&self, name: &str) -> BTreeMap<String, String> {
        crate::pins(&self.lock_path(name))
    }

    fn lock_files(&self) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
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

    fn lock(&self, index: &TestIndex, args: &[&str]) -> Output {
        self.strata(&["lock"]).args(args).index(index).output()
    }

    fn lock_ok(&self, index: &TestIndex, args: &[&str]) -> Output {
        let output = self.lock(index, args);
        assert_eq!(output.code, 0, "{}", output.render());
        output
    }
}
