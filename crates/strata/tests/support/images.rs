//! What the image tests share: the tools of the images tests' venv (python-hcl2, hadolint) and
//! the bake file read by a real HCL parser, turned into the builds it describes.

use std::path::{Path, PathBuf};

use strata_testindex::images::{Build, Image};

/// A program of the images tests' tool venv (see `crates/strata/tests/setup-image-tools.sh`):
/// `python` (with python-hcl2) or `hadolint`; `None` when it is not there (skipped locally, a
/// failure when tools are required).
#[expect(
    clippy::disallowed_methods,
    reason = "a test-only switch set by .ci/run, not a strata setting"
)]
pub(crate) fn image_tool(program: &str) -> Option<PathBuf> {
    let venv = std::env::var_os("STRATA_TEST_IMAGE_TOOLS_VENV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/image-tools-venv"),
        PathBuf::from,
    );
    let path = venv.join("bin").join(program);
    if !path.is_file() {
        strata_testindex::tool_missing(format!(
            "`{}` does not exist (run crates/strata/tests/setup-image-tools.sh, or name its \
             venv in STRATA_TEST_IMAGE_TOOLS_VENV)",
            path.display()
        ));
        return None;
    }
    Some(path)
}

/// `file` read by python-hcl2: each block kind (`variable`, `group`, `target`) as a map from
/// block name to its attributes, with the quotes python-hcl2 keeps on strings taken off.
pub(crate) fn parse_hcl(python: &Path, file: &Path) -> serde_json::Value {
    const SCRIPT: &str = r#"
import hcl2, json, sys
def unquote(value):
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, list):
        return [unquote(item) for item in value]
    if isinstance(value, dict):
        return {unquote(key): unquote(item) for key, item in value.items() if key != "__is_block__"}
    return value
document = hcl2.load(open(sys.argv[1]))
out = {}
for kind, blocks in document.items():
    for block in blocks:
        for name, body in block.items():
            out.setdefault(kind, {})[unquote(name)] = unquote(body)
print(json.dumps(out))
"#;
    let output = std::process::Command::new(python)
        .args(["-c", SCRIPT])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "python-hcl2 rejects `{}`:\n{}",
        file.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The build bake target `name` of `bake` (as [`parse_hcl`] reads it) describes, with the
/// project at `dir` as its context, the way `docker buildx bake` runs it: its Dockerfile and
/// that Dockerfile's ignore file, its stage, its build arguments, its secrets (an `env=` secret
/// is read from `secrets`, as Bake reads the environment) and its named contexts. No registry
/// is reachable here, so every `docker-image://` context is `base`, the test's Python image.
pub(crate) fn bake_build(
    bake: &serde_json::Value,
    name: &str,
    dir: &Path,
    base: &Image,
    secrets: &[(&str, &Path)],
) -> Build {
    let target = &bake["target"][name];
    assert!(target.is_object(), "no target `{name}` in {bake}");
    let dockerfile = dir.join(target["dockerfile"].as_str().expect("a dockerfile"));
    let mut build = Build::new(dir).dockerfile(&dockerfile);
    let ignore = PathBuf::from(format!("{}.dockerignore", dockerfile.display()));
    if ignore.is_file() {
        build = build.ignorefile(ignore);
    }
    if let Some(stage) = target["target"].as_str() {
        build = build.target(stage);
    }
    for (key, value) in target["args"].as_object().into_iter().flatten() {
        build = build.arg(key, value.as_str().expect("string arguments"));
    }
    for (key, value) in target["contexts"].as_object().into_iter().flatten() {
        let value = value.as_str().expect("string contexts");
        assert!(value.starts_with("docker-image://"), "{value}");
        build = build.context_image(key, base);
    }
    for entry in target["secret"].as_array().into_iter().flatten() {
        let entry = entry.as_str().expect("string secrets");
        let field = |key: &str| {
            entry
                .split(',')
                .find_map(|part| part.strip_prefix(&format!("{key}=")))
        };
        let id = field("id").expect("a secret has an id");
        let env = field("env").expect("strata's secrets come from the environment");
        if let Some((_, file)) = secrets.iter().find(|(name, _)| *name == env) {
            build = build.secret(id, *file);
        }
    }
    assert!(
        target.get("ssh").is_none(),
        "the test builder has no SSH agent to forward"
    );
    build
}
