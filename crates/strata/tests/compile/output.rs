//! What `strata compile` writes and prints, and how a recompile treats an existing lock.

use strata_testindex::{Package, TestIndex, Universe};

use crate::support::Filters;
use crate::{compile, pins};

fn universe() -> Universe {
    Universe::new()
        .package(
            Package::new("app", "1.0")
                .requires("lib>=1")
                .requires("winonly; sys_platform == 'win32'")
                .extra("speed", ["accel<2"]),
        )
        .package(Package::new("lib", "1.0"))
        .package(Package::new("lib", "1.2").requires("util").sdist())
        .package(Package::new("util", "0.3"))
        .package(Package::new("accel", "1.5"))
        .package(Package::new("accel", "2.0"))
}

#[test]
fn compile_writes_pins_with_hashes_and_via_annotations() {
    let index = TestIndex::start(universe());
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("requirements.in"),
        "app[speed]\nutil>=0.1\n",
    )
    .unwrap();
    let output = compile(
        dir.path(),
        &index,
        &["--generate-hashes", "requirements.in", "-o", "out.txt"],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(output.stdout, "", "the lock goes to the file only");
    let lock = fs_err::read_to_string(dir.path().join("out.txt")).unwrap();
    // Every file of a pinned version is hashed: the wheel and the sdist of lib 1.2.
    let lib = index.file("lib-1.2.tar.gz").unwrap();
    assert!(
        lock.contains(&format!("--hash=sha256:{}", lib.sha256)),
        "{lock}"
    );
    insta::assert_snapshot!(Filters::new().index_port(&index).apply(&lock));
}

#[test]
fn compile_without_output_file_prints_the_lock() {
    let index = TestIndex::start(universe());
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("requirements.in"), "lib\n").unwrap();
    let output = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(pins(&output.stdout), ["lib==1.2", "util==0.3"]);
}

#[test]
fn no_solution_exits_1_with_the_explanation() {
    let index = TestIndex::start(universe());
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("requirements.in"), "app[speed]\naccel>=2\n").unwrap();
    let output = compile(dir.path(), &index, &["requirements.in", "-o", "out.txt"]);
    assert_eq!(output.code, 1, "{}", output.stderr);
    assert!(!dir.path().join("out.txt").exists(), "no lock is written");
    insta::assert_snapshot!(Filters::new().index_port(&index).apply(&output.stderr));
}

#[test]
fn missing_input_file_exits_2() {
    let index = TestIndex::start(universe());
    let dir = tempfile::tempdir().unwrap();
    let output = compile(dir.path(), &index, &["missing.in"]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    assert!(output.stderr.contains("missing.in"), "{}", output.stderr);
}

#[test]
fn recompile_keeps_pins_and_upgrade_package_moves_only_that_package() {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("requirements.in"), "app\naccel\n").unwrap();
    let old = TestIndex::start(
        Universe::new()
            .package(Package::new("app", "1.0").requires("lib"))
            .package(Package::new("lib", "1.0"))
            .package(Package::new("accel", "1.0")),
    );
    let args = ["--generate-hashes", "requirements.in", "-o", "out.txt"];
    assert_eq!(compile(dir.path(), &old, &args).code, 0);
    let first = fs_err::read_to_string(dir.path().join("out.txt")).unwrap();
    assert_eq!(pins(&first), ["accel==1.0", "app==1.0", "lib==1.0"]);

    // New releases of everything appear; the existing lock is kept as it is.
    let new = TestIndex::start(
        Universe::new()
            .package(Package::new("app", "1.0").requires("lib"))
            .package(Package::new("app", "2.0").requires("lib>=2"))
            .package(Package::new("lib", "1.0"))
            .package(Package::new("lib", "2.0"))
            .package(Package::new("accel", "1.0"))
            .package(Package::new("accel", "2.0")),
    );
    let output = compile(dir.path(), &new, &args);
    assert_eq!(output.code, 0, "{}", output.stderr);
    let second = fs_err::read_to_string(dir.path().join("out.txt")).unwrap();
    assert_eq!(second, first, "nothing needed to change");

    // Upgrading app must move lib too (app 2.0 needs it); accel keeps its pin.
    let output = compile(
        dir.path(),
        &new,
        &[&args[..], &["--upgrade-package", "app"]].concat(),
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let third = fs_err::read_to_string(dir.path().join("out.txt")).unwrap();
    assert_eq!(pins(&third), ["accel==1.0", "app==2.0", "lib==2.0"]);

    let output = compile(
        dir.path(),
        &new,
        &[&args[..], &["--upgrade-package", "accel"]].concat(),
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let fourth = fs_err::read_to_string(dir.path().join("out.txt")).unwrap();
    assert_eq!(pins(&fourth), ["accel==2.0", "app==2.0", "lib==2.0"]);
}

#[test]
fn missing_extra_locks_the_newest_version_and_warns() {
    // The newest `pkg` no longer declares `gpu`; an old sdist that cannot be built still does.
    // Like pip and uv, strata takes the newest, says so on stderr, and succeeds.
    let index = TestIndex::start(
        Universe::new()
            .package(Package::new("pkg", "3.0"))
            .package(Package::new("pkg", "2.0").extra("gpu", ["accel"]))
            .package(
                Package::new("pkg", "1.0")
                    .no_wheels()
                    .sdist_build_fails("this ancient sdist cannot be built")
                    .extra("gpu", ["accel"]),
            )
            .package(Package::new("accel", "1.0")),
    );
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("requirements.in"), "pkg[gpu]\n").unwrap();
    let output = compile(dir.path(), &index, &["requirements.in", "-o", "out.txt"]);
    assert_eq!(output.code, 0, "{}", output.render());
    let lock = fs_err::read_to_string(dir.path().join("out.txt")).unwrap();
    assert_eq!(pins(&lock), ["pkg==3.0"]);
    assert!(
        lock.lines().any(|line| line.starts_with("pkg==3.0")),
        "the lock does not claim an extra the version lacks:\n{lock}"
    );
    assert!(
        output.stderr.contains(
            "warning: `pkg==3.0` does not provide the extra `gpu`; it is locked without it"
        ),
        "{}",
        output.render()
    );
}

#[test]
fn a_yanked_version_pinned_with_double_equals_is_locked_with_a_warning_naming_it_and_the_reason() {
    // pip installs a yanked version a requirement pins exactly, and warns with the reason.
    let index = TestIndex::start(
        Universe::new()
            .package(Package::new("lib", "1.2").yanked("corrupt wheel, use 1.2.1"))
            .package(Package::new("lib", "1.2.1"))
            .package(Package::new("util", "0.3").yanked(""))
            .package(Package::new("accel", "2.0")),
    );
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("requirements.in"),
        "lib==1.2\nutil==0.3\naccel\n",
    )
    .unwrap();
    let output = compile(dir.path(), &index, &["requirements.in", "-o", "out.txt"]);
    assert_eq!(output.code, 0, "{}", output.render());
    let lock = fs_err::read_to_string(dir.path().join("out.txt")).unwrap();
    assert_eq!(pins(&lock), ["accel==2.0", "lib==1.2", "util==0.3"]);
    let warnings: Vec<&str> = output
        .stderr
        .lines()
        .filter(|line| line.starts_with("warning:"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: `lib==1.2` is a yanked version, selected because a requirement pins it \
             with `==`; reason for being yanked: corrupt wheel, use 1.2.1",
            "warning: `util==0.3` is a yanked version, selected because a requirement pins it \
             with `==`; reason for being yanked: <none given>",
        ],
        "{}",
        output.render()
    );
}

#[test]
fn compile_format_json_lists_the_pins_what_was_written_and_the_warnings() {
    let index = TestIndex::start(
        universe().package(Package::new("util", "0.4").yanked("leaks file handles")),
    );
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(
        dir.path().join("requirements.in"),
        "app[speed]\nutil==0.4\n",
    )
    .unwrap();
    let args = [
        "--generate-hashes",
        "requirements.in",
        "-o",
        "out.txt",
        "--format",
        "json",
    ];
    let output = compile(dir.path(), &index, &args);
    assert_eq!(output.code, 0, "{}", output.render());
    let json: serde_json::Value = serde_json::from_str(&output.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", output.render()));
    assert_eq!(json["input"], "requirements.in");
    assert_eq!(json["python-version"], "3.11");
    assert_eq!(json["python-platform"], "x86_64-manylinux_2_28");
    assert_eq!(json["output-file"], "out.txt");
    assert_eq!(json["written"], true);
    assert!(
        json.get("lock").is_none(),
        "the lock is in the file: {json}"
    );
    let lock = fs_err::read_to_string(dir.path().join("out.txt")).unwrap();
    let listed: Vec<String> = json["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| {
            format!(
                "{}=={}",
                package["name"].as_str().unwrap(),
                package["version"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(listed, pins(&lock));
    let package = |name: &str| {
        json["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|package| package["name"] == name)
            .unwrap_or_else(|| panic!("no `{name}` in {json}"))
            .clone()
    };
    let app = package("app");
    assert_eq!(app["extras"], serde_json::json!(["speed"]));
    assert_eq!(app["via"], serde_json::json!(["-r requirements.in"]));
    let lib = package("lib");
    let sdist = index.file("lib-1.2.tar.gz").unwrap();
    assert!(
        lib["hashes"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(format!("sha256:{}", sdist.sha256))),
        "{lib}"
    );
    assert_eq!(
        json["warnings"],
        serde_json::json!([
            "`util==0.4` is a yanked version, selected because a requirement pins it with `==`; \
             reason for being yanked: leaks file handles"
        ])
    );

    // Nothing changed: nothing written. Without an output file, the lock is in the object.
    let again = compile(dir.path(), &index, &args);
    let json: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(json["written"], false, "{}", again.render());
    let to_stdout = compile(
        dir.path(),
        &index,
        &["--generate-hashes", "requirements.in", "--format", "json"],
    );
    let json: serde_json::Value = serde_json::from_str(&to_stdout.stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", to_stdout.render()));
    assert!(json["output-file"].is_null(), "{json}");
    assert_eq!(json["written"], false);
    assert_eq!(pins(json["lock"].as_str().unwrap()), pins(&lock));
}
