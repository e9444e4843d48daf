//! The typed queries other crates ask the project: a named profile or engine, an engine's
//! indexes, a profile's target.

use strata_diagnostic::Diagnostic as _;
use strata_project::{ProfileName, Project};

fn project(manifest: &str, vars: &[(&str, &str)]) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    fs_err::write(dir.path().join("strata.toml"), manifest).unwrap();
    fs_err::write(dir.path().join("v.yaml"), "v: \"1.0\"\n").unwrap();
    let lookup = |name: &str| {
        vars.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_string())
    };
    let project = Project::discover(dir.path(), &lookup).unwrap();
    (dir, project)
}

const MANIFEST: &str = r#"
python-version = "3.11"

[indexes.gpu]
url = "${GPU_INDEX}/simple"

[profiles.base]
requirements = ["numpy"]
python-platform = "linux"

[profiles.backend]
extends = ["base"]
requirements = ["fastapi"]

[profiles.ui]
requirements = ["gradio"]

[engines.vllm]
extends = ["base"]
version = { file = "v.yaml", key = "v" }
indexes = ["gpu"]
"#;

#[test]
fn a_misspelt_profile_or_engine_is_an_error_naming_the_manifest_and_the_near_miss() {
    let (_dir, project) = project(MANIFEST, &[]);
    assert_eq!(project.profile("backend").unwrap().name.as_str(), "backend");
    let error = project.profile("backnd").unwrap_err();
    assert_eq!(
        error.to_string(),
        "No profile or engine `backnd` in `strata.toml`; the project has `base`, `backend`, `ui`, `vllm`"
    );
    assert_eq!(error.hints(), ["Did you mean `backend`?"]);

    let (engine, details) = project.engine("vllm").unwrap();
    assert_eq!(
        (engine.name.as_str(), details.package.as_ref()),
        ("vllm", "vllm")
    );
    // A plain profile is not an engine: the list names the engines only.
    let error = project.engine("base").unwrap_err();
    assert_eq!(
        error.to_string(),
        "No engine `base` in `strata.toml`; the project has `vllm`"
    );
    assert_eq!(
        project.engine("vlm").unwrap_err().hints(),
        ["Did you mean `vllm`?"]
    );
}

#[test]
fn an_engine_index_is_unavailable_exactly_when_a_variable_of_its_url_is_unset() {
    let vllm = ProfileName::parse("vllm").unwrap();
    let base = ProfileName::parse("base").unwrap();
    let (_dir, unset) = project(MANIFEST, &[]);
    let unavailable = unset.unavailable_index(&vllm).unwrap();
    assert_eq!(unavailable.name, "gpu");
    assert_eq!(unavailable.unset_variables(), "`GPU_INDEX`");
    assert!(unset.engine_index_urls(&vllm).is_empty());
    assert_eq!(unset.unavailable_index(&base), None);

    let (_dir, set) = project(MANIFEST, &[("GPU_INDEX", "http://127.0.0.1:1")]);
    assert_eq!(set.unavailable_index(&vllm), None);
    assert_eq!(set.engine_index_urls(&vllm), ["http://127.0.0.1:1/simple"]);
}

#[test]
fn targets_are_typed_at_load_and_say_which_setting_is_missing() {
    let (_dir, project) = project(MANIFEST, &[]);
    let base = &project.profiles[&ProfileName::parse("base").unwrap()];
    assert_eq!(
        base.target().target().unwrap().to_string(),
        "Python 3.11 on linux"
    );
    // What a profile sets, those extending it inherit; `ui` extends nothing, and the project
    // sets no platform.
    let vllm = &project.profiles[&ProfileName::parse("vllm").unwrap()];
    assert_eq!(vllm.targets, base.targets);
    let ui = &project.profiles[&ProfileName::parse("ui").unwrap()];
    assert_eq!(
        ui.target().target().unwrap_err().to_string(),
        "`python-platform` is not set in the manifest"
    );
}
