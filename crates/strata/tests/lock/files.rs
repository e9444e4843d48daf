//! What `strata lock` leaves on disk besides the locks' contents: locks with the mode any other
//! program's write would give them, nothing in the project but locks (the file that keeps two
//! runs apart lives in the cache), and a cache marked as strata's, which `strata cache clean`
//! removes while it refuses a directory that is not one.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use strata_testindex::TestIndex;

use crate::project::Locks;
use crate::support::{Filters, Output, Project, Strata, strata_snapshot};
use crate::universe;

const MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[profiles.app]
requirements = ["rich"]
"#;

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in fs_err::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[cfg(unix)]
fn mode(path: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    format!(
        "{:o}",
        fs_err::metadata(path).unwrap().permissions().mode() & 0o7777
    )
}

#[cfg(unix)]
#[test]
fn a_new_lock_has_the_mode_of_any_new_file_and_a_relocked_one_keeps_its_own() {
    use std::os::unix::fs::PermissionsExt;
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &[]);
    // strata runs with this process's umask: its new files get what this one gets.
    let plain = project.root().join("plain.txt");
    fs_err::write(&plain, "x").unwrap();
    let lock = project.lock_path("app");
    let pylock = project.dir().join("locks/pylock.app.toml");
    assert_eq!(mode(&lock), mode(&plain));
    assert_eq!(mode(&pylock), mode(&plain));

    // A lock committed with a mode of its own keeps it when it is rewritten.
    for path in [&lock, &pylock] {
        fs_err::set_permissions(path, std::fs::Permissions::from_mode(0o664)).unwrap();
    }
    let before = fs_err::read(&lock).unwrap();
    project.write(
        "strata.toml",
        &MANIFEST.replace(r#"["rich"]"#, r#"["rich", "click"]"#),
    );
    project.lock_ok(&index, &[]);
    assert_ne!(
        fs_err::read(&lock).unwrap(),
        before,
        "the lock was rewritten"
    );
    assert_eq!(mode(&lock), "664");
    assert_eq!(mode(&pylock), "664");
}

#[test]
fn the_project_gets_its_locks_and_nothing_else() {
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &[]);
    assert_eq!(
        files_under(project.dir()),
        ["locks/app.txt", "locks/pylock.app.toml", "strata.toml"]
    );
}

/// The file a `strata lock` of `project` holds while it runs.
fn run_lock(project: &Project) -> PathBuf {
    let locks = fs_err::canonicalize(project.dir().join("locks")).unwrap();
    strata_index::cache::run_lock_path(&project.cache(), &locks)
}

#[test]
fn a_run_waits_while_another_holds_the_project_s_run_lock() {
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &[]);
    project.write(
        "strata.toml",
        &MANIFEST.replace(r#"["rich"]"#, r#"["rich", "click"]"#),
    );

    // This test stands in for the other run: it holds the file a run holds.
    let path = run_lock(&project);
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    let held = fs_err::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap()
        .into_parts()
        .0;
    held.lock().unwrap();
    let mut run = project.strata(&["lock"]).index(&index);
    let mut child = run.command().stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    while !first.contains("Waiting for another `strata lock`") {
        let read = stderr.read_line(&mut first).unwrap();
        assert!(read > 0, "the run did not wait: {first}");
    }
    // It waits, and writes nothing, for as long as the other run holds the file.
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "it waited");
    assert!(!project.read("locks/app.txt").contains("click"));

    drop(held);
    // Read to the end before waiting, so the run never blocks on a full pipe.
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{first}{rest}");
    assert!(project.pins("app").contains_key("click"), "{first}{rest}");
}

/// `strata cache <args>` with `cache` as `STRATA_CACHE_DIR`.
fn cache_command(cache: &Path, args: &[&str]) -> Output {
    Strata::new(&["cache"]).args(args).cache(cache).output()
}

#[test]
fn the_cache_a_lock_used_is_tagged_as_strata_s_and_cache_clean_removes_it() {
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &[]);
    let cache = project.cache();
    let tag = fs_err::read_to_string(cache.join("CACHEDIR.TAG")).unwrap();
    assert!(
        tag.starts_with("Signature: 8a477f597d28d172789f06886806bc55"),
        "{tag}"
    );
    assert!(cache.join(strata_index::cache::MARKER).is_file());

    let output = cache_command(&cache, &["clean"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(!cache.exists());
}

#[test]
fn cache_clean_refuses_a_directory_that_is_not_a_strata_cache_and_leaves_it_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    fs_err::create_dir_all(home.join("thesis")).unwrap();
    fs_err::write(home.join("thesis/chapter1.tex"), "years of work").unwrap();
    fs_err::write(home.join(".bashrc"), "alias ll='ls -l'\n").unwrap();
    fs_err::write(home.join("notes.txt"), "").unwrap();
    fs_err::write(home.join("todo.txt"), "").unwrap();
    // An entry strata writes does not make the rest of it strata's.
    fs_err::create_dir_all(home.join("metadata-v2")).unwrap();
    let before = files_under(&home);

    let output = cache_command(&home, &["clean"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert_eq!(files_under(&home), before);
    strata_snapshot!(Filters::new().temp(dir.path()), output, @r"
    exit: 2
    --- stdout
    --- stderr
    error: Refusing to remove `[TEMP]/home`: it is not strata's cache (it has no `.strata-cache-root` and holds `.bashrc`, `notes.txt`, `thesis` and 1 more that strata never writes)

    hint: `STRATA_CACHE_DIR` names the cache; check that it points where you meant (`strata cache dir` prints it). strata removes only a directory it marked as its cache; delete any other yourself
    ");

    // A run that uses it as its cache does not claim it either.
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    let output = project
        .strata(&["lock"])
        .index(&index)
        .cache(&home)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(!home.join(strata_index::cache::MARKER).exists());
    assert_eq!(cache_command(&home, &["clean"]).code, 2);
    assert!(home.join("thesis/chapter1.tex").is_file());
}

#[test]
fn cache_format_json_gives_the_directory_and_what_prune_and_clean_removed() {
    let parse = |output: &Output| -> serde_json::Value {
        assert_eq!(output.code, 0, "{}", output.render());
        serde_json::from_str(&output.stdout)
            .unwrap_or_else(|error| panic!("{error}: {}", output.render()))
    };
    let index = TestIndex::start(universe::ml());
    let project = Project::with_manifest(MANIFEST, &[]);
    project.lock_ok(&index, &[]);
    let cache = project.cache();

    let text = cache_command(&cache, &["dir"]);
    assert_eq!(
        text.stdout,
        format!("{}\n", cache.display()),
        "{}",
        text.render()
    );
    let json = parse(&cache_command(&cache, &["dir", "--format", "json"]));
    assert_eq!(
        json,
        serde_json::json!({ "schema-version": 1, "path": cache.display().to_string() })
    );

    // What a killed build left behind: prune removes it and says so.
    fs_err::create_dir_all(cache.join("tmp/build-1")).unwrap();
    fs_err::write(cache.join("tmp/build-1/leftover.whl"), vec![0_u8; 1000]).unwrap();
    let before = files_under(&cache);
    let json = parse(&cache_command(&cache, &["prune", "--format", "json"]));
    assert_eq!(json["path"], cache.display().to_string(), "{json}");
    assert_eq!(
        json["removed"],
        serde_json::json!({ "files": 1, "bytes": 1000 }),
        "{json}"
    );
    let left = files_under(&cache);
    assert_eq!(left.len(), before.len() - 1);
    let bytes: u64 = left
        .iter()
        .map(|file| fs_err::metadata(cache.join(file)).unwrap().len())
        .sum();
    assert_eq!(
        json["remaining"],
        serde_json::json!({ "files": left.len(), "bytes": bytes }),
        "{json}"
    );

    let json = parse(&cache_command(&cache, &["clean", "--format", "json"]));
    assert_eq!(json["path"], cache.display().to_string(), "{json}");
    assert_eq!(
        json["removed"],
        serde_json::json!({ "files": left.len(), "bytes": bytes }),
        "{json}"
    );
    assert!(!cache.exists());
}
