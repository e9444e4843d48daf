//! The environment from the issue: `numpy` pulled up to 2.x under `accelerate`'s `numpy<2`.

use std::str::FromStr;

use pep508_rs::PackageName;
use strata_env::{Extras, TreeOptions, WhyOptions, check, render, render_why, tree, why};
use strata_testindex::TestIndex;
use strata_testindex::universes::fine_tuning_numpy_held_twice;

use crate::venv::{Venv, VenvExt};

fn numpy() -> PackageName {
    PackageName::from_str("numpy").unwrap()
}

#[test]
fn numpy_held_below_2_then_forced_up_is_explained_and_checked_like_pip() {
    let Some(venv) = Venv::create() else { return };
    let index = TestIndex::start(fine_tuning_numpy_held_twice());
    venv.install(&index, &["axolotl"]);

    let environment = venv.environment(Extras::Follow);
    assert!(check(&environment).is_empty());
    assert_eq!(venv.pip_check(), (Vec::new(), false));
    let explained = why(&environment.graph, &numpy(), &WhyOptions::default()).unwrap();
    insta::assert_snapshot!(render_why(&explained), @r"
    numpy 1.26.4
    Required through 9 paths:
      axolotl 0.4.1 -> accelerate 0.33.0 (accelerate==0.33.0) -> numpy 1.26.4 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> bitsandbytes 0.43.3 (bitsandbytes==0.43.3) -> numpy 1.26.4 (any version)
      axolotl 0.4.1 -> datasets 2.20.0 (datasets==2.20.0) -> numpy 1.26.4 (numpy>=1.17)
      axolotl 0.4.1 -> numpy 1.26.4 (numpy>=1.24.4)
      axolotl 0.4.1 -> peft 0.12.0 (peft==0.12.0) -> accelerate 0.33.0 (accelerate>=0.21.0) -> numpy 1.26.4 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> peft 0.12.0 (peft==0.12.0) -> numpy 1.26.4 (numpy>=1.17)
      axolotl 0.4.1 -> trl 0.9.6 (trl==0.9.6) -> accelerate 0.33.0 (any version) -> numpy 1.26.4 (numpy>=1.17,<2.0.0)
      axolotl 0.4.1 -> trl 0.9.6 (trl==0.9.6) -> datasets 2.20.0 (datasets>=2.18.0) -> numpy 1.26.4 (numpy>=1.17)
      axolotl 0.4.1 -> trl 0.9.6 (trl==0.9.6) -> numpy 1.26.4 (numpy>=1.18.2,<2.0.0)
    numpy 1.26.4 is held by accelerate 0.33.0 (numpy>=1.17,<2.0.0)
    numpy 1.26.4 is held by trl 0.9.6 (numpy>=1.18.2,<2.0.0)
    ");

    // With the index's versions (the lock mode's input), each binding constraint says what
    // would be picked without it.
    let options = WhyOptions {
        available: Some(vec![
            pep440_rs::Version::from_str("1.26.4").unwrap(),
            pep440_rs::Version::from_str("2.1.1").unwrap(),
        ]),
        ..WhyOptions::default()
    };
    let explained = why(&environment.graph, &numpy(), &options).unwrap();
    let constraints: Vec<String> = render_why(&explained)
        .lines()
        .filter(|line| line.contains("held by"))
        .map(str::to_string)
        .collect();
    assert_eq!(
        constraints,
        [
            "numpy 1.26.4 is held by accelerate 0.33.0 (numpy>=1.17,<2.0.0); others hold it there too",
            "numpy 1.26.4 is held by trl 0.9.6 (numpy>=1.18.2,<2.0.0); others hold it there too",
        ]
    );

    venv.install(&index, &["--no-deps", "numpy==2.1.1"]);
    let environment = venv.environment(Extras::Follow);
    let options = TreeOptions {
        invert: true,
        packages: vec![numpy()],
        ..TreeOptions::default()
    };
    insta::assert_snapshot!(render::text(&tree(&environment.graph, &options)), @r"
    numpy==2.1.1
    ├── accelerate==0.33.0 [requires: numpy>=1.17,<2.0.0] (violated)
    │   ├── axolotl==0.4.1 [requires: accelerate==0.33.0]
    │   ├── peft==0.12.0 [requires: accelerate>=0.21.0]
    │   │   └── axolotl==0.4.1 [requires: peft==0.12.0]
    │   └── trl==0.9.6 [requires: accelerate]
    │       └── axolotl==0.4.1 [requires: trl==0.9.6]
    ├── axolotl==0.4.1 [requires: numpy>=1.24.4]
    ├── bitsandbytes==0.43.3 [requires: numpy]
    │   └── axolotl==0.4.1 [requires: bitsandbytes==0.43.3]
    ├── datasets==2.20.0 [requires: numpy>=1.17]
    │   ├── axolotl==0.4.1 [requires: datasets==2.20.0]
    │   └── trl==0.9.6 [requires: datasets>=2.18.0]
    │       └── axolotl==0.4.1 [requires: trl==0.9.6]
    ├── peft==0.12.0 [requires: numpy>=1.17]
    │   └── axolotl==0.4.1 [requires: peft==0.12.0]
    └── trl==0.9.6 [requires: numpy>=1.18.2,<2.0.0] (violated)
        └── axolotl==0.4.1 [requires: trl==0.9.6]
    ");

    let mut strata_lines: Vec<String> = check(&environment)
        .iter()
        .map(ToString::to_string)
        .collect();
    strata_lines.sort();
    assert_eq!((strata_lines.clone(), true), venv.pip_check());
    assert_eq!(
        strata_lines,
        [
            "accelerate 0.33.0 has requirement numpy<2.0.0,>=1.17, but you have numpy 2.1.1.",
            "trl 0.9.6 has requirement numpy<2.0.0,>=1.18.2, but you have numpy 2.1.1.",
        ]
    );
    let explained = why(&environment.graph, &numpy(), &WhyOptions::default()).unwrap();
    let text = render_why(&explained);
    let constraints: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(" violates "))
        .collect();
    insta::assert_snapshot!(constraints.join("\n"), @r"
    numpy 2.1.1 violates accelerate 0.33.0 (numpy>=1.17,<2.0.0)
    numpy 2.1.1 violates trl 0.9.6 (numpy>=1.18.2,<2.0.0)
    ");
}
