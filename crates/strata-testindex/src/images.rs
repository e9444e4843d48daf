//! Real container image builds for tests, with buildah.
//!
//! strata generates Dockerfiles, and the proof that they work is building them. No Docker daemon
//! runs on the machines this project is tested on, but Debian's `buildah` builds the same
//! Dockerfiles without one: multi-stage builds, `RUN --mount` of binds, caches and secrets,
//! `--build-context`, `--secret`, `--target` and `--build-arg` (not `COPY --link`, which buildah
//! 1.28 does not know). Its `RUN` steps share the machine's network, so they reach a
//! [`TestIndex`](crate::TestIndex) on 127.0.0.1.
//!
//! [`Buildah::shared`] is the one storage every test uses: buildah with `--storage-driver vfs`
//! (no kernel overlay support needed) and `--isolation chroot` (no nested namespaces), its
//! storage, run and temporary directories private to the test cache under the target directory
//! (`<target>/tmp/strata-test-images`),
//! so tests never touch the machine's own containers and images. Builds never pull: no image
//! registry is reachable, and a mistaken `FROM` fails at once instead of waiting on the network.
//!
//! The base every test builds on is [`Buildah::python_base`]: Debian bookworm with `python3`, its
//! `venv` module and pip, made by `debootstrap --variant=minbase` (a minute and a half and
//! 300 MB, the only download of the suite, from the Debian mirror debootstrap defaults to) and
//! imported as `FROM scratch` + `ADD rootfs.tar /`. It is made once per target directory and
//! shared by every test binary: a file lock keeps two processes from making it at once, and it is
//! made again only when it is missing from the storage (after `cargo clean`, or when its recipe
//! changes). A test feeds it to a Dockerfile's `FROM base` with `--build-context`, as the
//! generated bake file feeds real base images.
//!
//! Images a test builds are removed when their [`Image`] is dropped; commands that fail or hang
//! (each is bounded by a generous timeout) panic, or return a [`CommandFailed`] from the `try_`
//! methods, naming the command line, how it ended and what it printed.
//!
//! ```no_run
//! use strata_testindex::images::{Build, Buildah};
//!
//! // No buildah or debootstrap here: skipped, saying why (see `crate::tool_missing`).
//! let Some(buildah) = Buildah::shared() else { return };
//! let Some(base) = buildah.python_base() else { return };
//! # let context = std::path::Path::new("ctx");
//! let image = buildah.build(
//!     &Build::new(context)
//!         .target("runtime")
//!         .context_image("base", &base)
//!         .arg("INDEX_URL", "http://127.0.0.1:8080/simple/")
//!         .secret("index-token", context.join("token")),
//! );
//! assert_eq!(image.run(&["/opt/venv/bin/pip", "freeze"]), "demo==1.0\n");
//! assert_eq!(image.layers_containing(b"s3cret"), Vec::<String>::new());
//! ```

use std::fmt::Write as _;
use std::io::{self, Read};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::Output;

/// The Debian suite of the base image.
const BASE_SUITE: &str = "bookworm";
/// What the base image holds beyond `minbase`: an interpreter, `venv` and pip, as the generated
/// builder stages expect of a Python base image.
const BASE_PACKAGES: &str = "python3,python3-venv,python3-pip";
/// Part of the base image's tag: bumped whenever the recipe changes, so that an image made by an
/// older recipe and still cached is not taken for the new one.
const BASE_RECIPE: u32 = 1;

/// `debootstrap` downloads a few hundred packages; on a loaded 2-core machine it has taken
/// a minute and a half, so this bounds a hang rather than a slow run.
const DEBOOTSTRAP_TIMEOUT: Duration = Duration::from_mins(20);
/// A build copies whole layers (the vfs driver has no copy-on-write) and may install packages.
const BUILD_TIMEOUT: Duration = Duration::from_mins(20);
/// Everything else: inspecting, running a command in an image, exporting its layers.
const COMMAND_TIMEOUT: Duration = Duration::from_mins(10);

/// Names the images of one test process apart from those of others sharing the storage.
static BUILD_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A command that did not succeed: its command line, how it ended and what it printed.
#[derive(Debug, thiserror::Error)]
#[error(
    "`{command}` {ended}\n--- stdout\n{}\n--- stderr\n{stderr}",
    tail(stdout, 80)
)]
pub struct CommandFailed {
    /// The command line, as a shell would read it.
    pub command: String,
    /// How it ended: `exited with exit status: 1`, `did not finish within 600 s`, or why it
    /// could not start.
    pub ended: String,
    /// Its whole standard output (the message shows the last lines).
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// The last `count` lines of `text`, saying how many were left out.
fn tail(text: &str, count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= count {
        return text.to_string();
    }
    format!(
        "[{} earlier lines]\n{}",
        lines.len() - count,
        lines[lines.len() - count..].join("\n")
    )
}

/// The test suite's buildah: its storage under the test cache, vfs, chroot isolation, no pulls.
#[derive(Debug, Clone)]
pub struct Buildah {
    /// The test cache: `storage/`, `run/`, `tmp/`, the lock and `registries.conf`.
    dir: PathBuf,
}

impl Buildah {
    /// The storage every test shares, or `None` when `buildah` is missing or the process is not
    /// root: the test that needs it then returns, skipped and saying why, or fails where tools
    /// are required (see [`crate::tool_missing`]).
    pub fn shared() -> Option<Self> {
        match Command::new("buildah").arg("--version").output() {
            Ok(output) if output.status.success() => {}
            Ok(output) => {
                crate::tool_missing(format!(
                    "`buildah --version` failed: {}",
                    crate::venv::describe(&output)
                ));
                return None;
            }
            Err(error) => {
                crate::tool_missing(format!(
                    "`buildah` is not available ({error}); `apt-get install buildah` brings it"
                ));
                return None;
            }
        }
        if !is_root() {
            crate::tool_missing(
                "the image tests need root: buildah's chroot isolation and debootstrap do not \
                 run as another user",
            );
            return None;
        }
        let buildah = Self::at(cache_dir());
        buildah.prepare().unwrap_or_else(|error| {
            panic!(
                "cannot prepare the test image storage in {}: {error}",
                buildah.dir.display()
            )
        });
        Some(buildah)
    }

    /// A buildah whose storage lives in `dir` (made when first used).
    fn at(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Makes the directories and the registry configuration: no registry to search, so that
    /// a short image name can only mean a local image or a build context.
    fn prepare(&self) -> io::Result<()> {
        for sub in ["storage", "run", "tmp"] {
            fs_err::create_dir_all(self.dir.join(sub))?;
        }
        let registries = self.dir.join("registries.conf");
        if !registries.exists() {
            // Another process may be reading it: write aside, then rename over.
            let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
            io::Write::write_all(&mut file, b"unqualified-search-registries = []\n")?;
            file.persist(&registries).map_err(|error| error.error)?;
        }
        Ok(())
    }

    /// The test cache directory this buildah keeps its storage in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `buildah` with this storage and nothing of the machine's container configuration but its
    /// signature policy: for what the helpers here do not cover.
    pub fn command(&self) -> Command {
        let mut command = Command::new("buildah");
        crate::hermetic(&mut command);
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.starts_with("BUILDAH_")
                || key.starts_with("CONTAINERS_")
                || key == "REGISTRY_AUTH_FILE"
            {
                command.env_remove(key.as_ref());
            }
        }
        command
            .arg("--root")
            .arg(self.dir.join("storage"))
            .arg("--runroot")
            .arg(self.dir.join("run"))
            .args(["--storage-driver", "vfs"])
            // Cache mounts and image copies go under TMPDIR: keep them in the test cache too.
            .env("TMPDIR", self.dir.join("tmp"))
            .env(
                "CONTAINERS_REGISTRIES_CONF",
                self.dir.join("registries.conf"),
            )
            .env("BUILDAH_ISOLATION", "chroot")
            .stdin(Stdio::null());
        command
    }

    /// The Debian bookworm image with `python3`, `venv` and pip that tests build on, made the
    /// first time any test process asks for it (see the module docs), or `None` when
    /// `debootstrap` is missing and the image is not there yet.
    pub fn python_base(&self) -> Option<Image> {
        let name = format!("localhost/strata-test-python:{BASE_SUITE}-{BASE_RECIPE}");
        let lock = self.dir.join("python-base.lock");
        let result = once_across_processes(
            &lock,
            || self.image_id(&name),
            || {
                let Some(debootstrap) = find_debootstrap() else {
                    crate::tool_missing(
                        "`debootstrap` is not available (the test base image is made with it); \
                         `apt-get install debootstrap` brings it",
                    );
                    return Ok(None);
                };
                self.make_python_base(&debootstrap, &name).map(Some)
            },
        );
        match result {
            Ok(Some(id)) => Some(Image {
                buildah: self.clone(),
                id,
                reference: name,
                owned: false,
            }),
            Ok(None) => None,
            Err(error) => panic!("cannot make the test base image {name}: {error}"),
        }
    }

    /// The id of the image `reference` names in this storage, if it is there.
    fn image_id(&self, reference: &str) -> Option<String> {
        let mut command = self.command();
        command.args(["images", "--quiet", "--no-trunc", "--noheading", reference]);
        let output = run_bounded(&mut command, COMMAND_TIMEOUT).ok()?;
        output.lines().next().map(str::to_string)
    }

    /// debootstrap into a scratch directory, tar it, and build `FROM scratch` + `ADD` of it.
    fn make_python_base(&self, debootstrap: &Path, name: &str) -> Result<String, CommandFailed> {
        let work = self.dir.join("python-base-work");
        // What an interrupted attempt left, debootstrap would refuse or reuse half-done.
        if work.exists() {
            fs_err::remove_dir_all(&work).map_err(|error| io_failure("clearing", &work, &error))?;
        }
        let rootfs = work.join("rootfs");
        let context = work.join("context");
        fs_err::create_dir_all(&context).map_err(|error| io_failure("making", &context, &error))?;

        let started = Instant::now();
        // The machine's environment as it is: debootstrap downloads through whatever proxy the
        // machine's tools use.
        let mut command = Command::new(debootstrap);
        command
            .args(["--variant=minbase", &format!("--include={BASE_PACKAGES}")])
            .arg(BASE_SUITE)
            .arg(&rootfs)
            .stdin(Stdio::null());
        run_bounded(&mut command, DEBOOTSTRAP_TIMEOUT)?;
        let debootstrapped = started.elapsed();

        // The downloaded .deb files stay behind in the root file system: 50 MB the image
        // does not need.
        let archives = rootfs.join("var/cache/apt/archives");
        for entry in
            fs_err::read_dir(&archives).map_err(|error| io_failure("listing", &archives, &error))?
        {
            let path = entry
                .map_err(|error| io_failure("listing", &archives, &error))?
                .path();
            if path.extension().is_some_and(|extension| extension == "deb") {
                fs_err::remove_file(&path)
                    .map_err(|error| io_failure("removing", &path, &error))?;
            }
        }
        // GNU tar keeps owners, modes, links and device nodes exactly, as `ADD` expects.
        let mut command = Command::new("tar");
        command
            .arg("-C")
            .arg(&rootfs)
            .arg("-cf")
            .arg(context.join("rootfs.tar"))
            .arg(".")
            .stdin(Stdio::null());
        run_bounded(&mut command, COMMAND_TIMEOUT)?;
        fs_err::write(
            context.join("Dockerfile"),
            "FROM scratch\nADD rootfs.tar /\nENV LANG=C.UTF-8\nCMD [\"python3\"]\n",
        )
        .map_err(|error| io_failure("writing", &context, &error))?;

        let imported = Instant::now();
        let iidfile = work.join("iid");
        let mut command = self.command();
        command
            .args([
                "build",
                "--isolation",
                "chroot",
                "--pull=never",
                "--iidfile",
            ])
            .arg(&iidfile)
            .args(["--tag", name])
            .arg(&context);
        run_bounded(&mut command, BUILD_TIMEOUT)?;
        let id = read_iid(&iidfile)?;
        report(&format!(
            "made the test base image {name} ({id}): debootstrap {:.0} s, import {:.0} s",
            debootstrapped.as_secs_f64(),
            imported.elapsed().as_secs_f64()
        ));
        fs_err::remove_dir_all(&work).map_err(|error| io_failure("removing", &work, &error))?;
        Ok(id)
    }

    /// Builds `build`, which must succeed (the panic names the command and its output).
    pub fn build(&self, build: &Build) -> Image {
        self.try_build(build)
            .unwrap_or_else(|error| panic!("{error}"))
    }

    /// Builds `build`: the image, removed when dropped, or how buildah failed.
    pub fn try_build(&self, build: &Build) -> Result<Image, CommandFailed> {
        let number = BUILD_COUNTER.fetch_add(1, Ordering::Relaxed);
        let reference = format!(
            "localhost/strata-test-build:{}-{number}",
            std::process::id()
        );
        let scratch = tempfile::tempdir_in(self.dir.join("tmp"))
            .map_err(|error| io_failure("making a directory in", &self.dir, &error))?;
        let iidfile = scratch.path().join("iid");
        let mut command = self.command();
        command
            .args([
                "build",
                "--isolation",
                "chroot",
                "--pull=never",
                "--iidfile",
            ])
            .arg(&iidfile)
            .args(["--tag", &reference]);
        if let Some(dockerfile) = &build.dockerfile {
            command.arg("--file").arg(dockerfile);
        }
        if let Some(target) = &build.target {
            command.args(["--target", target]);
        }
        for (name, value) in &build.args {
            command.arg("--build-arg").arg(format!("{name}={value}"));
        }
        for (name, value) in &build.contexts {
            command
                .arg("--build-context")
                .arg(format!("{name}={value}"));
        }
        for (id, source) in &build.secrets {
            command
                .arg("--secret")
                .arg(format!("id={id},src={}", source.display()));
        }
        if let Some(ignorefile) = &build.ignorefile {
            command.arg("--ignorefile").arg(ignorefile);
        }
        command.arg(&build.context);
        run_bounded(&mut command, BUILD_TIMEOUT)?;
        Ok(Image {
            buildah: self.clone(),
            id: read_iid(&iidfile)?,
            reference,
            owned: true,
        })
    }
}

/// One `buildah build`: a context directory and what is passed with it.
#[derive(Debug, Clone)]
pub struct Build {
    context: PathBuf,
    dockerfile: Option<PathBuf>,
    target: Option<String>,
    args: Vec<(String, String)>,
    contexts: Vec<(String, String)>,
    secrets: Vec<(String, PathBuf)>,
    ignorefile: Option<PathBuf>,
}

impl Build {
    /// A build of `context` (its `Dockerfile` unless [`Build::dockerfile`] says otherwise).
    pub fn new(context: impl Into<PathBuf>) -> Self {
        Self {
            context: context.into(),
            dockerfile: None,
            target: None,
            args: Vec::new(),
            contexts: Vec::new(),
            secrets: Vec::new(),
            ignorefile: None,
        }
    }

    /// `--ignorefile`: the ignore file of the context, as BuildKit reads
    /// `<Dockerfile>.dockerignore` next to a Dockerfile (buildah 1.28 does not look there).
    #[must_use]
    pub fn ignorefile(mut self, path: impl Into<PathBuf>) -> Self {
        self.ignorefile = Some(path.into());
        self
    }

    /// `--file`: the Dockerfile, when it is not the context's `Dockerfile`.
    #[must_use]
    pub fn dockerfile(mut self, path: impl Into<PathBuf>) -> Self {
        self.dockerfile = Some(path.into());
        self
    }

    /// `--target`: the stage to build (and the stages it needs), not the last one.
    #[must_use]
    pub fn target(mut self, stage: impl Into<String>) -> Self {
        self.target = Some(stage.into());
        self
    }

    /// `--build-arg NAME=VALUE`. Build arguments are recorded in the image's history: never
    /// pass a secret this way.
    #[must_use]
    pub fn arg(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.args.push((name.into(), value.into()));
        self
    }

    /// `--build-context NAME=container-image://IMAGE`: `FROM NAME` (and `COPY --from=NAME`)
    /// means `image`.
    #[must_use]
    pub fn context_image(mut self, name: impl Into<String>, image: &Image) -> Self {
        self.contexts.push((
            name.into(),
            format!("container-image://{}", image.reference),
        ));
        self
    }

    /// `--build-context NAME=DIR`: `COPY --from=NAME` and `RUN --mount=from=NAME` read `dir`.
    #[must_use]
    pub fn context_dir(mut self, name: impl Into<String>, dir: impl AsRef<Path>) -> Self {
        self.contexts
            .push((name.into(), dir.as_ref().display().to_string()));
        self
    }

    /// `--secret id=ID,src=FILE`: `RUN --mount=type=secret,id=ID` sees the file's content at
    /// `/run/secrets/ID` for that step only.
    #[must_use]
    pub fn secret(mut self, id: impl Into<String>, file: impl Into<PathBuf>) -> Self {
        self.secrets.push((id.into(), file.into()));
        self
    }
}

/// An image in the test storage: a build's result (removed when dropped) or the shared base.
#[derive(Debug)]
pub struct Image {
    buildah: Buildah,
    id: String,
    reference: String,
    /// A build's result is the test's to remove; the shared base is not.
    owned: bool,
}

impl Image {
    /// The image's full id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Its name in the test storage (`localhost/...`), for `FROM` lines and build contexts.
    pub fn reference(&self) -> &str {
        &self.reference
    }

    /// The output of `argv` run in a fresh container of this image, which must succeed (the
    /// panic names the command and its output).
    pub fn run(&self, argv: &[&str]) -> String {
        let output = self.try_run(argv).unwrap_or_else(|error| panic!("{error}"));
        assert!(
            output.code == 0,
            "`{}` in {} failed:\n{}",
            argv.join(" "),
            self.reference,
            output.render()
        );
        output.stdout
    }

    /// `argv` run in a fresh container of this image, whatever it exits with; an error only
    /// when buildah could not make or run the container.
    pub fn try_run(&self, argv: &[&str]) -> Result<Output, CommandFailed> {
        self.try_run_mounted(None, argv)
    }

    /// [`Image::try_run`] with host directory `mount.0` bind-mounted at `mount.1`, which is
    /// also the working directory, as `docker run -v DIR:PATH -w PATH` does.
    pub fn try_run_mounted(
        &self,
        mount: Option<(&Path, &str)>,
        argv: &[&str],
    ) -> Result<Output, CommandFailed> {
        let mut command = self.buildah.command();
        command.args(["from", "--pull=never", "--quiet", &self.reference]);
        let container = run_bounded(&mut command, COMMAND_TIMEOUT)?
            .trim()
            .to_string();
        let container = Container {
            buildah: &self.buildah,
            name: container,
        };
        let mut command = self.buildah.command();
        command.args(["run", "--isolation", "chroot"]);
        if let Some((dir, path)) = mount {
            command
                .arg("--volume")
                .arg(format!("{}:{path}", dir.display()))
                .args(["--workingdir", path]);
        }
        command.args([&container.name, "--"]).args(argv);
        let output = capture_bounded(&mut command, COMMAND_TIMEOUT)?;
        Ok(Output {
            code: output.status.code().unwrap_or(-1),
            stdout: output.stdout,
            stderr: output.stderr,
        })
    }

    /// Where `needle` appears in the image as it would be pushed: one entry per layer
    /// (`layer sha256:... at usr/lib/file`) and for its configuration and manifest, whose
    /// history records build arguments. Empty when it appears nowhere.
    pub fn layers_containing(&self, needle: &[u8]) -> Vec<String> {
        self.try_layers_containing(needle)
            .unwrap_or_else(|error| panic!("{error}"))
    }

    /// [`Image::layers_containing`], or how exporting or reading the image failed.
    pub fn try_layers_containing(&self, needle: &[u8]) -> Result<Vec<String>, CommandFailed> {
        assert!(!needle.is_empty(), "an empty needle is everywhere");
        let scratch = tempfile::tempdir_in(self.buildah.dir.join("tmp"))
            .map_err(|error| io_failure("making a directory in", &self.buildah.dir, &error))?;
        let export = scratch.path().join("image");
        let mut command = self.buildah.command();
        // Uncompressed, so the blobs are the layers' tar streams as they would be unpacked.
        command
            .args(["push", "--quiet", "--disable-compression", &self.reference])
            .arg(format!("dir:{}", export.display()));
        run_bounded(&mut command, COMMAND_TIMEOUT)?;

        let manifest_path = export.join("manifest.json");
        let manifest = fs_err::read(&manifest_path)
            .map_err(|error| io_failure("reading", &manifest_path, &error))?;
        let mut found = Vec::new();
        if memchr::memmem::find(&manifest, needle).is_some() {
            found.push("manifest".to_string());
        }
        let manifest: serde_json::Value = serde_json::from_slice(&manifest)
            .map_err(|error| io_failure("parsing", &manifest_path, &io::Error::other(error)))?;
        let config = manifest["config"]["digest"].as_str().unwrap_or_default();
        let layers = manifest["layers"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let blobs = std::iter::once(("configuration", config)).chain(
            layers
                .iter()
                .map(|layer| ("layer", layer["digest"].as_str().unwrap_or_default())),
        );
        for (kind, digest) in blobs {
            let hex = digest.rsplit(':').next().unwrap_or_default();
            let path = export.join(hex);
            let read_error = |error: io::Error| io_failure("reading", &path, &error);
            if !stream_contains(open_blob(&path).map_err(read_error)?, needle)
                .map_err(read_error)?
            {
                continue;
            }
            let mut place = format!("{kind} {digest}");
            if kind == "layer" {
                for file in files_containing(open_blob(&path).map_err(read_error)?, needle)
                    .map_err(read_error)?
                {
                    let _ = write!(place, " at {file}");
                }
            }
            found.push(place);
        }
        Ok(found)
    }
}

impl Drop for Image {
    fn drop(&mut self) {
        if self.owned {
            let mut command = self.buildah.command();
            command.args(["rmi", "--force", &self.id]);
            // A failure leaves an image behind in the test cache, nothing worse; the test's own
            // outcome matters more than a panic here.
            let _ = run_bounded(&mut command, COMMAND_TIMEOUT);
        }
    }
}

/// A working container, removed when dropped.
struct Container<'a> {
    buildah: &'a Buildah,
    name: String,
}

impl Drop for Container<'_> {
    fn drop(&mut self) {
        let mut command = self.buildah.command();
        command.args(["rm", &self.name]);
        let _ = run_bounded(&mut command, COMMAND_TIMEOUT);
    }
}

/// The value `present` finds, or else what `make` makes, with `lock` held so that of several
/// processes (or threads) asking at once one makes it and the others wait and then find it.
fn once_across_processes<T>(
    lock: &Path,
    present: impl Fn() -> Option<T>,
    make: impl FnOnce() -> Result<Option<T>, CommandFailed>,
) -> Result<Option<T>, CommandFailed> {
    if let Some(value) = present() {
        return Ok(Some(value));
    }
    let file = fs_err::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock)
        .map_err(|error| io_failure("opening", lock, &error))?;
    file.lock()
        .map_err(|error| io_failure("locking", lock, &error))?;
    // Whoever held the lock before may have made it meanwhile.
    if let Some(value) = present() {
        return Ok(Some(value));
    }
    make()
    // The lock is released when `file` is closed, also when `make` panics.
}

/// The directory shared by every test process of this target directory: beside Cargo's
/// `CARGO_TARGET_TMPDIR` (`<target>/tmp`), found from the running test binary, which lives in
/// `<target>/<profile>/deps/`; the system's temporary directory when the binary lives elsewhere.
fn cache_dir() -> PathBuf {
    let target = std::env::current_exe().ok().and_then(|exe| {
        let deps = exe.parent()?;
        if deps.file_name()? != "deps" {
            return None;
        }
        Some(deps.parent()?.parent()?.to_path_buf())
    });
    match target {
        Some(target) => target.join("tmp").join("strata-test-images"),
        None => std::env::temp_dir().join("strata-test-images"),
    }
}

/// Whether this process runs as root (the real user id is 0, as `/proc/self/status` says).
fn is_root() -> bool {
    fs_err::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            == Some("0")
    })
}

/// `debootstrap` on `PATH`, or where Debian installs it (`/usr/sbin` is not on every `PATH`).
#[expect(
    clippy::disallowed_methods,
    reason = "looking a tool up on PATH, as the shell would; not a strata setting"
)]
fn find_debootstrap() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("debootstrap"))
            .find(|candidate| candidate.is_file())
    });
    on_path.or_else(|| {
        let sbin = PathBuf::from("/usr/sbin/debootstrap");
        sbin.is_file().then_some(sbin)
    })
}

/// The image id buildah wrote to `--iidfile` (`sha256:<hex>` or bare hex), without its prefix.
fn read_iid(path: &Path) -> Result<String, CommandFailed> {
    let text = fs_err::read_to_string(path).map_err(|error| io_failure("reading", path, &error))?;
    Ok(text.trim().trim_start_matches("sha256:").to_string())
}

/// A failure of the harness's own file handling, in the shape of a command's.
fn io_failure(doing: &str, path: &Path, error: &io::Error) -> CommandFailed {
    CommandFailed {
        command: format!("({doing} {})", path.display()),
        ended: format!("failed: {error}"),
        stdout: String::new(),
        stderr: String::new(),
    }
}

/// A blob of an exported image, decompressed when it is gzip (a layer pushed uncompressed is a
/// plain tar; this also reads one that is not).
fn open_blob(path: &Path) -> io::Result<Box<dyn Read>> {
    let mut file = fs_err::File::open(path)?;
    let mut magic = [0_u8; 2];
    let read = file.read(&mut magic)?;
    let file = fs_err::File::open(path)?;
    if read == 2 && magic == [0x1f, 0x8b] {
        Ok(Box::new(flate2::read::GzDecoder::new(file)))
    } else {
        Ok(Box::new(file))
    }
}

/// Whether `needle` occurs anywhere in `reader`'s bytes, read in chunks with an overlap so that
/// an occurrence across two chunks is found.
fn stream_contains(mut reader: impl Read, needle: &[u8]) -> io::Result<bool> {
    let finder = memchr::memmem::Finder::new(needle);
    let mut buffer = vec![0_u8; (1 << 20) + needle.len()];
    let mut kept = 0;
    loop {
        let read = reader.read(&mut buffer[kept..])?;
        if read == 0 {
            return Ok(false);
        }
        let filled = kept + read;
        if finder.find(&buffer[..filled]).is_some() {
            return Ok(true);
        }
        kept = filled.min(needle.len() - 1);
        buffer.copy_within(filled - kept..filled, 0);
    }
}

/// The paths of a layer's entries whose name, link target, extended headers or content hold
/// `needle`; empty when it is only in the tar stream's own structure.
fn files_containing(reader: impl Read, needle: &[u8]) -> io::Result<Vec<String>> {
    let finder = memchr::memmem::Finder::new(needle);
    let mut archive = tar::Archive::new(reader);
    let mut found = Vec::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let mut holds = finder.find(&entry.path_bytes()).is_some()
            || entry
                .link_name_bytes()
                .is_some_and(|link| finder.find(&link).is_some());
        if let Some(extensions) = entry.pax_extensions()? {
            for extension in extensions {
                let extension = extension?;
                holds |= finder.find(extension.key_bytes()).is_some()
                    || finder.find(extension.value_bytes()).is_some();
            }
        }
        holds |= stream_contains(&mut entry, needle)?;
        if holds {
            found.push(path);
        }
    }
    Ok(found)
}

/// `command`'s standard output, which must exit 0 within `timeout`.
fn run_bounded(command: &mut Command, timeout: Duration) -> Result<String, CommandFailed> {
    let output = capture_bounded(command, timeout)?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(CommandFailed {
            command: output.command,
            ended: format!("exited with {}", output.status),
            stdout: output.stdout,
            stderr: output.stderr,
        })
    }
}

/// What a command printed and how it exited.
struct Captured {
    command: String,
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Runs `command` to its end, or kills it (and what it started) after `timeout`.
fn capture_bounded(command: &mut Command, timeout: Duration) -> Result<Captured, CommandFailed> {
    let line = command_line(command);
    let failed = |ended: String, stdout: String, stderr: String| CommandFailed {
        command: line.clone(),
        ended,
        stdout,
        stderr,
    };
    // Its own process group, so that a hang is ended with everything it started.
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|error| {
            failed(
                format!("could not start: {error}"),
                String::new(),
                String::new(),
            )
        })?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if Instant::now() >= deadline => {
                kill_group(&mut child);
                break Err(format!("did not finish within {} s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(error) => break Err(format!("could not be waited for: {error}")),
        }
    };
    let stdout = joined(stdout);
    let stderr = joined(stderr);
    match status {
        Ok(status) => Ok(Captured {
            command: line,
            status,
            stdout,
            stderr,
        }),
        Err(ended) => Err(failed(ended, stdout, stderr)),
    }
}

/// Kills `child`'s process group, then reaps `child`.
fn kill_group(child: &mut Child) {
    let group = format!("-{}", child.id());
    let _ = Command::new("kill")
        .args(["-KILL", "--", &group])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// Reads a pipe to its end on a thread of its own, so that neither pipe fills and blocks.
fn drain(pipe: Option<impl Read + Send + 'static>) -> Option<JoinHandle<Vec<u8>>> {
    pipe.map(|mut pipe| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    })
}

fn joined(handle: Option<JoinHandle<Vec<u8>>>) -> String {
    let bytes = handle
        .and_then(|handle| handle.join().ok())
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// `command` as a shell would read it, for messages.
fn command_line(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| {
            let part = part.to_string_lossy();
            if part.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
                format!("'{}'", part.replace('\'', r"'\''"))
            } else {
                part.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Says how long making the shared base image took: it happens once per target directory and
/// takes minutes, so a test run that seems slow says why.
#[expect(
    clippy::print_stderr,
    reason = "a test helper saying where minutes went"
)]
fn report(message: &str) {
    eprintln!("strata-testindex: {message}");
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[test]
    fn what_several_threads_ask_for_at_once_is_made_once() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("lock");
        let made = dir.path().join("made");
        let makes = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        once_across_processes(
                            &lock,
                            || fs_err::read_to_string(&made).ok(),
                            || {
                                makes.fetch_add(1, Ordering::SeqCst);
                                // Long enough for the others to be waiting on the lock.
                                std::thread::sleep(Duration::from_millis(300));
                                fs_err::write(&made, "value").unwrap();
                                Ok(Some("value".to_string()))
                            },
                        )
                        .unwrap()
                    })
                })
                .collect();
            for handle in handles {
                assert_eq!(handle.join().unwrap().as_deref(), Some("value"));
            }
        });
        assert_eq!(makes.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_needle_across_two_chunks_is_found() {
        let mut bytes = vec![b'x'; (1 << 20) - 3];
        bytes.extend_from_slice(b"needle");
        bytes.extend_from_slice(&[b'y'; 100]);
        assert!(stream_contains(bytes.as_slice(), b"needle").unwrap());
        assert!(!stream_contains(bytes.as_slice(), b"needles").unwrap());
    }

    #[test]
    fn a_hanging_command_is_killed_and_named() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo started; sleep 30"]);
        let started = Instant::now();
        let error = run_bounded(&mut command, Duration::from_secs(1)).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(20), "{error}");
        assert_eq!(error.command, "sh -c 'echo started; sleep 30'");
        assert_eq!(error.ended, "did not finish within 1 s");
        assert_eq!(error.stdout, "started\n");
    }

    #[test]
    fn a_failing_command_is_named_with_its_output() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo out; echo broken >&2; exit 3"]);
        let message = run_bounded(&mut command, COMMAND_TIMEOUT)
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "`sh -c 'echo out; echo broken >&2; exit 3'` exited with exit status: 3\n\
             --- stdout\nout\n\n--- stderr\nbroken\n"
        );
    }
}
