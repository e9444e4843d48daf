//! Random and mutated `.in` files and manifests never panic the loaders, and every input they
//! refuse is refused with a file and a line (issue 12, item 10).
//!
//! The inputs start from real ones, the example project's manifest and requirements files, plus
//! a line of each form pip knows, and are then mutated: characters that mean something to
//! TOML, PEP 508 or pip inserted, spans deleted or repeated thousands of times (a long line
//! must not flood the message), lines spliced into each other, lines dropped, duplicated and
//! swapped. Each case writes a throwaway project and loads it the way the CLI does; the loader
//! must return a model or an error whose snippet names a file and a line, whose text is a
//! bounded window of that line, and whose message and hints stay short.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;

use strata_diagnostic::Diagnostic as _;
use strata_project::{Error, Project, read_requirements_file};

/// The longest snippet line: a window of 120 characters and an ellipsis at each end.
const MAX_SNIPPET_CHARS: usize = 122;
/// Far above any real message, far below what quoting a repeated span whole would give.
const MAX_MESSAGE_CHARS: usize = 1_500;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/ml-engines")
}

/// The files of the example project that loading reads, as (relative path, text).
static EXAMPLE_FILES: LazyLock<Vec<(PathBuf, String)>> = LazyLock::new(|| {
    let mut files = Vec::new();
    for directory in ["requirements/in", "engine_versions"] {
        for entry in fs_err::read_dir(example().join(directory)).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(example()).unwrap().to_path_buf();
            files.push((relative, fs_err::read_to_string(&path).unwrap()));
        }
    }
    files.sort();
    files
});

static PYPROJECT: LazyLock<String> =
    LazyLock::new(|| fs_err::read_to_string(example().join("pyproject.toml")).unwrap());

/// Lines of `.in` files: the example's, and one of each form the reader has a rule for.
static IN_LINES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut lines: Vec<String> = EXAMPLE_FILES
        .iter()
        .filter(|(path, _)| path.starts_with("requirements"))
        .flat_map(|(_, text)| text.lines().map(str::to_string))
        .collect();
    lines.extend(
        [
            "-r other.in",
            "--requirement=other.in",
            "-rother.in",
            "-c constraints.txt",
            "--constraint constraints.txt",
            "-r main.in",
            "-r missing.in",
            "-r .",
            "-e ./pkg",
            "--editable=../lib",
            "-i https://mirror.invalid/simple",
            "--index-url=https://mirror.invalid/simple",
            "--extra-index-url https://gpu.invalid/simple",
            "-f ./wheels",
            "--find-links https://wheels.invalid/",
            "--pre",
            "--trusted-host mirror.invalid",
            "numpy --hash=sha256:ab",
            "lib @ https://files.invalid/lib-1.0-py3-none-any.whl#sha256=ab",
            "lib @ https://files.invalid/lib-1.0-py3-none-any.whl",
            "lib @ file:///wheels/lib-1.0.tar.gz",
            "x @ git+https://git.invalid/x.git@v1.0",
            "git+https://git.invalid/x.git#egg=x",
            "https://files.invalid/x-1.0-py3-none-any.whl",
            "./localpkg",
            "x @ ./localpkg",
            "numpy[foo,bar]>=1.26,<2 ; python_version >= '3.10' and sys_platform == 'linux'",
            "numpy[foo]<2",
            "torch \\",
            "  >=2.0",
            "pkg===1.0",
            "numpy==1.*",
            "numpy (>=1.0)",
            "${NUMPY_SPEC}",
            "\u{feff}numpy",
            "# a comment",
            "numpy  # a trailing comment",
            "",
        ]
        .map(str::to_string),
    );
    lines
});

/// Manifest lines to insert: every key, bad values and names, tables that clash.
const MANIFEST_LINES: &[&str] = &[
    "[tool.strata]",
    "[tool.strata.profiles.extra]",
    "[tool.strata.engines.extra]",
    "[tool.strata.indexes.extra]",
    "[tool.strata.contracts]",
    "[project]",
    "[dependency-groups]",
    "[project.optional-dependencies]",
    "extends = [\"base\"]",
    "extends = [\"development\"]",
    "extends = [\"nope\"]",
    "extends = [\"extra\"]",
    "requirements = [\"numpy>=1.26\", \"torch[cuda] ; sys_platform == 'linux'\"]",
    "requirements = [\"numpy>=>1\"]",
    "constraints = [\"numpy<2\"]",
    "constraints = [\"numpy[foo]<2\"]",
    "file = \"requirements/in/base.in\"",
    "file = \"requirements/in/development.in\"",
    "file = \"requirements/in\"",
    "file = \"missing.in\"",
    "file = \"\"",
    "include = [\"project\", \"extra:vllm\", \"group:dev\"]",
    "include = [\"extra:all-engines\"]",
    "include = [\"group:nope\", \"optional:x\"]",
    "python-version = \"3.11\"",
    "python-version = \"2.7\"",
    "python-platform = \"linux\"",
    "python-platform = \"x86_64-manylinux_2_8\"",
    "lock-dir = \"pyproject.toml\"",
    "lock-dir = \"locks\"",
    "pylock = \"yes\"",
    "index-url = \"not a url\"",
    "index-url = \"https://mirror.invalid/simple\"",
    "extra-index-url = [\"https://gpu.invalid/simple\", \"gpu.invalid\"]",
    "find-links = [\"wheels\"]",
    "version = { file = \"engine_versions/vllm.yaml\", key = \"library.current_version\" }",
    "version = { file = \"engine_versions/vllm.yaml\", key = \"library\" }",
    "version = { file = \"engine_versions\", key = \"x\" }",
    "version = { file = \"missing.yaml\", key = \"x\", package = \"Not A Name\" }",
    "image = { upstream = \"x:{version}\" }",
    "image = { upstream = \"x\", build = \"Dockerfile\" }",
    "gpu = true",
    "indexes = [\"nvidia\", \"nope\"]",
    "when-index-unavailable = \"ignore\"",
    "isolated-from-parent = true",
    "url = \"${EXTRA_URL}\"",
    "url = \"${BROKEN_URL}\"",
    "name = \"llmbench\"",
    "dynamic = [\"dependencies\", \"optional-dependencies\"]",
    "dependencies = [\"pydantic>=2.7\", \"llmbench[energy]\"]",
    "dev = [{ include-group = \"dev\" }]",
    "vllm = [\"llmbench[vllm]\"]",
    "host = [\"llmbench.cli\"]",
    "colour = \"blue\"",
];

/// Values put in place of a manifest value, by key: what exists, what does not, what is
/// malformed, in the type the key takes (a wrong type is [`OTHER_VALUES`]' job).
fn values_for(key: &str) -> &'static [&'static str] {
    match key {
        "extends" => &[
            "[\"base\"]",
            "[\"nope\"]",
            "[\"development\"]",
            "[\"vllm\", \"base\"]",
            "[\"backend\", \"ui\"]",
            "[]",
        ],
        "requirements" | "constraints" | "dependencies" | "test" | "lint" | "energy" => &[
            "[\"numpy>=1.26\", \"pytest-[timeout]\"]",
            "[\"numpy[foo]<2\"]",
            "[\"torch>=>2\"]",
            "[\"llmbench[energy]\"]",
            "[\"x @ git+https://git.invalid/x.git\"]",
            "[\"lib @ https://files.invalid/lib-1.0-py3-none-any.whl\"]",
            "[]",
        ],
        "file" | "build" => &[
            "\"requirements/in/backend.in\"",
            "\"requirements/in/development.in\"",
            "\"requirements/in/missing.in\"",
            "\"requirements/in\"",
            "\"engine_versions/vllm.yaml\"",
            "\"\"",
        ],
        "include" => &[
            "[\"project\", \"group:test\", \"extra:energy\"]",
            "[\"extra:all-engines\"]",
            "[\"group:dev\", \"group:nope\"]",
            "[\"extra:vlm\"]",
            "[\"optional:x\"]",
        ],
        "version" => &[
            "{ file = \"engine_versions/transformers.yaml\", key = \"library.current_version\" }",
            "{ file = \"engine_versions/vllm.yaml\", key = \"library\" }",
            "{ file = \"engine_versions/vllm.yaml\", key = \"library.name\" }",
            "{ file = \"engine_versions\", key = \"x\" }",
            "{ file = \"missing.yaml\", key = \"x\" }",
            "{ file = \"engine_versions/vllm.yaml\", key = \"library.current_version\", package = \"not a name\" }",
        ],
        "image" => &[
            "{ upstream = \"x:{version}\" }",
            "{ build = \"Dockerfile\", base = \"x\" }",
            "{ upstream = \"x\", build = \"Dockerfile\" }",
            "{}",
        ],
        "python-version" => &["\"3.12\"", "\"2.7\"", "\"3\"", "\"3.11.7\""],
        "python-platform" => &["\"linux\"", "\"x86_64-manylinux_2_8\"", "\"macos\""],
        "lock-dir" => &[
            "\"locks\"",
            "\"pyproject.toml\"",
            "\"requirements/in/base.in/x\"",
        ],
        "index-url" | "url" => &[
            "\"not a url\"",
            "\"https://mirror.invalid/simple\"",
            "\"ftp://mirror.invalid/\"",
            "\"${EXTRA_URL}\"",
            "\"${BROKEN_URL}\"",
        ],
        "indexes" => &["[\"nvidia\"]", "[\"nope\"]"],
        "when-index-unavailable" => &["\"skip\"", "\"optional\"", "\"ignore\""],
        "name" => &["\"llmbench\"", "\"Other_Name\""],
        _ => OTHER_VALUES,
    }
}

/// Values of every type, for any key.
const OTHER_VALUES: &[&str] = &["\"base\"", "[\"base\"]", "true", "1", "{ x = 1 }", "\"\""];

/// Characters that mean something to TOML, PEP 508, markers or pip, and a few that should not
/// appear at all.
const SPECIAL: &[char] = &[
    '[', ']', '(', ')', '{', '}', ';', '@', '#', '\\', '=', '<', '>', '!', '~', ',', '\'', '"',
    ' ', '\t', '\r', '\n', '-', '.', '/', ':', '$', '*', '+', '\u{feff}', 'é', '\u{0}', '\u{7f}',
];

/// One edit of a line.
#[derive(Debug, Clone)]
enum Edit {
    Insert(Index, char),
    Delete(Index, u8),
    /// A span repeated, up to thousands of times: long lines, long names, long values.
    Repeat(Index, u8, u16),
    /// Another seed line's text, inserted.
    Splice(Index, Index),
    Truncate(Index),
}

fn any_char() -> impl Strategy<Value = char> {
    prop_oneof![3 => proptest::sample::select(SPECIAL), 1 => any::<char>()]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (any::<Index>(), any_char()).prop_map(|(at, c)| Edit::Insert(at, c)),
        2 => (any::<Index>(), 1..8u8).prop_map(|(at, len)| Edit::Delete(at, len)),
        1 => (any::<Index>(), 1..16u8, 2..3000u16)
            .prop_map(|(at, len, times)| Edit::Repeat(at, len, times)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(at, other)| Edit::Splice(at, other)),
        1 => any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(line: &str, edits: &[Edit], seeds: &[String]) -> String {
    let mut chars: Vec<char> = line.chars().collect();
    for edit in edits {
        let len = chars.len();
        match edit {
            Edit::Insert(at, c) => chars.insert(at.index(len + 1), *c),
            Edit::Delete(at, count) => {
                let start = at.index(len + 1);
                let end = (start + usize::from(*count)).min(len);
                chars.drain(start..end);
            }
            Edit::Repeat(at, count, times) => {
                let start = at.index(len + 1);
                let end = (start + usize::from(*count)).min(len);
                let span: Vec<char> = chars[start..end].to_vec();
                let repeated: Vec<char> = span
                    .iter()
                    .copied()
                    .cycle()
                    .take(span.len() * usize::from(*times))
                    .collect();
                chars.splice(start..end, repeated);
            }
            Edit::Splice(at, other) => {
                let other = &seeds[other.index(seeds.len())];
                let start = at.index(len + 1);
                chars.splice(start..start, other.chars());
            }
            Edit::Truncate(at) => chars.truncate(at.index(len + 1)),
        }
    }
    chars.into_iter().collect()
}

/// A line of a requirements file: a seed line with a few edits, or random text.
fn in_line() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (any::<Index>(), prop::collection::vec(edit(), 0..4)).prop_map(|(seed, edits)| {
            let seeds = &*IN_LINES;
            apply(&seeds[seed.index(seeds.len())], &edits, seeds)
        }),
        1 => "\\PC{0,60}",
    ]
}

fn in_file() -> impl Strategy<Value = String> {
    prop::collection::vec(in_line(), 0..12).prop_map(|lines| lines.join("\n"))
}

/// Checks that `error` names a file and a line, and quotes the input within bounds.
fn located(error: &Error) -> Result<(), TestCaseError> {
    let Some(snippet) = error.snippet() else {
        return Err(TestCaseError::fail(format!(
            "no file and line: {error} ({:?})",
            error.kind()
        )));
    };
    prop_assert!(!snippet.path.as_os_str().is_empty(), "no file: {error}");
    prop_assert!(snippet.line >= 1, "no line: {snippet:?}");
    prop_assert!(snippet.column >= 1 && snippet.width >= 1, "{snippet:?}");
    let shown = snippet.text.chars().count();
    prop_assert!(
        shown <= MAX_SNIPPET_CHARS,
        "a snippet of {shown} characters for {error}"
    );
    let message = error.to_string();
    prop_assert!(
        message.chars().count() <= MAX_MESSAGE_CHARS,
        "a message of {} characters: {}",
        message.chars().count(),
        message.chars().take(300).collect::<String>()
    );
    for hint in error.hints() {
        prop_assert!(
            hint.chars().count() <= MAX_MESSAGE_CHARS,
            "a hint of {} characters",
            hint.chars().count()
        );
    }
    Ok(())
}

fn write(dir: &Path, path: &Path, contents: &str) {
    let path = dir.join(path);
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    fs_err::write(path, contents).unwrap();
}

/// A manifest mutated line by line: lines dropped, duplicated, swapped, inserted from
/// [`MANIFEST_LINES`], and a few lines edited like `.in` lines.
#[derive(Debug, Clone)]
enum LineEdit {
    Drop(Index),
    Duplicate(Index),
    Swap(Index),
    Insert(Index, Index),
    /// A new profile (or engine, when the flag is set) table with a few settings, before a table
    /// header or at the end, so that the document stays TOML more often than not.
    Table(Index, bool, Vec<(Index, Index)>),
    /// The value of a `key = value` line replaced by one of [`values_for`] its key, or (when
    /// the flag is set) of [`OTHER_VALUES`].
    Value(Index, Index, bool),
    Edit(Index, Vec<Edit>),
}

fn line_edit() -> impl Strategy<Value = LineEdit> {
    prop_oneof![
        1 => any::<Index>().prop_map(LineEdit::Drop),
        1 => any::<Index>().prop_map(LineEdit::Duplicate),
        3 => (
            any::<Index>(),
            any::<bool>(),
            prop::collection::vec((any::<Index>(), any::<Index>()), 1..4)
        )
            .prop_map(|(at, engine, settings)| LineEdit::Table(at, engine, settings)),
        1 => any::<Index>().prop_map(LineEdit::Swap),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(at, line)| LineEdit::Insert(at, line)),
        6 => (any::<Index>(), any::<Index>(), prop::bool::weighted(0.1))
            .prop_map(|(at, value, other)| LineEdit::Value(at, value, other)),
        1 => (any::<Index>(), prop::collection::vec(edit(), 1..3))
            .prop_map(|(at, edits)| LineEdit::Edit(at, edits)),
    ]
}

/// Keys a profile or engine table takes, for [`LineEdit::Table`]: the loader's own list
/// (`engines.*.KEY`, the profile keys and the engine-only ones), so a new key is fed too.
fn table_keys() -> Vec<String> {
    strata_project::manifest_keys()
        .iter()
        .filter_map(|key| key.strip_prefix("engines.*."))
        .filter(|key| !key.contains('.'))
        .map(str::to_string)
        .collect()
}

/// Applies `edits` to a manifest whose strata tables are under `prefix` (`tool.strata.` in
/// `pyproject.toml`, nothing in `strata.toml`).
fn mutate_manifest(source: &str, prefix: &str, edits: &[LineEdit]) -> String {
    let mut lines: Vec<String> = source.lines().map(str::to_string).collect();
    let seeds: Vec<String> = MANIFEST_LINES
        .iter()
        .map(|line| (*line).to_string())
        .collect();
    for (number, edit) in edits.iter().enumerate() {
        let len = lines.len();
        match edit {
            LineEdit::Table(at, engine, settings) => {
                let kind = if *engine { "engines" } else { "profiles" };
                let mut table = vec![format!("[{prefix}{kind}.new-{number}]")];
                let keys = table_keys();
                for (key, value) in settings {
                    let key = keys[key.index(keys.len())].as_str();
                    let values = values_for(key);
                    table.push(format!("{key} = {}", values[value.index(values.len())]));
                }
                let headers: Vec<usize> = (0..len)
                    .filter(|index| lines[*index].starts_with('['))
                    .chain([len])
                    .collect();
                let at = headers[at.index(headers.len())];
                lines.splice(at..at, table);
            }
            LineEdit::Drop(at) if len > 0 => {
                lines.remove(at.index(len));
            }
            LineEdit::Duplicate(at) if len > 0 => {
                let at = at.index(len);
                lines.insert(at, lines[at].clone());
            }
            LineEdit::Swap(at) if len > 1 => lines.swap(at.index(len - 1), at.index(len - 1) + 1),
            LineEdit::Insert(at, line) => {
                lines.insert(at.index(len + 1), seeds[line.index(seeds.len())].clone());
            }
            LineEdit::Value(at, value, other) if len > 0 => {
                // The `at`-th line that sets a value, if any.
                let settings: Vec<usize> = (0..len)
                    .filter(|index| {
                        !lines[*index].starts_with(['#', '[']) && lines[*index].contains(" = ")
                    })
                    .collect();
                if !settings.is_empty() {
                    let line = &mut lines[settings[at.index(settings.len())]];
                    let key = line.split(" = ").next().unwrap_or_default().to_string();
                    let values = if *other {
                        OTHER_VALUES
                    } else {
                        values_for(key.trim())
                    };
                    *line = format!("{key} = {}", values[value.index(values.len())]);
                }
            }
            LineEdit::Edit(at, edits) if len > 0 => {
                let at = at.index(len);
                lines[at] = apply(&lines[at], edits, &seeds);
            }
            _ => {}
        }
    }
    lines.join("\n")
}

/// The example's `[tool.strata]` as the top level of a `strata.toml`, and the rest of its
/// `pyproject.toml`: the other manifest form, as a second seed.
fn split_manifest() -> (String, String) {
    let (project, strata) = PYPROJECT
        .split_once("[tool.strata]\n")
        .expect("the example has a [tool.strata] table");
    let (strata, rest) = strata
        .split_once("[tool.importlinter]")
        .expect("the example's import-linter tables follow strata's");
    let strata = strata.replace("[tool.strata.", "[");
    (strata, format!("{project}[tool.importlinter]{rest}"))
}

/// What `${VAR}` expands to in cases: one good index URL, one that is not a URL.
fn env(name: &str) -> Option<String> {
    match name {
        "EXTRA_URL" => Some("https://extra.invalid/simple".to_string()),
        "BROKEN_URL" => Some("secret token".to_string()),
        _ => None,
    }
}

// Each case writes a throwaway project and loads it: with these counts both tests take 6 to 9
// seconds together in a debug build on a 2-core machine at a load average of 6 (measured), and
// every run draws new cases. `tests/proptest-regressions/` replays the cases that once failed.
proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn requirements_files_load_or_fail_on_a_line(
        main in in_file(),
        other in in_file(),
        constraints in in_file(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), Path::new("req/main.in"), &main);
        write(dir.path(), Path::new("req/other.in"), &other);
        write(dir.path(), Path::new("req/constraints.txt"), &constraints);
        match read_requirements_file(&dir.path().join("req/main.in"), dir.path()) {
            Ok(file) => {
                for sourced in file.requirements.iter().chain(&file.constraints) {
                    prop_assert!(
                        matches!(sourced.origin, strata_project::Origin::File { line, .. } if line >= 1),
                        "{:?}",
                        sourced.origin
                    );
                }
            }
            Err(error) => located(&error)?,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn manifests_load_or_fail_on_a_line(
        as_strata_toml in any::<bool>(),
        edits in prop::collection::vec(line_edit(), 1..5),
        base_in in prop::option::weighted(0.25, in_file()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in EXAMPLE_FILES.iter() {
            write(dir.path(), path, text);
        }
        if let Some(base_in) = &base_in {
            write(dir.path(), Path::new("requirements/in/base.in"), base_in);
        }
        if as_strata_toml {
            let (strata, pyproject) = split_manifest();
            write(dir.path(), Path::new("strata.toml"), &mutate_manifest(&strata, "", &edits));
            write(dir.path(), Path::new("pyproject.toml"), &pyproject);
        } else {
            let pyproject = mutate_manifest(&PYPROJECT, "tool.strata.", &edits);
            write(dir.path(), Path::new("pyproject.toml"), &pyproject);
        }
        if let Err(error) = Project::load(dir.path(), &env) {
            located(&error)?;
        }
    }
}
