//! An upstream engine from capture to install: `strata images capture` lists the "image" (a
//! real venv, listed by real pip behind a fake `docker`), `strata lock` holds those packages
//! fixed and writes only what the image lacks, and real pip installs that lock on top of the
//! image with `--no-deps --require-hashes` into an environment `pip check` finds whole.

use std::path::Path;

use strata_testindex::venv::describe;
use strata_testindex::{Package, TestIndex, Universe, Venv};

use crate::support::{Project, fake_runtime, path_with};

const MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
pylock = false

[engines.engine]
requirements = ["extra-lib"]
version = { file = "engine.yaml", key = "version", package = "engine-lib" }
image = { upstream = "example/engine:v{version}", packages = "docker/engine.packages.txt" }
"#;

fn universe() -> Universe {
    Universe::new()
        .package(Package::new("torch", "2.0.0"))
        .package(Package::new("torch", "2.1.0"))
        .package(Package::new("engine-lib", "3.0").requires("torch==2.0.0"))
        .package(
            Package::new("extra-lib", "1.0")
                .requires("torch>=2")
                .requires("tqdm"),
        )
        .package(Package::new("tqdm", "4.66.0"))
}

/// A `docker` in `bin` that records its arguments in `args.txt` and answers
/// `run ... python3 -m pip list --format=freeze` with real pip listing `image`'s packages.
fn fake_docker(bin: &Path, image: &Venv) {
    fake_runtime(
        bin,
        "docker",
        &format!(
            "PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 \
             exec python3 -m pip --python '{}' list --format=freeze",
            image.python().display()
        ),
    );
}

#[test]
fn an_upstream_engine_captured_locked_and_installed_on_top_of_its_image() {
    let index = TestIndex::start(universe());
    // The "image": engine-lib 3.0 and the torch it brings, as pip installs them.
    let Some(image) = Venv::create() else { return };
    image.install(&index, &["engine-lib==3.0"]);
    let project = Project::with_manifest(MANIFEST, &[("engine.yaml", "version: \"3.0\"\n")]);
    let bin = project.root().join("bin");
    fake_docker(&bin, &image);
    let path = path_with(&bin);

    let output = project
        .strata(&["images", "capture", "engine"])
        .env("PATH", &path)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let args = fs_err::read_to_string(bin.join("args.txt")).unwrap();
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        [
            "run",
            "--rm",
            "--entrypoint",
            "python3",
            "example/engine:v3.0",
            "-m",
            "pip",
            "list",
            "--format=freeze"
        ]
    );
    let captured = project.read("docker/engine.packages.txt");
    assert!(
        captured.starts_with(
            "# strata: captured from example/engine:v3.0 by `strata images capture engine`\n"
        ),
        "{captured}"
    );
    assert!(
        captured.contains("\nengine-lib==3.0\n") && captured.contains("\ntorch==2.0.0\n"),
        "{captured}"
    );

    let output = project.strata(&["lock"]).index(&index).output();
    assert_eq!(output.code, 0, "{}", output.render());
    let lock = project.read("locks/engine.txt");
    // torch 2.1.0 is newer, and the index has it: the image's 2.0.0 stays.
    assert!(
        lock.contains(
            "# Provided by the image example/engine:v3.0 (captured in docker/engine.packages.txt), which this lock is installed on top of and never changes:\n\
             #   engine-lib==3.0\n#   torch==2.0.0\n"
        ),
        "{lock}"
    );
    let pins = crate::pins(&project.dir().join("locks/engine.txt"));
    assert_eq!(
        pins.into_iter().collect::<Vec<_>>(),
        [
            ("extra-lib".to_string(), "1.0".to_string()),
            ("tqdm".to_string(), "4.66.0".to_string())
        ]
    );

    // The oracle: pip installs the lock on the image, and the whole is consistent.
    let lock_path = project.dir().join("locks/engine.txt");
    image.install(
        &index,
        &[
            "--no-deps",
            "--require-hashes",
            "-r",
            lock_path.to_str().unwrap(),
        ],
    );
    let check = image.pip(&["check"]);
    assert!(check.status.success(), "{}", describe(&check));
    assert_eq!(
        image.installed(),
        [
            "engine-lib==3.0",
            "extra-lib==1.0",
            "torch==2.0.0",
            "tqdm==4.66.0"
        ]
    );

    // `strata check` reads the lock as installed on its image: extra-lib's torch is there.
    let output = project
        .strata(&["check", "--profile", "engine"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());

    // Current until the image is captured again with something else in it.
    let output = project.strata(&["lock", "--check"]).index(&index).output();
    assert_eq!(output.code, 0, "{}", output.render());
    image.install(&index, &["torch==2.1.0"]);
    let output = project
        .strata(&["images", "capture", "engine"])
        .env("PATH", &path)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let output = project.strata(&["lock", "--check"]).index(&index).output();
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("its image changed since it was written"),
        "{}",
        output.render()
    );
}

#[test]
fn a_capture_of_the_engines_previous_version_stops_the_lock() {
    let index = TestIndex::start(universe());
    let project = Project::with_manifest(
        MANIFEST,
        &[
            ("engine.yaml", "version: \"3.1\"\n"),
            (
                "docker/engine.packages.txt",
                "# strata: captured from example/engine:v3.0 by `strata images capture engine`\nengine-lib==3.0\n",
            ),
        ],
    );
    let output = project.strata(&["lock"]).index(&index).output();
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains(
            "error: `docker/engine.packages.txt` was captured from `example/engine:v3.0`, but engine `engine` now runs in `example/engine:v3.1`: its package set is stale"
        ) && output.stderr.contains("hint: Run `strata images capture engine`"),
        "{}",
        output.render()
    );
    assert!(
        index.requests().is_empty(),
        "nothing is resolved against the wrong image"
    );
    assert!(!project.dir().join("locks/engine.txt").exists());
}
