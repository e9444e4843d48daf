use strata_contracts::{ContractStatus, ContractsConfig, check, render};

use crate::{check_importlinter_fixture, fixture};

fn engine_report() -> strata_contracts::Report {
    let config = ContractsConfig {
        root: fixture("engine"),
        host: vec![
            "myproj.cli".to_owned(),
            "myproj.cli.*".to_owned(),
            "myproj.config".to_owned(),
        ],
        engine_packages: vec![
            "torch".to_owned(),
            "vllm".to_owned(),
            "transformers".to_owned(),
        ],
        scan_tests: true,
        ..ContractsConfig::default()
    };
    check(&config).unwrap()
}

#[test]
fn engine_rule_flags_module_level_and_transitive_engine_imports_only() {
    let report = engine_report();
    insta::assert_snapshot!(render::human(&report));
}

#[test]
fn engine_rule_allows_function_type_checking_try_except_and_importorskip() {
    let report = engine_report();
    let flagged: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|finding| (finding.importer.as_str(), finding.imported.as_str()))
        .collect();
    // `cli.main` imports vllm in try/except, torch under TYPE_CHECKING and transformers in a
    // function: only the chain through `models` (a re-export in `__init__`) is flagged.
    assert!(!flagged.contains(&("myproj.cli.main", "vllm")));
    assert!(!flagged.contains(&("myproj.cli.main", "transformers")));
    assert!(flagged.contains(&("myproj.cli.main", "torch")));
    // `test_ok` calls `pytest.importorskip("vllm")` first.
    assert!(
        !flagged
            .iter()
            .any(|(importer, _)| *importer == "tests.test_ok")
    );
    // The gitignored `generated.py` is never scanned.
    assert!(
        !flagged
            .iter()
            .any(|(importer, _)| importer.contains("generated"))
    );
}

#[test]
fn engine_rule_findings_render_as_json_and_github_annotations() {
    let report = engine_report();
    let config_finding = report
        .findings
        .iter()
        .find(|finding| finding.importer == "myproj.config")
        .unwrap();
    insta::assert_json_snapshot!(config_finding, @r#"
    {
      "rule": {
        "code": "STR001",
        "name": "EngineImportAtModuleLevel"
      },
      "contract": "Engine packages are not imported at module level",
      "path": "src/myproj/config.py",
      "line": 2,
      "column": 1,
      "message": "Host module `myproj.config` imports engine package `transformers` at module level: myproj.config -> transformers (l.2)",
      "importer": "myproj.config",
      "imported": "transformers",
      "chain": [
        {
          "importer": "myproj.config",
          "imported": "transformers",
          "path": "src/myproj/config.py",
          "sites": [
            [
              2,
              1
            ]
          ]
        }
      ]
    }
    "#);
    insta::assert_snapshot!(render::github(&report));
}

#[test]
fn a_file_that_fails_to_parse_is_reported_and_the_run_continues() {
    let report = engine_report();
    assert_eq!(report.parse_failures.len(), 1);
    assert_eq!(
        report.parse_failures[0].path,
        std::path::Path::new("src/myproj/broken.py")
    );
    assert!(!report.findings.is_empty());
}

#[test]
fn layers_contract_reports_indirect_chains_siblings_and_undeclared_layers() {
    let report = check_importlinter_fixture("layers");
    insta::assert_snapshot!(render::human(&report));
}

#[test]
fn ignored_imports_and_dependent_siblings_keep_a_layers_contract() {
    let report = check_importlinter_fixture("layers");
    let relaxed = report
        .contracts
        .iter()
        .find(|contract| contract.name == "Relaxed siblings")
        .unwrap();
    assert_eq!(relaxed.status, ContractStatus::Kept);
    // `layered.low.** -> layered.utils` matches an import; the other line matches as well.
    assert!(relaxed.warnings.is_empty(), "{:?}", relaxed.warnings);
}

#[test]
fn forbidden_contract_reports_external_and_indirect_imports() {
    let report = check_importlinter_fixture("forbidden");
    insta::assert_snapshot!(render::human(&report));
}

#[test]
fn independence_contract_reports_both_directions_and_relative_imports() {
    let report = check_importlinter_fixture("independence");
    insta::assert_snapshot!(render::human(&report));
}

#[test]
fn acyclic_siblings_contract_reports_one_cycle_per_package_and_honours_depth_and_skips() {
    let report = check_importlinter_fixture("acyclic");
    insta::assert_snapshot!(render::human(&report));
}

/// Writes `files` (path, contents) under a fresh temporary project.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    for (path, contents) in files {
        let path = root.path().join(path);
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, contents).unwrap();
    }
    root
}

#[test]
fn engine_rule_flags_class_bodies_type_checking_else_and_parent_package_init() {
    let root = project(&[
        ("app/__init__.py", "import vllm\n"),
        ("app/cli/__init__.py", ""),
        (
            "app/cli/run.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import torch\nelse:\n    import numpy\nclass Runner:\n    import torch\n",
        ),
        ("numpy_shim.py", ""),
    ]);
    let config = ContractsConfig {
        root: root.path().to_path_buf(),
        host: vec!["app.cli.*".to_owned()],
        engine_packages: vec!["torch".to_owned(), "vllm".to_owned(), "numpy".to_owned()],
        ..ContractsConfig::default()
    };
    let report = check(&config).unwrap();
    let messages: Vec<&str> = report
        .findings
        .iter()
        .map(|finding| finding.message.as_str())
        .collect();
    insta::assert_debug_snapshot!(messages, @r#"
    [
        "Host module `app.cli.run` imports engine package `vllm` at module level: app.cli.run -> app.cli (package) -> app (package) -> vllm (l.1)",
        "Host module `app.cli.run` imports engine package `numpy` at module level: app.cli.run -> numpy (l.5)",
        "Host module `app.cli.run` imports engine package `torch` at module level: app.cli.run -> torch (l.7)",
    ]
    "#);
}

#[test]
fn an_unmatched_ignored_import_is_an_error_that_names_the_contract() {
    let root = project(&[
        (
            ".importlinter",
            "[importlinter]\nroot_package = app\n\n[importlinter:contract:one]\nname = One\ntype = independence\nmodules =\n    app.a\n    app.b\nignore_imports =\n    app.a -> app.b\n",
        ),
        ("app/__init__.py", ""),
        ("app/a.py", ""),
        ("app/b.py", ""),
    ]);
    let config = ContractsConfig::discover(root.path()).unwrap();
    let error = check(&config).unwrap_err();
    insta::assert_snapshot!(error, @"Contract `One`: no matches for ignored import `app.a -> app.b`");
}

#[test]
fn a_missing_root_package_is_an_error() {
    let root = project(&[("setup.cfg", "[importlinter]\nroot_package = absent\n")]);
    let config = ContractsConfig::discover(root.path()).unwrap();
    let error = check(&config).unwrap_err().to_string();
    assert!(
        error.starts_with("Root package `absent` not found"),
        "{error}"
    );
}
