//! Universes more than one crate's tests serve, defined once so the tests of a library and of
//! the command line built on it look at the same world.
//!
//! [`fine_tuning`] is the environment of the issue that `strata check`, `tree` and `why` were
//! written for: a fine-tuning stack (axolotl on peft, trl, accelerate, datasets and
//! bitsandbytes) whose numpy an install pulls up to 2.x under accelerate's `numpy<2`. Both
//! `strata-env`'s tests and the CLI's `env` tests install it into real venvs with real pip.
//!
//! The two suites were written against two shapes of it, and their snapshots count the paths
//! to numpy and the packages that hold it, so both shapes stay: [`fine_tuning`] has numpy held
//! below 2 by accelerate alone, [`fine_tuning_numpy_held_twice`] adds the direct requirements
//! that make trl hold it too. One table below is the single definition of both.
//!
//! (The CLI's `lock` tests have a universe of their own, a project's role hierarchy and two
//! engines; no other suite uses it, so it stays with them.)

use crate::{Package, Universe};

/// One release: its name, version, the requirements of both shapes, and the requirements only
/// [`fine_tuning_numpy_held_twice`] adds. The added ones come after the others, in the order
/// the packages' metadata lists them.
type Release = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const FINE_TUNING: &[Release] = &[
    ("numpy", "1.26.4", &[], &[]),
    ("numpy", "2.1.1", &[], &[]),
    ("packaging", "24.1", &[], &[]),
    (
        "accelerate",
        "0.33.0",
        &["numpy<2.0.0,>=1.17", "packaging>=20.0"],
        &[],
    ),
    (
        "peft",
        "0.12.0",
        &["accelerate>=0.21.0", "numpy>=1.17"],
        &["packaging>=20.0"],
    ),
    ("datasets", "2.20.0", &["numpy>=1.17"], &[]),
    (
        "trl",
        "0.9.6",
        &["accelerate", "datasets>=2.18.0"],
        &["numpy<2.0.0,>=1.18.2"],
    ),
    ("bitsandbytes", "0.43.3", &["numpy"], &[]),
    (
        "axolotl",
        "0.4.1",
        &[
            "peft==0.12.0",
            "trl==0.9.6",
            "accelerate==0.33.0",
            "datasets==2.20.0",
            "bitsandbytes==0.43.3",
        ],
        &["numpy>=1.24.4"],
    ),
];

/// The fine-tuning stack with numpy 1.26.4 and 2.1.1 to choose from, where accelerate 0.33.0
/// alone caps numpy below 2: installing `axolotl` gets numpy 1.26.4, reached by seven paths.
pub fn fine_tuning() -> Universe {
    universe(false)
}

/// [`fine_tuning`] where trl 0.9.6 caps numpy below 2 as well, axolotl 0.4.1 requires
/// `numpy>=1.24.4` itself and peft 0.12.0 requires `packaging>=20.0`: numpy 1.26.4 is held by
/// two packages and reached by nine paths.
pub fn fine_tuning_numpy_held_twice() -> Universe {
    universe(true)
}

fn universe(held_twice: bool) -> Universe {
    let mut universe = Universe::new();
    for (name, version, requirements, held_twice_requirements) in FINE_TUNING {
        let mut package = Package::new(*name, *version);
        let added: &[&str] = if held_twice {
            held_twice_requirements
        } else {
            &[]
        };
        for requirement in requirements.iter().chain(added) {
            package = package.requires(*requirement);
        }
        universe = universe.package(package);
    }
    universe
}
