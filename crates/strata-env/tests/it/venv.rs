//! Real virtual environments with real pip, installing from a loopback test index
//! ([`strata_testindex::Venv`]), and what these tests ask of them beyond that.

use strata_env::{Environment, EnvironmentSource, Extras, InterpreterRequest};
pub(crate) use strata_testindex::Venv;
pub(crate) use strata_testindex::venv::describe;

/// What strata-env's tests read from a venv.
pub(crate) trait VenvExt {
    /// `pip check`: its problem lines, sorted, and whether it exited 1.
    fn pip_check(&self) -> (Vec<String>, bool);
    /// The environment as strata sees it through the venv's interpreter.
    fn environment(&self, extras: Extras) -> Environment;
}

impl VenvExt for Venv {
    fn pip_check(&self) -> (Vec<String>, bool) {
        let output = self.pip(&["check"]);
        let code = output.status.code().unwrap();
        assert!(code == 0 || code == 1, "{}", describe(&output));
        let mut lines: Vec<String> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .filter(|line| *line != "No broken requirements found.")
            .map(str::to_string)
            .collect();
        lines.sort();
        (lines, code == 1)
    }

    fn environment(&self, extras: Extras) -> Environment {
        let request = InterpreterRequest {
            python: Some(self.python()),
            ..InterpreterRequest::default()
        };
        Environment::open(&EnvironmentSource::Interpreter(request), extras).unwrap()
    }
}
