//! The image strata generates for an engine, built for real with buildah (no Docker daemon
//! here) on the shared Debian + Python test base: it must hold exactly the engine's lock, run as
//! a user that is not root, and keep the index configuration (a secret) out of every layer.

use strata_testindex::images::{Build, Buildah};
use strata_testindex::{Package, TestIndex, Universe};

use crate::support::Project;

const MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
pylock = false

[profiles.base]
requirements = ["numpy"]

[engines.engine]
extends = ["base"]
version = { file = "engine.yaml", key = "version", package = "engine-lib" }
image = { base = "python:3.11-slim-bookworm" }
"#;

#[test]
fn a_generated_engine_image_builds_and_holds_exactly_its_lock() {
    let Some(buildah) = Buildah::shared() else {
        return;
    };
    let Some(base) = buildah.python_base() else {
        return;
    };
    let index = TestIndex::start(
        Universe::new()
            .package(Package::new("numpy", "1.26.4"))
            .package(Package::new("numpy", "2.1.0"))
            .package(Package::new("engine-lib", "3.0").requires("numpy<2")),
    );
    let project = Project::with_manifest(
        MANIFEST,
        &[
            ("engine.yaml", "version: \"3.0\"\n"),
            ("src/app/__init__.py", ""),
        ],
    );
    let output = project.strata(&["lock"]).index(&index).output();
    assert_eq!(output.code, 0, "{}", output.render());
    let output = project.strata(&["images", "--write"]).output();
    assert_eq!(output.code, 0, "{}", output.render());
    let dockerfile = project.read("docker/engine.Dockerfile");
    assert!(
        dockerfile.starts_with("# syntax=docker/dockerfile:1\n"),
        "{dockerfile}"
    );
    assert!(
        !dockerfile.contains("COPY src") && !dockerfile.contains("COPY ."),
        "{dockerfile}"
    );

    // The index comes in as pip's configuration, a secret: never a build argument or a layer.
    let secrets = tempfile::tempdir().unwrap();
    let pip_conf = secrets.path().join("pip.conf");
    fs_err::write(
        &pip_conf,
        format!("[global]\nindex-url = {}\n", index.url()),
    )
    .unwrap();
    let image = buildah.build(
        &Build::new(project.dir())
            .dockerfile(project.dir().join("docker/engine.Dockerfile"))
            .target("runtime")
            .context_image("base", &base)
            .secret("pip-conf", &pip_conf),
    );

    let mut frozen: Vec<String> = image
        .run(&["pip", "freeze", "--disable-pip-version-check"])
        .lines()
        .map(str::to_lowercase)
        .collect();
    frozen.sort();
    assert_eq!(frozen, ["engine-lib==3.0", "numpy==1.26.4"]);
    assert_eq!(image.run(&["id", "-un"]).trim(), "strata");
    assert_eq!(image.run(&["pwd"]).trim(), "/workspace");
    // The project's source roots are on the path, for the source `strata run` mounts there.
    assert!(
        image
            .run(&["sh", "-c", "echo $PYTHONPATH"])
            .contains("/workspace/src"),
    );
    assert!(
        image.layers_containing(index.url().as_bytes()).is_empty(),
        "the index URL from the pip-conf secret is in a layer"
    );
}
