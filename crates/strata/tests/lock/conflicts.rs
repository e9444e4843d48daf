//! `strata conflicts`: which profiles and engines can share one environment, and why not.

use strata_testindex::TestIndex;

use crate::project::ml_project;
use crate::universe;

#[test]
fn engines_that_pin_different_torches_cannot_share_and_the_explanation_names_torch() {
    let index = TestIndex::start(universe::ml());
    let project = ml_project();
    let output = project
        .strata(&["conflicts", "vllm", "sglang", "--exit-code"])
        .index(&index)
        .output();
    assert_eq!(output.code, 1, "{}", output.render());
    insta::assert_snapshot!(output.stdout, @r"
    `vllm` and `sglang` cannot share an environment (`sglang`, `torch`, `vllm`):
        vllm==0.6.3 depends on torch==2.5.1.
        And because sglang==0.4.0 depends on torch==2.7.0, sglang==0.4.0, vllm==0.6.3 cannot be installed together.
        And because your requirements require vllm==0.6.3 (`library.current_version` in engine_versions/vllm.yaml) and your requirements require sglang==0.4.0 (`library.current_version` in engine_versions/sglang.yaml), your requirements cannot be satisfied.

        In short: `torch==2.5.1` (required by vllm==0.6.3, from `library.current_version` in engine_versions/vllm.yaml) and `torch==2.7.0` (required by sglang==0.4.0, from `library.current_version` in engine_versions/sglang.yaml) cannot both hold.
    ");

    // Every engine and every profile nothing extends; profiles of one hierarchy are not paired.
    let output = project
        .strata(&["conflicts", "--format", "json"])
        .index(&index)
        .output();
    assert_eq!(output.code, 0, "{}", output.render());
    let document: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(document["schema-version"], 1, "{document}");
    let verdicts: Vec<String> = document["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            format!(
                "{} + {}: {}",
                row["first"].as_str().unwrap(),
                row["second"].as_str().unwrap(),
                row["reason"].as_str().unwrap_or("compatible")
            )
        })
        .collect();
    insta::assert_snapshot!(verdicts.join("\n"), @r"
    development + vllm: compatible
    development + sglang: compatible
    quantization + vllm: compatible
    quantization + sglang: compatible
    ui + vllm: compatible
    ui + sglang: compatible
    vllm + sglang: no-solution
    ");
}
