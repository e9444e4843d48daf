//! The files a local project's metadata is made from: what a lock's fingerprint covers, so that
//! an edit to any of them makes the lock of a profile that requires the directory stale.
//!
//! Always `pyproject.toml`, `setup.cfg` and `setup.py`. Then the files those declare the
//! metadata comes from at build time, for the backends whose configuration says so:
//!
//! * setuptools: `[tool.setuptools.dynamic]` `version`, `dependencies` and each
//!   `optional-dependencies` entry, as `{ file = ... }` or `{ attr = "pkg.mod.__version__" }`,
//!   and `setup.cfg`'s `file:` and `attr:` values;
//! * hatchling: `[tool.hatch.version] path`, and the `requirements_txt` metadata hook's `files`
//!   and `optional-dependencies`;
//! * PDM: `[tool.pdm.version]` with `source = "file"`;
//! * flit: the module a dynamic version is read from (`[tool.flit.module] name`, else the
//!   project's name).
//!
//! An `attr` names a module, not a file: every place setuptools may find it is listed (at the
//! root and under `src/`, as a module or a package), missing ones included, so that creating one
//! is a change too. A version from version control (setuptools-scm, hatch-vcs) is not in any
//! file and is not covered: `strata lock --force` reads it again.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(
//!     dir.path().join("pyproject.toml"),
//!     "[project]\nname = \"pkg\"\ndynamic = [\"version\", \"dependencies\"]\n\
//!      [tool.setuptools.dynamic]\nversion = { file = \"VERSION\" }\n\
//!      dependencies = { file = [\"requirements.txt\"] }\n",
//! )
//! .unwrap();
//! let files = strata_project::metadata_files(dir.path());
//! assert_eq!(
//!     files,
//!     ["pyproject.toml", "setup.cfg", "setup.py", "VERSION", "requirements.txt"]
//!         .map(std::path::PathBuf::from)
//! );
//! ```

use std::path::{Path, PathBuf};

/// The files of the project in `directory` its metadata is made from, relative to it, in a
/// stable order, each once; see the module documentation.
pub fn metadata_files(directory: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["pyproject.toml", "setup.cfg", "setup.py"]
        .map(PathBuf::from)
        .to_vec();
    let mut add = |path: PathBuf| {
        if !files.contains(&path) {
            files.push(path);
        }
    };
    if let Some(pyproject) = fs_err::read_to_string(directory.join("pyproject.toml"))
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
    {
        for path in from_pyproject(&pyproject) {
            add(path);
        }
    }
    if let Ok(text) = fs_err::read_to_string(directory.join("setup.cfg")) {
        for path in from_setup_cfg(&text) {
            add(path);
        }
    }
    files
}

fn from_pyproject(pyproject: &toml::Table) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let get = |path: &[&str]| -> Option<&toml::Value> {
        let (first, rest) = path.split_first()?;
        rest.iter()
            .try_fold(pyproject.get(*first)?, |value, key| value.get(*key))
    };
    let package_dir = get(&["tool", "setuptools", "package-dir", ""]).and_then(toml::Value::as_str);
    if let Some(dynamic) = get(&["tool", "setuptools", "dynamic"]).and_then(toml::Value::as_table) {
        for (key, value) in dynamic {
            let entries: Vec<&toml::Value> = if key == "optional-dependencies" {
                value
                    .as_table()
                    .map(|extras| extras.values().collect())
                    .unwrap_or_default()
            } else {
                vec![value]
            };
            for entry in entries {
                out.extend(strings(entry.get("file")).into_iter().map(PathBuf::from));
                if let Some(attr) = entry.get("attr").and_then(toml::Value::as_str) {
                    out.extend(attr_modules(attr, package_dir));
                }
            }
        }
    }
    if let Some(path) = get(&["tool", "hatch", "version", "path"]).and_then(toml::Value::as_str) {
        out.push(PathBuf::from(path));
    }
    if let Some(hook) = get(&["tool", "hatch", "metadata", "hooks", "requirements_txt"]) {
        out.extend(strings(hook.get("files")).into_iter().map(PathBuf::from));
        if let Some(extras) = hook
            .get("optional-dependencies")
            .and_then(toml::Value::as_table)
        {
            for files in extras.values() {
                out.extend(strings(Some(files)).into_iter().map(PathBuf::from));
            }
        }
    }
    if let Some(version) = get(&["tool", "pdm", "version"])
        && version.get("source").and_then(toml::Value::as_str) == Some("file")
        && let Some(path) = version.get("path").and_then(toml::Value::as_str)
    {
        out.push(PathBuf::from(path));
    }
    let backend = get(&["build-system", "build-backend"]).and_then(toml::Value::as_str);
    let dynamic_version = strings(get(&["project", "dynamic"]))
        .iter()
        .any(|field| field == "version");
    if backend.is_some_and(|backend| backend.starts_with("flit_core")) && dynamic_version {
        let module = get(&["tool", "flit", "module", "name"])
            .or_else(|| get(&["project", "name"]))
            .and_then(toml::Value::as_str)
            .map(|name| name.replace('-', "_"));
        if let Some(module) = module {
            out.extend(module_files(&module, None));
        }
    }
    out
}

/// `file:` and `attr:` values of `setup.cfg` (`version = file: VERSION`, `install_requires =
/// file: requirements.in`), as setuptools' declarative configuration reads them.
fn from_setup_cfg(text: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some((_, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        if let Some(files) = value.strip_prefix("file:") {
            out.extend(
                files
                    .split(',')
                    .map(str::trim)
                    .filter(|file| !file.is_empty())
                    .map(PathBuf::from),
            );
        } else if let Some(attr) = value.strip_prefix("attr:") {
            out.extend(attr_modules(attr.trim(), None));
        }
    }
    out
}

/// The files that may hold the module of `attr` (`pkg.about.__version__` is in `pkg.about`).
fn attr_modules(attr: &str, package_dir: Option<&str>) -> Vec<PathBuf> {
    match attr.rsplit_once('.') {
        Some((module, _)) => module_files(module, package_dir),
        None => Vec::new(),
    }
}

/// Where setuptools (and flit) find the module `module` (`pkg.about`), in the order they look:
/// under `tool.setuptools.package-dir`'s root when it gives one, then at the project root and
/// under `src/`, each as a package (`pkg/about/__init__.py`) then a file (`pkg/about.py`).
pub(crate) fn module_files(module: &str, package_dir: Option<&str>) -> Vec<PathBuf> {
    let module = PathBuf::from(module.replace('.', "/"));
    package_dir
        .into_iter()
        .chain(["", "src"])
        .flat_map(|base| {
            [
                Path::new(base).join(&module).join("__init__.py"),
                Path::new(base).join(module.with_extension("py")),
            ]
        })
        .collect()
}

/// A string, or a list of strings, as the strings.
fn strings(value: Option<&toml::Value>) -> Vec<String> {
    match value {
        Some(toml::Value::String(one)) => vec![one.clone()],
        Some(toml::Value::Array(many)) => many
            .iter()
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_of(pyproject: &str, setup_cfg: Option<&str>) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(dir.path().join("pyproject.toml"), pyproject).unwrap();
        if let Some(text) = setup_cfg {
            fs_err::write(dir.path().join("setup.cfg"), text).unwrap();
        }
        metadata_files(dir.path())
            .into_iter()
            .skip(3)
            .map(|path| path.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn setuptools_files_and_attrs_name_every_place_the_module_may_be() {
        let files = files_of(
            "[tool.setuptools.dynamic]\nversion = { attr = \"pkg.about.__version__\" }\n\
             [tool.setuptools.dynamic.optional-dependencies]\ngpu = { file = [\"gpu.txt\", \"cuda.txt\"] }\n",
            None,
        );
        assert_eq!(
            files,
            [
                "pkg/about/__init__.py",
                "pkg/about.py",
                "src/pkg/about/__init__.py",
                "src/pkg/about.py",
                "gpu.txt",
                "cuda.txt"
            ]
        );
    }

    #[test]
    fn a_package_dir_root_is_looked_in_first() {
        let files = files_of(
            "[tool.setuptools.package-dir]\n\"\" = \"lib\"\n\
             [tool.setuptools.dynamic]\nversion = { attr = \"pkg.__version__\" }\n",
            None,
        );
        assert_eq!(&files[..2], ["lib/pkg/__init__.py", "lib/pkg.py"]);
    }

    #[test]
    fn hatch_pdm_and_flit_say_where_their_version_and_requirements_are() {
        assert_eq!(
            files_of(
                "[tool.hatch.version]\npath = \"src/pkg/__about__.py\"\n\
                 [tool.hatch.metadata.hooks.requirements_txt]\nfiles = [\"requirements.txt\"]\n\
                 optional-dependencies = { dev = [\"dev.txt\"] }\n",
                None
            ),
            ["src/pkg/__about__.py", "requirements.txt", "dev.txt"]
        );
        assert_eq!(
            files_of(
                "[tool.pdm.version]\nsource = \"file\"\npath = \"pkg/_version.py\"\n",
                None
            ),
            ["pkg/_version.py"]
        );
        // PDM's version from SCM is in no file.
        assert!(files_of("[tool.pdm.version]\nsource = \"scm\"\n", None).is_empty());
        assert_eq!(
            files_of(
                "[build-system]\nbuild-backend = \"flit_core.buildapi\"\n\
                 [project]\nname = \"my-pkg\"\ndynamic = [\"version\", \"description\"]\n",
                None
            ),
            [
                "my_pkg/__init__.py",
                "my_pkg.py",
                "src/my_pkg/__init__.py",
                "src/my_pkg.py"
            ]
        );
    }

    #[test]
    fn setup_cfg_file_and_attr_values_are_read() {
        assert_eq!(
            files_of(
                "",
                Some(
                    "[metadata]\nname = pkg\nversion = attr: pkg.__version__\n\
                     [options]\ninstall_requires = file: requirements.in, extra.in\n"
                )
            ),
            [
                "pkg/__init__.py",
                "pkg.py",
                "src/pkg/__init__.py",
                "src/pkg.py",
                "requirements.in",
                "extra.in"
            ]
        );
    }
}
