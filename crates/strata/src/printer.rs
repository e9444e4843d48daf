//! Where output goes: data to stdout, messages to stderr, both coloured only when wanted.
//!
//! This is the only module that writes to the terminal. A closed stdout (`strata profiles |
//! head`) is not an error: the write fails with a broken pipe and the command ends quietly.

use std::io::{self, Write};

use anstream::{AutoStream, ColorChoice};
use anstyle::{AnsiColor, Style};

use crate::args;
use crate::env_vars;

/// Styles used in human output. Everything must read the same without colour.
pub(crate) const ERROR: Style = AnsiColor::Red.on_default().bold();
pub(crate) const WARNING: Style = AnsiColor::Yellow.on_default().bold();
pub(crate) const HINT: Style = AnsiColor::Cyan.on_default().bold();
pub(crate) const EMPHASIS: Style = Style::new().bold();
pub(crate) const DIM: Style = Style::new().dimmed();

/// How chatty to be on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

pub(crate) struct Printer {
    stdout: AutoStream<io::Stdout>,
    stderr: AutoStream<io::Stderr>,
    verbosity: Verbosity,
}

impl Printer {
    pub(crate) fn new(color: args::ColorChoice, verbosity: Verbosity) -> Self {
        let choice = match color {
            args::ColorChoice::Always => ColorChoice::Always,
            args::ColorChoice::Never => ColorChoice::Never,
            args::ColorChoice::Auto
                if env_vars::var(env_vars::NO_COLOR).is_some_and(|value| !value.is_empty()) =>
            {
                ColorChoice::Never
            }
            args::ColorChoice::Auto => ColorChoice::Auto,
        };
        Self {
            stdout: AutoStream::new(io::stdout(), choice),
            stderr: AutoStream::new(io::stderr(), choice),
            verbosity,
        }
    }

    /// Whether `--quiet` hides status messages.
    pub(crate) fn is_quiet(&self) -> bool {
        self.verbosity < Verbosity::Normal
    }

    /// Writes command output (the data a user may pipe) to stdout.
    pub(crate) fn data(&mut self, text: &str) -> io::Result<()> {
        self.stdout.write_all(text.as_bytes())?;
        self.stdout.flush()
    }

    /// A status message on stderr, hidden by `--quiet`.
    pub(crate) fn status(&mut self, text: &str) {
        if self.verbosity >= Verbosity::Normal {
            // A failed write to stderr has nowhere to be reported.
            let _ = writeln!(self.stderr, "{text}");
        }
    }

    /// A detail on stderr, shown with `-v`.
    pub(crate) fn verbose(&mut self, text: &str) {
        if self.verbosity >= Verbosity::Verbose {
            let _ = writeln!(self.stderr, "{DIM}{text}{DIM:#}");
        }
    }

    /// A warning on stderr, hidden by `--quiet`.
    pub(crate) fn warning(&mut self, text: &str) {
        self.status(&format!("{WARNING}warning{WARNING:#}: {text}"));
    }

    /// A spinner on stderr that shows `status()` every 100 ms until the returned guard drops.
    ///
    /// Only on a terminal and without `--quiet`: CI logs and pipes get the final summary line
    /// alone, never a stream of redraws.
    pub(crate) fn progress(
        &self,
        status: impl Fn() -> String + Send + 'static,
    ) -> Option<Progress> {
        use std::io::IsTerminal;
        if self.verbosity < Verbosity::Normal || !io::stderr().is_terminal() {
            return None;
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        let updater = bar.clone();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = std::sync::Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                updater.set_message(status());
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        Some(Progress {
            bar,
            stop,
            thread: Some(thread),
        })
    }

    /// An error report on stderr; never hidden.
    pub(crate) fn error(&mut self, text: &str) {
        let _ = write!(self.stderr, "{text}");
        let _ = self.stderr.flush();
    }
}

/// A running spinner; dropping it clears the line.
pub(crate) struct Progress {
    bar: indicatif::ProgressBar,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.bar.finish_and_clear();
    }
}
