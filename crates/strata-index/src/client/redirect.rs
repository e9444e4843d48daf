//! Which redirects a request follows.
//!
//! An index behind a proxy or a CDN redirects once or twice; more is a misconfiguration, and a
//! chain that comes back to a URL it visited is a loop a client without cookies would be sent
//! round again. The policy refuses a loop as soon as it closes, stops past [`MAX_REDIRECTS`],
//! and says why, with the chain (credentials redacted), in a [`RedirectRefused`] that travels
//! inside reqwest's error to the retry policy. That gives up at once: every attempt would be
//! redirected the same way (retried, a loop once cost 44 requests a package).

use url::Url;

/// Redirects followed for one request, as browsers and reqwest's default policy allow. An index
/// behind a proxy or a CDN takes one or two; ten is a misconfiguration.
pub const MAX_REDIRECTS: usize = 10;

/// Why the redirect policy refused a redirect, as the error reports it.
#[derive(Debug)]
pub(super) struct RedirectRefused(pub(super) String);

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl std::error::Error for RedirectRefused {}

/// Follows up to [`MAX_REDIRECTS`] redirects, and refuses a loop as soon as the chain comes
/// back to a URL it visited: a client without cookies gets the same answer there again.
pub(super) fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let visited = attempt.previous();
        let next = attempt.url();
        let refusal = if visited.contains(next) {
            Some(format!(
                "it redirects in a loop: {}",
                redirect_chain(visited, next)
            ))
        } else if visited.len() > MAX_REDIRECTS {
            Some(format!(
                "it redirects more than {MAX_REDIRECTS} times: {}",
                redirect_chain(visited, next)
            ))
        } else {
            None
        };
        match refusal {
            Some(reason) => attempt.error(RedirectRefused(reason)),
            None => attempt.follow(),
        }
    })
}

/// `a` -> `b` -> `a`, credentials redacted; a long chain shows its two ends.
fn redirect_chain(visited: &[Url], next: &Url) -> String {
    let urls: Vec<String> = visited
        .iter()
        .chain(std::iter::once(next))
        .map(|url| format!("`{}`", crate::redact(url)))
        .collect();
    if urls.len() <= 5 {
        return urls.join(" -> ");
    }
    format!(
        "{} -> {} -> ... ({} more) -> {} -> {}",
        urls[0],
        urls[1],
        urls.len() - 4,
        urls[urls.len() - 2],
        urls[urls.len() - 1]
    )
}
