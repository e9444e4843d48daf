//! What a command under test printed, with its exit code, in the form snapshots store.

/// One run's exit code, stdout and stderr (lossily decoded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The exit code; -1 when a signal ended the process.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Output {
    /// Exit code, stdout and stderr together, as failure messages and snapshots show them.
    pub fn render(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// The lines of stdout, sorted (for output whose order is not the point).
    pub fn sorted_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.stdout.lines().map(str::to_string).collect();
        lines.sort();
        lines
    }

    /// The same output with every `text` (a temporary path) written as `placeholder`.
    #[must_use]
    pub fn hiding(self, text: &str, placeholder: &str) -> Self {
        Self {
            code: self.code,
            stdout: self.stdout.replace(text, placeholder),
            stderr: self.stderr.replace(text, placeholder),
        }
    }
}

impl From<std::process::Output> for Output {
    fn from(output: std::process::Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}
