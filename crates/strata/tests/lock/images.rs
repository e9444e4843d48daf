//! The images strata generates, built for real with buildah (no Docker daemon here) on the
//! shared Debian + Python test base, from the targets of the generated `docker-bake.hcl` as a
//! real HCL parser reads them: each must hold exactly its lock, run as a user that is not root,
//! keep the credentials of a private index (a secret) out of every layer, trust the manifest's CA
//! bundle (the index speaks HTTPS with a certificate of a test CA, which pip in the build and
//! Python in the image must accept), and the dev image must run the project's own tests from the
//! bind-mounted source.

use strata_testindex::images::Buildah;
use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::support::images::{bake_build, image_tool, parse_hcl};
use crate::support::{Project, fake_runtime, path_with};

const MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
pylock = false

[images]
cpu-base = "python:3.11-slim-bookworm"
ca-bundle = "certs/ca.pem"

[profiles.base]
requirements = ["numpy"]

[profiles.backend]
extends = ["base"]
requirements = ["app-lib"]
image = { dev = "development" }

[profiles.development]
extends = ["backend"]
requirements = ["minitest"]

[engines.engine]
extends = ["base"]
version = { file = "engine.yaml", key = "version", package = "engine-lib" }
image = { base = "cpu" }
"#;

const LOGIN: &str = "builder";
const PASSWORD: &str = "s3cret-index-token-never-in-a-layer";

/// A tiny test runner, standing in for pytest (the test index serves no real packages): runs
/// every `test_*` function of the files it is given, and fails when one raises.
const MINITEST: &str = r#"import importlib.util, sys
def main(paths):
    passed = 0
    for path in paths:
        spec = importlib.util.spec_from_file_location("under_test", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for name in dir(module):
            if name.startswith("test_"):
                getattr(module, name)()
                passed += 1
    print(f"{passed} passed")
if __name__ == "__main__":
    main(sys.argv[1:])
"#;

fn private_index() -> TestIndex {
    TestIndex::start_with_faults(
        Universe::new()
            .package(Package::new("numpy", "1.26.4"))
            .package(Package::new("numpy", "2.1.0"))
            .package(Package::new("engine-lib", "3.0").requires("numpy<2"))
            .package(Package::new("app-lib", "1.0").requires("numpy"))
            .package(Package::new("minitest", "1.0").module_file("minitest/__main__.py", MINITEST))
            .tls(),
        Faults::new().on(
            "/",
            Fault::RequireBasicAuth {
                login: LOGIN.to_string(),
                password: PASSWORD.to_string(),
            },
        ),
    )
}

/// What the real builds need: python-hcl2's Python, buildah, and the shared Debian + Python
/// base; `None` (the test returns) when one is missing, which fails in CI.
fn build_tools() -> Option<(std::path::PathBuf, Buildah, strata_testindex::images::Image)> {
    let python = image_tool("python")?;
    let buildah = Buildah::shared()?;
    let base = buildah.python_base()?;
    Some((python, buildah, base))
}

/// `pip freeze` in `image`, lower-cased and sorted.
fn frozen(image: &strata_testindex::images::Image) -> Vec<String> {
    let mut frozen: Vec<String> = image
        .run(&["pip", "freeze", "--disable-pip-version-check"])
        .lines()
        .map(str::to_lowercase)
        .collect();
    frozen.sort();
    frozen
}

/// The `name==version` lines of a lock, sorted.
fn pins(lock: &str) -> Vec<String> {
    let mut pins: Vec<String> = lock
        .lines()
        .filter(|line| !line.starts_with([' ', '#']) && line.contains("=="))
        .map(|line| {
            line.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    pins.sort();
    pins
}

#[test]
fn the_bake_files_targets_build_images_that_hold_exactly_their_locks() {
    let Some((python, buildah, base)) = build_tools() else {
        return;
    };
    let index = private_index();
    let authenticated =
        index
            .url()
            .replacen("https://", &format!("https://{LOGIN}:{PASSWORD}@"), 1);
    let ca = index.ca_certificate_pem().expect("a TLS index has a CA");
    let project = Project::with_manifest(
        MANIFEST,
        &[
            ("certs/ca.pem", ca),
            ("engine.yaml", "version: \"3.0\"\n"),
            (
                "src/app/__init__.py",
                "import numpy\ndef answer():\n    return 42\n",
            ),
            (
                "tests/test_app.py",
                "from app import answer\ndef test_answer():\n    assert answer() == 42\n",
            ),
        ],
    );
    let output = project
        .strata(&["lock", "--index-url", &authenticated])
        .env("SSL_CERT_FILE", project.dir().join("certs/ca.pem"))
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let output = project.strata(&["images", "--write"]).output();
    assert_eq!(output.code, 0, "{}", output.render());

    // pip inside the build reaches the private index through pip's configuration, given as the
    // secret the bake file names (from the environment variable, as Bake reads it).
    let secrets = tempfile::tempdir().unwrap();
    let pip_conf = secrets.path().join("pip.conf");
    fs_err::write(
        &pip_conf,
        format!("[global]\nindex-url = {authenticated}\n"),
    )
    .unwrap();
    let bake = parse_hcl(&python, &project.dir().join("docker-bake.hcl"));
    assert_eq!(
        bake["group"]["default"]["targets"],
        serde_json::json!(["backend", "engine"])
    );
    assert_eq!(
        bake["group"]["dev"]["targets"],
        serde_json::json!(["backend-dev"])
    );
    let secrets = [("STRATA_PIP_CONF", pip_conf.as_path())];
    let build =
        |name: &str| buildah.build(&bake_build(&bake, name, project.dir(), &base, &secrets));

    for (target, lock) in [
        ("engine", "locks/engine.txt"),
        ("backend", "locks/backend.txt"),
    ] {
        let image = build(target);
        assert_eq!(frozen(&image), pins(&project.read(lock)), "{target}");
        assert_eq!(image.run(&["id", "-u"]).trim(), "1000", "{target}");
        assert_eq!(image.run(&["pwd"]).trim(), "/workspace", "{target}");
        assert!(
            image.layers_containing(PASSWORD.as_bytes()).is_empty(),
            "{target}: the index password from the pip-conf secret is in a layer"
        );
        // pip trusted the CA in the build (it installed from the HTTPS index); Python's
        // default context trusts it in the image too: the index answers 401, past the
        // handshake, where an untrusted certificate fails the connection.
        let probe = format!(
            "import urllib.request, urllib.error\n\
             try:\n    urllib.request.urlopen('{}')\n\
             except urllib.error.HTTPError as error:\n    print(error.code)\n",
            index.url()
        );
        assert_eq!(
            image.run(&["python", "-c", &probe]).trim(),
            "401",
            "{target}"
        );
    }
    assert_eq!(
        pins(&project.read("locks/engine.txt")),
        ["engine-lib==3.0", "numpy==1.26.4"]
    );

    // The dev image adds the development lock, pin for pin, and runs the project's own tests
    // from the source mounted as `strata run --dev` mounts it.
    let dev = build("backend-dev");
    assert_eq!(frozen(&dev), pins(&project.read("locks/development.txt")));
    assert!(frozen(&dev).contains(&"minitest==1.0".to_string()));
    let output = dev
        .try_run_mounted(
            Some((project.dir(), "/workspace")),
            &["python", "-m", "minitest", "tests/test_app.py"],
        )
        .unwrap();
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(output.stdout.trim(), "1 passed");
    assert!(dev.layers_containing(PASSWORD.as_bytes()).is_empty());
    // The source is never in an image: only the mount brings it.
    let output = dev.try_run(&["python", "-c", "import app"]).unwrap();
    assert_ne!(output.code, 0, "{}", output.render());
}

const UPSTREAM_MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
pylock = false

[profiles.base]
requirements = ["numpy"]

[engines.engine]
extends = ["base"]
requirements = ["extra-lib"]
version = { file = "engine.yaml", key = "version", package = "engine-lib" }
image = { upstream = "upstream/engine:{version}", packages = "docker/engine.packages.txt" }
gpu = true
"#;

#[test]
fn an_upstream_engines_overlay_adds_only_what_the_image_lacks_and_changes_nothing_it_has() {
    let Some((python, buildah, base)) = build_tools() else {
        return;
    };
    let index = TestIndex::start(
        Universe::new()
            .package(Package::new("numpy", "1.26.4"))
            .package(Package::new("numpy", "2.1.0"))
            .package(Package::new("engine-lib", "3.0").requires("numpy<2"))
            .package(Package::new("extra-lib", "1.0").requires("engine-lib")),
    );
    // The "upstream" image: engine-lib and the numpy it needs, in an environment of its own
    // whose `python3` is first on PATH, as vLLM's image has it.
    let upstream_dir = tempfile::tempdir().unwrap();
    fs_err::write(
        upstream_dir.path().join("Dockerfile"),
        format!(
            "FROM base\nRUN python3 -m venv /opt/upstream \\\n    \
             && /opt/upstream/bin/pip install --no-cache-dir --index-url {} engine-lib==3.0\n\
             ENV PATH=/opt/upstream/bin:$PATH\n",
            index.url()
        ),
    )
    .unwrap();
    let upstream = buildah.build(
        &strata_testindex::images::Build::new(upstream_dir.path()).context_image("base", &base),
    );
    let freeze = upstream.run(&["python3", "-m", "pip", "list", "--format=freeze"]);

    // `strata images capture` through a `docker` that answers with that image's real listing.
    let project = Project::with_manifest(
        UPSTREAM_MANIFEST,
        &[
            ("engine.yaml", "version: \"3.0\"\n"),
            ("freeze.txt", &freeze),
        ],
    );
    let bin = project.root().join("bin");
    let freeze_file = project.dir().join("freeze.txt");
    fake_runtime(
        &bin,
        "docker",
        &format!("exec cat '{}'", freeze_file.display()),
    );
    let path = path_with(&bin);
    let output = project
        .strata(&["images", "capture", "engine"])
        .env("PATH", &path)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let output = project.strata(&["lock"]).index(&index).output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        pins(&project.read("locks/engine.txt")),
        ["extra-lib==1.0"],
        "the lock holds only what the image lacks"
    );
    let output = project.strata(&["images", "--write"]).output();
    assert_eq!(output.code, 0, "{}", output.render());

    let secrets = tempfile::tempdir().unwrap();
    let pip_conf = secrets.path().join("pip.conf");
    fs_err::write(
        &pip_conf,
        format!("[global]\nindex-url = {}\n", index.url()),
    )
    .unwrap();
    let bake = parse_hcl(&python, &project.dir().join("docker-bake.hcl"));
    assert_eq!(
        bake["target"]["engine"]["contexts"]["base"],
        "docker-image://upstream/engine:${ENGINE_VERSION}"
    );
    assert_eq!(
        bake["group"]["gpu"]["targets"],
        serde_json::json!(["engine"])
    );
    let overlay = buildah.build(&bake_build(
        &bake,
        "engine",
        project.dir(),
        &upstream,
        &[("STRATA_PIP_CONF", pip_conf.as_path())],
    ));
    // Everything the image had, at its versions, and the lock's one package on top.
    let mut expected: Vec<String> = freeze
        .lines()
        .map(str::to_lowercase)
        .chain(pins(&project.read("locks/engine.txt")))
        .collect();
    expected.sort();
    let mut installed: Vec<String> = overlay
        .run(&["python3", "-m", "pip", "list", "--format=freeze"])
        .lines()
        .map(str::to_lowercase)
        .collect();
    installed.sort();
    assert_eq!(installed, expected);
    overlay.run(&["python3", "-m", "pip", "check"]);
}
