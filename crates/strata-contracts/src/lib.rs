//! Python import scanning and import-contract checking for `strata contracts`.
//!
//! A multi-engine project keeps its engine libraries (`torch`, `vllm`, `tensorrt_llm`) out of
//! host code and keeps its own layering. This crate checks both from the configuration the
//! project already has:
//!
//! * **import-linter contracts** read from `[tool.importlinter]` in `pyproject.toml`, or
//!   `[importlinter]` in `setup.cfg` / `.importlinter` ([`ImportLinterConfig`]): `layers`
//!   (`|` independent siblings, `:` siblings, `(optional)`, `containers`, `exhaustive`),
//!   `forbidden` (external packages, `allow_indirect_imports`, `as_packages`), `independence`,
//!   `acyclic_siblings` (`depth`, `skip_descendants`), with `ignore_imports` wildcards and
//!   `exclude_type_checking_imports`. Searches follow grimp's (import-linter's engine)
//!   semantics: indirect chains count, layer chains never pass through other layers, and each
//!   violation carries its chain of imports.
//! * **`STR001` `EngineImportAtModuleLevel`**, strata's own rule: a host module (a glob of module
//!   names) must not import an engine package when it is imported — directly, or through
//!   modules it imports at module level, or through its parent packages' `__init__`. Imports in
//!   function bodies, under `if TYPE_CHECKING:`, or in a `try` whose handler catches
//!   `ImportError`/`ModuleNotFoundError` are allowed. Test modules (in a `tests`/`test`
//!   package, or named `test_*`, `*_test`, `conftest`) may import an engine at module level
//!   only after `pytest.importorskip("<engine>")`.
//!
//! Where several equally short chains connect the same two layers, grimp and strata may pick
//! different middles (grimp's choice follows hash-set order), so the chains shown can differ;
//! the verdicts, the violated layer pairs and every direct import (with its line numbers) are
//! the same, which the parity test checks against real `lint-imports`.
//!
//! # Parsing
//!
//! Imports come from Ruff's parser (`ruff_python_parser`), the same parser grimp and tach use,
//! pinned exactly to the newest 0.0.x release that builds on our toolchain. Against
//! `tree-sitter-python` it won on: accuracy with current syntax (it tracks CPython's grammar
//! up to `lazy import`, PEP 758 `except` without parentheses, t-strings; the tree-sitter
//! grammar lags releases), a typed AST rather than a concrete tree queried by node kind
//! strings, no C build step, and speed (a hand-written recursive-descent parser over a
//! lexer, roughly twice tree-sitter's throughput on Python in Ruff's own benchmarks). Its
//! crates are published as internal components with no stability promise, which is why the
//! version is pinned with `=`. A file that does not parse is reported ([`ParseFailure`]) and
//! the run continues without its imports.
//!
//! Files are found from the root packages (src layout `src/<pkg>` first, then flat layout;
//! a root without `__init__.py` is a namespace package), honouring `.gitignore` through the
//! `ignore` crate's parallel walker, and parsed in parallel with rayon, largest file first so
//! that a run does not end with one thread on a big file while the other waits.
//!
//! Where a cold run's time goes (transformers copied to 10,878 files, 265 MB, 24 KB per file
//! on average; `CONTRACTS_BENCH_PROFILE=1` and `perf` on the `contracts_bench` example, one
//! thread): Ruff's parser is about 90% of it, and a quarter of the whole is allocating and
//! freeing syntax trees; reading the files is about 4%, the import visitor 1–2%, the walk about
//! 2% (now spread over the walker's threads). Line and column numbers were 2% while every file
//! got a line index; they now come from one pass that stops at the last import (0.4%). A binary
//! linking this crate should use mimalloc (the `contracts_bench` example does; it made the scan
//! three times faster than glibc's malloc). A cold run of the 10,878 files then takes 1.55 s on
//! two cores, best of eight (2.00 s before these changes). transformers' files are large, 24 KB
//! on average, where the standard library's average 17 KB and those of the bench's venv (pip,
//! pygments, import-linter, ...) 12 KB; the venv's 2,212 files scan cold in 0.23 s, which puts
//! 10,000 files of that kind at about 1 s. Parsing is the bulk of it either way, so the way to a
//! run well under a second is not to parse what has not changed:
//!
//! # Import cache
//!
//! With [`ContractsConfig::cache_dir`] set (the CLI passes strata's cache directory unless
//! `--no-cache`), what each file imports is kept in
//! `<cache dir>/contracts-v1/<hash of the canonical project root>.bin`, one file per project
//! root, and a file is parsed again only when one of its key fields changed: its path relative
//! to the root, size, modification time in nanoseconds, module name, or whether it is a
//! package's `__init__`. Parse failures are kept too, so a broken file is reported again
//! without being read. A warm run of the 10,878 files takes 0.11–0.13 s: the walk with each
//! file's metadata, loading the cache (on its own thread, during the walk), and the check.
//!
//! * **Invalidation**: the header holds the crate version, so a strata upgrade starts from an
//!   empty cache. Files modified within two seconds of the scan are not stored (a filesystem
//!   clock ticks coarsely, so a same-size rewrite in the same tick would keep its stamp; git
//!   treats "racily clean" files the same way). Entries of deleted files are dropped; entries
//!   of files the run did not scan (another configuration's root packages) are kept while the
//!   file exists. The file is rewritten only when something changed.
//! * **Safety**: a missing, truncated, corrupt or foreign cache (another version, or another
//!   root behind a hash collision) is an empty one, never an error; the file is replaced
//!   through a temporary file and a rename ([`strata_fs::write_atomic_unsynced`], as strata's
//!   other caches), so concurrent runs each leave a whole file behind. Read errors are not
//!   cached. The verdicts are the same with and without the cache, which the tests check.
//! * **Format**: a small binary encoding written by hand rather than JSON: for the 10,878 files
//!   (200,058 imports, 12 MB either way) it decodes in 13–14 ms against 35–50 ms for
//!   `serde_json` reading the same entries as compact arrays (the ignored `format_load_times`
//!   test measures both); about a hundred lines, not worth a new dependency.
//!
//! # What it does not do
//!
//! It prints nothing and never exits: [`check()`] returns a [`Report`] of [`Finding`]s and
//! per-contract verdicts, and [`render`] turns it into text. It does not import Python code,
//! follow `importlib.import_module("...")` strings, or check the `protected` contract type or
//! custom contract classes (these are reported as skipped). For `acyclic_siblings` it reports
//! one cycle per package rather than import-linter's nominated imports to remove. It is
//! synchronous, never touches the network, and writes nothing but its import cache.
//!
//! # Example
//!
//! ```
//! use strata_contracts::{ContractsConfig, check, render};
//!
//! let root = tempfile::tempdir()?;
//! let package = root.path().join("src/app");
//! std::fs::create_dir_all(package.join("cli"))?;
//! std::fs::write(package.join("__init__.py"), "")?;
//! std::fs::write(package.join("cli/__init__.py"), "from app import models\n")?;
//! std::fs::write(package.join("models.py"), "import torch\n")?;
//!
//! let config = ContractsConfig {
//!     root: root.path().to_path_buf(),
//!     host: vec!["app.cli".into(), "app.cli.*".into()],
//!     engine_packages: vec!["torch".into()],
//!     ..ContractsConfig::default()
//! };
//! let report = check(&config)?;
//! assert!(report.has_problems());
//! assert_eq!(report.findings[0].rule.code, "STR001");
//! assert_eq!(report.findings[0].chain.len(), 2);
//! assert!(render::human(&report).starts_with("src/app/cli/__init__.py:1:1: STR001"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub use check::{ContractsConfig, check, check_collection};
pub use collect::{
    Collection, Import, ImportKind, ParseFailure, SourceModule, TypeChecking, collect,
    parse_imports,
};
pub use config::{
    Alerting, Contract, ContractKind, ImportExpression, ImportLinterConfig, Layer, LayerModule,
};
pub use diagnostic::{ContractResult, ContractStatus, Finding, Link, Report, Rule};
pub use error::{Error, ErrorKind};

mod check;
mod collect;
mod config;
mod diagnostic;
mod error;
mod graph;
pub mod render;
mod rules;
