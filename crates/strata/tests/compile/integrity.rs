//! No wrong lock without an error: cached metadata belongs to the index it was read from, a
//! fault reading the index is an error rather than a downgrade, and an sdist's static metadata
//! is trusted where uv trusts it (a failed metadata build says why).

use strata_testindex::{Fault, Faults, Package, TestIndex, Universe};

use crate::{compile, pins};

const SIX: &str = "six-1.17.0-py2.py3-none-any.whl";

fn write_requirements(dir: &std::path::Path, text: &str) {
    fs_err::write(dir.join("requirements.in"), text).unwrap();
}

/// The honest index: `six` without requirements, and a public `internal-pkg` squatting the
/// name of a private one.
fn honest() -> TestIndex {
    TestIndex::start(
        Universe::new()
            .package(Package::new("six", "1.17.0").wheel_tags("py2.py3-none-any"))
            .package(Package::new("internal-pkg", "1.0")),
    )
}

#[test]
fn metadata_read_through_one_index_is_never_used_for_another() {
    let honest = honest();
    let genuine = honest.file(SIX).unwrap().sha256;
    // Index A serves its own `six` wheel, which requires `internal-pkg`, under the genuine
    // wheel's name and hash.
    let poisoning = TestIndex::start_with_faults(
        Universe::new()
            .package(
                Package::new("six", "1.17.0")
                    .wheel_tags("py2.py3-none-any")
                    .requires("internal-pkg"),
            )
            .package(Package::new("internal-pkg", "1.0")),
        Faults::new().on(
            "/simple/six/",
            Fault::AdvertisedHash {
                filename: SIX.to_string(),
                sha256: genuine.clone(),
            },
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    write_requirements(dir.path(), "six\n");

    let through_a = compile(dir.path(), &poisoning, &["requirements.in"]);
    assert_eq!(through_a.code, 0, "{}", through_a.stderr);
    assert_eq!(
        pins(&through_a.stdout),
        ["internal-pkg==1.0", "six==1.17.0"],
        "index A's own answer"
    );

    // Same cache, honest index: its own wheel's metadata, not A's.
    let through_b = compile(
        dir.path(),
        &honest,
        &["--generate-hashes", "requirements.in"],
    );
    assert_eq!(through_b.code, 0, "{}", through_b.stderr);
    assert_eq!(
        pins(&through_b.stdout),
        ["six==1.17.0"],
        "{}",
        through_b.stdout
    );
    assert!(
        through_b
            .stdout
            .contains(&format!("--hash=sha256:{genuine}")),
        "{}",
        through_b.stdout
    );
    assert!(
        !honest.requests_for("/files/six/").is_empty(),
        "the honest index's wheel was read"
    );
}

#[test]
fn pep658_metadata_read_through_one_index_is_never_used_for_another() {
    // With its hash advertised, the metadata file is what the lying index vouches for, which
    // says nothing about the honest index's wheel; without one, nothing vouches for it.
    for with_hash in [true, false] {
        let honest = honest();
        let genuine = honest.file(SIX).unwrap().sha256;
        let mut faults = Faults::new().on(
            "/simple/six/",
            Fault::AdvertisedHash {
                filename: SIX.to_string(),
                sha256: genuine.clone(),
            },
        );
        if !with_hash {
            faults = faults.on(
                "/simple/six/",
                Fault::AdvertisedMetadataHash {
                    filename: SIX.to_string(),
                    sha256: None,
                },
            );
        }
        let lying = TestIndex::start_with_faults(
            Universe::new()
                .metadata_files(true)
                .package(
                    Package::new("six", "1.17.0")
                        .wheel_tags("py2.py3-none-any")
                        .requires("internal-pkg"),
                )
                .package(Package::new("internal-pkg", "1.0")),
            faults,
        );
        let dir = tempfile::tempdir().unwrap();
        write_requirements(dir.path(), "six\n");

        let through_lying = compile(dir.path(), &lying, &["requirements.in"]);
        assert_eq!(through_lying.code, 0, "{}", through_lying.stderr);
        assert_eq!(
            pins(&through_lying.stdout),
            ["internal-pkg==1.0", "six==1.17.0"],
            "the lying index's own answer (hash advertised: {with_hash})"
        );
        assert!(
            !lying
                .requests_for(&format!("/files/six/{SIX}.metadata"))
                .is_empty(),
            "read from its PEP 658 file: {:?}",
            lying.requests()
        );

        let through_honest = compile(dir.path(), &honest, &["requirements.in"]);
        assert_eq!(through_honest.code, 0, "{}", through_honest.stderr);
        assert_eq!(
            pins(&through_honest.stdout),
            ["six==1.17.0"],
            "hash advertised: {with_hash}\n{}",
            through_honest.stdout
        );
    }
}

#[test]
fn pep658_metadata_that_does_not_match_its_advertised_hash_is_an_error() {
    // What the genuine metadata file hashes to, advertised beside one with an extra
    // requirement: altered on its way, say.
    let genuine =
        TestIndex::start(six_versions(Package::new("six", "1.17.0")).metadata_files(true));
    let wheel = "six-1.17.0-py3-none-any.whl";
    let vouched = genuine.file(&format!("{wheel}.metadata")).unwrap().sha256;
    let altered = TestIndex::start_with_faults(
        six_versions(Package::new("six", "1.17.0").requires("internal-pkg"))
            .package(Package::new("internal-pkg", "1.0"))
            .metadata_files(true),
        Faults::new().on(
            "/simple/six/",
            Fault::AdvertisedMetadataHash {
                filename: wheel.to_string(),
                sha256: Some(vouched.clone()),
            },
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    write_requirements(dir.path(), "six\n");
    let url = format!("{}/files/six/{wheel}.metadata", altered.base_url());
    // Twice: what failed its check is not in the cache for the next run either.
    for run in ["first", "second"] {
        let output = compile(dir.path(), &altered, &["requirements.in"]);
        assert_eq!(
            output.code, 2,
            "{run} run\n{}\n{}",
            output.stdout, output.stderr
        );
        assert!(
            !output.stdout.contains("internal-pkg") && !output.stdout.contains("six==1.16.0"),
            "{run} run: {}",
            output.stdout
        );
        for expected in [url.as_str(), "for `six`", vouched.as_str()] {
            assert!(
                output.stderr.contains(expected),
                "{run} run, {expected}: {}",
                output.stderr
            );
        }
    }
}

#[test]
fn refresh_reads_cached_metadata_again() {
    let index = honest();
    let dir = tempfile::tempdir().unwrap();
    write_requirements(dir.path(), "six\n");
    let first = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(first.code, 0, "{}", first.stderr);

    index.reset_log();
    let warm = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(warm.code, 0, "{}", warm.stderr);
    assert!(
        index.requests_for("/files/").is_empty(),
        "a warm run reads metadata from the cache"
    );

    index.reset_log();
    let refreshed = compile(dir.path(), &index, &["--refresh", "requirements.in"]);
    assert_eq!(refreshed.code, 0, "{}", refreshed.stderr);
    assert_eq!(pins(&refreshed.stdout), ["six==1.17.0"]);
    assert!(
        !index.requests_for(&format!("/files/six/{SIX}")).is_empty(),
        "`--refresh` reads the wheel's metadata again: {:?}",
        index.requests()
    );
}

/// `six` 1.16.0 and 1.17.0, the newest one as `newest` makes it.
fn six_versions(newest: Package) -> Universe {
    Universe::new()
        .package(Package::new("six", "1.16.0"))
        .package(newest)
}

#[test]
fn unreadable_metadata_of_the_newest_version_is_an_error_not_a_downgrade() {
    let index = TestIndex::start_with_faults(
        six_versions(Package::new("six", "1.17.0")),
        Faults::new().on("/files/six/six-1.17.0", Fault::GarbageRanges),
    );
    let dir = tempfile::tempdir().unwrap();
    write_requirements(dir.path(), "six\n");
    let output = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(output.code, 2, "{}\n{}", output.stdout, output.stderr);
    assert!(!output.stdout.contains("six==1.16.0"), "{}", output.stdout);
    let url = format!("{}/files/six/six-1.17.0-py3-none-any.whl", index.base_url());
    for expected in [
        url.as_str(),
        "for `six`",
        "(HTTP range requests on the wheel)",
    ] {
        assert!(
            output.stderr.contains(expected),
            "{expected}: {}",
            output.stderr
        );
    }
}

#[test]
fn unreadable_metadata_of_every_version_is_the_fault_not_a_missing_solution() {
    // Nothing is left to choose from, which a resolver would report as requirements that
    // cannot be met; the cause is the index, and only the index's error says what to fix.
    let index = TestIndex::start_with_faults(
        six_versions(Package::new("six", "1.17.0")),
        Faults::new().on("/files/six/", Fault::GarbageRanges),
    );
    let dir = tempfile::tempdir().unwrap();
    write_requirements(dir.path(), "six\n");
    let output = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(output.code, 2, "{}\n{}", output.stdout, output.stderr);
    assert!(
        !output.stderr.contains("No solution") && !output.stderr.contains("relax"),
        "{}",
        output.stderr
    );
    assert!(
        output
            .stderr
            .contains(&format!("{}/files/six/six-", index.base_url())),
        "{}",
        output.stderr
    );
    for expected in ["for `six`", "(HTTP range requests on the wheel)"] {
        assert!(
            output.stderr.contains(expected),
            "{expected}: {}",
            output.stderr
        );
    }
}

#[test]
fn metadata_pip_rejects_makes_the_version_unavailable_with_a_warning() {
    let index = TestIndex::start(six_versions(
        Package::new("six", "1.17.0").requires("not a requirement ((("),
    ));
    let dir = tempfile::tempdir().unwrap();
    write_requirements(dir.path(), "six\n");
    let output = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(pins(&output.stdout), ["six==1.16.0"]);
    assert!(
        output.stderr.contains(
            "warning: `six` 1.17.0 is skipped: the metadata of `six-1.17.0-py3-none-any.whl` does not parse"
        ),
        "{}",
        output.stderr
    );
    assert!(
        output.stderr.contains("which pip rejects too"),
        "{}",
        output.stderr
    );
}

/// A `flash-attn`-like release: only an sdist, whose build needs torch and so fails.
fn sdist_only(package: Package) -> Universe {
    Universe::new()
        .package(
            package
                .requires("torch")
                .requires("einops")
                .requires_python(">=3.9")
                .no_wheels()
                .sdist_build_fails("ModuleNotFoundError: No module named 'torch'"),
        )
        .package(Package::new("torch", "2.5.1"))
        .package(Package::new("einops", "0.8.0"))
}

#[test]
fn setuptools_sdist_is_resolved_from_its_pkg_info_without_a_build() {
    let index = TestIndex::start(sdist_only(
        Package::new("flash-attn", "2.7.4.post1").sdist_setuptools_dynamic(),
    ));
    let dir = tempfile::tempdir().unwrap();
    write_requirements(dir.path(), "flash-attn==2.7.4.post1\n");
    let output = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(
        pins(&output.stdout),
        ["einops==0.8.0", "flash-attn==2.7.4.post1", "torch==2.5.1"]
    );
    assert!(
        !dir.path().join(".cache/build-logs").exists(),
        "nothing was built"
    );
}

#[test]
fn sdist_with_a_static_project_table_is_resolved_without_a_build() {
    let index = TestIndex::start(sdist_only(
        Package::new("flash-attn", "2.7.4.post1").sdist_pyproject_static(),
    ));
    let dir = tempfile::tempdir().unwrap();
    write_requirements(dir.path(), "flash-attn\n");
    let output = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(output.code, 0, "{}", output.stderr);
    assert_eq!(
        pins(&output.stdout),
        ["einops==0.8.0", "flash-attn==2.7.4.post1", "torch==2.5.1"]
    );
}

#[test]
fn failed_metadata_build_shows_the_backends_output_and_keeps_its_log() {
    let index = TestIndex::start(sdist_only(
        Package::new("flash-attn", "2.7.4.post1").sdist_dynamic_metadata(),
    ));
    let dir = tempfile::tempdir().unwrap();
    write_requirements(dir.path(), "flash-attn\n");
    let output = compile(dir.path(), &index, &["requirements.in"]);
    assert_eq!(output.code, 2, "{}", output.stderr);
    let message = "ModuleNotFoundError: No module named 'torch'";
    assert!(
        output.stderr.contains(&format!("  | {message}")),
        "{}",
        output.stderr
    );
    let log = dir
        .path()
        .join(".cache/build-logs/flash-attn-2.7.4.post1.tar.gz.log");
    assert!(
        output.stderr.contains(&format!("`{}`", log.display())),
        "{}",
        output.stderr
    );
    let text = fs_err::read_to_string(&log).unwrap();
    assert!(text.contains(message), "{text}");
    assert!(
        text.contains("strata: run the `strata_test_backend` backend"),
        "{text}"
    );
}
