//! Every kind of bad input: exit code 2 and a message naming the file, the line and the remedy.
//! Each case's full output (exit code, stdout, stderr) is a snapshot in `snapshots/`.

use crate::strata;
use crate::support::{Filters, Project, strata_snapshot};

/// Declares a test that writes `files`, runs `strata <args>` and snapshots the failure.
macro_rules! bad_input {
    ($name:ident, [$(($path:expr, $contents:expr)),* $(,)?]) => {
        bad_input!($name, ["profiles"], [$(($path, $contents)),*]);
    };
    ($name:ident, [$($arg:expr),*], [$(($path:expr, $contents:expr)),* $(,)?]) => {
        #[test]
        fn $name() {
            let project = Project::new(&[$(($path, $contents)),*]);
            let output = strata(&project, &[$($arg),*]);
            assert_eq!(output.code, 2, "{}", output.render());
            assert!(output.stdout.is_empty(), "no partial output on stdout");
            strata_snapshot!(stringify!($name), Filters::new(), output);
        }
    };
}

const BASE: &str = "[profiles.base]\nrequirements = [\"numpy\"]\n";

bad_input!(no_manifest_anywhere_up_the_tree, [("empty/.keep", "")]);

bad_input!(
    malformed_toml_names_line_and_column,
    [(
        "strata.toml",
        "[profiles.base\nrequirements = [\"numpy\"]\n"
    )]
);

bad_input!(
    misspelt_top_level_key_suggests_the_right_one,
    [(
        "strata.toml",
        "pyton-version = \"3.11\"\n[profiles.base]\nrequirements = [\"x\"]\n"
    )]
);

bad_input!(
    misspelt_profile_key_suggests_the_right_one,
    [(
        "strata.toml",
        "[profiles.base]\nrequirement = [\"numpy\"]\n"
    )]
);

bad_input!(
    unknown_key_in_pyproject_tool_strata_lists_the_keys,
    [("pyproject.toml", "[tool.strata]\ncolour = \"blue\"\n")]
);

bad_input!(
    engine_only_key_in_a_profile_is_rejected,
    [(
        "strata.toml",
        "[profiles.base]\nrequirements = [\"numpy\"]\ngpu = true\n"
    )]
);

bad_input!(
    wrong_value_type_points_at_the_value,
    [("strata.toml", "[profiles.base]\nrequirements = \"numpy\"\n")]
);

bad_input!(
    unknown_parent_suggests_a_defined_profile,
    [(
        "strata.toml",
        "[profiles.base]\nrequirements = [\"numpy\"]\n[profiles.backend]\nextends = [\"bsae\"]\n"
    )]
);

bad_input!(
    cycle_in_extends_prints_the_cycle,
    [(
        "strata.toml",
        "[profiles.a]\nextends = [\"c\"]\nrequirements = [\"x\"]\n[profiles.b]\nextends = [\"a\"]\n[profiles.c]\nextends = [\"b\"]\n"
    )]
);

bad_input!(
    profile_and_engine_with_one_name_are_rejected,
    [(
        "strata.toml",
        "[profiles.vllm]\nrequirements = [\"x\"]\n[engines.vllm]\nversion = { file = \"v.yaml\", key = \"v\" }\n"
    )]
);

bad_input!(
    profile_without_sources_says_what_to_add,
    [(
        "strata.toml",
        "[profiles.base]\npython-version = \"3.11\"\n"
    )]
);

bad_input!(
    missing_in_file_points_at_the_manifest_key,
    [(
        "strata.toml",
        "[profiles.base]\nfile = \"requirements/base.in\"\n"
    )]
);

bad_input!(
    missing_included_file_points_at_the_include_line,
    [
        ("strata.toml", "[profiles.base]\nfile = \"req/base.in\"\n"),
        ("req/base.in", "numpy\n-r common.in\n"),
    ]
);

bad_input!(
    include_loop_in_in_files_prints_the_chain,
    [
        ("strata.toml", "[profiles.base]\nfile = \"req/a.in\"\n"),
        ("req/a.in", "numpy\n-r b.in\n"),
        ("req/b.in", "-r a.in\n"),
    ]
);

bad_input!(
    bad_requirement_line_in_in_file_shows_a_caret,
    [
        ("strata.toml", "[profiles.base]\nfile = \"base.in\"\n"),
        ("base.in", "# pins\nnumpy>=1.26\ntorch>=>2.0\n"),
    ]
);

bad_input!(
    bad_inline_requirement_shows_a_caret,
    [(
        "strata.toml",
        "[profiles.base]\nrequirements = [\"numpy\", \"fastapi[standard\"]\n"
    )]
);

bad_input!(
    unsupported_option_in_in_file_is_named,
    [
        ("strata.toml", "[profiles.base]\nfile = \"base.in\"\n"),
        ("base.in", "numpy\n--trusted-host mirror.invalid\n"),
    ]
);

bad_input!(
    unknown_extra_suggests_a_declared_one,
    [(
        "pyproject.toml",
        "[project]\nname = \"p\"\n[project.optional-dependencies]\nvllm = [\"vllm\"]\n[tool.strata.profiles.base]\ninclude = [\"extra:vlm\"]\n"
    )]
);

bad_input!(
    unknown_group_lists_the_declared_ones,
    [(
        "pyproject.toml",
        "[dependency-groups]\ntest = [\"pytest\"]\nlint = [\"ruff\"]\n[tool.strata.profiles.base]\ninclude = [\"group:docs\"]\n"
    )]
);

bad_input!(
    include_group_loop_prints_the_chain,
    [(
        "pyproject.toml",
        "[dependency-groups]\na = [{ include-group = \"b\" }]\nb = [{ include-group = \"a\" }]\n[tool.strata.profiles.base]\ninclude = [\"group:a\"]\n"
    )]
);

bad_input!(
    unknown_include_kind_lists_the_kinds,
    [(
        "strata.toml",
        "[profiles.base]\ninclude = [\"optional:vllm\"]\n"
    )]
);

bad_input!(
    include_project_without_pyproject_names_the_file,
    [("strata.toml", "[profiles.base]\ninclude = [\"project\"]\n")]
);

bad_input!(
    bad_requirement_in_pyproject_points_into_pyproject,
    [(
        "pyproject.toml",
        "[project]\nname = \"p\"\ndependencies = [\"requests>=2,,\"]\n[tool.strata.profiles.base]\ninclude = [\"project\"]\n"
    )]
);

const ENGINE: &str = "[engines.vllm]\nversion = { file = \"engine_versions/vllm.yaml\", key = \"library.current_version\" }\n";

bad_input!(
    missing_version_file_names_the_engine,
    [("strata.toml", ENGINE)]
);

bad_input!(
    absent_version_key_lists_the_keys_found,
    [
        ("strata.toml", ENGINE),
        (
            "engine_versions/vllm.yaml",
            "library:\n  version: 0.9.2\n  name: vllm\n"
        ),
    ]
);

bad_input!(
    version_value_that_is_not_pep440_is_rejected,
    [
        ("strata.toml", ENGINE),
        (
            "engine_versions/vllm.yaml",
            "library:\n  current_version: latest\n"
        ),
    ]
);

bad_input!(
    malformed_yaml_version_file_names_line_and_column,
    [
        ("strata.toml", ENGINE),
        (
            "engine_versions/vllm.yaml",
            "library:\n  current_version: [0.9\n"
        ),
    ]
);

bad_input!(
    malformed_toml_version_file_names_line_and_column,
    [
        (
            "strata.toml",
            "[engines.vllm]\nversion = { file = \"v.toml\", key = \"library.version\" }\n"
        ),
        ("v.toml", "[library]\nversion = 0.9.2\n"),
    ]
);

bad_input!(
    engine_without_version_says_how_to_add_one,
    [("strata.toml", "[engines.vllm]\nrequirements = [\"vllm\"]\n")]
);

bad_input!(
    unknown_python_platform_suggests_a_near_name,
    [(
        "strata.toml",
        &format!("python-platform = \"x86_64-manylinux_2_8\"\n{BASE}")
    )]
);

bad_input!(
    python_version_that_is_not_cpython3_is_rejected,
    [("strata.toml", &format!("python-version = \"2.7\"\n{BASE}"))]
);

bad_input!(
    profile_name_with_uppercase_is_rejected,
    [(
        "strata.toml",
        "[profiles.Base]\nrequirements = [\"numpy\"]\n"
    )]
);

bad_input!(
    engine_naming_an_undeclared_index_is_rejected,
    [
        ("strata.toml", &format!("{ENGINE}indexes = [\"nvidia\"]\n")),
        (
            "engine_versions/vllm.yaml",
            "library:\n  current_version: 0.9.2\n"
        ),
    ]
);

bad_input!(
    image_with_both_upstream_and_build_is_rejected,
    [
        (
            "strata.toml",
            &format!(
                "{ENGINE}image = {{ upstream = \"x:{{version}}\", build = \"Dockerfile\" }}\n"
            )
        ),
        (
            "engine_versions/vllm.yaml",
            "library:\n  current_version: 0.9.2\n"
        ),
    ]
);

bad_input!(
    invalid_when_index_unavailable_lists_the_choices,
    [
        (
            "strata.toml",
            &format!("{ENGINE}when-index-unavailable = \"ignore\"\n")
        ),
        (
            "engine_versions/vllm.yaml",
            "library:\n  current_version: 0.9.2\n"
        ),
    ]
);

bad_input!(
    unknown_profile_on_the_command_line_lists_the_defined_ones,
    ["profiles", "bsae"],
    [("strata.toml", BASE)]
);

bad_input!(
    unknown_format_is_a_usage_error,
    ["profiles", "--format", "yaml"],
    [("strata.toml", BASE)]
);

// Requirement forms strata cannot lock are errors on their line, never dropped (issue 11).

bad_input!(
    editable_line_naming_a_missing_directory_is_an_error_on_its_line,
    [
        ("strata.toml", "[profiles.base]\nfile = \"base.in\"\n"),
        ("base.in", "numpy\n-e ./localpkg\n"),
    ]
);

bad_input!(
    local_directory_line_in_in_file_says_how_to_lock_a_local_wheel,
    [
        ("strata.toml", "[profiles.base]\nfile = \"base.in\"\n"),
        ("base.in", "numpy\n../dist/x-1.0-py3-none-any.whl\n"),
    ]
);

bad_input!(
    unnamed_url_in_in_file_asks_for_the_name,
    [
        ("strata.toml", "[profiles.base]\nfile = \"base.in\"\n"),
        ("base.in", "https://files.invalid/x-1.0-py3-none-any.whl\n"),
    ]
);

bad_input!(
    vcs_url_inline_is_rejected_with_the_manifest_line,
    [(
        "strata.toml",
        "[profiles.base]\nrequirements = [\n  \"numpy\",\n  \"x @ hg+https://hg.invalid/x@v1.0\",\n]\n"
    )]
);

bad_input!(
    file_url_of_a_directory_in_project_dependencies_points_into_pyproject,
    [(
        "pyproject.toml",
        "[project]\nname = \"p\"\ndependencies = [\"numpy\", \"x @ file:///src/x\"]\n[tool.strata.profiles.base]\ninclude = [\"project\"]\n"
    )]
);

bad_input!(
    url_that_is_no_distribution_in_a_group_names_the_package,
    [(
        "pyproject.toml",
        "[dependency-groups]\ndev = [\"x @ https://git.invalid/x/archive/main.zip\"]\n[tool.strata.profiles.base]\ninclude = [\"group:dev\"]\n"
    )]
);

bad_input!(
    pre_in_a_profile_file_is_rejected_as_unused_by_lock,
    [
        ("strata.toml", "[profiles.base]\nfile = \"base.in\"\n"),
        ("base.in", "numpy\n--pre\n"),
    ]
);

bad_input!(
    extra_index_url_in_a_profile_file_that_the_manifest_lacks_is_rejected,
    [
        (
            "strata.toml",
            "extra-index-url = [\"https://other.invalid/simple\"]\n[profiles.base]\nfile = \"base.in\"\n"
        ),
        (
            "base.in",
            "--extra-index-url https://gpu.invalid/simple\ntorch\n"
        ),
    ]
);

bad_input!(
    find_links_in_a_profile_file_that_the_manifest_lacks_is_rejected,
    [
        ("strata.toml", "[profiles.base]\nfile = \"req/base.in\"\n"),
        ("req/base.in", "-f ../wheels\nnumpy\n"),
        ("wheels/.keep", ""),
    ]
);

#[test]
fn index_options_in_a_profile_file_that_repeat_the_manifest_are_accepted() {
    let project = Project::new(&[
        (
            "strata.toml",
            "index-url = \"https://mirror.invalid/simple\"\nextra-index-url = [\"https://gpu.invalid/simple/\"]\nfind-links = [\"wheels\"]\n[profiles.base]\nfile = \"req/base.in\"\n",
        ),
        (
            "req/base.in",
            "-i https://mirror.invalid/simple/\n--extra-index-url https://gpu.invalid/simple\n--find-links ../wheels\nnumpy\n",
        ),
        ("wheels/.keep", ""),
    ]);
    let output = strata(&project, &["profiles"]);
    assert_eq!(output.code, 0, "{}", output.render());
}

bad_input!(
    direct_url_without_its_hash_is_rejected_as_a_lock_records_hashes,
    [(
        "strata.toml",
        "[profiles.base]\nrequirements = [\"lib @ https://files.invalid/lib-1.0-py3-none-any.whl\"]\n"
    )]
);

bad_input!(
    include_project_whose_dependencies_are_dynamic_is_rejected_not_empty,
    [(
        "pyproject.toml",
        "[project]\nname = \"p\"\ndynamic = [\"dependencies\"]\n[tool.strata.profiles.base]\nrequirements = [\"numpy\"]\ninclude = [\"project\"]\n"
    )]
);

// Input files are read bounded, as UTF-8, and located when they are not (issue 12, items 3
// and 9).

bad_input!(
    requirement_file_that_never_ends_is_refused_at_the_cap,
    [
        ("strata.toml", "[profiles.base]\nfile = \"base.in\"\n"),
        ("base.in", "numpy\n-r /dev/zero\n"),
    ]
);

#[test]
fn latin1_manifest_names_line_and_column() {
    let project = Project::new(&[]);
    project.write_bytes(
        "strata.toml",
        b"[profiles.base]\n# caf\xe9 au lait\nrequirements = [\"numpy\"]\n",
    );
    let output = strata(&project, &["profiles"]);
    assert_eq!(output.code, 2, "{}", output.render());
    strata_snapshot!(Filters::new(), output);
}

#[test]
fn latin1_requirement_file_names_line_and_column() {
    let project = Project::new(&[("strata.toml", "[profiles.base]\nfile = \"base.in\"\n")]);
    project.write_bytes("base.in", b"numpy\nna\xefve-lib\n");
    let output = strata(&project, &["profiles"]);
    assert_eq!(output.code, 2, "{}", output.render());
    strata_snapshot!(Filters::new(), output);
}

/// pip skips a UTF-8 byte-order mark at the start of a requirements file (Windows editors write
/// one); so does strata, instead of reading it as part of the first requirement's name.
#[test]
fn byte_order_mark_at_the_start_of_an_in_file_is_skipped_as_pip_does() {
    let project = Project::new(&[("strata.toml", "[profiles.base]\nfile = \"base.in\"\n")]);
    project.write_bytes("base.in", b"\xef\xbb\xbfnumpy>=1.26\ntorch\n");
    let output = strata(&project, &["profiles", "--format", "json"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(
        output.stdout.contains("\"numpy>=1.26\"") && output.stdout.contains("\"base.in:1\""),
        "{}",
        output.render()
    );
}

/// A version file saved with a byte-order mark still has its first key.
#[test]
fn byte_order_mark_at_the_start_of_a_yaml_version_file_is_skipped() {
    let project = Project::new(&[("strata.toml", ENGINE)]);
    fs_err::create_dir_all(project.dir().join("engine_versions")).unwrap();
    project.write_bytes(
        "engine_versions/vllm.yaml",
        b"\xef\xbb\xbflibrary:\n  current_version: 0.9.2\n",
    );
    let output = strata(&project, &["profiles"]);
    assert_eq!(output.code, 0, "{}", output.render());
    assert!(output.stdout.contains("vllm==0.9.2"), "{}", output.render());
}

// The rest of issue 12, item 9: each bad input gets its file, line and remedy.

bad_input!(
    version_key_naming_a_mapping_suggests_the_version_inside_it,
    [
        (
            "strata.toml",
            "[engines.vllm]\nversion = { file = \"engine_versions/vllm.yaml\", key = \"library\" }\n"
        ),
        (
            "engine_versions/vllm.yaml",
            "library:\n  name: vllm\n  current_version: 0.9.2\n"
        ),
    ]
);

bad_input!(
    lock_dir_naming_a_file_points_at_the_setting,
    ["lock", "--offline"],
    [
        (
            "strata.toml",
            &format!("lock-dir = \"requirements.lock\"\n{BASE}")
        ),
        ("requirements.lock", "numpy==1.26.4\n"),
    ]
);

bad_input!(
    default_lock_dir_that_is_a_file_is_named,
    ["lock", "--offline"],
    [("strata.toml", BASE), ("locks", "")]
);

bad_input!(
    index_url_that_is_not_a_url_is_caught_on_its_line,
    [("strata.toml", &format!("index-url = \"not a url\"\n{BASE}"))]
);

bad_input!(
    extra_index_url_without_a_scheme_is_caught_on_its_line,
    [(
        "pyproject.toml",
        "[tool.strata]\nextra-index-url = [\n  \"https://gpu.invalid/simple\",\n  \"mirror.invalid/simple\",\n]\n[tool.strata.profiles.base]\nrequirements = [\"numpy\"]\n"
    )]
);

bad_input!(
    named_index_url_that_is_not_a_url_is_caught_on_its_line,
    [(
        "strata.toml",
        &format!("[indexes.gpu]\nurl = \"gpu index\"\n{BASE}")
    )]
);

#[test]
fn requirement_name_of_100000_characters_is_too_long_and_not_echoed_whole() {
    let name = "a".repeat(100_000);
    let project = Project::new(&[
        ("strata.toml", "[profiles.base]\nfile = \"base.in\"\n"),
        ("base.in", &format!("numpy\n{name}>=1\n")),
    ]);
    let output = strata(&project, &["profiles"]);
    assert_eq!(output.code, 2, "{}", output.render());
    assert!(
        output.stderr.len() < 2_000,
        "{} bytes of stderr",
        output.stderr.len()
    );
    strata_snapshot!(Filters::new(), output);
}

bad_input!(
    constraint_with_extras_in_a_constraints_file_is_refused_as_pip_does,
    [
        ("strata.toml", "[profiles.base]\nfile = \"base.in\"\n"),
        ("base.in", "numpy\n-c constraints.txt\n"),
        ("constraints.txt", "# pins\nnumpy[foo]<2\n"),
    ]
);

bad_input!(
    inline_constraint_with_extras_is_refused_as_pip_does,
    [(
        "strata.toml",
        "[profiles.base]\nrequirements = [\"numpy\"]\nconstraints = [\"numpy[foo]<2\"]\n"
    )]
);

bad_input!(
    strata_toml_and_tool_strata_in_one_directory_are_refused,
    [
        ("strata.toml", BASE),
        (
            "pyproject.toml",
            "[project]\nname = \"p\"\n\n[tool.strata.profiles.other]\nrequirements = [\"numpy\"]\n"
        ),
    ]
);

/// Naming one of the two files does not make the other one's settings go unread.
#[test]
fn strata_toml_and_tool_strata_are_refused_whichever_is_named() {
    let project = Project::new(&[
        ("strata.toml", BASE),
        (
            "pyproject.toml",
            "[tool.strata]\npython-version = \"3.12\"\n",
        ),
    ]);
    for manifest in ["strata.toml", "pyproject.toml"] {
        let output = strata(&project, &["profiles", "--project", manifest]);
        assert_eq!(output.code, 2, "{manifest}: {}", output.render());
        assert!(
            output.stderr.contains("pyproject.toml:1:"),
            "{manifest}: {}",
            output.render()
        );
    }
}

bad_input!(
    lock_check_with_force_is_a_usage_error,
    ["lock", "--check", "--force"],
    [("strata.toml", BASE)]
);

bad_input!(
    lock_check_with_upgrade_is_a_usage_error,
    ["lock", "--check", "--upgrade"],
    [("strata.toml", BASE)]
);

bad_input!(
    lock_check_with_layered_is_a_usage_error,
    ["lock", "--check", "--layered"],
    [("strata.toml", BASE)]
);

bad_input!(
    lock_check_with_keep_going_is_a_usage_error,
    ["lock", "--check", "--keep-going"],
    [("strata.toml", BASE)]
);

bad_input!(
    lock_check_with_upgrade_package_is_a_usage_error,
    ["lock", "--check", "--upgrade-package", "numpy"],
    [("strata.toml", BASE)]
);

bad_input!(
    image_repository_with_a_tag_says_strata_adds_the_tags,
    [(
        "strata.toml",
        "[images]\nrepository = \"team/app:latest\"\n[profiles.base]\nrequirements = [\"numpy\"]\n"
    )]
);

bad_input!(
    image_repository_with_uppercase_names_the_component,
    [(
        "strata.toml",
        "[images]\nrepository = \"Team/app\"\n[profiles.base]\nrequirements = [\"numpy\"]\n"
    )]
);

bad_input!(
    a_profile_extending_an_engine_is_rejected_as_it_could_not_keep_its_pins,
    [
        (
            "strata.toml",
            "[profiles.base]\nrequirements = [\"numpy\"]\n\
             [engines.vllm]\nextends = [\"base\"]\nversion = { file = \"v.yaml\", key = \"v\" }\n\
             [profiles.vllm-tests]\nextends = [\"vllm\"]\nrequirements = [\"pytest\"]\n"
        ),
        ("v.yaml", "v: \"1.0\"\n")
    ]
);

bad_input!(
    a_ci_cell_for_an_engine_that_does_not_exist_names_the_engines,
    [
        (
            "strata.toml",
            "[profiles.base]\nrequirements = [\"numpy\"]\n\
             [engines.vllm]\nextends = [\"base\"]\nversion = { file = \"v.yaml\", key = \"v\" }\n\
             [ci.cells.invariants]\ncommand = [\"python\", \"-m\", \"app.invariants\"]\n\
             engines = [\"vlm\"]\n"
        ),
        ("v.yaml", "v: \"1.0\"\n")
    ]
);

bad_input!(
    a_ci_install_command_with_an_expression_is_refused_before_github_would_evaluate_it,
    [(
        "strata.toml",
        "[profiles.base]\nrequirements = [\"numpy\"]\n\
         [ci]\ninstall = \"curl ${{ secrets.URL }} | sh\"\n"
    )]
);
