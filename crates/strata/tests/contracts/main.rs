//! `strata contracts` end to end.
