//! Calling a backend's hooks: each in a fresh interpreter, through [`DRIVER`].

use std::path::Path;
use std::process::Command;

use crate::error::{Error, io_error};
use crate::session::Session;
use crate::system::BuildSystem;

/// Runs one PEP 517 hook and writes its answer as JSON to a result file: backends print freely
/// on stdout, so stdout cannot carry the answer. Arguments: the hook, the backend,
/// `backend-path` as JSON, the output directory and the result file.
const DRIVER: &str = r#""""strata's PEP 517 driver: runs one build backend hook in this interpreter."""
import importlib
import json
import os
import sys
import zipfile


def load_backend(spec, backend_path):
    roots = [os.path.abspath(path) for path in backend_path]
    sys.path[:0] = roots
    module_name, _, attribute = spec.partition(":")
    backend = importlib.import_module(module_name.strip())
    if roots:
        location = os.path.abspath(getattr(backend, "__file__", None) or "")
        if not any(location.startswith(root + os.sep) for root in roots):
            raise SystemExit(
                "The backend %r was loaded from %r, outside its backend-path %r"
                % (spec, location, backend_path)
            )
    for part in filter(None, attribute.strip().split(".")):
        backend = getattr(backend, part)
    return backend


def metadata_from_wheel(wheel, out_dir):
    with zipfile.ZipFile(wheel) as archive:
        names = [
            name
            for name in archive.namelist()
            if name.count("/") == 1 and name.endswith(".dist-info/METADATA")
        ]
        if len(names) != 1:
            raise SystemExit(
                "%s has %d top-level *.dist-info/METADATA files" % (os.path.basename(wheel), len(names))
            )
        target = os.path.join(out_dir, "METADATA")
        with open(target, "wb") as f:
            f.write(archive.read(names[0]))
    return target


def main():
    hook, spec, backend_path, out_dir, result = sys.argv[1:]
    backend = load_backend(spec, json.loads(backend_path))
    os.makedirs(out_dir, exist_ok=True)
    if hook in ("get_requires_for_build_wheel", "get_requires_for_build_sdist"):
        get_requires = getattr(backend, hook, None)
        answer = list(get_requires({})) if get_requires is not None else []
    elif hook == "metadata":
        prepare = getattr(backend, "prepare_metadata_for_build_wheel", None)
        if prepare is not None:
            metadata_dir = os.path.join(out_dir, "metadata")
            os.makedirs(metadata_dir, exist_ok=True)
            answer = os.path.join(metadata_dir, prepare(metadata_dir, {}), "METADATA")
        else:
            wheel_dir = os.path.join(out_dir, "wheel")
            os.makedirs(wheel_dir, exist_ok=True)
            wheel = backend.build_wheel(wheel_dir, {})
            answer = metadata_from_wheel(os.path.join(wheel_dir, wheel), out_dir)
        print("strata: metadata at %s" % answer)
    elif hook == "build_sdist":
        answer = backend.build_sdist(out_dir, {})
    elif hook == "build_wheel":
        answer = backend.build_wheel(out_dir, {})
    else:
        raise SystemExit("unknown hook %r" % hook)
    with open(result, "w", encoding="utf-8") as f:
        json.dump(answer, f)


main()
"#;

/// A backend hook the driver calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hook {
    /// `get_requires_for_build_wheel` (optional: none means no more requirements).
    RequiresForWheel,
    /// `get_requires_for_build_sdist` (optional likewise).
    RequiresForSdist,
    /// `prepare_metadata_for_build_wheel`, else `build_wheel` and its `METADATA`: the path of a
    /// `METADATA` file.
    Metadata,
    /// `build_sdist`: the sdist's file name in the output directory.
    BuildSdist,
    /// `build_wheel`: the wheel's file name in the output directory.
    BuildWheel,
}

impl Hook {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::RequiresForWheel => "get_requires_for_build_wheel",
            Self::RequiresForSdist => "get_requires_for_build_sdist",
            Self::Metadata => "metadata",
            Self::BuildSdist => "build_sdist",
            Self::BuildWheel => "build_wheel",
        }
    }
}

/// Runs `hook` of `system`'s backend with `python` in the source tree `source` (PEP 517: the
/// working directory is the source tree), writing into `out_dir`; returns its JSON answer.
pub(crate) fn call<T: serde::de::DeserializeOwned>(
    session: &mut Session,
    python: &Path,
    work_dir: &Path,
    system: &BuildSystem,
    source: &Path,
    hook: Hook,
    out_dir: &Path,
) -> Result<T, Error> {
    let driver = work_dir.join("strata_build_driver.py");
    fs_err::write(&driver, DRIVER).map_err(|source| io_error(&driver, source))?;
    let result = work_dir.join(format!("{}.json", hook.name()));
    let backend_path = serde_json::to_string(
        &system
            .backend_path
            .iter()
            .map(|path| source.join(path).to_string_lossy().into_owned())
            .collect::<Vec<_>>(),
    )
    .expect("a list of strings serializes to JSON");
    let what = if hook == Hook::Metadata {
        format!("run the `{}` backend (metadata)", system.backend)
    } else {
        format!("run the `{}` backend ({})", system.backend, hook.name())
    };
    session.run(
        &what,
        Command::new(python)
            .arg("-I")
            .arg(&driver)
            .args([hook.name(), &system.backend, &backend_path])
            .arg(out_dir)
            .arg(&result)
            .current_dir(source),
    )?;
    let answer = fs_err::read(&result).map_err(|error| session.failure(&error.to_string()))?;
    serde_json::from_slice(&answer).map_err(|error| {
        session.failure(&format!(
            "The build driver wrote an unreadable answer: {error}"
        ))
    })
}
