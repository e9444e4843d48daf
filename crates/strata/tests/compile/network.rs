//! A misbehaving index from the command line: `--http-timeout` and `STRATA_HTTP_TIMEOUT` bound
//! every request, a redirect loop fails at once, and a failure the cache still holds says how
//! to bypass it. Each ends with exit 2 and a message naming the URL and the package, and the
//! next run against the recovered index works.

use std::path::Path;
use std::time::{Duration, Instant};

use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::support::{Filters, Output};
use crate::{TARGET, compile_command, pins};

/// Far above what a one-second deadline costs on a loaded machine, far below the minutes the
/// faults would hold a run without one.
const BOUND: Duration = Duration::from_secs(20);

fn index(faults: Faults) -> TestIndex {
    TestIndex::start_with_faults(
        Universe::new()
            .package(Package::new("six", "1.17.0").wheel_tags("py2.py3-none-any"))
            .page_max_age(600),
        faults,
    )
}

/// `strata compile requirements.in` (which asks for `six`) with `environment` added, timed.
fn compile_with_env(
    dir: &Path,
    index: &TestIndex,
    args: &[&str],
    environment: &[(&str, &str)],
) -> (Output, Duration) {
    fs_err::write(dir.join("requirements.in"), "six\n").unwrap();
    let run = compile_command(dir, &["requirements.in"])
        .args(args)
        .index(index)
        .args(TARGET)
        .envs(environment);
    let started = Instant::now();
    let output = run.output();
    (output, started.elapsed())
}

fn stable(stderr: &str, index: &TestIndex) -> String {
    let text = Filters::new().index_port(index).apply(stderr);
    let mut out = String::new();
    for line in text.lines() {
        // Time spent and bytes received depend on the machine.
        let line = match line.find(" (1 attempt in ") {
            Some(at) => {
                let end = line[at..].find(')').map_or(line.len(), |end| at + end + 1);
                format!("{} (1 attempt in [TIME]){}", &line[..at], &line[end..])
            }
            None => line.to_string(),
        };
        let line = match line.find("arriving, ") {
            Some(at) => {
                let start = at + "arriving, ".len();
                let digits = line[start..]
                    .find(|character: char| !character.is_ascii_digit())
                    .map_or(line.len(), |end| start + end);
                format!("{}[N]{}", &line[..start], &line[digits..])
            }
            None => line,
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn the_variable_bounds_every_request_and_the_next_run_uses_the_cache() {
    let index = index(Faults::new().on(
        "/simple/six/",
        Fault::Trickle {
            bytes_per_second: 2,
        },
    ));
    let dir = tempfile::tempdir().unwrap();
    let (output, spent) =
        compile_with_env(dir.path(), &index, &[], &[("STRATA_HTTP_TIMEOUT", "1")]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(spent < BOUND, "{spent:?}");
    insta::assert_snapshot!(stable(&output.stderr, &index), @r"
    Resolving `requirements.in` for Python 3.11 on x86_64-manylinux_2_28
    error: Failed to fetch `http://127.0.0.1:PORT/simple/six/` for `six` within its deadline of 1 s (1 attempt in [TIME]): the body was still arriving, [N] bytes so far

    hint: The index answered too slowly. Each request may take `--http-timeout` seconds (`STRATA_HTTP_TIMEOUT`, default 300), retries included: raise it for a slow link, or check the index (and any proxy in front of it) if it should be fast
    ");

    index.set_faults(Faults::new());
    let (output, _) = compile_with_env(dir.path(), &index, &[], &[("STRATA_HTTP_TIMEOUT", "1")]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(pins(&output.stdout), ["six==1.17.0"]);
    index.reset_log();
    let (output, _) = compile_with_env(dir.path(), &index, &[], &[]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(index.requests(), [], "page and metadata from the cache");
}

#[test]
fn the_flag_overrides_the_variable() {
    let index = index(Faults::new().on("/simple/six/", Fault::Stall));
    let dir = tempfile::tempdir().unwrap();
    let (output, spent) = compile_with_env(
        dir.path(),
        &index,
        &["--http-timeout", "1.5"],
        &[("STRATA_HTTP_TIMEOUT", "600")],
    );
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(spent < BOUND, "{spent:?}");
    assert!(
        output.stderr.contains(
            "Failed to fetch `http://127.0.0.1:PORT/simple/six/` for `six` within its deadline of 1.5 s"
                .replace("PORT", &index.address().port().to_string())
                .as_str()
        ) && output.stderr.contains("no answer to the request had arrived"),
        "{}",
        output.stderr
    );
}

#[test]
fn a_bad_timeout_is_bad_input_naming_where_it_was_set() {
    let index = index(Faults::new());
    let dir = tempfile::tempdir().unwrap();
    let (output, _) = compile_with_env(dir.path(), &index, &[], &[("STRATA_HTTP_TIMEOUT", "soon")]);
    assert_eq!(output.code, 2, "{}", output.render());
    insta::assert_snapshot!(output.stderr, @"error: Invalid `STRATA_HTTP_TIMEOUT`: `soon` is not a number of seconds (such as 300); set it to the seconds each request may take, or unset it");

    let (output, _) = compile_with_env(dir.path(), &index, &["--http-timeout", "0"], &[]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains(
            "invalid value '0' for '--http-timeout <SECONDS>': `0` allows no time at all"
        ),
        "{}",
        output.stderr
    );
    assert_eq!(index.requests(), [], "nothing was asked of the index");
}

#[test]
fn a_redirect_loop_fails_at_once() {
    let index = index(Faults::new().on("/simple/six/", Fault::RedirectLoop));
    let dir = tempfile::tempdir().unwrap();
    let (output, _) = compile_with_env(dir.path(), &index, &[], &[]);
    assert_eq!(output.code, 2, "{}", output.render());
    insta::assert_snapshot!(stable(&output.stderr, &index), @r"
    Resolving `requirements.in` for Python 3.11 on x86_64-manylinux_2_28
    error: Failed to fetch `http://127.0.0.1:PORT/simple/six/` for `six`: it redirects in a loop: `http://127.0.0.1:PORT/simple/six/` -> `http://127.0.0.1:PORT/simple/six/`; not retried, as every attempt would be redirected the same way (1 attempt in [TIME])

    hint: Check the index URL, and the redirect rules of the server or proxy that serves it; `curl -sIL URL` shows where the redirects lead
    ");
    assert_eq!(index.requests().len(), 1);
}

#[test]
fn a_failure_the_cache_holds_names_the_flag_that_bypasses_it() {
    let index = index(Faults::new().on(
        "/simple/six/",
        Fault::NotFound {
            count: 1,
            max_age: Some(600),
        },
    ));
    let dir = tempfile::tempdir().unwrap();
    let (output, _) = compile_with_env(dir.path(), &index, &[], &[]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        !output.stderr.contains("--refresh-package"),
        "the 404 came from the index: {}",
        output.stderr
    );

    // The index has the project now, but granted its 404 ten minutes.
    let (output, _) = compile_with_env(dir.path(), &index, &[], &[]);
    assert_eq!(output.code, 2, "{}", output.render());
    let stderr = Filters::new().index_port(&index).apply(&output.stderr);
    assert!(
        stderr.contains("hint: The index page of `six` was reused from the cache (fetched ")
            && stderr.contains(
                " ago) without asking http://127.0.0.1:PORT/simple/; if the index has changed \
                 since, `--refresh-package six` (or `--refresh`) bypasses the cache"
            ),
        "{stderr}"
    );
    assert_eq!(index.requests_for("/simple/six/").len(), 1);

    let (output, _) = compile_with_env(dir.path(), &index, &["--refresh-package", "six"], &[]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(pins(&output.stdout), ["six==1.17.0"]);
}
