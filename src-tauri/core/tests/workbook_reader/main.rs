//! The workbook reader (`tideline_core::import::workbook`) against real files written by *other* programs than the
//! reader (rust_xlsxwriter here; LibreOffice for the .xls/.ods fixtures; Excel for the .xlsb and encrypted
//! fixtures, taken from calamine's test suite), hostile files built in the tests, regression fixtures, and a
//! proptest fuzz harness that mutates valid files. One module per format (`xlsx`, `xlsb`, `xls`, `ods`), the zip
//! container (`container`), what holds whatever the format (`reading`, `hostile`), the fuzzing (`fuzz`), the
//! ignored tools (`tools`) and what the pre-scans assume of calamine (`calamine_contract`); `support` holds the shared
//! helpers.
//!
//! Fixtures: `tests/fixtures/README.md` says where each file comes from and how to regenerate it.
//! Fuzzing: `TIDELINE_FUZZ_CASES=20000 cargo test --release -p tideline-core --test workbook_reader fuzz` runs a
//! longer session; with `TIDELINE_FUZZ_SAVE=<dir>` every input that made calamine panic (caught, reported as
//! "the reader failed") is written to `<dir>` for keeping under `tests/fixtures/hostile/`.

mod calamine_contract;
mod container;
mod fuzz;
mod hostile;
mod ods;
mod reading;
mod support;
mod tools;
mod xls;
mod xlsb;
mod xlsx;
