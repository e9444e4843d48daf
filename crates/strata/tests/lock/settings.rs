//! Every manifest setting either changes a lock's fingerprint or cannot change a lock: the test
//! walks the keys the manifest accepts (`strata_project::manifest_keys`), changes each one in a
//! locked project and asserts that `lock --check` fails naming the kind of input, or, for the
//! few that never reach a lock (images, GPUs, contracts), that it stays green. A key added to
//! the manifest without a case here fails the walk.

use std::collections::BTreeSet;

use strata_testindex::TestIndex;

use crate::project::Locks;
use crate::support::Project;
use crate::universe;

/// What changing a setting must do to `lock --check`.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Exit 1, with a line naming the profile and this fragment (a kind of input, or
    /// "does not exist").
    Stale(&'static str, &'static str),
    /// Still exit 0: the setting never changes what a lock holds.
    Current,
}

/// One change: the manifest keys it exercises, the edits (file, old text, new text) and what
/// `--check` must say.
struct Case {
    keys: &'static [&'static str],
    edits: &'static [(&'static str, &'static str, &'static str)],
    expect: &'static [Expect],
}

const MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"
pylock = true
index-url = "http://127.0.0.1:9/manifest-index"
extra-index-url = []
find-links = []
version-file = { path = "src/app/version.py", variable = "__version__" }

[indexes.engine]
url = "ENGINE_INDEX_URL"

[profiles.base]
file = "requirements/base.in"
requirements = ["rich"]
constraints = ["numpy<2"]
include = ["group:base"]
image = { base = "cpu" }

[profiles.ui]
extends = ["base"]
requirements = ["click"]
python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"

[engines.trt]
extends = ["base"]
file = "requirements/trt.in"
requirements = ["packaging"]
constraints = ["packaging<25"]
include = ["group:trt"]
python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
version = { file = "engine_versions/trt.yaml", key = "library.current_version", package = "tensorrt-llm" }
image = { upstream = "vendor/trt:{version}" }
gpu = true
indexes = ["engine"]
when-index-unavailable = "fail"
isolated-from-parent = false
move-parent-pins = true

[contracts]
root = ["src"]
host = ["app.cli"]
engine-packages = ["tensorrt_llm"]

[images]
repository = "team/app"
cpu-base = "python:3.11-slim"
gpu-base = "nvidia/cuda:12.4.1-runtime-ubuntu22.04"
os-packages = ["git"]
ca-bundle = "certs/ca.pem"
cache = "team/cache"
platforms = ["linux/amd64"]
source = "https://example.org/app"

[ci]
workflow = ".github/workflows/strata.yml"
install = "true"
runners = { cpu = ["ubuntu-latest"], gpu = ["self-hosted", "gpu"] }
test = { command = ["pytest", "tests"], paths = ["src/**"] }

[ci.cells.invariants]
command = ["python", "-m", "app.invariants"]
engines = ["trt"]
paths = ["src/app/**"]
"#;

const FILES: &[(&str, &str)] = &[
    (
        "pyproject.toml",
        "[project]\nname = \"app\"\nversion = \"0.1\"\n\n[dependency-groups]\nbase = [\"numpy\"]\ntrt = [\"pyyaml\"]\n",
    ),
    ("requirements/base.in", "filelock\n-c constraints.txt\n"),
    (
        "requirements/base-copy.in",
        "filelock\n-c constraints.txt\n",
    ),
    ("requirements/constraints.txt", "rich<14\n"),
    ("requirements/trt.in", "psutil\n"),
    ("requirements/trt-copy.in", "psutil\n"),
    (
        "engine_versions/trt.yaml",
        "library:\n  current_version: \"0.13.0\"\n  pinned: \"0.13.0\"\n",
    ),
    (
        "engine_versions/trt-next.yaml",
        "library:\n  current_version: \"0.14.0\"\n",
    ),
    ("src/app/__init__.py", ""),
    ("src/app/cli.py", ""),
    ("docker/trt.Dockerfile", "FROM scratch\n"),
    ("certs/ca.pem", "one\n"),
    ("certs/other.pem", "other\n"),
    (
        "docker/trt.packages.txt",
        "# strata: captured from vendor/trt:0.13.0 by `strata images capture trt`\nnumpy==1.26.4\n",
    ),
];

const TOP: &str =
    "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\nlock-dir";
const M: &str = "strata.toml";

const CASES: &[Case] = &[
    Case {
        keys: &["python-version"],
        edits: &[(
            M,
            TOP,
            "python-version = \"3.12\"\npython-platform = \"x86_64-manylinux_2_28\"\nlock-dir",
        )],
        expect: &[Expect::Stale("base", "target")],
    },
    Case {
        keys: &["python-platform"],
        edits: &[(
            M,
            TOP,
            "python-version = \"3.11\"\npython-platform = \"aarch64-manylinux_2_28\"\nlock-dir",
        )],
        expect: &[Expect::Stale("base", "target")],
    },
    Case {
        keys: &[
            "targets",
            "targets.python-version",
            "targets.python-platform",
        ],
        edits: &[(
            M,
            TOP,
            "targets = [{ python-version = \"3.11\", python-platform = \"x86_64-manylinux_2_28\" }, \
             { python-version = \"3.12\", python-platform = \"aarch64-apple-darwin\" }]\nlock-dir",
        )],
        expect: &[Expect::Stale("base", "target")],
    },
    Case {
        keys: &["lock-dir"],
        edits: &[(M, "lock-dir = \"locks\"", "lock-dir = \"locks-elsewhere\"")],
        expect: &[Expect::Stale("base", "does not exist")],
    },
    Case {
        keys: &["pylock"],
        edits: &[(M, "pylock = true", "pylock = false")],
        expect: &[
            Expect::Stale("base", "settings"),
            Expect::Stale("trt", "settings"),
        ],
    },
    Case {
        keys: &["index-url"],
        edits: &[(M, "manifest-index\"", "another-index\"")],
        expect: &[Expect::Stale("base", "index")],
    },
    Case {
        keys: &["extra-index-url"],
        edits: &[(
            M,
            "extra-index-url = []",
            "extra-index-url = [\"http://127.0.0.1:9/extra\"]",
        )],
        expect: &[Expect::Stale("base", "index")],
    },
    Case {
        keys: &["find-links"],
        edits: &[(
            M,
            "find-links = []",
            "find-links = [\"http://127.0.0.1:9/links\"]",
        )],
        expect: &[Expect::Stale("base", "index")],
    },
    Case {
        keys: &["indexes", "indexes.*.url"],
        edits: &[(
            M,
            "[indexes.engine]\nurl = \"http://127.0.0.1",
            "[indexes.engine]\nurl = \"http://localhost",
        )],
        expect: &[Expect::Stale("trt", "index")],
    },
    Case {
        keys: &["indexes.*.explicit"],
        edits: &[(
            M,
            "[indexes.engine]\n",
            "[indexes.engine]\nexplicit = true\n",
        )],
        expect: &[
            Expect::Stale("base", "index"),
            Expect::Stale("trt", "index"),
        ],
    },
    Case {
        keys: &["sources", "sources.*", "sources.*.index"],
        edits: &[(
            M,
            "[profiles.base]\n",
            "[sources]\nrich = { index = \"engine\" }\n\n[profiles.base]\n",
        )],
        expect: &[
            Expect::Stale("base", "index"),
            Expect::Stale("ui", "index"),
            Expect::Stale("trt", "index"),
        ],
    },
    Case {
        keys: &["profiles"],
        edits: &[(
            M,
            "[engines.trt]",
            "[profiles.extra]\nextends = [\"base\"]\nrequirements = [\"pyyaml\"]\n\n[engines.trt]",
        )],
        expect: &[
            Expect::Stale("base", "hierarchy"),
            Expect::Stale("extra", "does not exist"),
        ],
    },
    Case {
        keys: &["engines"],
        edits: &[(
            M,
            "[contracts]",
            "[engines.other]\nextends = [\"base\"]\nversion = { file = \"engine_versions/trt.yaml\", key = \"library.current_version\", package = \"tensorrt-llm\" }\nindexes = [\"engine\"]\n\n[contracts]",
        )],
        expect: &[Expect::Stale("other", "does not exist")],
    },
    Case {
        keys: &["profiles.*.extends"],
        edits: &[(
            M,
            "[profiles.ui]\nextends = [\"base\"]",
            "[profiles.ui]\nextends = []",
        )],
        expect: &[Expect::Stale("ui", "hierarchy")],
    },
    Case {
        keys: &["profiles.*.requirements"],
        edits: &[(
            M,
            "requirements = [\"click\"]",
            "requirements = [\"click>=8\"]",
        )],
        expect: &[Expect::Stale("ui", "requirements")],
    },
    Case {
        keys: &["profiles.*.constraints"],
        edits: &[(
            M,
            "constraints = [\"numpy<2\"]",
            "constraints = [\"numpy<3\"]",
        )],
        expect: &[Expect::Stale("base", "constraints")],
    },
    Case {
        keys: &["profiles.*.file"],
        edits: &[(M, "requirements/base.in", "requirements/base-copy.in")],
        expect: &[Expect::Stale("base", "requirements")],
    },
    Case {
        keys: &["profiles.*.include"],
        edits: &[(M, "include = [\"group:base\"]", "include = []")],
        expect: &[Expect::Stale("base", "requirements")],
    },
    Case {
        keys: &["profiles.*.python-version"],
        edits: &[(
            M,
            "requirements = [\"click\"]\npython-version = \"3.11\"",
            "requirements = [\"click\"]\npython-version = \"3.12\"",
        )],
        expect: &[Expect::Stale("ui", "target")],
    },
    Case {
        keys: &["profiles.*.python-platform"],
        edits: &[(
            M,
            "python-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"\n\n[engines.trt]",
            "python-version = \"3.11\"\npython-platform = \"aarch64-manylinux_2_28\"\n\n[engines.trt]",
        )],
        expect: &[Expect::Stale("ui", "target")],
    },
    Case {
        keys: &[
            "profiles.*.targets",
            "profiles.*.targets.python-version",
            "profiles.*.targets.python-platform",
        ],
        edits: &[(
            M,
            "requirements = [\"click\"]\npython-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"",
            "requirements = [\"click\"]\ntargets = [{ python-version = \"3.12\", python-platform = \"x86_64-manylinux_2_28\" }]",
        )],
        expect: &[Expect::Stale("ui", "target")],
    },
    Case {
        keys: &[
            "engines.*.targets",
            "engines.*.targets.python-version",
            "engines.*.targets.python-platform",
        ],
        edits: &[(
            M,
            "include = [\"group:trt\"]\npython-version = \"3.11\"\npython-platform = \"x86_64-manylinux_2_28\"",
            "include = [\"group:trt\"]\ntargets = [{ python-version = \"3.12\", python-platform = \"x86_64-manylinux_2_28\" }]",
        )],
        expect: &[Expect::Stale("trt", "target")],
    },
    Case {
        keys: &["engines.*.extends"],
        edits: &[(
            M,
            "[engines.trt]\nextends = [\"base\"]",
            "[engines.trt]\nextends = []",
        )],
        expect: &[Expect::Stale("trt", "hierarchy")],
    },
    Case {
        keys: &["engines.*.requirements"],
        edits: &[(
            M,
            "requirements = [\"packaging\"]",
            "requirements = [\"packaging>=20\"]",
        )],
        expect: &[Expect::Stale("trt", "requirements")],
    },
    Case {
        keys: &["engines.*.constraints"],
        edits: &[(
            M,
            "constraints = [\"packaging<25\"]",
            "constraints = [\"packaging<26\"]",
        )],
        expect: &[Expect::Stale("trt", "constraints")],
    },
    Case {
        keys: &["engines.*.file"],
        edits: &[(M, "requirements/trt.in", "requirements/trt-copy.in")],
        expect: &[Expect::Stale("trt", "requirements")],
    },
    Case {
        keys: &["engines.*.include"],
        edits: &[(M, "include = [\"group:trt\"]", "include = []")],
        expect: &[Expect::Stale("trt", "requirements")],
    },
    Case {
        keys: &["engines.*.python-version"],
        edits: &[(
            M,
            "include = [\"group:trt\"]\npython-version = \"3.11\"",
            "include = [\"group:trt\"]\npython-version = \"3.12\"",
        )],
        expect: &[Expect::Stale("trt", "target")],
    },
    Case {
        keys: &["engines.*.python-platform"],
        edits: &[(
            M,
            "python-platform = \"x86_64-manylinux_2_28\"\nversion",
            "python-platform = \"aarch64-manylinux_2_28\"\nversion",
        )],
        expect: &[Expect::Stale("trt", "target")],
    },
    Case {
        keys: &["engines.*.version", "engines.*.version.file"],
        edits: &[(
            M,
            "engine_versions/trt.yaml",
            "engine_versions/trt-next.yaml",
        )],
        expect: &[Expect::Stale("trt", "requirements")],
    },
    Case {
        keys: &["engines.*.version.key"],
        edits: &[(M, "library.current_version", "library.pinned")],
        expect: &[Expect::Stale("trt", "requirements")],
    },
    Case {
        keys: &["engines.*.version.package"],
        edits: &[(
            M,
            "package = \"tensorrt-llm\"",
            "package = \"tensorrt-llm-cu12\"",
        )],
        expect: &[Expect::Stale("trt", "requirements")],
    },
    Case {
        keys: &["engines.*.image", "engines.*.image.upstream"],
        edits: &[(M, "vendor/trt:{version}", "vendor/trt-runtime:{version}")],
        expect: &[Expect::Current],
    },
    Case {
        keys: &["engines.*.image.build", "engines.*.image.base"],
        edits: &[(
            M,
            "image = { upstream = \"vendor/trt:{version}\" }",
            "image = { build = \"docker/trt.Dockerfile\", base = \"python:3.11\" }",
        )],
        expect: &[Expect::Current],
    },
    // An upstream image's captured packages are fixed in the engine's solve.
    Case {
        keys: &["engines.*.image.packages"],
        edits: &[(
            M,
            "image = { upstream = \"vendor/trt:{version}\" }",
            "image = { upstream = \"vendor/trt:{version}\", packages = \"docker/trt.packages.txt\" }",
        )],
        expect: &[Expect::Stale("trt", "image")],
    },
    Case {
        keys: &["engines.*.gpu"],
        edits: &[(M, "gpu = true", "gpu = false")],
        expect: &[Expect::Current],
    },
    Case {
        keys: &["engines.*.indexes"],
        edits: &[(M, "indexes = [\"engine\"]", "indexes = []")],
        expect: &[Expect::Stale("trt", "index")],
    },
    Case {
        keys: &["engines.*.when-index-unavailable"],
        edits: &[(
            M,
            "when-index-unavailable = \"fail\"",
            "when-index-unavailable = \"skip\"",
        )],
        expect: &[Expect::Current],
    },
    Case {
        keys: &["engines.*.isolated-from-parent"],
        edits: &[(
            M,
            "isolated-from-parent = false",
            "isolated-from-parent = true",
        )],
        expect: &[Expect::Stale("trt", "settings")],
    },
    Case {
        keys: &["engines.*.move-parent-pins"],
        edits: &[(M, "move-parent-pins = true", "move-parent-pins = false")],
        expect: &[Expect::Stale("trt", "settings")],
    },
    Case {
        keys: &[
            "contracts",
            "contracts.root",
            "contracts.host",
            "contracts.engine-packages",
        ],
        edits: &[
            (M, "root = [\"src\"]", "root = [\"src/app\"]"),
            (
                M,
                "host = [\"app.cli\"]",
                "host = [\"app.cli\", \"app.config\"]",
            ),
            (
                M,
                "engine-packages = [\"tensorrt_llm\"]",
                "engine-packages = [\"tensorrt_llm\", \"torch\"]",
            ),
        ],
        expect: &[Expect::Current],
    },
    Case {
        keys: &[
            "images",
            "images.repository",
            "images.cpu-base",
            "images.gpu-base",
            "images.os-packages",
            "images.ca-bundle",
            "images.cache",
            "images.platforms",
            "images.source",
        ],
        edits: &[
            (
                M,
                "repository = \"team/app\"",
                "repository = \"team/other\"",
            ),
            (M, "python:3.11-slim", "python:3.11-slim-bookworm"),
            (M, "cuda:12.4.1-runtime", "cuda:12.4.1-cudnn-runtime"),
            (
                M,
                "os-packages = [\"git\"]",
                "os-packages = [\"git\", \"git-lfs\"]",
            ),
            (M, "certs/ca.pem", "certs/other.pem"),
            (M, "cache = \"team/cache\"", "cache = \"team/other-cache\""),
            (
                M,
                "platforms = [\"linux/amd64\"]",
                "platforms = [\"linux/arm64\"]",
            ),
            (M, "example.org/app", "example.org/other"),
        ],
        expect: &[Expect::Current],
    },
    Case {
        keys: &["version-file", "version-file.path", "version-file.variable"],
        edits: &[
            (M, "src/app/version.py", "src/app/_version.py"),
            (M, "variable = \"__version__\"", "variable = \"VERSION\""),
        ],
        expect: &[Expect::Current],
    },
    Case {
        keys: &[
            "ci",
            "ci.workflow",
            "ci.install",
            "ci.runners",
            "ci.runners.cpu",
            "ci.runners.gpu",
            "ci.test",
            "ci.test.command",
            "ci.test.paths",
            "ci.cells",
            "ci.cells.*",
            "ci.cells.*.command",
            "ci.cells.*.engines",
            "ci.cells.*.paths",
        ],
        edits: &[
            (M, "workflows/strata.yml", "workflows/engines.yml"),
            (M, "install = \"true\"", "install = \"pipx install strata\""),
            (M, "cpu = [\"ubuntu-latest\"]", "cpu = [\"ubuntu-24.04\"]"),
            (
                M,
                "gpu = [\"self-hosted\", \"gpu\"]",
                "gpu = [\"gpu-a100\"]",
            ),
            (M, "[\"pytest\", \"tests\"]", "[\"pytest\", \"-x\"]"),
            (
                M,
                "paths = [\"src/**\"]",
                "paths = [\"src/**\", \"tests/**\"]",
            ),
            (M, "\"app.invariants\"]", "\"app.schemas\"]"),
            (M, "engines = [\"trt\"]", "engines = []"),
            (M, "[\"src/app/**\"]", "[\"src/**\"]"),
        ],
        expect: &[Expect::Current],
    },
    Case {
        keys: &[
            "profiles.*.image",
            "profiles.*.image.base",
            "profiles.*.image.dev",
        ],
        edits: &[(
            M,
            "image = { base = \"cpu\" }",
            "image = { base = \"gpu\", dev = \"ui\" }",
        )],
        expect: &[Expect::Current],
    },
    Case {
        keys: &["profiles.*.image.build"],
        edits: &[(
            M,
            "image = { base = \"cpu\" }",
            "image = { build = \"docker/trt.Dockerfile\" }",
        )],
        expect: &[Expect::Current],
    },
    // What the keys point at: the files' contents count as much as the keys.
    Case {
        keys: &[],
        edits: &[("requirements/base.in", "filelock\n", "filelock>=3\n")],
        expect: &[Expect::Stale("base", "requirements")],
    },
    // A profile's file cannot change how it is resolved: `--pre` there is an error, and an index
    // option must repeat the manifest's (strata_project::requirements_in).
    Case {
        keys: &[],
        edits: &[("requirements/constraints.txt", "rich<14", "rich<15")],
        expect: &[Expect::Stale("base", "constraints")],
    },
    Case {
        keys: &[],
        edits: &[(
            "pyproject.toml",
            "base = [\"numpy\"]",
            "base = [\"numpy>=1\"]",
        )],
        expect: &[Expect::Stale("base", "requirements")],
    },
    Case {
        keys: &[],
        edits: &[(
            "engine_versions/trt.yaml",
            "current_version: \"0.13.0\"",
            "current_version: \"0.13.1\"",
        )],
        expect: &[Expect::Stale("trt", "requirements")],
    },
];

#[test]
fn every_manifest_setting_that_can_change_a_lock_makes_check_fail_naming_it() {
    let index = TestIndex::start(universe::ml());
    let engine_index = TestIndex::start(universe::engine_index());
    let manifest = MANIFEST.replace("ENGINE_INDEX_URL", &engine_index.url());
    let project = Project::with_manifest(&manifest, FILES);
    project.lock_ok(&index, &[]);
    let output = project.lock(&index, &["--check"]);
    assert_eq!(output.code, 0, "{}", output.render());

    let originals: Vec<(&str, String)> = std::iter::once(M)
        .chain(FILES.iter().map(|(path, _)| *path))
        .map(|path| (path, project.read(path)))
        .collect();
    let mut wrong = Vec::new();
    for case in CASES {
        for (path, old, new) in case.edits {
            project.edit(path, old, new);
        }
        let output = project.lock(&index, &["--check"]);
        for expect in case.expect {
            let ok = match expect {
                Expect::Current => output.code == 0,
                Expect::Stale(profile, fragment) => {
                    output.code == 1
                        && output.stderr.lines().any(|line| {
                            line.starts_with(&format!("`{profile}`:")) && line.contains(fragment)
                        })
                }
            };
            if !ok {
                wrong.push(format!(
                    "{:?} {:?}: expected {expect:?}, got\n{}",
                    case.keys,
                    case.edits,
                    output.render()
                ));
            }
        }
        for (path, text) in &originals {
            project.write(path, text);
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The walk covers every key the manifest accepts, no more and no less.
    let covered: BTreeSet<&str> = CASES
        .iter()
        .flat_map(|case| case.keys.iter().copied())
        .collect();
    let known: Vec<String> = strata_project::manifest_keys();
    let known: BTreeSet<&str> = known.iter().map(String::as_str).collect();
    assert_eq!(
        covered, known,
        "every manifest key needs a case: one that changes the fingerprint, or one that shows it cannot change a lock"
    );
}
