//! CUDA coherence: does a lock's CUDA agree with the image it is installed on?
//!
//! Torch's Linux wheels bring their own CUDA libraries as `nvidia-*` wheels (`nvidia-cublas-cu12`,
//! ..., or unsuffixed from CUDA 13 on: `nvidia-cublas 13.0.0.19`). Installed on an
//! `nvidia/cuda:...-runtime` or `-devel` base, the image then holds two copies of the same
//! libraries, gigabytes of them (vLLM's users report it, vllm#14433); installed on a base of
//! another CUDA major, the libraries torch loads are not the ones the image was chosen for. Both
//! are easy to miss by reading a Dockerfile and a lock side by side, and plain to see from the
//! base's tag and the lock's pins, so [`cuda_coherence`] reads both and says what it sees.
//!
//! It claims only what the names say: the CUDA of `nvidia/cuda` and `pytorch/pytorch` tags
//! ([`CudaBase::of`]), and of wheels whose name (`-cu12`), version (`+cu124`, an unsuffixed
//! CUDA 13 wheel's major) says it. An image whose tag names no CUDA (NGC's dated
//! `nvcr.io/nvidia/pytorch:24.05-py3`, an engine's upstream image) or a lock without such pins
//! gives no warning: a guess would be wrong on some image, and a wrong warning teaches users to
//! ignore the right ones.

use std::borrow::{Borrow, Cow};
use std::collections::BTreeMap;
use std::fmt;

use pep440_rs::{LocalSegment, Version};
use serde::Serialize;

/// How many package names a warning shows before "and N more".
const SHOWN: usize = 3;

/// The CUDA an image reference's tag names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CudaBase {
    /// The CUDA version as the tag writes it: `12.4.1`, `12.4`.
    pub version: String,
    /// Its major: `12`.
    pub major: u64,
    /// Which of the CUDA libraries the image holds.
    pub flavour: CudaFlavour,
    /// Whether the tag names cuDNN (`-cudnn-`, `-cudnn9-`): the image holds it too.
    pub cudnn: bool,
}

/// The flavours `nvidia/cuda` publishes each CUDA release in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CudaFlavour {
    /// `-base`: the CUDA runtime (`cudart`) alone, none of the math libraries torch loads.
    Base,
    /// `-runtime`: the shared libraries (cuBLAS, cuFFT, NCCL, ...).
    Runtime,
    /// `-devel`: the runtime's libraries, their headers and the compiler.
    Devel,
}

impl fmt::Display for CudaFlavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Base => "base",
            Self::Runtime => "runtime",
            Self::Devel => "devel",
        })
    }
}

impl CudaBase {
    /// The CUDA `reference`'s tag names, for the two families whose tags say it:
    /// `nvidia/cuda:<cuda>[-cudnn[N]]-{base|runtime|devel}-<os>` and
    /// `pytorch/pytorch:<torch>-cuda<M.m>-cudnn<N>-{runtime|devel}`, on any registry (with a
    /// port or not, `nvcr.io`'s mirror of `nvidia/cuda` too), with or without a digest.
    ///
    /// `None` for every other reference: an image without CUDA (`python:3.11-slim`), one whose
    /// tag does not say (`nvcr.io/nvidia/pytorch:24.05-py3`), a tag in neither grammar, or no
    /// tag at all (`nvidia/cuda@sha256:...`).
    ///
    /// ```
    /// use strata_images::{CudaBase, CudaFlavour};
    ///
    /// let base = CudaBase::of("nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04").unwrap();
    /// assert_eq!((base.major, base.flavour, base.cudnn), (12, CudaFlavour::Runtime, true));
    /// assert_eq!(CudaBase::of("python:3.11-slim"), None);
    /// ```
    pub fn of(reference: &str) -> Option<Self> {
        let (repository, tag) = split_reference(reference)?;
        if is_repository(&repository, "nvidia/cuda") {
            nvidia_cuda_tag(tag)
        } else if is_repository(&repository, "pytorch/pytorch") {
            pytorch_tag(tag)
        } else {
            None
        }
    }
}

/// The repository path (registry host left out) and the tag of an image reference; `None`
/// without a tag.
fn split_reference(reference: &str) -> Option<(String, &str)> {
    let reference = reference.split('@').next().unwrap_or(reference);
    // The tag follows the last `:` after the last `/`; a `:` before a `/` is a registry's port.
    let (name, tag) = reference.rsplit_once(':')?;
    if tag.contains('/') || tag.is_empty() {
        return None;
    }
    let mut components: Vec<&str> = name.split('/').collect();
    // Docker's rule: the first component is a registry host when it has a `.` or a `:`, or is
    // `localhost`.
    if components.len() > 1 && (components[0].contains(['.', ':']) || components[0] == "localhost")
    {
        components.remove(0);
    }
    Some((components.join("/").to_ascii_lowercase(), tag))
}

/// Whether `repository` is `wanted`, or a mirror of it under a path (`team/nvidia/cuda`).
fn is_repository(repository: &str, wanted: &str) -> bool {
    repository == wanted
        || repository
            .strip_suffix(wanted)
            .is_some_and(|prefix| prefix.ends_with('/'))
}

/// A dotted version of digits (`12.4.1`) and its major.
fn cuda_version(text: &str) -> Option<u64> {
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    let (major, _) = text.split_once('.').unwrap_or((text, ""));
    text.split('.').all(digits).then(|| major.parse().ok())?
}

/// `cudnn`, `cudnn8`: whether `part` names cuDNN.
fn is_cudnn(part: &str) -> bool {
    part.strip_prefix("cudnn")
        .is_some_and(|rest| rest.bytes().all(|byte| byte.is_ascii_digit()))
}

fn flavour(part: &str) -> Option<CudaFlavour> {
    match part {
        "base" => Some(CudaFlavour::Base),
        "runtime" => Some(CudaFlavour::Runtime),
        "devel" => Some(CudaFlavour::Devel),
        _ => None,
    }
}

/// `12.4.1-cudnn-runtime-ubuntu22.04`, `11.8.0-cudnn8-devel-ubuntu22.04`,
/// `12.4.1-base-ubuntu22.04`, `12.2.0-devel-ubi8`.
fn nvidia_cuda_tag(tag: &str) -> Option<CudaBase> {
    let parts: Vec<&str> = tag.split('-').collect();
    let (version, rest) = parts.split_first()?;
    let major = cuda_version(version)?;
    let (cudnn, rest) = match rest.split_first() {
        Some((part, rest)) if is_cudnn(part) => (true, rest),
        _ => (false, rest),
    };
    let (flavour_part, os) = rest.split_first()?;
    // The operating system closes every tag of the grammar; without it this is another one.
    if os.is_empty() || os.iter().any(|part| part.is_empty()) {
        return None;
    }
    Some(CudaBase {
        version: (*version).to_string(),
        major,
        flavour: flavour(flavour_part)?,
        cudnn,
    })
}

/// `2.5.1-cuda12.4-cudnn9-runtime`, `2.1.0-cuda11.8-cudnn8-devel`.
fn pytorch_tag(tag: &str) -> Option<CudaBase> {
    let [torch, cuda, cudnn, flavour_part] = tag.split('-').collect::<Vec<_>>()[..] else {
        return None;
    };
    cuda_version(torch)?;
    let version = cuda.strip_prefix("cuda")?;
    let major = cuda_version(version)?;
    let flavour = flavour(flavour_part).filter(|flavour| *flavour != CudaFlavour::Base)?;
    is_cudnn(cudnn).then(|| CudaBase {
        version: version.to_string(),
        major,
        flavour,
        cudnn: true,
    })
}

/// What one pin says about CUDA.
#[derive(Debug)]
struct CudaWheel {
    name: String,
    /// The CUDA major it is built for, when its name or version says.
    major: Option<u64>,
    /// The CUDA library it ships, as NVIDIA names its wheel (`cublas`, `cuda-runtime`), when it
    /// is one a CUDA image may hold too.
    library: Option<&'static str>,
    /// An `nvidia-*` wheel without a `-cuNN` suffix: CUDA 13's naming.
    unsuffixed: bool,
}

/// The libraries of the CUDA toolkit that NVIDIA publishes as `nvidia-<name>[-cuNN]` wheels and
/// that a `-runtime` image holds (its `cuda-libraries` package, NCCL, NPP, NVTX).
const RUNTIME_LIBRARIES: &[&str] = &[
    "cublas",
    "cuda-nvrtc",
    "cuda-runtime",
    "cufft",
    "curand",
    "cusolver",
    "cusparse",
    "nccl",
    "npp",
    "nvjitlink",
    "nvjpeg",
    "nvtx",
];

/// What a `-devel` image holds beyond the runtime's libraries (the profiler's library and the
/// compiler), that wheels ship too.
const DEVEL_LIBRARIES: &[&str] = &["cuda-cccl", "cuda-cupti", "cuda-nvcc"];

/// The unsuffixed wheels whose version's major is the CUDA major (`nvidia-cublas 13.0.0.19`);
/// the others number their own releases (`nvidia-cufft 12.0.0.15` is CUDA 13's).
const VERSIONED_AS_CUDA: &[&str] = &[
    "cublas",
    "cuda-cupti",
    "cuda-nvcc",
    "cuda-nvrtc",
    "cuda-runtime",
    "nvjitlink",
    "nvtx",
];

/// The first CUDA major NVIDIA publishes without a `-cuNN` suffix; an unsuffixed wheel with an
/// older version (the `0.0.1` placeholders of these names) says nothing.
const FIRST_UNSUFFIXED_MAJOR: u64 = 13;

impl CudaWheel {
    fn of(name: &str, version: &Version) -> Option<Self> {
        let name = name.to_ascii_lowercase().replace(['_', '.'], "-");
        if let Some(rest) = name.strip_prefix("nvidia-") {
            let suffixed = rest
                .rsplit_once("-cu")
                .and_then(|(stem, digits)| Some((stem, suffix_major(digits)?)));
            let (stem, major) = match suffixed {
                Some((stem, major)) => (stem, Some(major)),
                None => (
                    rest,
                    VERSIONED_AS_CUDA
                        .contains(&rest)
                        .then(|| version.release().first().copied())
                        .flatten()
                        .filter(|major| *major >= FIRST_UNSUFFIXED_MAJOR),
                ),
            };
            let library = RUNTIME_LIBRARIES
                .iter()
                .chain(DEVEL_LIBRARIES)
                .chain(&["cudnn"])
                .find(|library| **library == stem)
                .copied();
            if major.is_none() && library.is_none() {
                // `nvidia-ml-py` and the like: NVIDIA's, not CUDA's libraries.
                return None;
            }
            return Some(Self {
                unsuffixed: suffixed.is_none(),
                name,
                major,
                library,
            });
        }
        // The PyTorch index's builds: `torch 2.5.1+cu124` (CUDA 12.4), `+cu118`, `+cpu`.
        let major = match version.local() {
            [LocalSegment::String(local)] => local
                .strip_prefix("cu")
                .filter(|digits| digits.len() >= 2 && digits.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|digits| digits[..digits.len() - 1].parse().ok()),
            _ => None,
        }?;
        Some(Self {
            name,
            major: Some(major),
            library: None,
            unsuffixed: false,
        })
    }
}

/// The CUDA major of a wheel suffix's digits: `12` of `cu12`, `11` of `cu117`.
fn suffix_major(digits: &str) -> Option<u64> {
    if !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    match digits.len() {
        2 => digits.parse().ok(),
        3 => digits[..2].parse().ok(),
        _ => None,
    }
}

/// A way a lock's CUDA wheels and its base image disagree. Its `Display` is the warning, in
/// plain words, with the remedy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum CudaWarning {
    /// The lock pins wheels built for another CUDA major than the base image's.
    #[serde(rename_all = "kebab-case")]
    MajorMismatch {
        /// The base image, as the manifest names it.
        base: String,
        /// The CUDA major the base image provides.
        base_cuda: u64,
        /// The CUDA major the wheels are built for.
        lock_cuda: u64,
        /// The wheels built for it, in the lock's order.
        packages: Vec<String>,
    },
    /// The lock installs, as `nvidia-*` wheels, CUDA libraries the base image already holds.
    #[serde(rename_all = "kebab-case")]
    DuplicateLibraries {
        /// The base image, as the manifest names it.
        base: String,
        /// The CUDA major of both.
        cuda: u64,
        /// The base image's flavour (`runtime` or `devel`).
        flavour: CudaFlavour,
        /// The wheels that duplicate its libraries, in the lock's order.
        packages: Vec<String>,
    },
}

impl fmt::Display for CudaWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MajorMismatch {
                base,
                base_cuda,
                lock_cuda,
                packages,
            } => write!(
                f,
                "the lock pins CUDA {lock_cuda} wheels ({}) but the base image {base} provides \
                 CUDA {base_cuda}: pin torch to a build for CUDA {base_cuda}, or change the base \
                 to a CUDA {lock_cuda} image",
                some_names(packages)
            ),
            Self::DuplicateLibraries {
                base,
                cuda,
                flavour,
                packages,
            } => {
                let libraries = match flavour {
                    CudaFlavour::Devel => "runtime and development libraries",
                    CudaFlavour::Runtime | CudaFlavour::Base => "runtime libraries",
                };
                let wheels = if packages.len() == 1 {
                    "wheel"
                } else {
                    "wheels"
                };
                write!(
                    f,
                    "the base image {base} already ships the CUDA {cuda} {libraries}, and the \
                     lock installs them again as {} nvidia-* {wheels} ({}): use a `-base` flavour \
                     of nvidia/cuda or a plain Python base, since PyPI's torch wheels bring their \
                     own CUDA libraries",
                    packages.len(),
                    some_names(packages)
                )
            }
        }
    }
}

/// `a, b, c and 11 more`; every name when one more would be all that is left out.
fn some_names(names: &[String]) -> String {
    if names.len() <= SHOWN + 1 {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..SHOWN].join(", "),
        names.len() - SHOWN
    )
}

/// The warnings about installing a lock's `pins` on the image `base`: one
/// [`CudaWarning::MajorMismatch`] per CUDA major of its wheels that is not the base's, and a
/// [`CudaWarning::DuplicateLibraries`] when a `-runtime` or `-devel` base already holds CUDA
/// libraries that the lock installs again as `nvidia-*` wheels of the same major (cuDNN counts
/// when the tag names it). None when [`CudaBase::of`] reads no CUDA from `base`.
///
/// `pins` are a lock's `(name, version)` pairs, as `strata_lockfile::Lock::pins` yields them.
///
/// ```
/// let lock = strata_lockfile::Lock::parse_header_and_pins(
///     "numpy==2.1.3\n\
///      nvidia-cublas-cu12==12.4.5.8\n\
///      nvidia-cuda-runtime-cu12==12.4.127\n\
///      nvidia-cudnn-cu12==9.1.0.70\n\
///      torch==2.5.1\n",
/// )
/// .unwrap();
/// let base = "nvidia/cuda:13.0.2-cudnn-devel-ubuntu24.04";
/// let warnings = strata_images::cuda_coherence(base, lock.pins());
/// assert_eq!(
///     warnings[0].to_string(),
///     "the lock pins CUDA 12 wheels (nvidia-cublas-cu12, nvidia-cuda-runtime-cu12, \
///      nvidia-cudnn-cu12) but the base image nvidia/cuda:13.0.2-cudnn-devel-ubuntu24.04 \
///      provides CUDA 13: pin torch to a build for CUDA 13, or change the base to a CUDA 12 \
///      image"
/// );
/// assert!(strata_images::cuda_coherence("python:3.12-slim", lock.pins()).is_empty());
/// ```
pub fn cuda_coherence<N, V>(base: &str, pins: impl IntoIterator<Item = (N, V)>) -> Vec<CudaWarning>
where
    N: AsRef<str>,
    V: Borrow<Version>,
{
    let Some(image) = CudaBase::of(base) else {
        return Vec::new();
    };
    let mut wheels: Vec<CudaWheel> = pins
        .into_iter()
        .filter_map(|(name, version)| CudaWheel::of(name.as_ref(), version.borrow()))
        .collect();
    // CUDA 13's unsuffixed wheels are one toolkit release: the major the versioned ones agree on
    // is that of the others (`nvidia-cufft 12.0` beside `nvidia-cublas 13.0`) too.
    let mut unsuffixed_majors = wheels
        .iter()
        .filter(|wheel| wheel.unsuffixed)
        .filter_map(|wheel| wheel.major);
    if let Some(major) = unsuffixed_majors.next()
        && unsuffixed_majors.all(|other| other == major)
    {
        for wheel in wheels.iter_mut().filter(|wheel| wheel.unsuffixed) {
            wheel.major = Some(major);
        }
    }

    let mut warnings = Vec::new();
    let mut other_majors: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for wheel in &wheels {
        if let Some(major) = wheel.major
            && major != image.major
        {
            other_majors
                .entry(major)
                .or_default()
                .push(wheel.name.clone());
        }
    }
    for (lock_cuda, packages) in other_majors {
        warnings.push(CudaWarning::MajorMismatch {
            base: base.to_string(),
            base_cuda: image.major,
            lock_cuda,
            packages,
        });
    }

    let held: Vec<&str> = match image.flavour {
        CudaFlavour::Base => Vec::new(),
        CudaFlavour::Runtime => RUNTIME_LIBRARIES.to_vec(),
        CudaFlavour::Devel => [RUNTIME_LIBRARIES, DEVEL_LIBRARIES].concat(),
    };
    let duplicates: Vec<String> = wheels
        .iter()
        .filter(|wheel| wheel.major == Some(image.major))
        .filter(|wheel| {
            wheel.library.is_some_and(|library| {
                held.contains(&library) || (library == "cudnn" && image.cudnn && !held.is_empty())
            })
        })
        .map(|wheel| wheel.name.clone())
        .collect();
    if !duplicates.is_empty() {
        warnings.push(CudaWarning::DuplicateLibraries {
            base: base.to_string(),
            cuda: image.major,
            flavour: image.flavour,
            packages: duplicates,
        });
    }
    warnings
}

/// [`cuda_coherence`] of what an image installs from `locks` (its own, then its dev stage's; a
/// package from the first lock that pins it, as later stages keep what earlier ones installed).
/// A lock of several targets is checked once per Linux target, on the lines its markers select
/// there: a container is Linux, and pip in it installs only those (a macOS line's torch says
/// nothing about the image's CUDA). Each warning once.
pub fn image_cuda_coherence(base: &str, locks: &[strata_lockfile::Lock]) -> Vec<CudaWarning> {
    let mut linux: Vec<_> = locks
        .iter()
        .filter(|lock| lock.has_markers())
        .flat_map(|lock| lock.targets().unwrap_or_default())
        .filter(|target| target.platform().sys_platform() == "linux")
        .collect();
    let mut seen = Vec::new();
    linux.retain(|target| {
        let identity = target.marker_identity();
        let new = !seen.contains(&identity);
        seen.push(identity);
        new
    });
    let mut warnings: Vec<CudaWarning> = Vec::new();
    let mut check = |locks: &[Cow<'_, strata_lockfile::Lock>]| {
        let mut pins: Vec<(&str, &Version)> = Vec::new();
        for (name, version) in locks.iter().flat_map(|lock| lock.pins()) {
            if !pins.iter().any(|(known, _)| *known == name.as_ref()) {
                pins.push((name.as_ref(), version));
            }
        }
        for warning in cuda_coherence(base, pins) {
            if !warnings.contains(&warning) {
                warnings.push(warning);
            }
        }
    };
    if linux.is_empty() {
        check(&locks.iter().map(Cow::Borrowed).collect::<Vec<_>>());
    }
    for target in &linux {
        check(
            &locks
                .iter()
                .map(|lock| Cow::Owned(lock.for_target(target)))
                .collect::<Vec<_>>(),
        );
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(reference: &str) -> Option<(u64, CudaFlavour, bool)> {
        CudaBase::of(reference).map(|base| (base.major, base.flavour, base.cudnn))
    }

    #[test]
    fn nvidia_cuda_tags_name_the_major_the_flavour_and_cudnn() {
        use CudaFlavour::{Base, Devel, Runtime};
        for (reference, expected) in [
            (
                "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04",
                (12, Runtime, true),
            ),
            (
                "nvidia/cuda:13.0.2-cudnn-devel-ubuntu24.04",
                (13, Devel, true),
            ),
            ("nvidia/cuda:12.4.1-base-ubuntu22.04", (12, Base, false)),
            (
                "nvidia/cuda:11.8.0-cudnn8-devel-ubuntu22.04",
                (11, Devel, true),
            ),
            ("nvidia/cuda:12.2.0-runtime-ubi8", (12, Runtime, false)),
            (
                "nvidia/cuda:10.2-cudnn7-devel-ubuntu18.04",
                (10, Devel, true),
            ),
            (
                "docker.io/nvidia/cuda:12.1.1-runtime-ubuntu22.04",
                (12, Runtime, false),
            ),
            (
                "nvcr.io/nvidia/cuda:12.6.3-cudnn-devel-ubuntu24.04",
                (12, Devel, true),
            ),
            (
                "registry.internal:5000/nvidia/cuda:12.4.1-runtime-ubuntu22.04",
                (12, Runtime, false),
            ),
            (
                "localhost:5000/mirror/nvidia/cuda:12.4.1-runtime-ubuntu22.04",
                (12, Runtime, false),
            ),
            (
                "nvidia/cuda:12.4.1-base-ubuntu22.04@sha256:0f6bfcbf267e65123bcc2287e2153dedfc0f24772fb5ce84afe16ac4b2fada95",
                (12, Base, false),
            ),
        ] {
            assert_eq!(base(reference), Some(expected), "{reference}");
        }
        let parsed = CudaBase::of("nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04").unwrap();
        assert_eq!(parsed.version, "12.4.1");
    }

    #[test]
    fn pytorch_tags_name_the_cuda_they_were_built_with() {
        let parsed = CudaBase::of("pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime").unwrap();
        assert_eq!(
            parsed,
            CudaBase {
                version: "12.4".into(),
                major: 12,
                flavour: CudaFlavour::Runtime,
                cudnn: true
            }
        );
        assert_eq!(
            base("docker.io/pytorch/pytorch:2.1.0-cuda11.8-cudnn8-devel"),
            Some((11, CudaFlavour::Devel, true))
        );
    }

    #[test]
    fn references_whose_tag_does_not_say_claim_nothing() {
        for reference in [
            "nvcr.io/nvidia/pytorch:24.05-py3",
            "python:3.11-slim",
            "python:3.12-slim-bookworm@sha256:0f6bfcbf267e65123bcc2287e2153dedfc0f24772fb5ce84afe16ac4b2fada95",
            "vllm/vllm-openai:v0.6.3",
            "nvcr.io/nvidia/tensorrt-llm/release:0.17.0",
            "nvidia/cuda@sha256:0f6bfcbf267e65123bcc2287e2153dedfc0f24772fb5ce84afe16ac4b2fada95",
            "localhost:5000/nvidia/cuda",
            "nvidia/cuda",
            "nvidia/cuda:latest",
            "nvidia/cuda:12.4.1",
            "nvidia/cuda:12.4.1-runtime",
            "nvidia/cuda:12.4.1-cudnn-ubuntu22.04",
            "nvidia/cuda:12.4.1-runtime-",
            "nvidia/cuda:12.x-runtime-ubuntu22.04",
            "nvidia/cudagl:11.4.2-runtime-ubuntu20.04",
            "someone/nvidia-cuda:12.4.1-runtime-ubuntu22.04",
            "mynvidia/cuda:12.4.1-runtime-ubuntu22.04",
            "pytorch/pytorch:latest",
            "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-base",
            "pytorch/pytorch:2.5.1-cuda12.4-runtime",
            "pytorch/pytorch:nightly-devel",
        ] {
            assert_eq!(CudaBase::of(reference), None, "{reference}");
        }
    }

    /// `(name, version)` pins, as a lock's.
    fn pins(pins: &[(&str, &str)]) -> Vec<(String, Version)> {
        pins.iter()
            .map(|(name, version)| ((*name).to_string(), version.parse().unwrap()))
            .collect()
    }

    /// What `torch==2.5.1` from the default index pins on Linux (CUDA 12.4).
    const TORCH_CU12: &[(&str, &str)] = &[
        ("filelock", "3.16.1"),
        ("nvidia-cublas-cu12", "12.4.5.8"),
        ("nvidia-cuda-cupti-cu12", "12.4.127"),
        ("nvidia-cuda-nvrtc-cu12", "12.4.127"),
        ("nvidia-cuda-runtime-cu12", "12.4.127"),
        ("nvidia-cudnn-cu12", "9.1.0.70"),
        ("nvidia-cufft-cu12", "11.2.1.3"),
        ("nvidia-curand-cu12", "10.3.5.147"),
        ("nvidia-cusolver-cu12", "11.6.1.9"),
        ("nvidia-cusparse-cu12", "12.3.1.170"),
        ("nvidia-nccl-cu12", "2.21.5"),
        ("nvidia-nvjitlink-cu12", "12.4.127"),
        ("nvidia-nvtx-cu12", "12.4.127"),
        ("sympy", "1.13.1"),
        ("torch", "2.5.1"),
        ("triton", "3.1.0"),
    ];

    /// What `torch==2.9.0` for CUDA 13.0 pins: CUDA 13's wheels drop the suffix, and number
    /// cuFFT, cuRAND, cuSOLVER, cuSPARSE and cuFile by their own releases.
    const TORCH_CU13: &[(&str, &str)] = &[
        ("nvidia-cublas", "13.0.0.19"),
        ("nvidia-cuda-cupti", "13.0.48"),
        ("nvidia-cuda-nvrtc", "13.0.48"),
        ("nvidia-cuda-runtime", "13.0.48"),
        ("nvidia-cudnn-cu13", "9.13.0.50"),
        ("nvidia-cufft", "12.0.0.15"),
        ("nvidia-cufile", "1.15.0.42"),
        ("nvidia-curand", "10.4.0.35"),
        ("nvidia-cusolver", "12.0.3.29"),
        ("nvidia-cusparse", "12.6.2.49"),
        ("nvidia-cusparselt-cu13", "0.8.0"),
        ("nvidia-nccl-cu13", "2.27.7"),
        ("nvidia-nvjitlink", "13.0.39"),
        ("nvidia-nvshmem-cu13", "3.3.24"),
        ("nvidia-nvtx", "13.0.39"),
        ("torch", "2.9.0+cu130"),
    ];

    fn warnings(base: &str, lock: &[(&str, &str)]) -> Vec<CudaWarning> {
        cuda_coherence(base, pins(lock))
    }

    fn names(names: &[&str]) -> Vec<String> {
        names.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn cuda_12_wheels_on_a_cuda_13_base_are_a_major_mismatch() {
        let base = "nvidia/cuda:13.0.2-cudnn-devel-ubuntu24.04";
        let found = warnings(base, TORCH_CU12);
        let [warning] = &found[..] else {
            panic!("one warning: {found:?}")
        };
        assert_eq!(
            *warning,
            CudaWarning::MajorMismatch {
                base: base.into(),
                base_cuda: 13,
                lock_cuda: 12,
                packages: TORCH_CU12
                    .iter()
                    .map(|(name, _)| (*name).to_string())
                    .filter(|name| name.starts_with("nvidia-"))
                    .collect(),
            }
        );
        assert_eq!(
            warning.to_string(),
            "the lock pins CUDA 12 wheels (nvidia-cublas-cu12, nvidia-cuda-cupti-cu12, \
             nvidia-cuda-nvrtc-cu12 and 9 more) but the base image \
             nvidia/cuda:13.0.2-cudnn-devel-ubuntu24.04 provides CUDA 13: pin torch to a build \
             for CUDA 13, or change the base to a CUDA 12 image"
        );
    }

    #[test]
    fn cuda_13_wheels_on_a_cuda_12_base_are_read_from_their_unsuffixed_names() {
        let found = warnings("nvidia/cuda:12.4.1-base-ubuntu22.04", TORCH_CU13);
        let [
            CudaWarning::MajorMismatch {
                base_cuda: 12,
                lock_cuda: 13,
                packages,
                ..
            },
        ] = &found[..]
        else {
            panic!("one mismatch: {found:?}")
        };
        // cuFFT 12.0 is CUDA 13's: its siblings say so. cuFile is no library of the image's
        // and its version says nothing, so it is no claim.
        assert!(
            packages.contains(&"nvidia-cufft".to_string()),
            "{packages:?}"
        );
        assert!(
            !packages.contains(&"nvidia-cufile".to_string()),
            "{packages:?}"
        );
        assert!(packages.contains(&"nvidia-cudnn-cu13".to_string()));
        assert!(packages.contains(&"torch".to_string()), "{packages:?}");
        assert_eq!(packages.len(), 15, "{packages:?}");
    }

    #[test]
    fn a_torch_build_for_another_cuda_is_named_by_its_local_version() {
        let found = warnings(
            "nvidia/cuda:12.4.1-base-ubuntu22.04",
            &[
                ("torch", "2.5.1+cu118"),
                ("torchvision", "0.20.1+cu118"),
                ("numpy", "2.1.3"),
            ],
        );
        assert_eq!(
            found,
            [CudaWarning::MajorMismatch {
                base: "nvidia/cuda:12.4.1-base-ubuntu22.04".into(),
                base_cuda: 12,
                lock_cuda: 11,
                packages: names(&["torch", "torchvision"]),
            }]
        );
        assert_eq!(
            found[0].to_string(),
            "the lock pins CUDA 11 wheels (torch, torchvision) but the base image \
             nvidia/cuda:12.4.1-base-ubuntu22.04 provides CUDA 12: pin torch to a build for \
             CUDA 12, or change the base to a CUDA 11 image"
        );
        // CUDA 12.4 is `cu124`, CUDA 9.2 was `cu92`: the last digit is the minor.
        assert!(
            warnings(
                "nvidia/cuda:12.4.1-base-ubuntu22.04",
                &[("torch", "2.5.1+cu124")]
            )
            .is_empty()
        );
        assert_eq!(
            warnings(
                "nvidia/cuda:10.2-base-ubuntu18.04",
                &[("torch", "1.6.0+cu92")]
            )
            .len(),
            1
        );
    }

    #[test]
    fn cuda_wheels_of_the_bases_major_on_a_runtime_base_are_duplicates() {
        let base = "nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04";
        let found = warnings(base, TORCH_CU12);
        // CUPTI is the profiler's, in `-devel` only.
        let expected = names(&[
            "nvidia-cublas-cu12",
            "nvidia-cuda-nvrtc-cu12",
            "nvidia-cuda-runtime-cu12",
            "nvidia-cudnn-cu12",
            "nvidia-cufft-cu12",
            "nvidia-curand-cu12",
            "nvidia-cusolver-cu12",
            "nvidia-cusparse-cu12",
            "nvidia-nccl-cu12",
            "nvidia-nvjitlink-cu12",
            "nvidia-nvtx-cu12",
        ]);
        assert_eq!(
            found,
            [CudaWarning::DuplicateLibraries {
                base: base.into(),
                cuda: 12,
                flavour: CudaFlavour::Runtime,
                packages: expected,
            }]
        );
        assert_eq!(
            found[0].to_string(),
            "the base image nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04 already ships the CUDA \
             12 runtime libraries, and the lock installs them again as 11 nvidia-* wheels \
             (nvidia-cublas-cu12, nvidia-cuda-nvrtc-cu12, nvidia-cuda-runtime-cu12 and 8 more): \
             use a `-base` flavour of nvidia/cuda or a plain Python base, since PyPI's torch \
             wheels bring their own CUDA libraries"
        );
    }

    #[test]
    fn a_devel_base_duplicates_the_profiler_too_and_cudnn_only_when_its_tag_names_it() {
        let [CudaWarning::DuplicateLibraries { packages, .. }] =
            &warnings("nvidia/cuda:12.4.1-devel-ubuntu22.04", TORCH_CU12)[..]
        else {
            panic!("one duplicate warning")
        };
        assert!(packages.contains(&"nvidia-cuda-cupti-cu12".to_string()));
        assert!(!packages.contains(&"nvidia-cudnn-cu12".to_string()));
        assert_eq!(packages.len(), 11, "{packages:?}");
    }

    #[test]
    fn cuda_13_wheels_on_a_cuda_13_devel_base_are_duplicates() {
        let base = "nvidia/cuda:13.0.2-cudnn-devel-ubuntu24.04";
        let found = warnings(base, TORCH_CU13);
        let [CudaWarning::DuplicateLibraries { packages, .. }] = &found[..] else {
            panic!("one duplicate warning: {found:?}")
        };
        assert_eq!(
            *packages,
            names(&[
                "nvidia-cublas",
                "nvidia-cuda-cupti",
                "nvidia-cuda-nvrtc",
                "nvidia-cuda-runtime",
                "nvidia-cudnn-cu13",
                "nvidia-cufft",
                "nvidia-curand",
                "nvidia-cusolver",
                "nvidia-cusparse",
                "nvidia-nccl-cu13",
                "nvidia-nvjitlink",
                "nvidia-nvtx",
            ])
        );
        assert!(found[0].to_string().contains(
            "already ships the CUDA 13 runtime and development libraries, and the lock installs \
             them again as 12 nvidia-* wheels"
        ));
    }

    #[test]
    fn a_pytorch_runtime_base_holds_torchs_libraries_already() {
        let found = warnings("pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime", TORCH_CU12);
        assert!(
            matches!(&found[..], [CudaWarning::DuplicateLibraries { cuda: 12, packages, .. }] if packages.len() == 11),
            "{found:?}"
        );
    }

    #[test]
    fn coherent_locks_and_unknown_bases_give_no_warning() {
        // The recommended setups: torch's own CUDA on a `-base` image of its major or a plain
        // Python image.
        assert_eq!(
            warnings("nvidia/cuda:12.4.1-base-ubuntu22.04", TORCH_CU12),
            []
        );
        assert_eq!(warnings("python:3.12-slim", TORCH_CU12), []);
        assert_eq!(
            warnings("nvidia/cuda:13.0.2-base-ubuntu24.04", TORCH_CU13),
            []
        );
        // Bases whose CUDA the tag does not say.
        for base in [
            "nvcr.io/nvidia/pytorch:24.05-py3",
            "vllm/vllm-openai:v0.6.3",
            "nvidia/cuda@sha256:0f6bfcbf267e65123bcc2287e2153dedfc0f24772fb5ce84afe16ac4b2fada95",
        ] {
            assert_eq!(warnings(base, TORCH_CU12), [], "{base}");
        }
        // Locks without CUDA: a CPU build of torch, NVIDIA's packages that are no CUDA library,
        // and the placeholders CUDA's unsuffixed names held before CUDA 13.
        for lock in [
            &[("torch", "2.5.1+cpu"), ("numpy", "2.1.3")][..],
            &[("nvidia-ml-py", "12.560.30"), ("nvidia-ml-py3", "7.352.0")],
            &[("torch", "2.5.1+rocm6.2")],
            &[("nvidia-cublas", "0.0.1")],
        ] {
            for base in [
                "nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04",
                "nvidia/cuda:13.0.2-cudnn-runtime-ubuntu24.04",
            ] {
                assert_eq!(warnings(base, lock), [], "{base} {lock:?}");
            }
        }
    }

    #[test]
    fn wheels_of_two_majors_give_one_mismatch_per_foreign_major() {
        let lock = [
            ("nvidia-cublas-cu11", "11.11.3.6"),
            // The CUDA 11 era also had suffixes with the minor: `-cu117` is CUDA 11.7.
            ("nvidia-cuda-nvrtc-cu117", "11.7.99"),
            ("nvidia-cuda-runtime-cu12", "12.4.127"),
            ("torch", "2.9.0+cu130"),
        ];
        let found = warnings("nvidia/cuda:12.4.1-runtime-ubuntu22.04", &lock);
        assert_eq!(
            found
                .iter()
                .map(|warning| match warning {
                    CudaWarning::MajorMismatch {
                        lock_cuda,
                        packages,
                        ..
                    } => (*lock_cuda, packages.clone()),
                    CudaWarning::DuplicateLibraries { cuda, packages, .. } =>
                        (*cuda, packages.clone()),
                })
                .collect::<Vec<_>>(),
            [
                (
                    11,
                    names(&["nvidia-cublas-cu11", "nvidia-cuda-nvrtc-cu117"])
                ),
                (13, names(&["torch"])),
                (12, names(&["nvidia-cuda-runtime-cu12"])),
            ]
        );
        assert!(
            found[2]
                .to_string()
                .contains("as 1 nvidia-* wheel (nvidia-cuda-runtime-cu12)")
        );
    }

    #[test]
    fn names_are_read_as_the_index_normalizes_them() {
        let found = warnings(
            "nvidia/cuda:12.4.1-runtime-ubuntu22.04",
            &[("NVIDIA_Cublas.CU12", "12.4.5.8")],
        );
        assert!(
            matches!(&found[..], [CudaWarning::DuplicateLibraries { packages, .. }] if *packages == names(&["nvidia-cublas-cu12"])),
            "{found:?}"
        );
    }

    #[test]
    fn a_warning_serializes_with_its_kind() {
        let warning = CudaWarning::MajorMismatch {
            base: "nvidia/cuda:13.0.2-base-ubuntu24.04".into(),
            base_cuda: 13,
            lock_cuda: 12,
            packages: names(&["nvidia-cublas-cu12"]),
        };
        assert_eq!(
            serde_json::to_string(&warning).unwrap(),
            r#"{"kind":"major-mismatch","base":"nvidia/cuda:13.0.2-base-ubuntu24.04","base-cuda":13,"lock-cuda":12,"packages":["nvidia-cublas-cu12"]}"#
        );
    }
}
