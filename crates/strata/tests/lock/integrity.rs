//! Hand-edited locks: each file records a digest of its own text, so an edit is never current.
//! `lock --check` fails naming the edited lines, `strata lock` locks it again (without taking
//! the edited pins as preferences) and says so, `check --profile` says the lock is not what
//! strata wrote, and a lock of the older format (no digest) is stale with a clear reason.

use strata_testindex::TestIndex;

use crate::project::{Locks, ml_project};
use crate::support::{Project, strata_snapshot};
use crate::universe;

/// `base` requires a bare numpy (2.1.1 is the newest); `with_pylock` keeps the PEP 751 file.
fn numpy_project(with_pylock: bool) -> Project {
    Project::with_manifest(
        &format!(
            "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\nlock-dir = \"locks\"\npylock = {with_pylock}\n\n[profiles.base]\nrequirements = [\"numpy\", \"rich\"]\n"
        ),
        &[],
    )
}

/// The 1-based line of `locks/base.txt` that starts with `prefix`.
fn line_of(project: &Project, prefix: &str) -> usize {
    project
        .read("locks/base.txt")
        .lines()
        .position(|line| line.starts_with(prefix))
        .unwrap()
        + 1
}

#[test]
fn a_version_changed_by_hand_fails_check_naming_the_line_and_lock_relocks_without_keeping_it() {
    let index = TestIndex::start(universe::ml());
    let project = numpy_project(true);
    project.lock_ok(&index, &[]);
    assert_eq!(project.pins("base")["numpy"], "2.1.1");

    // Downgrade numpy by hand, with the hash of the 1.26.4 wheel, as a reviewer might miss.
    let old = index.file("numpy-1.26.4-py3-none-any.whl").unwrap();
    let new = index.file("numpy-2.1.1-py3-none-any.whl").unwrap();
    let text = project.read("locks/base.txt");
    project.write(
        "locks/base.txt",
        &text
            .replace("numpy==2.1.1", "numpy==1.26.4")
            .replace(&new.sha256, &old.sha256),
    );
    let line = line_of(&project, "numpy==");

    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("`base`: `locks/base.txt` was edited after strata wrote it"),
        "{}",
        output.render()
    );
    assert!(
        output.stderr.contains(&format!(
            "locks/base.txt:{line}: `numpy` is at 1.26.4, locks/pylock.base.toml pins 2.1.1"
        )),
        "{}",
        output.render()
    );
    strata_snapshot!("check_edited", project.filters().index(&index), output);

    // `strata lock` does not take the edit for current, nor for a preference.
    let output = project.lock_ok(&index, &[]);
    assert!(
        output
            .stderr
            .contains("`locks/base.txt` had been edited after strata wrote it; relocked")
            && output.stderr.contains("`numpy` is at 1.26.4"),
        "{}",
        output.render()
    );
    assert_eq!(
        project.pins("base")["numpy"],
        "2.1.1",
        "{}",
        output.render()
    );
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 0, "{}", output.render());
}

#[test]
fn a_pin_added_with_its_hash_is_named_with_its_line() {
    let index = TestIndex::start(universe::ml());
    let project = numpy_project(true);
    project.lock_ok(&index, &[]);
    let psutil = index.file("psutil-6.0.0-py3-none-any.whl").unwrap();
    let text = project.read("locks/base.txt");
    let at = text.find("pygments==").unwrap();
    let added = format!("psutil==6.0.0 \\\n    --hash=sha256:{}\n", psutil.sha256);
    project.write(
        "locks/base.txt",
        &format!("{}{added}{}", &text[..at], &text[at..]),
    );
    let line = line_of(&project, "psutil==");

    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 1, "{}", output.render());
    for expected in [
        format!("locks/base.txt:{line}: `psutil` 6.0.0 is not in locks/pylock.base.toml"),
        format!("locks/base.txt:{line}: `psutil` has no `# via`"),
    ] {
        assert!(
            output.stderr.contains(&expected),
            "{expected}\n{}",
            output.render()
        );
    }
    // Unchanged inputs do not make it current: the next run replaces it.
    let output = project.lock_ok(&index, &[]);
    assert!(
        !project.pins("base").contains_key("psutil"),
        "{}",
        output.render()
    );
}

#[test]
fn an_edit_strata_cannot_locate_still_fails_and_points_at_version_control() {
    let index = TestIndex::start(universe::ml());
    // Without a pylock.toml there is no second copy to compare with: the digest alone decides.
    let project = numpy_project(false);
    project.lock_ok(&index, &[]);
    project.edit("locks/base.txt", "numpy==2.1.1", "numpy==1.26.4");
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("locks/base.txt: its contents were edited")
            && output
                .stderr
                .contains("strata diff HEAD:locks/base.txt locks/base.txt"),
        "{}",
        output.render()
    );
}

#[test]
fn a_stray_line_or_a_removed_digest_is_an_edit() {
    let index = TestIndex::start(universe::ml());
    let project = numpy_project(false);
    project.lock_ok(&index, &[]);
    let sealed = project.read("locks/base.txt");

    // An option line pip would obey, slipped in between two pins.
    let at = sealed.find("rich==").unwrap();
    project.write(
        "locks/base.txt",
        &format!(
            "{}--extra-index-url http://127.0.0.1:9/simple\n{}",
            &sealed[..at],
            &sealed[at..]
        ),
    );
    let line = line_of(&project, "--extra-index-url");
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains(&format!(
            "locks/base.txt:{line}: `--extra-index-url http://127.0.0.1:9/simple` is not what strata writes"
        )),
        "{}",
        output.render()
    );

    // Dropping the digest line does not turn the lock back into an unsealed, trusted one.
    let without: String = sealed
        .split_inclusive('\n')
        .filter(|line| !line.starts_with("# strata-digest: "))
        .collect();
    project.write("locks/base.txt", &without);
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output.stderr.contains("its `# strata-digest` line is gone"),
        "{}",
        output.render()
    );
}

#[test]
fn check_profile_on_an_edited_lock_says_it_is_not_what_strata_wrote() {
    let index = TestIndex::start(universe::ml());
    let project = numpy_project(true);
    project.lock_ok(&index, &[]);
    let output = project
        .strata(&["check", "--profile", "base"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());

    project.edit("locks/base.txt", "numpy==2.1.1", "numpy==1.26.4");
    let output = project
        .strata(&["check", "--profile", "base"])
        .index(&index)
        .output();
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("the lock was edited after strata wrote it")
            && output.stderr.contains("`numpy` is at 1.26.4"),
        "{}",
        output.render()
    );
}

#[test]
fn a_lock_of_the_older_format_is_stale_once_with_its_reason_and_keeps_its_pins() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    project.lock_ok(&index, &[]);
    let pins = project.pins("backend");
    // What the previous format wrote: no digest line, and a fingerprint of format 2.
    let text = project.read("locks/backend.txt");
    let older: String = text
        .split_inclusive('\n')
        .filter(|line| !line.starts_with("# strata-digest: "))
        .map(|line| {
            if let Some(rest) = line.strip_prefix("# strata-inputs: format=") {
                format!("# strata-inputs: format=000000000000{}", &rest[12..])
            } else if line.starts_with("# strata-fingerprint: ") {
                format!("# strata-fingerprint: {}\n", "0".repeat(64))
            } else {
                line.to_string()
            }
        })
        .collect();
    project.write("locks/backend.txt", &older);

    let output = project.lock(&index, &["--check", "backend"]);
    assert_eq!(output.code, 1, "{}", output.render());
    assert!(
        output
            .stderr
            .contains("`locks/backend.txt` is stale: it was written in another lock format")
            && !output.stderr.contains("edited"),
        "{}",
        output.render()
    );
    let output = project.lock_ok(&index, &[]);
    assert!(!output.stderr.contains("edited"), "{}", output.render());
    assert_eq!(project.pins("backend"), pins, "its pins were preferences");
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 0, "{}", output.render());
}
