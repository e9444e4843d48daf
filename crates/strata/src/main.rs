//! The `strata` binary: everything lives in the library so tests can drive it in-process.

use std::process::ExitCode;

// Parsing Python is most of `strata contracts`, and much of the parser's time is allocation
// from several threads at once; uv and ruff ship mimalloc or jemalloc for the same reason.
// Measured with `strata contracts --root .` on transformers 4.46.3 (1,813 files, the layers
// contract of bench/contracts/run.sh, 10 alternating runs on a busy 2-core machine): best wall
// time 0.37 s against 0.48 s with glibc's malloc, median CPU time 0.86 s against 0.99 s. The
// price is peak memory: 81 MB against 20 MB.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    strata::main()
}
