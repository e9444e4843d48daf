//! PEP 440 arithmetic for `strata version bump`: which version comes next.
//!
//! The rules are the table in the README and in `strata version bump --help`; the tests below
//! are that table, row by row. Two ideas shape them:
//!
//! * **Every bump moves forward.** A pre-, post- or dev-release bump on a final release starts
//!   the *next* patch's pre- or dev-releases (`1.3.0` pre -> `1.3.1a0`), because `1.3.0a0` and
//!   `1.3.0.dev0` sort before `1.3.0`.
//! * **A release bump finalizes what it can.** `major`, `minor` or `patch` on a pre- or
//!   dev-release of exactly the release that bump would reach gives that release
//!   (`2.0.0rc1` major -> `2.0.0`, `1.3.1a0` patch -> `1.3.1`); otherwise the segment is
//!   incremented as for a final release.
//!
//! The epoch is kept; a local version label (`+cu121`) is dropped, since a release is published
//! without one.

use pep440_rs::{Prerelease, PrereleaseKind, Version};

/// What to bump: a release segment, a pre-, post- or dev-release, or an exact version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bump {
    /// The first release segment: `1.2.3` -> `2.0.0`.
    Major,
    /// The second release segment: `1.2.3` -> `1.3.0`.
    Minor,
    /// The third release segment: `1.2.3` -> `1.2.4`.
    Patch,
    /// The next pre-release, of the given kind (default: the current one, else alpha).
    Pre(Option<PrereleaseKind>),
    /// The next post-release: `1.3.0` -> `1.3.0.post0`.
    Post,
    /// The next dev-release: `1.3.1.dev0` -> `1.3.1.dev1`.
    Dev,
    /// Exactly this version.
    To(Version),
}

/// The version that `bump` gives from `current`, by the rules of the module documentation.
/// Whether it is higher than `current` is for the caller to check ([`is_forward`]): an exact
/// version, or a pre-release kind lower than the current one, can go backwards.
#[must_use]
pub fn next_version(current: &Version, bump: &Bump) -> Version {
    let epoch = current.epoch();
    let release = current.release().to_vec();
    let (pre, post, dev) = (current.pre(), current.post(), current.dev());
    let base = |release: Vec<u64>| Version::new(release).with_epoch(epoch);
    match bump {
        Bump::Major | Bump::Minor | Bump::Patch => {
            let segment = match bump {
                Bump::Major => 0,
                Bump::Minor => 1,
                _ => 2,
            };
            let padded = padded(release, segment + 1);
            let unreleased = (pre.is_some() || dev.is_some()) && post.is_none();
            if unreleased && padded[segment + 1..].iter().all(|number| *number == 0) {
                base(padded)
            } else {
                base(incremented(padded, segment))
            }
        }
        Bump::Pre(kind) => match (pre, post, dev) {
            (Some(pre), None, _) => {
                let kind = kind.unwrap_or(pre.kind);
                let number = if kind != pre.kind {
                    0
                } else if dev.is_some() {
                    // `1.3.1a0.dev1` comes before `1.3.1a0`: that is the next pre-release.
                    pre.number
                } else {
                    pre.number + 1
                };
                base(release).with_pre(Some(Prerelease { kind, number }))
            }
            (None, None, Some(_)) => base(release).with_pre(Some(Prerelease {
                kind: kind.unwrap_or(PrereleaseKind::Alpha),
                number: 0,
            })),
            _ => base(incremented(padded(release, 3), 2)).with_pre(Some(Prerelease {
                kind: kind.unwrap_or(PrereleaseKind::Alpha),
                number: 0,
            })),
        },
        Bump::Post => {
            let number = match (post, dev) {
                (Some(post), Some(_)) => post,
                (Some(post), None) => post + 1,
                (None, _) => 0,
            };
            base(release).with_pre(pre).with_post(Some(number))
        }
        Bump::Dev => match (pre, post, dev) {
            (_, _, Some(dev)) => base(release)
                .with_pre(pre)
                .with_post(post)
                .with_dev(Some(dev + 1)),
            (_, Some(post), None) => base(release)
                .with_pre(pre)
                .with_post(Some(post + 1))
                .with_dev(Some(0)),
            (Some(pre), None, None) => base(release)
                .with_pre(Some(Prerelease {
                    kind: pre.kind,
                    number: pre.number + 1,
                }))
                .with_dev(Some(0)),
            (None, None, None) => base(incremented(padded(release, 3), 2)).with_dev(Some(0)),
        },
        Bump::To(version) => version.clone(),
    }
}

/// Whether going from `current` to `next` is an upgrade: strictly higher by PEP 440's order.
#[must_use]
pub fn is_forward(current: &Version, next: &Version) -> bool {
    next > current
}

/// `release` with zeros appended up to `length` segments.
fn padded(mut release: Vec<u64>, length: usize) -> Vec<u64> {
    if release.len() < length {
        release.resize(length, 0);
    }
    release
}

/// `release` with segment `at` incremented and every later one zeroed.
fn incremented(mut release: Vec<u64>, at: usize) -> Vec<u64> {
    release[at] += 1;
    for later in &mut release[at + 1..] {
        *later = 0;
    }
    release
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn next(current: &str, bump: &Bump) -> String {
        let current = Version::from_str(current).unwrap();
        let next = next_version(&current, bump);
        next.to_string()
    }

    /// The README's table: every row, and each result is higher than where it came from.
    #[test]
    fn the_documented_table() {
        use PrereleaseKind::{Alpha, Beta, Rc};
        let rows: &[(&str, Bump, &str)] = &[
            ("1.2.3", Bump::Major, "2.0.0"),
            ("1.2.3", Bump::Minor, "1.3.0"),
            ("1.2.3", Bump::Patch, "1.2.4"),
            // Short and long release segments keep their length, padded where the bump needs it.
            ("1.2", Bump::Patch, "1.2.1"),
            ("1", Bump::Minor, "1.1"),
            ("1.2.3.4", Bump::Minor, "1.3.0.0"),
            // Finalizing a pre- or dev-release of exactly the release the bump reaches.
            ("2.0.0rc1", Bump::Major, "2.0.0"),
            ("1.3.0a0", Bump::Minor, "1.3.0"),
            ("1.3.1a0", Bump::Patch, "1.3.1"),
            ("1.3.1.dev2", Bump::Patch, "1.3.1"),
            // ...and incrementing when the bump goes past it.
            ("1.3.1a0", Bump::Minor, "1.4.0"),
            ("1.3.1b2", Bump::Major, "2.0.0"),
            ("1.3.0.post1", Bump::Patch, "1.3.1"),
            // Pre-releases: a final release starts the next patch's.
            ("1.3.0", Bump::Pre(None), "1.3.1a0"),
            ("1.3.1a0", Bump::Pre(None), "1.3.1a1"),
            ("1.3.0", Bump::Pre(Some(Rc)), "1.3.1rc0"),
            ("1.3.1a1", Bump::Pre(Some(Beta)), "1.3.1b0"),
            ("1.3.1a1", Bump::Pre(Some(Rc)), "1.3.1rc0"),
            ("1.3.1rc0", Bump::Pre(Some(Rc)), "1.3.1rc1"),
            ("1.3.1b0", Bump::Pre(Some(Beta)), "1.3.1b1"),
            ("1.3.1rc0", Bump::Pre(None), "1.3.1rc1"),
            ("1.3.1.dev0", Bump::Pre(None), "1.3.1a0"),
            ("1.3.1a0.dev1", Bump::Pre(None), "1.3.1a0"),
            ("1.3.0.post2", Bump::Pre(None), "1.3.1a0"),
            ("1.3.0", Bump::Pre(Some(Alpha)), "1.3.1a0"),
            // Post-releases.
            ("1.3.0", Bump::Post, "1.3.0.post0"),
            ("1.3.0.post0", Bump::Post, "1.3.0.post1"),
            ("1.3.0.post1.dev0", Bump::Post, "1.3.0.post1"),
            ("1.3.1a0", Bump::Post, "1.3.1a0.post0"),
            // Dev-releases.
            ("1.3.0", Bump::Dev, "1.3.1.dev0"),
            ("1.3.1.dev0", Bump::Dev, "1.3.1.dev1"),
            ("1.3.1a0", Bump::Dev, "1.3.1a1.dev0"),
            ("1.3.0.post0", Bump::Dev, "1.3.0.post1.dev0"),
            // The epoch stays; a local label goes.
            ("1!1.2.3", Bump::Minor, "1!1.3.0"),
            ("1.2.3+cu121", Bump::Patch, "1.2.4"),
            // An exact version is taken as it is.
            ("1.2.3", Bump::To(Version::from_str("4.0").unwrap()), "4.0"),
        ];
        let mut wrong = Vec::new();
        for (current, bump, expected) in rows {
            let got = next(current, bump);
            let forward = is_forward(
                &Version::from_str(current).unwrap(),
                &Version::from_str(&got).unwrap(),
            );
            if got != *expected || !forward {
                wrong.push(format!(
                    "{current} {bump:?}: got {got} (forward: {forward}), expected {expected}"
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn going_backwards_is_what_the_caller_refuses() {
        let current = Version::from_str("1.3.1b2").unwrap();
        // A lower pre-release kind restarts at 0, which is lower: the CLI refuses it.
        let next = next_version(&current, &Bump::Pre(Some(PrereleaseKind::Alpha)));
        assert_eq!(next.to_string(), "1.3.1a0");
        assert!(!is_forward(&current, &next));
        assert!(!is_forward(&current, &current));
        let lower = next_version(&current, &Bump::To(Version::from_str("1.3.0").unwrap()));
        assert!(!is_forward(&current, &lower));
    }
}
