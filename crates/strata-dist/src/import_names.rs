//! The top-level import names a wheel installs, from its file list.
//!
//! A distribution's name says little about what it lets code import: `opencv-python-headless`
//! installs `cv2`, `scikit-learn` installs `sklearn`, `PyYAML` installs `yaml` and `_yaml`,
//! `protobuf` adds to the `google` namespace. A wheel is unpacked as is into `site-packages`, so
//! the paths it holds are the ground truth for every build backend: each top-level directory and
//! each top-level module file is a name `import` can find. `top_level.txt` says the same for
//! setuptools wheels only, and is missing or stale elsewhere, so it is not read.
//!
//! What counts, after the `<dist>.data/purelib/` and `<dist>.data/platlib/` prefixes are taken
//! off (those trees are installed into `site-packages` too):
//!
//! * a top-level directory (`torch/...`, a namespace like `google/...`), except `*.dist-info`,
//!   `*.data` and `__pycache__`;
//! * a top-level `name.py`;
//! * a top-level extension module: `name.so`, `name.pyd`, or with a platform tag
//!   (`name.cpython-311-x86_64-linux-gnu.so`, `name.abi3.so`, `name.cp311-win_amd64.pyd`).
//!
//! Names that are not Python identifiers are dropped: `torch.libs/` (the shared libraries
//! `auditwheel` vendors), `distutils-precedence.pth`, `not-a-module.py`. Identifiers are checked
//! with Unicode's alphabetic and alphanumeric classes, close to Python's
//! `XID_Start`/`XID_Continue` for any name a real wheel uses; keywords are dropped since no
//! `import` statement can name them.
//!
//! Not counted: `.pyc`-only modules at the top level (sourceless wheels are practically extinct)
//! and other `.data/` trees (`scripts`, `headers`, `data`), which do not land on `sys.path`.

use std::collections::BTreeSet;

/// The keywords of Python 3, which are not importable names even where they are identifiers.
const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// The top-level import names a wheel installs, given the names of its archive entries (its
/// zip central directory), sorted and without duplicates.
///
/// A wheel is unpacked as is into `site-packages`, so each top-level directory (a package or a
/// namespace such as `google`) and each top-level module file (`six.py`, `_cffi_backend.so`,
/// `_foo.cpython-311-x86_64-linux-gnu.so`, `_bar.pyd`) is a name `import` finds, and so are
/// those under `<dist>.data/purelib/` and `<dist>.data/platlib/`. Left out: `*.dist-info`,
/// `*.data`, `__pycache__`, `.pth` files and any name that is not a Python identifier (such as
/// the `torch.libs` directory of vendored shared libraries). The file list is the ground truth
/// for every build backend, where `top_level.txt` exists for setuptools wheels only.
///
/// ```
/// use strata_dist::top_level_import_names;
///
/// let entries = [
///     "cv2/__init__.py",
///     "cv2/cv2.abi3.so",
///     "opencv_python_headless.libs/libavcodec-9aae2d4b.so.59.37.100",
///     "opencv_python_headless-4.10.0.84.dist-info/METADATA",
/// ];
/// assert_eq!(top_level_import_names(entries), ["cv2"]);
/// ```
pub fn top_level_import_names<'a>(entries: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names = BTreeSet::new();
    for entry in entries {
        if let Some(name) = import_name(entry) {
            names.insert(name);
        }
    }
    names.into_iter().map(str::to_string).collect()
}

/// The import name one archive entry contributes, if any.
fn import_name(entry: &str) -> Option<&str> {
    let (first, rest) = match entry.split_once('/') {
        Some((first, rest)) => (first, Some(rest)),
        None => (entry, None),
    };
    if first.ends_with(".dist-info") {
        return None;
    }
    #[expect(
        clippy::case_sensitive_file_extension_comparisons,
        reason = "installers match the `.data` directory exactly, as the wheel format spells it"
    )]
    let is_data = first.ends_with(".data");
    let (first, rest) = if is_data {
        // Only these two schemes are installed into `site-packages`.
        let (scheme, inner) = rest?.split_once('/')?;
        if scheme != "purelib" && scheme != "platlib" {
            return None;
        }
        match inner.split_once('/') {
            Some((first, rest)) => (first, Some(rest)),
            None => (inner, None),
        }
    } else {
        (first, rest)
    };
    let name = match rest {
        Some(_) => first,
        None => module_name(first)?,
    };
    (is_identifier(name) && name != "__pycache__").then_some(name)
}

/// The module a top-level file defines: `six.py`, `_cffi_backend.<tag>.so`, `_foo.pyd`.
fn module_name(file: &str) -> Option<&str> {
    if let Some(stem) = file.strip_suffix(".py") {
        return Some(stem);
    }
    let stem = file
        .strip_suffix(".so")
        .or_else(|| file.strip_suffix(".pyd"))?;
    // The import system tries `name.<any extension suffix>`, and every suffix it knows is a
    // platform tag followed by `.so`/`.pyd`: the name is what precedes the first dot.
    Some(stem.split_once('.').map_or(stem, |(name, _tag)| name))
}

fn is_identifier(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
        && characters.all(|character| character == '_' || character.is_alphanumeric())
        && !KEYWORDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(entries: &[&str]) -> Vec<String> {
        top_level_import_names(entries.iter().copied())
    }

    #[test]
    fn torch_like_wheel_names_its_packages_not_its_libraries() {
        let entries = [
            "functorch/__init__.py",
            "functorch/_C.cpython-311-x86_64-linux-gnu.so",
            "torch/__init__.py",
            "torch/_C.cpython-311-x86_64-linux-gnu.so",
            "torch/lib/libtorch_cuda.so",
            "torch/nn/__init__.py",
            "torch/nn/modules/linear.py",
            "torchgen/__init__.py",
            "torch.libs/libgomp-a34b3233.so.1",
            "torch-2.4.0.dist-info/METADATA",
            "torch-2.4.0.dist-info/RECORD",
            "torch-2.4.0.dist-info/entry_points.txt",
            "torch-2.4.0.dist-info/top_level.txt",
            "torch-2.4.0.data/scripts/torchrun",
        ];
        assert_eq!(names(&entries), ["functorch", "torch", "torchgen"]);
    }

    #[test]
    fn opencv_headless_is_cv2() {
        let entries = [
            "cv2/__init__.py",
            "cv2/config.py",
            "cv2/cv2.abi3.so",
            "cv2/data/haarcascade_frontalface_default.xml",
            "cv2/typing/__init__.py",
            "opencv_python_headless.libs/libavcodec-9aae2d4b.so.59.37.100",
            "opencv_python_headless-4.10.0.84.dist-info/LICENSE.txt",
            "opencv_python_headless-4.10.0.84.dist-info/METADATA",
            "opencv_python_headless-4.10.0.84.dist-info/RECORD",
        ];
        assert_eq!(names(&entries), ["cv2"]);
    }

    #[test]
    fn single_module_wheel_is_its_module() {
        let entries = [
            "six.py",
            "six-1.16.0.dist-info/LICENSE",
            "six-1.16.0.dist-info/METADATA",
            "six-1.16.0.dist-info/top_level.txt",
            "six-1.16.0.dist-info/RECORD",
        ];
        assert_eq!(names(&entries), ["six"]);
    }

    #[test]
    fn extension_only_wheel_is_its_extension_module() {
        let entries = [
            "_cffi_backend.cpython-311-x86_64-linux-gnu.so",
            "cffi/__init__.py",
            "cffi/api.py",
            "cffi.libs/libffi-3a37023a.so.8.1.2",
            "cffi-1.17.1.dist-info/METADATA",
        ];
        assert_eq!(names(&entries), ["_cffi_backend", "cffi"]);
        let windows = [
            "_cffi_backend.cp311-win_amd64.pyd",
            "_speedups.pyd",
            "_legacy.so",
        ];
        assert_eq!(names(&windows), ["_cffi_backend", "_legacy", "_speedups"]);
    }

    #[test]
    fn purelib_and_platlib_trees_count_other_data_trees_do_not() {
        let entries = [
            "pkg-1.0.data/purelib/pure_pkg/__init__.py",
            "pkg-1.0.data/purelib/helper.py",
            "pkg-1.0.data/platlib/_native.cpython-312-darwin.so",
            "pkg-1.0.data/scripts/pkg-cli",
            "pkg-1.0.data/headers/pkg.h",
            "pkg-1.0.data/data/share/man/man1/pkg.1",
            "pkg-1.0.data/purelib/",
            "pkg-1.0.data/purelib/__pycache__/helper.cpython-312.pyc",
            "pkg-1.0.dist-info/METADATA",
        ];
        assert_eq!(names(&entries), ["_native", "helper", "pure_pkg"]);
    }

    #[test]
    fn namespace_package_is_its_top_directory() {
        let entries = [
            "google/protobuf/__init__.py",
            "google/protobuf/descriptor.py",
            "google/_upb/_message.abi3.so",
            "protobuf-5.28.0.dist-info/METADATA",
        ];
        assert_eq!(names(&entries), ["google"]);
    }

    #[test]
    fn yaml_wheel_has_two_names_and_keeps_neither_pth_nor_pycache() {
        let entries = [
            "_yaml/__init__.py",
            "yaml/",
            "yaml/__init__.py",
            "yaml/_yaml.cpython-311-x86_64-linux-gnu.so",
            "__pycache__/six.cpython-311.pyc",
            "distutils-precedence.pth",
            "pyyaml.pth",
            "LICENSE",
            "README.md",
            "py.typed",
            "stubs.pyi",
            "not-a-module.py",
            "lambda.py",
            "3d/__init__.py",
            "PyYAML-6.0.2.dist-info/METADATA",
        ];
        assert_eq!(names(&entries), ["_yaml", "yaml"]);
    }

    #[test]
    fn names_are_sorted_and_unique_whatever_the_entry_order() {
        let entries = [
            "zeta/__init__.py",
            "alpha.py",
            "zeta/other.py",
            "alpha.cpython-311-x86_64-linux-gnu.so",
            "Beta/__init__.py",
        ];
        assert_eq!(names(&entries), ["Beta", "alpha", "zeta"]);
        assert_eq!(names(&[]), Vec::<String>::new());
    }

    #[test]
    fn non_ascii_identifiers_are_names() {
        assert_eq!(names(&["café/__init__.py", "naïve.py"]), ["café", "naïve"]);
    }
}
