//! The checks: import-linter's contract types and strata's engine rule.

mod engine_import;
mod import_linter;

pub(crate) use engine_import::check_engine_imports;
pub(crate) use import_linter::{chain_summary, check_contract};
