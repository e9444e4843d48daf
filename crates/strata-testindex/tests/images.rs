//! Real image builds with buildah: the harness strata's generated Dockerfiles are proven with.
//!
//! Each test builds on the shared Debian + Python base image (made once per target directory,
//! which takes a few minutes the first time) and is skipped, saying why, only when buildah or
//! debootstrap is missing; under `STRATA_TEST_REQUIRE_TOOLS=1` that is a failure. They print how
//! long the base image and each build took (`--nocapture` shows it).
#![expect(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "helpers outside `#[test]` functions fail and report the same way"
)]

use std::path::Path;
use std::time::Instant;

use sha2::{Digest, Sha256};
use strata_testindex::images::{Build, Buildah, Image};
use strata_testindex::{Package, TestIndex, Universe};

/// The shared storage and base image, or `None` when a tool is missing (already reported).
fn base() -> Option<(Buildah, Image)> {
    let buildah = Buildah::shared()?;
    let started = Instant::now();
    let base = buildah.python_base()?;
    eprintln!(
        "base image {} ready in {:.1} s",
        base.reference(),
        started.elapsed().as_secs_f64()
    );
    Some((buildah, base))
}

fn write(dir: &Path, name: &str, contents: &str) {
    fs_err::write(dir.join(name), contents).unwrap();
}

/// The shape of the builder and runtime stages strata generates: a venv in the builder, the
/// hashed lock bind-mounted and installed with `--no-deps --require-hashes` through a pip cache
/// mount, the index credential a secret used in the same step; the runtime stage gets only the
/// venv.
const TWO_STAGES: &str = r#"FROM base AS builder
ARG INDEX_URL
RUN python3 -m venv /opt/venv
RUN --mount=type=bind,source=requirements.txt,target=/tmp/lock/requirements.txt \
    --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=index-token \
    /opt/venv/bin/pip install --disable-pip-version-check --no-deps --require-hashes \
        --index-url "$INDEX_URL" -r /tmp/lock/requirements.txt \
 && sha256sum /run/secrets/index-token | cut -d ' ' -f 1 > /opt/venv/index-token.sha256

FROM base AS runtime
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
"#;

#[test]
fn a_two_stage_build_installs_the_hashed_lock_from_the_loopback_index_and_no_layer_holds_the_secret()
 {
    let Some((buildah, base)) = base() else {
        return;
    };
    let index = TestIndex::start(
        Universe::new()
            .package(Package::new("demo", "1.0"))
            .package(Package::new("demo", "2.0"))
            .package(Package::new("other", "1.0")),
    );
    let wheel = index.file("demo-1.0-py3-none-any.whl").unwrap();
    let context = tempfile::tempdir().unwrap();
    write(context.path(), "Dockerfile", TWO_STAGES);
    write(
        context.path(),
        "requirements.txt",
        &format!("demo==1.0 \\\n    --hash=sha256:{}\n", wheel.sha256),
    );
    // Outside the context, as a real credential file would be.
    let secrets = tempfile::tempdir().unwrap();
    let secret = format!("strata-index-token-{}", std::process::id());
    write(secrets.path(), "token", &secret);

    let started = Instant::now();
    let image = buildah.build(
        &Build::new(context.path())
            .target("runtime")
            .context_image("base", &base)
            .arg("INDEX_URL", index.url())
            .secret("index-token", secrets.path().join("token")),
    );
    eprintln!(
        "two-stage build in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The RUN step reached the loopback index and fetched the pinned wheel and nothing else.
    assert!(
        !index.requests_for("/simple/demo/").is_empty(),
        "{:?}",
        index.requests()
    );
    assert!(
        index
            .requests()
            .iter()
            .all(|request| !request.path.contains("other") && !request.path.contains("2.0")),
        "{:?}",
        index.requests()
    );
    assert_eq!(image.run(&["pip", "freeze"]), "demo==1.0\n");
    assert_eq!(
        image.run(&["python", "-c", "import demo; print(demo.__version__)"]),
        "1.0\n"
    );
    // Only the venv came over: no lock file, no pip cache.
    let absent = image
        .try_run(&["ls", "/tmp/lock", "/root/.cache/pip"])
        .unwrap();
    assert_ne!(absent.code, 0, "{}", absent.render());

    // The step saw the secret...
    assert_eq!(
        image.run(&["cat", "/opt/venv/index-token.sha256"]).trim(),
        format!("{:x}", Sha256::digest(secret.as_bytes()))
    );
    // ...and no layer, nor the configuration and its history, holds it.
    let started = Instant::now();
    assert_eq!(
        image.layers_containing(secret.as_bytes()),
        Vec::<String>::new()
    );
    eprintln!(
        "layers exported and searched in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_secret_copied_into_a_layer_and_a_build_argument_are_found_and_a_dropped_image_is_removed() {
    let Some((buildah, base)) = base() else {
        return;
    };
    let context = tempfile::tempdir().unwrap();
    write(
        context.path(),
        "Dockerfile",
        "FROM base\n\
         ARG MARKER\n\
         RUN --mount=type=secret,id=token mkdir /leak && cp /run/secrets/token /leak/token \
             && test -n \"$MARKER\"\n",
    );
    let secrets = tempfile::tempdir().unwrap();
    let secret = format!("strata-leaked-token-{}", std::process::id());
    write(secrets.path(), "token", &secret);
    let marker = format!("strata-build-argument-{}", std::process::id());

    let started = Instant::now();
    let image = buildah.build(
        &Build::new(context.path())
            .context_image("base", &base)
            .arg("MARKER", &marker)
            .secret("token", secrets.path().join("token")),
    );
    eprintln!("one-step build in {:.1} s", started.elapsed().as_secs_f64());
    let found = image.layers_containing(secret.as_bytes());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("layer sha256:") && found[0].ends_with(" at leak/token"),
        "{found:?}"
    );
    // A build argument a step uses is recorded in the image's history, which is why secrets
    // never travel that way.
    let found = image.layers_containing(marker.as_bytes());
    assert!(
        found
            .iter()
            .any(|place| place.starts_with("configuration sha256:")),
        "{found:?}"
    );

    let reference = image.reference().to_string();
    let listed = |reference: &str| {
        let output = buildah
            .command()
            .args(["images", "--quiet", "--noheading", reference])
            .output()
            .unwrap();
        output.status.success() && !output.stdout.is_empty()
    };
    assert!(listed(&reference));
    drop(image);
    assert!(!listed(&reference));
    // The shared base stays.
    assert!(listed(base.reference()));
}

#[test]
fn a_failing_build_names_the_command_and_what_it_printed() {
    let Some((buildah, base)) = base() else {
        return;
    };
    let context = tempfile::tempdir().unwrap();
    let dockerfile = context.path().join("failing.Dockerfile");
    fs_err::write(
        &dockerfile,
        "FROM base\n\
         COPY --from=notes message.txt /message.txt\n\
         RUN cat /message.txt >&2 && exit 7\n",
    )
    .unwrap();
    let notes = tempfile::tempdir().unwrap();
    write(notes.path(), "message.txt", "the lock does not install\n");

    let error = buildah
        .try_build(
            &Build::new(context.path())
                .dockerfile(&dockerfile)
                .context_image("base", &base)
                .context_dir("notes", notes.path()),
        )
        .unwrap_err();
    let message = error.to_string();
    assert!(message.starts_with("`buildah --root "), "{message}");
    assert!(
        message.contains(" build --isolation chroot --pull=never "),
        "{message}"
    );
    assert!(message.contains(" exited with exit status: "), "{message}");
    // The message came from the second build context, through the Dockerfile named.
    assert!(
        message.contains("\nthe lock does not install\n"),
        "{message}"
    );
    assert!(message.contains("exit status 7"), "{message}");
}
