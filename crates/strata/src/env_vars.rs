//! Every environment variable strata reads, in one place.
//!
//! Reading the environment anywhere else is disallowed, so this list is complete, and the README
//! configuration reference is written from it.

/// Disables colour in all output when set to any non-empty value (<https://no-color.org>).
pub(crate) const NO_COLOR: &str = "NO_COLOR";

/// The cache directory (default: `$XDG_CACHE_HOME/strata`, else `~/.cache/strata`).
pub(crate) const STRATA_CACHE_DIR: &str = "STRATA_CACHE_DIR";
/// Where the platform cache lives, per the XDG base directory specification.
pub(crate) const XDG_CACHE_HOME: &str = "XDG_CACHE_HOME";
/// A `.netrc` file for index credentials (default `~/.netrc`), as requests and uv read it.
pub(crate) const NETRC: &str = "NETRC";
/// Seconds allowed for each request to the index, retries included (default 300), when
/// `--http-timeout` is not given.
pub(crate) const STRATA_HTTP_TIMEOUT: &str = "STRATA_HTTP_TIMEOUT";
/// The home directory, for the default cache and pip's user configuration.
pub(crate) const HOME: &str = "HOME";

/// The file a GitHub Actions step appends its outputs to (`strata ci plan --github-output`).
pub(crate) const GITHUB_OUTPUT: &str = "GITHUB_OUTPUT";
/// The file a GitHub Actions step appends its Markdown summary to.
pub(crate) const GITHUB_STEP_SUMMARY: &str = "GITHUB_STEP_SUMMARY";

/// The active virtual environment, as `activate` sets it: `strata check`, `tree` and `why`
/// inspect it when neither `--python`, `--venv` nor `--site-packages` is given.
pub(crate) const VIRTUAL_ENV: &str = "VIRTUAL_ENV";

/// Variables read by index configuration, in `strata_index::config` order. Listed here so the
/// registry is complete; the index crate receives them through [`var`].
pub(crate) const INDEX_VARIABLES: &[&str] = &[
    "STRATA_INDEX_URL",
    "STRATA_EXTRA_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_INDEX_URL",
    "UV_EXTRA_INDEX_URL",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_CONFIG_FILE",
    "XDG_CONFIG_HOME",
    "VIRTUAL_ENV",
    "HOME",
];

/// Looks a variable up. The one place strata reads the process environment.
pub(crate) fn var(name: &str) -> Option<String> {
    #[expect(
        clippy::disallowed_methods,
        reason = "this is the registry every read goes through"
    )]
    std::env::var(name).ok()
}
