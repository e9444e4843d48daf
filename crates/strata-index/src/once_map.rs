//! Single-flight memoization: however many tasks ask for a key at once, the work runs once.
//!
//! The resolver asks for the same project page or metadata from many places (every parent that
//! depends on `numpy`); the first request does the work and the others await its result. Both
//! successes and failures are remembered for the whole run, so a failing URL is not retried by
//! every caller in turn (the retry policy already ran inside the first attempt).

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

/// A map from keys to values computed at most once.
pub(crate) struct OnceMap<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> OnceMap<K, V> {
    pub(crate) fn new() -> Self {
        Self {
            cells: Mutex::new(HashMap::new()),
        }
    }

    /// The value for `key`, computing it with `make` if no task has yet.
    pub(crate) async fn get_or_compute<F, Fut>(&self, key: &K, make: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let cell = {
            let mut cells = self
                .cells
                .lock()
                .expect("the lock is never held across a panic");
            Arc::clone(cells.entry(key.clone()).or_default())
        };
        cell.get_or_init(make).await.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn concurrent_requests_for_one_key_run_the_work_once() {
        let map: OnceMap<&str, usize> = OnceMap::new();
        let runs = AtomicUsize::new(0);
        let work = || async {
            runs.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            42
        };
        let results =
            futures::future::join_all((0..10).map(|_| map.get_or_compute(&"numpy", work))).await;
        assert!(results.iter().all(|value| *value == 42));
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
