//! Extras in a hierarchy solved as one group: a package a sibling needs with an extra brings
//! that extra's dependencies into the sibling's lock only; every other lock has the package
//! bare, and each lock installs alone with real pip.

use strata_testindex::venv::describe;
use strata_testindex::{Package, TestIndex, Universe, Venv};

use crate::project::Locks;
use crate::support::Project;

/// `quantization`'s optimum needs `transformers[sentencepiece]`; `backend` (and with it `build`
/// and `development`) needs a bare `transformers`; `ui` asks for `transformers[all]`, an extra
/// that names another extra of its own package.
const MANIFEST: &str = r#"python-version = "3.11"
python-platform = "x86_64-manylinux_2_28"
lock-dir = "locks"

[profiles.base]
requirements = ["numpy"]

[profiles.backend]
extends = ["base"]
requirements = ["transformers"]

[profiles.build]
extends = ["backend"]
requirements = ["build>=1.2"]

[profiles.development]
extends = ["build"]
requirements = ["pytest>=8"]

[profiles.quantization]
extends = ["base"]
requirements = ["optimum==1.16.2"]

[profiles.ui]
extends = ["base"]
requirements = ["transformers[all]"]
"#;

fn universe() -> Universe {
    Universe::new()
        .package(Package::new("numpy", "2.1.1"))
        .package(Package::new("packaging", "24.1"))
        .package(
            Package::new("transformers", "4.45.2")
                .requires("numpy>=1.17")
                .requires("packaging>=20.0")
                .extra(
                    "sentencepiece",
                    ["sentencepiece>=0.1.91,!=0.1.92", "protobuf"],
                )
                .extra("all", ["transformers[sentencepiece]", "tokenizers>=0.20"]),
        )
        .package(Package::new("sentencepiece", "0.2.0"))
        .package(Package::new("protobuf", "5.28.2"))
        .package(Package::new("tokenizers", "0.20.0"))
        .package(
            Package::new("optimum", "1.16.2")
                .requires("transformers[sentencepiece]>=4.26.0")
                .requires("packaging"),
        )
        .package(
            Package::new("build", "1.2.2")
                .requires("packaging>=19.1")
                .requires("pyproject-hooks"),
        )
        .package(Package::new("pyproject-hooks", "1.2.0"))
        .package(
            Package::new("pytest", "8.3.3")
                .requires("iniconfig")
                .requires("packaging")
                .requires("pluggy>=1.5,<2"),
        )
        .package(Package::new("iniconfig", "2.0.0"))
        .package(Package::new("pluggy", "1.5.0"))
}

const SENTENCEPIECE_ONLY: &[&str] = &["sentencepiece", "protobuf"];

#[test]
fn a_siblings_extra_stays_in_its_own_lock_and_every_lock_installs_alone_with_pip_check() {
    let index = TestIndex::start(universe());
    let project = Project::with_manifest(MANIFEST, &[]);
    let output = project.lock_ok(&index, &[]);

    // The sibling that needs the extra has it, pinned with the extra and its dependencies.
    let quantization = project.read("locks/quantization.txt");
    assert!(
        quantization.contains("\ntransformers[sentencepiece]==4.45.2 "),
        "{quantization}"
    );
    for package in SENTENCEPIECE_ONLY {
        assert!(
            project.pins("quantization").contains_key(*package),
            "quantization has {package}: {quantization}"
        );
    }
    // Its siblings' bare `transformers` reaches none of it, in the pins, the extras or `# via`.
    for name in ["backend", "build", "development"] {
        let text = project.read(&format!("locks/{name}.txt"));
        let pins = project.pins(name);
        assert_eq!(pins.get("transformers").map(String::as_str), Some("4.45.2"));
        assert!(
            text.contains("\ntransformers==4.45.2 "),
            "{name} pins a bare transformers: {text}\n{}",
            output.render()
        );
        for package in SENTENCEPIECE_ONLY.iter().chain(&["optimum", "tokenizers"]) {
            assert!(!pins.contains_key(*package), "{name} has {package}: {text}");
        }
        assert!(!text.contains("optimum"), "{name}: {text}");
    }
    // An extra that names another extra of its package reaches that one's dependencies too.
    let ui = project.read("locks/ui.txt");
    assert!(
        ui.contains("\ntransformers[all,sentencepiece]==4.45.2 "),
        "{ui}"
    );
    for package in SENTENCEPIECE_ONLY.iter().chain(&["tokenizers"]) {
        assert!(
            project.pins("ui").contains_key(*package),
            "ui has {package}: {ui}"
        );
    }
    assert!(!project.pins("ui").contains_key("optimum"), "{ui}");

    // Each lock alone is a whole environment: pip installs it without resolving, and finds
    // every requirement met.
    std::thread::scope(|scope| {
        for name in ["backend", "development", "quantization", "ui"] {
            let (project, index) = (&project, &index);
            scope.spawn(move || {
                let Some(venv) = Venv::create() else { return };
                let lock = project.lock_path(name);
                venv.install(
                    index,
                    &[
                        "--require-hashes",
                        "--no-deps",
                        "-r",
                        lock.to_str().unwrap(),
                    ],
                );
                let check = venv.pip(&["check"]);
                assert!(check.status.success(), "{name}: {}", describe(&check));
            });
        }
    });
}
