//! Scanning hand-made site-packages directories: every layout, and every way one can be broken.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use pep508_rs::PackageName;
use strata_env::{
    Environment, Extras, Finding, MetadataLayout, check, scan_site_packages,
    scan_site_packages_sequential,
};

fn dist_info(site: &Path, directory: &str, metadata: &str) -> PathBuf {
    let path = site.join(directory);
    fs_err::create_dir_all(&path).unwrap();
    fs_err::write(path.join("METADATA"), metadata).unwrap();
    path
}

fn metadata(name: &str, version: &str, requires: &[&str]) -> String {
    let mut text = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
    for requirement in requires {
        writeln!(text, "Requires-Dist: {requirement}").unwrap();
    }
    text.push_str("\nA description that mentions\nRequires-Dist: not-a-field\n");
    text
}

fn markers() -> pep508_rs::MarkerEnvironment {
    strata_dist::Target::parse("3.11", "x86_64-manylinux_2_28")
        .unwrap()
        .markers()
}

fn name(name: &str) -> PackageName {
    PackageName::from_str(name).unwrap()
}

#[test]
fn dist_info_files_beside_metadata_are_read() {
    let site = tempfile::tempdir().unwrap();
    let path = dist_info(
        site.path(),
        "Demo_Pkg-1.0.dist-info",
        &metadata("Demo_Pkg", "1.0", &["lib>=1"]),
    );
    fs_err::write(path.join("INSTALLER"), "uv\n").unwrap();
    fs_err::write(path.join("REQUESTED"), "").unwrap();
    fs_err::write(
        path.join("direct_url.json"),
        r#"{"url": "file:///src/demo", "dir_info": {"editable": true}}"#,
    )
    .unwrap();
    dist_info(
        site.path(),
        "lib-1.0.dist-info",
        &metadata("lib", "1.0", &[]),
    );

    let scan = scan_site_packages(&[site.path().to_path_buf()]).unwrap();
    let names: Vec<String> = scan
        .distributions
        .iter()
        .map(|d| d.name.to_string())
        .collect();
    assert_eq!(names, ["demo-pkg", "lib"]);
    let demo = &scan.distributions[0];
    let installed = demo.installed().unwrap();
    assert_eq!(installed.installer.as_deref(), Some("uv"));
    assert!(demo.requested);
    assert_eq!(
        installed.direct_url.as_ref().unwrap()["dir_info"]["editable"],
        true
    );
    assert_eq!(installed.layout, MetadataLayout::DistInfo);
    assert_eq!(
        demo.requires.len(),
        1,
        "the body's `Requires-Dist` is description text"
    );
    assert!(!scan.distributions[1].requested);
    assert_eq!(scan.distributions[1].installed().unwrap().installer, None);
}

#[test]
fn broken_metadata_is_a_finding_and_the_scan_goes_on() {
    let site = tempfile::tempdir().unwrap();
    dist_info(
        site.path(),
        "good-1.0.dist-info",
        &metadata("good", "1.0", &["gone"]),
    );
    dist_info(
        site.path(),
        "noname-1.0.dist-info",
        "Metadata-Version: 2.1\nVersion: 1.0\n",
    );
    dist_info(
        site.path(),
        "badreq-1.0.dist-info",
        &metadata("badreq", "1.0", &["this is ((( not a requirement"]),
    );
    fs_err::create_dir_all(site.path().join("empty-1.0.dist-info")).unwrap();

    let scan = scan_site_packages(&[site.path().to_path_buf()]).unwrap();
    assert_eq!(scan.distributions.len(), 1);
    let environment = Environment::from_scan(scan, markers(), Extras::Follow);
    let lines: Vec<String> = check(&environment)
        .iter()
        .map(|finding| {
            finding
                .to_string()
                .replace(&site.path().display().to_string(), "[SITE]")
        })
        .collect();
    insta::assert_snapshot!(lines.join("\n"), @r"
    good 1.0 requires gone, which is not installed.
    [SITE]/badreq-1.0.dist-info has unreadable metadata: Core metadata of `badreq` line 4: invalid `Requires-Dist`: Expected one of `@`, `(`, `<`, `=`, `>`, `~`, `!`, `;`, found `i`.
    [SITE]/empty-1.0.dist-info has unreadable metadata: failed to open file `[SITE]/empty-1.0.dist-info/METADATA`: No such file or directory (os error 2).
    [SITE]/noname-1.0.dist-info has unreadable metadata: Core metadata has no `Name` field.
    ");
}

#[test]
fn two_entries_for_one_name_are_a_duplicate_and_the_first_directory_wins() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    dist_info(
        first.path(),
        "Torch-2.4.0.dist-info",
        &metadata("torch", "2.4.0", &[]),
    );
    dist_info(
        first.path(),
        "torch-2.3.1.dist-info",
        &metadata("torch", "2.3.1", &[]),
    );
    dist_info(
        second.path(),
        "torch-2.1.0.dist-info",
        &metadata("torch", "2.1.0", &[]),
    );
    dist_info(
        second.path(),
        "user-1.dist-info",
        &metadata("user", "1", &["torch<2.4"]),
    );

    let directories = [first.path().to_path_buf(), second.path().to_path_buf()];
    let scan = scan_site_packages(&directories).unwrap();
    assert_eq!(scan.distributions.len(), 2);
    assert_eq!(scan.duplicates.len(), 1);
    let duplicate = &scan.duplicates[0];
    assert_eq!(duplicate.kept.version.to_string(), "2.4.0");
    let shadowed: Vec<String> = duplicate
        .shadowed
        .iter()
        .map(|l| l.version.to_string())
        .collect();
    assert_eq!(shadowed, ["2.3.1", "2.1.0"]);

    let environment = Environment::from_scan(scan, markers(), Extras::Follow);
    let findings = check(&environment);
    assert!(
        matches!(findings[0], Finding::Conflict { .. }),
        "{findings:?}"
    );
    assert_eq!(
        findings[0].to_string(),
        "user 1 has requirement torch<2.4, but you have torch 2.4.0."
    );
    assert!(
        matches!(&findings[1], Finding::Duplicate { package, .. } if *package == name("torch"))
    );
    assert_eq!(findings.len(), 2);
}

#[test]
fn egg_info_directories_and_files_are_read_with_requires_txt_sections() {
    let site = tempfile::tempdir().unwrap();
    let egg = site.path().join("Legacy-0.9-py3.11.egg-info");
    fs_err::create_dir_all(&egg).unwrap();
    fs_err::write(
        egg.join("PKG-INFO"),
        "Metadata-Version: 1.1\nName: Legacy\nVersion: 0.9\n",
    )
    .unwrap();
    fs_err::write(
        egg.join("requires.txt"),
        "six>=1.0\n\n[socks]\npysocks\n[:python_version < \"3\"]\nfutures\n[:sys_platform == \"linux\"]\nlinux-only\n",
    )
    .unwrap();
    fs_err::write(
        site.path().join("single-1.0-py3.11.egg-info"),
        "Metadata-Version: 1.0\nName: single\nVersion: 1.0\n",
    )
    .unwrap();

    let scan = scan_site_packages(&[site.path().to_path_buf()]).unwrap();
    assert_eq!(scan.distributions.len(), 2);
    let legacy = &scan.distributions[0];
    assert_eq!(legacy.installed().unwrap().layout, MetadataLayout::EggInfo);
    let written: Vec<&str> = legacy.requires.iter().map(|r| r.written.as_str()).collect();
    assert_eq!(
        written,
        [
            "six>=1.0",
            "pysocks ; extra == \"socks\"",
            "futures ; python_version < \"3\"",
            "linux-only ; sys_platform == \"linux\"",
        ]
    );
    let environment = Environment::from_scan(scan, markers(), Extras::Follow);
    let lines: Vec<String> = check(&environment)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        lines,
        [
            "legacy 0.9 requires linux-only, which is not installed.",
            "legacy 0.9 requires six, which is not installed.",
        ]
    );
}

#[test]
fn parallel_and_sequential_scans_agree() {
    let site = tempfile::tempdir().unwrap();
    for index in 0..50 {
        dist_info(
            site.path(),
            &format!("pkg{index}-1.{index}.dist-info"),
            &metadata(
                &format!("pkg{index}"),
                &format!("1.{index}"),
                &[&format!("pkg{}", index + 1)],
            ),
        );
    }
    let directories = [site.path().to_path_buf()];
    let parallel = scan_site_packages(&directories).unwrap();
    let sequential = scan_site_packages_sequential(&directories).unwrap();
    let describe = |scan: &strata_env::Scan| -> Vec<String> {
        scan.distributions
            .iter()
            .map(|d| format!("{} {} {}", d.name, d.version, d.requires.len()))
            .collect()
    };
    assert_eq!(describe(&parallel), describe(&sequential));
    assert_eq!(parallel.distributions.len(), 50);
}

#[test]
fn a_missing_directory_is_empty_but_an_unreadable_path_is_an_error() {
    let site = tempfile::tempdir().unwrap();
    let scan = scan_site_packages(&[site.path().join("absent")]).unwrap();
    assert!(scan.distributions.is_empty());
    let file = site.path().join("file");
    fs_err::write(&file, "").unwrap();
    let error = scan_site_packages(&[file]).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("Failed to read site-packages directory `"),
        "{error}"
    );
}
