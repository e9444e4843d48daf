//! What `strata compile` does with the options and forms of its input files: index options are
//! used (not just read), every file of the command counts (its `-c` includes, its options), an
//! index the strategy never takes from is named, and what cannot be locked is an error on its
//! line rather than a lock without it.

use std::path::Path;

use strata_testindex::{Package, TestIndex, Universe};

use crate::support::Output;
use crate::{TARGET, compile, compile_command, pins};

/// `strata compile <args>` against exactly the indexes the files and `args` name.
fn compile_without_index_flag(dir: &Path, args: &[&str]) -> Output {
    compile_command(dir, args).args(TARGET).output()
}

fn primary() -> TestIndex {
    TestIndex::start(
        Universe::new()
            .package(Package::new("app", "1.0").requires("lib>=1"))
            .package(Package::new("lib", "1.0")),
    )
}

#[test]
fn extra_index_url_in_the_input_file_is_consulted() {
    let index = primary();
    let gpu = TestIndex::start(Universe::new().package(Package::new("kernels", "2.0")));
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("requirements.in"),
        format!("--extra-index-url {}\napp\nkernels\n", gpu.url()),
    )
    .unwrap();
    let output = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        pins(&output.stdout),
        ["app==1.0", "kernels==2.0", "lib==1.0"]
    );
    assert!(!gpu.requests_for("/simple/kernels/").is_empty());
}

#[test]
fn index_url_in_the_input_file_is_the_index_without_a_flag() {
    let index = primary();
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("requirements.in"),
        format!("-i {}\napp\n", index.url()),
    )
    .unwrap();
    let output = compile_without_index_flag(dir.path(), &["requirements.in"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(pins(&output.stdout), ["app==1.0", "lib==1.0"]);
}

#[test]
fn index_url_in_the_input_file_that_the_flag_overrides_is_named() {
    let index = primary();
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("requirements.in"),
        "app\n--index-url http://127.0.0.1:9/simple/\n",
    )
    .unwrap();
    let output = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stderr.contains(
            "warning: The `--index-url` of requirements.in:2 is overridden by the command line's `--index-url`"
        ),
        "{}",
        output.render()
    );
}

#[test]
fn find_links_in_the_input_file_are_relative_to_it_and_used() {
    let index = primary();
    let local = TestIndex::start(Universe::new().package(Package::new("inhouse", "0.5")));
    let dir = tempfile::tempdir().unwrap();
    let wheels = dir.path().join("wheels");
    fs_err::create_dir_all(&wheels).unwrap();
    let wheel = "inhouse-0.5-py3-none-any.whl";
    fs_err::copy(local.find_links_dir().join(wheel), wheels.join(wheel)).unwrap();
    drop(local);
    fs_err::create_dir_all(dir.path().join("requirements")).unwrap();
    fs_err::write(
        dir.path().join("requirements/app.in"),
        "-f ../wheels\napp\ninhouse\n",
    )
    .unwrap();
    let output = compile(dir.path(), &index, &["requirements/app.in"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(
        pins(&output.stdout),
        ["app==1.0", "inhouse==0.5", "lib==1.0"]
    );
    // pip needs the directory to install the lock: it is recorded, as pip-compile does.
    assert!(
        output.stdout.contains("\n--find-links wheels\n"),
        "{}",
        output.stdout
    );
}

/// `app` needs `lib>=1`, of which 1.0 and 2.0 exist: what a constraint does shows in `lib`.
fn app_and_two_libs() -> TestIndex {
    TestIndex::start(
        Universe::new()
            .package(Package::new("app", "1.0").requires("lib>=1"))
            .package(Package::new("lib", "1.0"))
            .package(Package::new("lib", "2.0")),
    )
}

#[test]
fn constraints_a_constraints_file_includes_still_constrain() {
    let index = app_and_two_libs();
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("requirements.in"), "app\n").unwrap();
    fs_err::write(dir.path().join("constraints.txt"), "-c pins.txt\n").unwrap();
    fs_err::write(dir.path().join("pins.txt"), "lib<2\n").unwrap();
    let output = compile(
        dir.path(),
        &index,
        &["requirements.in", "-c", "constraints.txt"],
    );
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(pins(&output.stdout), ["app==1.0", "lib==1.0"]);
}

#[test]
fn a_constraint_whose_markers_are_false_on_the_target_constrains_nothing() {
    let index = app_and_two_libs();
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("requirements.in"), "app\n").unwrap();
    // pip and uv skip a constraint whose markers do not hold where they resolve.
    fs_err::write(
        dir.path().join("constraints.txt"),
        "lib<2 ; sys_platform == 'win32'\n",
    )
    .unwrap();
    for (platform, expected) in [
        ("x86_64-manylinux_2_28", "lib==2.0"),
        ("x86_64-pc-windows-msvc", "lib==1.0"),
    ] {
        let output = compile_command(dir.path(), &["requirements.in", "-c", "constraints.txt"])
            .index(&index)
            .args(&["--python-version", "3.11", "--python-platform", platform])
            .output();
        assert_eq!(output.code, 0, "{}", output.render());
        assert_eq!(pins(&output.stdout), ["app==1.0", expected], "{platform}");
    }
}

#[test]
fn editable_in_the_input_file_is_an_error_on_its_line() {
    let index = primary();
    let dir = tempfile::tempdir().unwrap();
    fs_err::create_dir_all(dir.path().join("localpkg")).unwrap();
    fs_err::write(dir.path().join("requirements.in"), "app\n-e ./localpkg\n").unwrap();
    let output = compile(dir.path(), &index, &["requirements.in", "-o", "out.txt"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("requirements.in:2:1"),
        "{}",
        output.render()
    );
    assert!(!dir.path().join("out.txt").exists(), "no lock without it");
}

#[test]
fn a_manifest_that_does_not_read_is_an_error_not_ignored() {
    let index = primary();
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("strata.toml"),
        "extra-index-urls = [\"http://127.0.0.1:9/simple/\"]\n[profiles.base]\nrequirements = [\"app\"]\n",
    )
    .unwrap();
    fs_err::write(dir.path().join("requirements.in"), "app\n").unwrap();
    let output = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("extra-index-urls"),
        "{}",
        output.render()
    );
}

#[test]
fn an_extra_index_comes_before_the_default_one_and_is_written_into_the_output() {
    let index = primary();
    // The extra index is searched first: with first-index, `lib` comes from it alone, and the
    // default index is not even asked for it.
    let extra = TestIndex::start(Universe::new().package(Package::new("lib", "9.0")));
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("requirements.in"), "app\n").unwrap();
    let output = compile(
        dir.path(),
        &index,
        &["requirements.in", "--extra-index-url", &extra.url()],
    );
    assert_eq!(output.code, 0, "{}", output.render());
    assert_eq!(pins(&output.stdout), ["app==1.0", "lib==9.0"]);
    assert!(index.requests_for("/simple/lib/").is_empty());
    assert!(!output.stderr.contains("warning"), "{}", output.render());
    assert!(
        output
            .stdout
            .contains(&format!("\n--extra-index-url {}\n\n", extra.url())),
        "{}",
        output.stdout
    );
}

#[test]
fn an_extra_index_that_serves_no_package_is_named() {
    let index = primary();
    let extra = TestIndex::start(Universe::new().package(Package::new("unrelated", "1.0")));
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("requirements.in"), "app\n").unwrap();
    let output = compile(
        dir.path(),
        &index,
        &["requirements.in", "--extra-index-url", &extra.url()],
    );
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stderr.contains(&format!(
            "warning: No package was taken from the index `{}`: it has none of the packages resolved",
            extra.url()
        )),
        "{}",
        output.render()
    );
}

#[test]
fn a_direct_url_without_its_hash_is_an_error_when_the_lock_records_hashes() {
    let index = primary();
    let dir = tempfile::tempdir().unwrap();
    let wheel = index.file("lib-1.0-py3-none-any.whl").unwrap();
    let url = format!("{}{}", index.base_url(), wheel.url_path);
    fs_err::write(
        dir.path().join("requirements.in"),
        format!("app\nlib @ {url}\n"),
    )
    .unwrap();
    let output = compile(
        dir.path(),
        &index,
        &["--generate-hashes", "requirements.in", "-o", "out.txt"],
    );
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.contains("requirements.in:2:1") && output.stderr.contains("#sha256="),
        "{}",
        output.render()
    );
    assert!(!dir.path().join("out.txt").exists());

    // Without hashes the line is fine; with its hash, the lock pins it by that hash.
    let output = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(output.code, 0, "{}", output.render());
    fs_err::write(
        dir.path().join("requirements.in"),
        format!("app\nlib @ {url}#sha256={}\n", wheel.sha256),
    )
    .unwrap();
    let output = compile(
        dir.path(),
        &index,
        &["--generate-hashes", "requirements.in"],
    );
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stdout.contains(&format!(
            "lib @ {url} \\\n    --hash=sha256:{}",
            wheel.sha256
        )),
        "{}",
        output.stdout
    );
}

/// pip refuses a constraint with extras ("Constraints cannot have extras"), in a `-c` file of
/// the command line as in one a requirements file includes.
#[test]
fn constraint_with_extras_is_an_error_on_its_line_as_in_pip() {
    let index = primary();
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("requirements.in"), "app\n").unwrap();
    fs_err::write(dir.path().join("constraints.txt"), "lib[fast]<2\n").unwrap();
    fs_err::write(
        dir.path().join("with-include.in"),
        "app\n-c constraints.txt\n",
    )
    .unwrap();
    for args in [
        &["requirements.in", "-c", "constraints.txt"][..],
        &["with-include.in"][..],
    ] {
        let output = compile(dir.path(), &index, args);
        assert_eq!(output.code, 2, "{args:?}: {}", output.render());
        assert!(
            output.stderr.contains("cannot have extras")
                && output.stderr.contains("constraints.txt:1:1"),
            "{args:?}: {}",
            output.render()
        );
    }
}
