//! The `strata` binary: everything lives in the library so tests can drive it in-process.

use std::process::ExitCode;

fn main() -> ExitCode {
    strata::main()
}
