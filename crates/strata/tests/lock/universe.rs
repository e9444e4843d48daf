//! The packages the tests lock: a small, realistically shaped slice of an ML project's world.

use strata_testindex::{Package, Universe};

/// `(name, version, requirements)` of every release on the main index, all `py3-none-any`.
const RELEASES: &[(&str, &str, &[&str])] = &[
    // Runtime basics.
    ("numpy", "1.26.4", &[]),
    ("numpy", "2.1.1", &[]),
    ("filelock", "3.16.1", &[]),
    (
        "rich",
        "13.9.4",
        &["markdown-it-py>=2.2.0", "pygments>=2.13.0,<3.0.0"],
    ),
    ("markdown-it-py", "3.0.0", &["mdurl~=0.1"]),
    ("mdurl", "0.1.2", &[]),
    ("pygments", "2.18.0", &[]),
    ("packaging", "24.1", &[]),
    ("pyyaml", "6.0.2", &[]),
    ("psutil", "6.0.0", &[]),
    ("typing-extensions", "4.12.2", &[]),
    // The serving backend.
    (
        "fastapi",
        "0.115.0",
        &[
            "starlette>=0.37.2,<0.39.0",
            "pydantic>=1.7.4,!=2.0.0,<3.0.0",
            "typing-extensions>=4.8.0",
        ],
    ),
    ("starlette", "0.38.6", &["anyio>=3.4.0,<5"]),
    ("anyio", "4.6.0", &["idna>=2.8", "sniffio>=1.1"]),
    ("idna", "3.10", &[]),
    ("sniffio", "1.3.1", &[]),
    (
        "pydantic",
        "2.9.2",
        &[
            "annotated-types>=0.6.0",
            "pydantic-core==2.23.4",
            "typing-extensions>=4.6.1",
        ],
    ),
    ("pydantic", "1.10.18", &["typing-extensions>=4.2.0"]),
    ("annotated-types", "0.7.0", &[]),
    (
        "pydantic-core",
        "2.23.4",
        &["typing-extensions>=4.6.0,!=4.7.0"],
    ),
    ("uvicorn", "0.30.6", &["click>=7.0", "h11>=0.8"]),
    ("click", "8.1.7", &[]),
    ("h11", "0.14.0", &[]),
    // accelerate 0.33 caps numpy below 2: the constraint only `backend` declares.
    (
        "accelerate",
        "0.33.0",
        &[
            "numpy>=1.17,<2.0.0",
            "packaging>=20.0",
            "psutil",
            "pyyaml",
            "torch>=1.10.0",
        ],
    ),
    // Build and development.
    ("build", "1.2.2", &["packaging>=19.1", "pyproject-hooks"]),
    ("pyproject-hooks", "1.2.0", &[]),
    ("wheel", "0.44.0", &[]),
    (
        "pytest",
        "8.3.3",
        &["iniconfig", "packaging", "pluggy>=1.5,<2"],
    ),
    ("iniconfig", "2.0.0", &[]),
    ("pluggy", "1.5.0", &[]),
    ("ruff", "0.6.9", &[]),
    // Quantization and UI: siblings under base.
    ("bitsandbytes", "0.43.3", &["numpy<2", "torch"]),
    // Still on pydantic 1, which gradio 4.44 (pydantic 2) cannot share an environment with.
    ("optimum", "1.22.0", &["pydantic<2", "packaging"]),
    (
        "gradio",
        "4.44.1",
        &[
            "numpy>=1.0,<3.0",
            "pydantic>=2.0",
            "fastapi<1.0",
            "huggingface-hub>=0.19.3",
        ],
    ),
    (
        "gradio",
        "5.0.0",
        &[
            "numpy>=2.0,<3.0",
            "pydantic>=2.0",
            "fastapi<1.0",
            "huggingface-hub>=0.25.1",
        ],
    ),
    // The engines' world.
    (
        "torch",
        "2.5.1",
        &[
            "filelock",
            "typing-extensions>=4.8.0",
            "sympy==1.13.1",
            "networkx",
            "jinja2",
            "fsspec",
        ],
    ),
    (
        "torch",
        "2.7.0",
        &[
            "filelock",
            "typing-extensions>=4.10.0",
            "sympy>=1.13.3",
            "networkx",
            "jinja2",
            "fsspec",
        ],
    ),
    ("sympy", "1.13.1", &["mpmath>=1.1.0,<1.4"]),
    ("sympy", "1.13.3", &["mpmath>=1.1.0,<1.4"]),
    ("mpmath", "1.3.0", &[]),
    ("networkx", "3.3", &[]),
    ("jinja2", "3.1.4", &["MarkupSafe>=2.0"]),
    ("markupsafe", "2.1.5", &[]),
    ("fsspec", "2024.9.0", &[]),
    (
        "huggingface-hub",
        "0.25.1",
        &[
            "filelock",
            "fsspec>=2023.5.0",
            "packaging>=20.9",
            "pyyaml>=5.1",
            "requests",
            "tqdm>=4.42.1",
            "typing-extensions>=3.7.4.3",
        ],
    ),
    (
        "requests",
        "2.32.3",
        &[
            "charset-normalizer>=2,<4",
            "idna>=2.5,<4",
            "urllib3>=1.21.1,<3",
            "certifi>=2017.4.17",
        ],
    ),
    ("charset-normalizer", "3.3.2", &[]),
    ("urllib3", "2.2.3", &[]),
    ("certifi", "2024.8.30", &[]),
    ("tqdm", "4.66.5", &[]),
    ("regex", "2024.9.11", &[]),
    ("safetensors", "0.4.5", &[]),
    ("tokenizers", "0.20.0", &["huggingface-hub>=0.16.4,<1.0"]),
    (
        "transformers",
        "4.45.2",
        &[
            "filelock",
            "huggingface-hub>=0.23.2,<1.0",
            "numpy>=1.17",
            "packaging>=20.0",
            "pyyaml>=5.1",
            "regex!=2019.12.17",
            "requests",
            "safetensors>=0.4.1",
            "tokenizers>=0.20,<0.21",
            "tqdm>=4.27",
        ],
    ),
    // Two engines that cannot share an environment: each pins its own torch.
    (
        "vllm",
        "0.6.3",
        &[
            "torch==2.5.1",
            "transformers>=4.45.2",
            "numpy<2.0.0",
            "psutil",
        ],
    ),
    (
        "sglang",
        "0.4.0",
        &["torch==2.7.0", "transformers>=4.45", "numpy"],
    ),
    // On the main index only a stub that fetches the real wheel at build time; the real one
    // is on the engine's own index.
];

/// The main index's universe.
pub(crate) fn ml() -> Universe {
    with(Universe::new(), RELEASES).package(
        Package::new("tensorrt-llm", "0.13.0")
            .no_wheels()
            .sdist_build_fails("install tensorrt-llm from its vendor's index"),
    )
}

/// The main universe plus `extra` releases.
pub(crate) fn ml_and(extra: &[(&str, &str, &[&str])]) -> Universe {
    with(ml(), extra)
}

/// The engine index of the `indexes` tests: the real `tensorrt-llm` wheel, whose name and
/// version the main index also serves (as a stub sdist).
pub(crate) fn engine_index() -> Universe {
    Universe::new().package(
        Package::new("tensorrt-llm", "0.13.0")
            .requires("numpy<2")
            .requires("filelock"),
    )
}

fn with(mut universe: Universe, releases: &[(&str, &str, &[&str])]) -> Universe {
    for (name, version, requirements) in releases {
        let mut package = Package::new(*name, *version);
        for requirement in *requirements {
            package = package.requires(*requirement);
        }
        universe = universe.package(package);
    }
    universe
}
