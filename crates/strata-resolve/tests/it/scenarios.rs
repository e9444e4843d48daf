//! Named resolution scenarios: Python's rules, one behaviour each, on the loopback index.

use std::collections::BTreeSet;

use strata_resolve::{PrereleaseMode, Upgrade};
use strata_testindex::Package;

use crate::scenario::{Scenario, package_name};

// Backtracking.

#[test]
fn newest_version_that_conflicts_is_abandoned_for_an_older_one() {
    Scenario::new("backtracking: newest a needs b==1.0 which c forbids")
        .package(Package::new("a", "2.0").requires("b==1.0"))
        .package(Package::new("a", "1.0").requires("b>=2"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "2.0"))
        .package(Package::new("c", "1.0").requires("b>=2"))
        .require("a")
        .require("c")
        .expect_pins(&["a==1.0", "b==2.0", "c==1.0"]);
}

#[test]
fn child_keeps_the_newest_version_its_parent_allows() {
    Scenario::new("child keeps parent pins")
        .package(Package::new("a", "1.0").requires("b<2"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "1.5"))
        .package(Package::new("b", "2.0"))
        .require("a")
        .expect_pins(&["a==1.0", "b==1.5"]);
}

#[test]
fn backtracking_goes_through_several_versions_of_a_transitive_package() {
    Scenario::new("backtracking: two levels")
        .package(
            Package::new("app", "1.0")
                .requires("lib")
                .requires("util<2"),
        )
        .package(Package::new("lib", "3.0").requires("util>=3"))
        .package(Package::new("lib", "2.0").requires("util>=2"))
        .package(Package::new("lib", "1.0").requires("util>=1"))
        .package(Package::new("util", "1.0"))
        .package(Package::new("util", "2.0"))
        .package(Package::new("util", "3.0"))
        .require("app")
        .expect_pins(&["app==1.0", "lib==1.0", "util==1.0"]);
}

// Extras.

#[test]
fn extra_pulls_in_its_requirements_and_records_the_extra() {
    let resolution = Scenario::new("extras: virtual package pulls extra deps")
        .package(Package::new("a", "1.0").extra("fast", ["speedup>=1"]))
        .package(Package::new("speedup", "1.0"))
        .package(Package::new("speedup", "0.5"))
        .require("a[fast]")
        .expect_pins(&["a==1.0", "speedup==1.0"]);
    let extras: BTreeSet<String> = resolution.packages[&package_name("a")]
        .extras
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(extras, BTreeSet::from(["fast".to_string()]));
}

#[test]
fn extra_requirements_are_not_installed_without_the_extra() {
    Scenario::new("extras: not requested")
        .package(Package::new("a", "1.0").extra("fast", ["speedup>=1"]))
        .package(Package::new("speedup", "1.0"))
        .require("a")
        .expect_pins(&["a==1.0"]);
}

#[test]
fn extra_and_base_package_agree_on_one_version() {
    // a 2.0's extra needs a missing package, so a[fast] cannot be 2.0, and base a must follow
    // it down to 1.0 although a 2.0 alone would be fine.
    Scenario::new("extras: version agreement")
        .package(Package::new("a", "2.0").extra("fast", ["missing-accel>=9"]))
        .package(Package::new("a", "1.0").extra("fast", ["speedup"]))
        .package(Package::new("speedup", "1.0"))
        .package(Package::new("missing-accel", "1.0"))
        .package(Package::new("b", "1.0").requires("a"))
        .require("a[fast]")
        .require("b")
        .expect_pins(&["a==1.0", "b==1.0", "speedup==1.0"]);
}

#[test]
fn missing_extra_takes_the_newest_version_and_reports_the_extra() {
    // As pip and uv do: the newest `pkg` no longer declares `gpu`, so it is used without it,
    // and the solver never goes back to the old sdist (whose build fails) that still had it.
    let resolution = Scenario::new("extras: the newest version dropped the extra")
        .package(Package::new("pkg", "3.0").extra("cpu", ["speedup"]))
        .package(Package::new("pkg", "2.0").extra("gpu", ["accel"]))
        .package(
            Package::new("pkg", "1.0")
                .no_wheels()
                .sdist_build_fails("this ancient sdist cannot be built")
                .extra("gpu", ["accel"]),
        )
        .package(Package::new("accel", "1.0"))
        .package(Package::new("speedup", "1.0"))
        .package(Package::new("app", "1.0").requires("pkg[gpu]<4"))
        .require("pkg[gpu]")
        .require("app")
        .expect_pins(&["app==1.0", "pkg==3.0"]);
    let pkg = &resolution.packages[&package_name("pkg")];
    assert!(pkg.extras.is_empty(), "{:?}", pkg.extras);
    let missing: Vec<String> = pkg.missing_extras.iter().map(ToString::to_string).collect();
    assert_eq!(missing, ["gpu"]);
    assert_eq!(
        pkg.missing_extra_warnings(),
        ["`pkg==3.0` does not provide the extra `gpu`; it is locked without it"]
    );
}

#[test]
fn an_extra_named_only_by_markers_is_provided() {
    // Metadata before 2.1 has no `Provides-Extra`, only `extra == "..."` markers.
    let resolution = Scenario::new("extras: declared by a marker only")
        .package(Package::new("pkg", "1.0").requires("accel; extra == 'gpu'"))
        .package(Package::new("accel", "1.0"))
        .require("pkg[gpu]")
        .expect_pins(&["accel==1.0", "pkg==1.0"]);
    let pkg = &resolution.packages[&package_name("pkg")];
    assert!(pkg.missing_extras.is_empty(), "{:?}", pkg.missing_extras);
}

#[test]
fn extra_requested_by_a_dependency_applies_too() {
    Scenario::new("extras: transitive extra")
        .package(Package::new("app", "1.0").requires("a[fast]>=1"))
        .package(Package::new("a", "1.0").extra("fast", ["speedup"]))
        .package(Package::new("speedup", "1.0"))
        .require("app")
        .expect_pins(&["a==1.0", "app==1.0", "speedup==1.0"]);
}

// Markers.

#[test]
fn dependencies_for_another_platform_or_python_are_skipped() {
    Scenario::new("markers: platform and python against the target")
        .package(
            Package::new("a", "1.0")
                .requires("winonly; sys_platform == 'win32'")
                .requires("linuxonly; sys_platform == 'linux'")
                .requires("oldpy; python_version < '3.10'")
                .requires("newpy; python_version >= '3.11'")
                .requires("arm; platform_machine == 'aarch64'"),
        )
        .package(Package::new("winonly", "1.0"))
        .package(Package::new("linuxonly", "1.0"))
        .package(Package::new("oldpy", "1.0"))
        .package(Package::new("newpy", "1.0"))
        .package(Package::new("arm", "1.0"))
        .require("a")
        .expect_pins(&["a==1.0", "linuxonly==1.0", "newpy==1.0"]);
}

#[test]
fn top_level_markers_are_evaluated_against_the_target() {
    Scenario::new("markers: top-level requirements")
        .package(Package::new("a", "1.0"))
        .package(Package::new("b", "1.0"))
        .require("a; python_version >= '3.12'")
        .require("b; platform_system == 'Linux'")
        .expect_pins(&["b==1.0"]);
}

#[test]
fn extra_markers_combined_with_platform_markers_apply_only_when_both_hold() {
    Scenario::new("markers: extra == and platform")
        .package(
            Package::new("a", "1.0")
                .requires("gpu-linux; extra == 'gpu' and sys_platform == 'linux'")
                .requires("gpu-win; extra == 'gpu' and sys_platform == 'win32'")
                .requires("always"),
        )
        .package(Package::new("gpu-linux", "1.0"))
        .package(Package::new("gpu-win", "1.0"))
        .package(Package::new("always", "1.0"))
        .require("a[gpu]")
        .expect_pins(&["a==1.0", "always==1.0", "gpu-linux==1.0"]);
}

#[test]
fn target_python_version_changes_the_marker_outcome() {
    Scenario::new("markers: another target python")
        .package(Package::new("a", "1.0").requires("oldpy; python_version < '3.10'"))
        .package(Package::new("oldpy", "1.0"))
        .python("3.9")
        .require("a")
        .expect_pins(&["a==1.0", "oldpy==1.0"]);
}

// requires-python.

#[test]
fn versions_whose_files_require_another_python_are_skipped() {
    Scenario::new("requires-python: newest needs 3.12")
        .package(Package::new("a", "2.0").requires_python(">=3.12"))
        .package(Package::new("a", "1.0").requires_python(">=3.8"))
        .require("a")
        .expect_pins(&["a==1.0"]);
}

#[test]
fn no_solution_when_every_version_requires_another_python() {
    let text = Scenario::new("requires-python: every version needs 3.12")
        .package(Package::new("a", "2.0").requires_python(">=3.12"))
        .package(Package::new("a", "1.0").requires_python(">=3.12"))
        .require("a")
        .expect_no_solution();
    assert!(text.contains("requires Python >=3.12"), "{text}");
    insta::assert_snapshot!("requires_python_every_version", text);
}

#[test]
fn transitive_dependency_requiring_another_python_is_explained() {
    let text = Scenario::new("requires-python: transitive")
        .package(Package::new("app", "1.0").requires("lib>=2"))
        .package(Package::new("lib", "2.0").requires_python(">=3.13"))
        .package(Package::new("lib", "1.0"))
        .require("app")
        .expect_no_solution();
    insta::assert_snapshot!("requires_python_transitive", text);
}

// Files for the target.

#[test]
fn sdist_is_used_when_no_wheel_fits_the_target() {
    let resolution = Scenario::new("no wheel for the target, sdist exists")
        .package(
            Package::new("a", "1.0")
                .wheel_tags("cp312-cp312-win_amd64")
                .sdist(),
        )
        .require("a")
        .expect_pins(&["a==1.0"]);
    let file = &resolution.packages[&package_name("a")].file;
    assert!(
        file.url.path().ends_with("a-1.0.tar.gz"),
        "expected the sdist, got {}",
        file.url
    );
}

#[test]
fn best_wheel_for_the_target_is_chosen() {
    let resolution = Scenario::new("wheel tags: the target's wheel")
        .package(
            Package::new("a", "1.0")
                .wheel_tags("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64")
                .wheel_tags("cp311-cp311-win_amd64")
                .wheel_tags("py3-none-any")
                .sdist(),
        )
        .require("a")
        .expect_pins(&["a==1.0"]);
    let package = &resolution.packages[&package_name("a")];
    assert!(
        package.file.url.path().contains("manylinux_2_17_x86_64"),
        "expected the manylinux wheel, got {}",
        package.file.url
    );
    assert_eq!(
        package.files.len(),
        4,
        "every file is listed for the hashes"
    );
}

#[test]
fn another_target_platform_takes_its_own_wheel_and_markers() {
    let resolution = Scenario::new("wheel tags and markers: a Windows target")
        .package(
            Package::new("a", "1.0")
                .wheel_tags("cp311-cp311-manylinux_2_17_x86_64")
                .wheel_tags("cp311-cp311-win_amd64")
                .requires("winonly; sys_platform == 'win32'"),
        )
        .package(Package::new("winonly", "1.0"))
        .platform("x86_64-pc-windows-msvc")
        .require("a")
        .expect_pins(&["a==1.0", "winonly==1.0"]);
    let file = &resolution.packages[&package_name("a")].file;
    assert!(file.url.path().ends_with("win_amd64.whl"), "{}", file.url);
}

#[test]
fn older_version_with_a_wheel_is_chosen_when_the_newest_has_none_for_the_target() {
    Scenario::new("no wheel for the target on the newest version")
        .package(Package::new("a", "2.0").wheel_tags("cp312-cp312-win_amd64"))
        .package(Package::new("a", "1.0"))
        .require("a")
        .expect_pins(&["a==1.0"]);
}

#[test]
fn no_solution_when_neither_a_wheel_for_the_target_nor_an_sdist_exists() {
    let text = Scenario::new("neither wheel nor sdist")
        .package(Package::new("a", "1.0").wheel_tags("cp312-cp312-win_amd64"))
        .package(Package::new("a", "1.1").wheel_tags("cp311-cp311-macosx_11_0_arm64"))
        .require("a")
        .expect_no_solution();
    assert!(text.contains("no wheel for"), "{text}");
    insta::assert_snapshot!("no_file_for_target", text);
}

#[test]
fn only_binary_refuses_sdists() {
    Scenario::new("only-binary: sdist-only newest is skipped")
        .package(Package::new("a", "2.0").no_wheels().sdist())
        .package(Package::new("a", "1.0"))
        .only_binary("a")
        .require("a")
        .expect_pins(&["a==1.0"]);
    let text = Scenario::new("only-binary :all: with only an sdist")
        .package(Package::new("a", "1.0").no_wheels().sdist())
        .only_binary(":all:")
        .require("a")
        .expect_no_solution();
    // Regression: this used to say "no wheel for the target and no sdist".
    assert!(!text.contains("no sdist"), "{text}");
    assert!(text.contains("--only-binary"), "{text}");
    insta::assert_snapshot!("only_binary_sdist_only", text);
}

#[test]
fn no_binary_refuses_wheels() {
    let resolution = Scenario::new("no-binary: the sdist is used")
        .package(Package::new("a", "1.0").sdist())
        .no_binary("a")
        .require("a")
        .expect_pins(&["a==1.0"]);
    let package = &resolution.packages[&package_name("a")];
    assert!(package.file.url.path().ends_with(".tar.gz"));
    assert_eq!(package.files.len(), 1, "the wheel's hash is not listed");
    let text = Scenario::new("no-binary :all: with only wheels")
        .package(Package::new("a", "1.0"))
        .no_binary(":all:")
        .require("a")
        .expect_no_solution();
    assert!(!text.contains("no sdist"), "{text}");
    assert!(text.contains("--no-binary"), "{text}");
    insta::assert_snapshot!("no_binary_wheel_only", text);
}

// Yanked.

#[test]
fn yanked_versions_are_skipped() {
    Scenario::new("yanked: newest skipped")
        .package(Package::new("a", "2.0").yanked("broken"))
        .package(Package::new("a", "1.0"))
        .require("a")
        .expect_pins(&["a==1.0"]);
}

#[test]
fn yanked_version_is_used_when_pinned_exactly_and_reported_with_its_reason() {
    let resolution = Scenario::new("yanked: pinned with ==")
        .package(Package::new("a", "2.0").yanked("broken"))
        .package(Package::new("a", "1.0"))
        .package(Package::new("b", "1.0").yanked(""))
        .require("a==2.0")
        .require("b==1.0")
        .expect_pins(&["a==2.0", "b==1.0"]);
    let a = &resolution.packages[&package_name("a")];
    assert_eq!(a.yanked(), Some("broken"));
    assert_eq!(
        a.yanked_warning().as_deref(),
        Some(
            "`a==2.0` is a yanked version, selected because a requirement pins it with `==`; \
             reason for being yanked: broken"
        )
    );
    // A yank without a reason is still a yank, and pip's words for the missing reason.
    let b = &resolution.packages[&package_name("b")];
    assert_eq!(b.yanked(), Some(""));
    assert!(
        b.yanked_warning()
            .is_some_and(|warning| warning.ends_with("reason for being yanked: <none given>")),
        "{:?}",
        b.yanked_warning()
    );
}

#[test]
fn a_version_that_is_not_yanked_gives_no_yank_warning() {
    let resolution = Scenario::new("yanked: the newest is skipped, the one taken is not yanked")
        .package(Package::new("a", "2.0").yanked("broken"))
        .package(Package::new("a", "1.0"))
        .require("a")
        .expect_pins(&["a==1.0"]);
    let a = &resolution.packages[&package_name("a")];
    assert_eq!(a.yanked(), None);
    assert_eq!(a.yanked_warning(), None);
}

#[test]
fn no_solution_when_only_yanked_versions_fit() {
    let text = Scenario::new("yanked-only")
        .package(Package::new("a", "2.0").yanked("broken"))
        .package(Package::new("a", "1.0").yanked(""))
        .require("a>=1")
        .expect_no_solution();
    assert!(text.contains("yanked"), "{text}");
    insta::assert_snapshot!("yanked_only", text);
}

// Pre-releases.

#[test]
fn prereleases_are_skipped_by_default() {
    Scenario::new("pre-release: skipped")
        .package(Package::new("a", "2.0b1"))
        .package(Package::new("a", "1.0"))
        .require("a")
        .expect_pins(&["a==1.0"]);
}

#[test]
fn prerelease_is_allowed_when_a_requirement_names_one() {
    Scenario::new("pre-release: named by the requirement")
        .package(Package::new("a", "2.0b1"))
        .package(Package::new("a", "1.0"))
        .require("a>=2.0b1")
        .expect_pins(&["a==2.0b1"]);
}

#[test]
fn prerelease_is_used_when_only_prereleases_exist() {
    Scenario::new("pre-release: only pre-releases")
        .package(Package::new("a", "1.0a1"))
        .package(Package::new("a", "1.0a2"))
        .require("a")
        .expect_pins(&["a==1.0a2"]);
}

#[test]
fn prerelease_is_used_when_only_prereleases_satisfy_the_range() {
    Scenario::new("pre-release: if necessary for the range")
        .package(Package::new("a", "2.0rc1"))
        .package(Package::new("a", "1.0"))
        .package(Package::new("b", "1.0").requires("a>=2.0.dev0"))
        .require("b")
        .expect_pins(&["a==2.0rc1", "b==1.0"]);
}

#[test]
fn prerelease_mode_allow_takes_the_newest_prerelease() {
    Scenario::new("pre-release: --prerelease allow")
        .package(Package::new("a", "2.0b1"))
        .package(Package::new("a", "1.0"))
        .prerelease(PrereleaseMode::Allow)
        .require("a")
        .expect_pins(&["a==2.0b1"]);
}

#[test]
fn no_solution_names_the_prerelease_that_would_fit() {
    // The yanked final release in range stops the "pre-releases if necessary" fallback, so
    // the explanation must name both reasons and the hint must name the pre-release.
    let text = Scenario::new("pre-release: only a yanked final and a pre-release in range")
        .package(Package::new("a", "1.1b1"))
        .package(Package::new("a", "1.0").yanked("broken"))
        .require("a>=1.0")
        .expect_no_solution();
    assert!(text.contains("--prerelease allow"), "{text}");
    insta::assert_snapshot!("prerelease_would_fit", text);
}

// Local versions and epochs.

#[test]
fn local_version_is_chosen_by_a_bare_requirement() {
    Scenario::new("local version: bare requirement")
        .package(Package::new("torch", "2.0+cu121"))
        .require("torch")
        .expect_pins(&["torch==2.0+cu121"]);
}

#[test]
fn local_version_is_chosen_by_its_full_pin() {
    Scenario::new("local version: full pin")
        .package(Package::new("torch", "2.0+cu121"))
        .package(Package::new("torch", "2.0"))
        .require("torch==2.0+cu121")
        .expect_pins(&["torch==2.0+cu121"]);
}

#[test]
fn local_version_satisfies_a_lower_bound() {
    Scenario::new("local version: >= bound")
        .package(Package::new("torch", "2.0+cu121"))
        .require("torch>=2.0")
        .expect_pins(&["torch==2.0+cu121"]);
}

/// PEP 440: `==2.0` (a specifier without a local label) matches `2.0+cu121`, as pip installs it.
#[test]
fn equals_without_local_label_matches_a_local_version() {
    Scenario::new("local version: ==2.0 against 2.0+cu121")
        .package(Package::new("torch", "2.0+cu121"))
        .require("torch==2.0")
        .expect_pins(&["torch==2.0+cu121"]);
}

/// The widened pin stops before the next post-release.
#[test]
fn equals_without_local_label_does_not_match_a_post_release() {
    Scenario::new("local version: ==2.0 against 2.0.post1")
        .package(Package::new("torch", "2.0.post1"))
        .package(Package::new("torch", "1.9"))
        .require("torch==2.0")
        .expect_no_solution();
}

#[test]
fn epoch_orders_before_the_release_number() {
    Scenario::new("epoch: 1!1.0 is newer than 2.0")
        .package(Package::new("a", "1!1.0"))
        .package(Package::new("a", "2.0"))
        .require("a")
        .expect_pins(&["a==1!1.0"]);
    Scenario::new("epoch: an upper bound without epoch excludes epoch 1")
        .package(Package::new("a", "1!1.0"))
        .package(Package::new("a", "2.0"))
        .require("a<3")
        .expect_pins(&["a==2.0"]);
}

// Constraints, overrides and preferences.

#[test]
fn constraints_limit_versions() {
    Scenario::new("constraints: limit a transitive version")
        .package(Package::new("a", "1.0").requires("b"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "2.0"))
        .constrain("b<2")
        .require("a")
        .expect_pins(&["a==1.0", "b==1.0"]);
}

#[test]
fn constraints_never_add_packages() {
    Scenario::new("constraints: unrelated package is not added")
        .package(Package::new("a", "1.0"))
        .package(Package::new("c", "1.0"))
        .constrain("c==1.0")
        .require("a")
        .expect_pins(&["a==1.0"]);
}

#[test]
fn conflicting_constraint_is_explained() {
    let text = Scenario::new("constraints: no version left")
        .package(Package::new("a", "1.0").requires("b>=2"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "2.0"))
        .constrain("b<2")
        .require("a")
        .expect_no_solution();
    insta::assert_snapshot!("constraint_conflict", text);
}

#[test]
fn override_replaces_a_broken_upper_bound() {
    let scenario = Scenario::new("overrides: broken upper bound")
        .package(Package::new("a", "1.0").requires("b<2"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "2.0"))
        .require("a")
        .require("b>=2");
    let error = scenario
        .run()
        .expect_err("without the override there is no solution");
    assert!(error.is_no_solution(), "{error}");
    scenario
        .override_with("b>=2")
        .expect_pins(&["a==1.0", "b==2.0"]);
}

#[test]
fn overrides_told_apart_by_markers_each_apply_where_their_marker_holds() {
    // uv's rule: several overrides of one package must differ by markers, and each replaces
    // the requirement only where its marker is true.
    let scenario = Scenario::new("overrides: one per platform")
        .package(Package::new("a", "1.0").requires("b<2"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "2.0"))
        .package(Package::new("b", "3.0"))
        .require("a")
        .override_with("b==2.0 ; sys_platform == 'linux'")
        .override_with("b==3.0 ; sys_platform == 'darwin'");
    scenario.clone().expect_pins(&["a==1.0", "b==2.0"]);
    scenario
        .platform("aarch64-apple-darwin")
        .expect_pins(&["a==1.0", "b==3.0"]);
}

#[test]
fn an_override_whose_marker_is_false_drops_the_requirement_it_replaces() {
    Scenario::new("overrides: marker false here")
        .package(Package::new("a", "1.0").requires("b"))
        .package(Package::new("b", "1.0"))
        .require("a")
        .override_with("b ; sys_platform == 'win32'")
        .expect_pins(&["a==1.0"]);
}

#[test]
fn an_override_replaces_a_requirement_whatever_its_marker_but_keeps_its_extra() {
    // The replaced requirement's marker does not matter (uv: "it is replaced unconditionally"),
    // except the extra it belongs to: the override joins that extra, not the base package.
    let universe = |scenario: Scenario| {
        scenario
            .package(
                Package::new("a", "1.0")
                    .requires("b<2 ; python_version < '3.8'")
                    .extra("x", ["c<2"]),
            )
            .package(Package::new("b", "1.0"))
            .package(Package::new("b", "2.0"))
            .package(Package::new("c", "1.0"))
            .package(Package::new("c", "2.0"))
            .override_with("b>=2")
            .override_with("c>=2")
    };
    universe(Scenario::new("overrides: base"))
        .require("a")
        .expect_pins(&["a==1.0", "b==2.0"]);
    universe(Scenario::new("overrides: with the extra"))
        .require("a[x]")
        .expect_pins(&["a==1.0", "b==2.0", "c==2.0"]);
}

#[test]
fn preferences_are_kept_when_possible() {
    Scenario::new("preferences: kept")
        .package(Package::new("a", "1.0").requires("b"))
        .package(Package::new("a", "2.0").requires("b"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "2.0"))
        .prefer("a", "1.0")
        .prefer("b", "1.0")
        .require("a")
        .expect_pins(&["a==1.0", "b==1.0"]);
}

#[test]
fn preference_outside_the_range_is_ignored() {
    Scenario::new("preferences: out of range")
        .package(Package::new("a", "1.0"))
        .package(Package::new("a", "2.0"))
        .package(Package::new("a", "3.0"))
        .prefer("a", "1.0")
        .require("a>=2")
        .expect_pins(&["a==3.0"]);
}

#[test]
fn upgrade_package_lifts_only_that_preference() {
    Scenario::new("preferences: --upgrade-package a")
        .package(Package::new("a", "1.0").requires("b"))
        .package(Package::new("a", "2.0").requires("b"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "2.0"))
        .prefer("a", "1.0")
        .prefer("b", "1.0")
        .upgrade_package("a")
        .require("a")
        .expect_pins(&["a==2.0", "b==1.0"]);
    Scenario::new("preferences: --upgrade")
        .package(Package::new("a", "1.0").requires("b"))
        .package(Package::new("a", "2.0").requires("b"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "2.0"))
        .prefer("a", "1.0")
        .prefer("b", "1.0")
        .upgrade(Upgrade::All)
        .require("a")
        .expect_pins(&["a==2.0", "b==2.0"]);
}

// Direct URLs.

#[test]
fn direct_url_requirement_pins_the_file_it_names() {
    let resolution = Scenario::new("direct URL wheel")
        .package(Package::new("a", "1.0").requires("b"))
        .package(Package::new("a", "2.0").requires("b"))
        .package(Package::new("b", "1.0"))
        .require("a @ {base}/files/a/a-1.0-py3-none-any.whl")
        .expect_pins(&["a==1.0", "b==1.0"]);
    let a = &resolution.packages[&package_name("a")];
    let url = a.direct_url.as_deref().expect("the URL is recorded");
    assert!(url.ends_with("/files/a/a-1.0-py3-none-any.whl"), "{url}");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
}

#[test]
fn direct_url_that_is_not_a_distribution_is_an_error() {
    let error = Scenario::new("direct URL to a page")
        .package(Package::new("a", "1.0"))
        .require("a @ {base}/simple/a/")
        .run()
        .expect_err("a page is not a distribution");
    assert!(!error.is_no_solution());
    let text = error.to_string();
    assert!(
        text.starts_with("Invalid direct URL requirement for `a`"),
        "{text}"
    );
}

// Unsatisfiable sets.

#[test]
fn direct_conflict_is_explained() {
    let text = Scenario::new("unsatisfiable: direct conflict")
        .package(Package::new("a", "1.0"))
        .package(Package::new("a", "2.0"))
        .package(Package::new("b", "1.0").requires("a==2.0"))
        .require("a==1.0")
        .require("b")
        .expect_no_solution();
    insta::assert_snapshot!("direct_conflict", text);
}

#[test]
fn transitive_conflict_is_explained() {
    let text = Scenario::new("unsatisfiable: transitive conflict")
        .package(Package::new("a", "1.0").requires("c<2"))
        .package(Package::new("b", "1.0").requires("c>=2"))
        .package(Package::new("c", "1.0"))
        .package(Package::new("c", "2.0"))
        .require("a")
        .require("b")
        .expect_no_solution();
    insta::assert_snapshot!("transitive_conflict", text);
}

#[test]
fn conflict_across_every_version_is_explained() {
    let text = Scenario::new("unsatisfiable: every version of a conflicts")
        .package(Package::new("a", "1.0").requires("c==1.0"))
        .package(Package::new("a", "2.0").requires("c==2.0"))
        .package(Package::new("b", "1.0").requires("c==3.0"))
        .package(Package::new("c", "1.0"))
        .package(Package::new("c", "2.0"))
        .package(Package::new("c", "3.0"))
        .require("a")
        .require("b")
        .expect_no_solution();
    insta::assert_snapshot!("conflict_every_version", text);
}

#[test]
fn requirement_no_version_satisfies_is_explained() {
    let text = Scenario::new("unsatisfiable: no versions")
        .package(Package::new("a", "1.0"))
        .package(Package::new("a", "1.5"))
        .require("a>=2")
        .expect_no_solution();
    insta::assert_snapshot!("no_versions", text);
}

#[test]
fn transitive_requirement_no_version_satisfies_is_explained() {
    let text = Scenario::new("unsatisfiable: no versions of a dependency")
        .package(Package::new("a", "1.0").requires("b>=5"))
        .package(Package::new("b", "1.0"))
        .require("a")
        .expect_no_solution();
    insta::assert_snapshot!("no_versions_transitive", text);
}

#[test]
fn conflicting_top_level_requirements_are_explained() {
    let text = Scenario::new("unsatisfiable: top level against itself")
        .package(Package::new("a", "1.0"))
        .package(Package::new("a", "2.0"))
        .require("a>=2")
        .require("a<2")
        .expect_no_solution();
    insta::assert_snapshot!("top_level_self_conflict", text);
}

#[test]
fn clashing_top_level_requirements_are_named_with_where_they_were_written() {
    let text = Scenario::new("explanations: two lines against each other")
        .package(Package::new("accelerate", "0.33.0"))
        .package(Package::new("accelerate", "1.0.0"))
        .package(Package::new("fastapi", "0.115.0"))
        .require_from("fastapi", "requirements/backend.in:1")
        .require_from("accelerate==0.33.0", "requirements/backend.in:3")
        .require_from("accelerate>=1.0", "extra `transformers` of pyproject.toml")
        .expect_no_solution();
    insta::assert_snapshot!("top_level_clash_with_origins", text);
}

#[test]
fn a_constraint_against_a_dependency_is_named_with_both_origins() {
    // The engine case: the version file pins the engine, whose torch differs from the pin the
    // engine inherits from its parent's lock.
    let text = Scenario::new("explanations: inherited pin against a dependency")
        .package(Package::new("vllm", "0.9.2").requires("torch==2.7.0"))
        .package(Package::new("torch", "2.5.1"))
        .package(Package::new("torch", "2.7.0"))
        .package(Package::new("numpy", "1.26.4"))
        .require_from("numpy", "requirements/base.in:2")
        .require_from(
            "vllm==0.9.2",
            "`library.current_version` in engine_versions/vllm.yaml",
        )
        .constrain_from("torch==2.5.1", "locks/base.txt, the lock of profile `base`")
        .constrain_from(
            "numpy==1.26.4",
            "locks/base.txt, the lock of profile `base`",
        )
        .expect_no_solution();
    insta::assert_snapshot!("constraint_against_dependency_with_origins", text);
}

#[test]
fn an_override_against_a_constraint_is_named_with_both_origins() {
    let text = Scenario::new("explanations: override against constraint")
        .package(Package::new("a", "1.0").requires("b<2"))
        .package(Package::new("b", "1.0"))
        .package(Package::new("b", "2.0"))
        .require_from("a", "requirements.in:1")
        .override_from("b>=2", "overrides.txt:1")
        .constrain_from("b<2", "constraints.txt:4")
        .expect_no_solution();
    insta::assert_snapshot!("override_against_constraint_with_origins", text);
}

#[test]
fn missing_project_is_reported() {
    let outcome = Scenario::new("unsatisfiable: the project does not exist")
        .package(Package::new("a", "1.0"))
        .require("does-not-exist")
        .run();
    let error = outcome.expect_err("nothing provides the project");
    insta::with_settings!({filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT")]}, {
        insta::assert_snapshot!(
            "missing_project",
            format!(
                "no solution: {}\n{}",
                error.is_no_solution(),
                crate::scenario::explanation(&error)
            )
        );
    });
}
