//! One build's subprocesses: each runs with a cleaned environment and a time limit, its output
//! goes to the build's log (and, when asked, to the terminal as it comes), and a failure carries
//! the log's last lines.

use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind, io_error};

/// How many lines of the build output an error keeps.
pub(crate) const OUTPUT_LINES: usize = 40;

/// How long one step (venv, install, hook) may run by default. Generous: a stub sdist may
/// download a multi-GB wheel at build time, but a hung build must not hang strata forever.
pub const STEP_TIMEOUT: Duration = Duration::from_mins(20);

/// Variables that would make pip or Python look somewhere other than where strata decided.
const REMOVED_VARIABLES: [&str; 12] = [
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
    "PIP_USER",
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_REQUIRE_VIRTUALENV",
    "PIP_CONSTRAINT",
    "PIP_REQUIREMENT",
    "PYTHONPATH",
    "PYTHONHOME",
];

/// How a [`Session`] runs its steps.
#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    /// How long one step may run before it is stopped.
    pub step_timeout: Duration,
    /// Whether the steps' output is also copied to strata's stderr as it comes (a project
    /// build streams its backend's output; a metadata build during resolution does not).
    pub echo: bool,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            step_timeout: STEP_TIMEOUT,
            echo: false,
        }
    }
}

/// The log and settings of one build.
#[derive(Debug)]
pub struct Session {
    subject: String,
    log_path: PathBuf,
    log: fs_err::File,
    kept_log: PathBuf,
    options: SessionOptions,
}

impl Session {
    /// Starts a build of `subject` (words for the error: ``metadata of `x-1.0.tar.gz` ``) whose
    /// log is written in `work_dir` and, when a step fails, kept whole at `kept_log` (the work
    /// directory usually goes away).
    ///
    /// # Errors
    ///
    /// When the work directory or the log cannot be created.
    pub fn new(
        subject: impl Into<String>,
        work_dir: &Path,
        kept_log: PathBuf,
        options: SessionOptions,
    ) -> Result<Self, Error> {
        fs_err::create_dir_all(work_dir).map_err(|source| io_error(work_dir, source))?;
        let log_path = work_dir.join("build.log");
        let log = fs_err::File::create(&log_path).map_err(|source| io_error(&log_path, source))?;
        Ok(Self {
            subject: subject.into(),
            log_path,
            log,
            kept_log,
            options,
        })
    }

    /// Writes a line of strata's own into the log (and to stderr when echoing).
    pub fn note(&mut self, line: &str) {
        let _ = writeln!(self.log, "strata: {line}");
        if self.options.echo {
            let _ = writeln!(std::io::stderr(), "strata: {line}");
        }
    }

    /// Runs `command` with its output appended to the log; a failure carries the log's tail.
    /// Index and interpreter variables that could send pip or Python elsewhere are removed, and
    /// pip's configuration files are not read: the caller decides every source.
    ///
    /// # Errors
    ///
    /// When the command cannot start, exits unsuccessfully or outlives the step timeout.
    pub fn run(&mut self, what: &str, command: &mut Command) -> Result<(), Error> {
        // The log records what was done, not the command line, which may hold index URLs.
        self.note(what);
        // The machine's values go; the caller's own (the indexes a `PipSources` sets) stay.
        let set_by_caller: Vec<std::ffi::OsString> = command
            .get_envs()
            .filter(|(_, value)| value.is_some())
            .map(|(key, _)| key.to_os_string())
            .collect();
        for variable in REMOVED_VARIABLES {
            if !set_by_caller.iter().any(|key| key == variable) {
                command.env_remove(variable);
            }
        }
        command
            .env("PIP_CONFIG_FILE", null_device())
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
            .env("PIP_NO_INPUT", "1")
            .env("PYTHONNOUSERSITE", "1")
            .stdin(Stdio::null());
        if self.options.echo {
            command.stdout(Stdio::piped()).stderr(Stdio::piped());
        } else {
            let (stdout, stderr) = match (self.log.file().try_clone(), self.log.file().try_clone())
            {
                (Ok(stdout), Ok(stderr)) => (stdout, stderr),
                (Err(source), _) | (_, Err(source)) => {
                    return Err(io_error(&self.log_path, source));
                }
            };
            command
                .stdout(Stdio::from(stdout))
                .stderr(Stdio::from(stderr));
        }
        let mut child = command.spawn().map_err(|error| {
            self.failure(&format!(
                "Failed to {what}: cannot run `{}`: {error}",
                command.get_program().to_string_lossy()
            ))
        })?;
        // Echoing: one thread per pipe copies what comes to the log and to stderr, so the
        // backend's output reaches the user as it is printed.
        let copiers: Vec<_> = [
            child
                .stdout
                .take()
                .map(|pipe| Box::new(pipe) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|pipe| Box::new(pipe) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        .filter_map(|pipe| {
            let log = self.log.file().try_clone().ok()?;
            Some(std::thread::spawn(move || {
                copy_to_log_and_stderr(pipe, log);
            }))
        })
        .collect();
        let deadline = Instant::now() + self.options.step_timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Ok(status),
                Ok(None) if Instant::now() >= deadline => {
                    // Only the direct child is killed; what it started dies with its pipes or
                    // lingers until it finishes, which is all std offers without a process group.
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(format!(
                        "Failed to {what}: still running after {} seconds, stopped",
                        self.options.step_timeout.as_secs()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(error) => break Err(format!("Failed to {what}: {error}")),
            }
        };
        if status.is_ok() {
            for copier in copiers {
                let _ = copier.join();
            }
        }
        match status {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(self.failure(&format!("Failed to {what}: {status}"))),
            Err(reason) => Err(self.failure(&reason)),
        }
    }

    /// A build error with the last lines of the log, ending with `last_line`; the whole log,
    /// `last_line` included, is kept at the session's kept-log path.
    pub fn failure(&self, last_line: &str) -> Error {
        let mut log = fs_err::read(&self.log_path).unwrap_or_default();
        log.extend_from_slice(last_line.as_bytes());
        log.push(b'\n');
        // Without a kept copy the error still carries the tail; the path then names the work
        // directory's log, gone once the caller cleans up, which is all that can be said.
        let log_path = match strata_fs::write_atomic_unsynced(&self.kept_log, &log) {
            Ok(()) => self.kept_log.clone(),
            Err(_) => self.log_path.clone(),
        };
        let log = String::from_utf8_lossy(&log);
        let mut lines: Vec<&str> = log.lines().collect();
        let start = lines.len().saturating_sub(OUTPUT_LINES);
        let output = lines
            .drain(start..)
            .fold(String::new(), |mut output, line| {
                let _ = writeln!(output, "{line}");
                output
            });
        ErrorKind::Failed {
            subject: self.subject.clone(),
            output: output.trim_end().to_string(),
            log: log_path,
        }
        .into()
    }
}

fn copy_to_log_and_stderr(mut pipe: Box<dyn Read + Send>, mut log: std::fs::File) {
    let mut buffer = [0_u8; 8192];
    loop {
        match pipe.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(read) => {
                let _ = log.write_all(&buffer[..read]);
                let _ = std::io::stderr().write_all(&buffer[..read]);
            }
        }
    }
}

pub(crate) fn null_device() -> &'static str {
    // pip skips a configuration file named `os.devnull`.
    if cfg!(windows) { "nul" } else { "/dev/null" }
}
