//! "Did you mean" suggestions for misspelt keys and names.

/// The candidate closest to `input` by edit distance, if it is close enough to be a typo
/// rather than a different word: at most a third of the input's length, and at least 1.
pub(crate) fn closest<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (input.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (strsim::levenshtein(input, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn typo_gets_the_near_key_and_unrelated_word_gets_none() {
        let keys = ["python-version", "python-platform", "lock-dir"];
        assert_eq!(closest("pyton-version", keys), Some("python-version"));
        assert_eq!(closest("lockdir", keys), Some("lock-dir"));
        assert_eq!(closest("banana", keys), None);
    }
}
