//! One owner per table: the SQL of each table lives in one module here, and the rest of the core calls it.
//! Every function takes the caller's connection or transaction, so the caller decides what is one transaction;
//! the stores map rows to types and hold no business rule. This is the seam where a second backend can plug in.

pub mod accounts;
pub mod events;
pub mod health_trends;
pub mod import_account_changes;
pub mod import_kpi_changes;
pub mod imports;
pub mod kpi_values;
pub mod playbook_executions;
mod raw;
pub mod snapshot_facts;
pub mod snapshot_text;
pub mod snapshots;
