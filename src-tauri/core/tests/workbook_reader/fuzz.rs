//! Fuzzing: mutate valid files, assert the reader answers Ok or Err without panicking.

use crate::support::{basic_xlsx, fixture, rewrite_zip};
use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use std::io::Cursor;
use std::path::Path;
use tideline_core::import::workbook::{
    peek_workbook_bytes, read_workbook_bytes, stream_workbook_bytes, Limits, Row, RowSink, Sheet,
    Streamed,
};
use zip::ZipArchive;

/// Values that hit size and index fields.
const EXTREMES: [u32; 10] = [
    0,
    1,
    0x7F,
    0xFF,
    0xFFFF,
    0x1_0000,
    0x10_0000,
    0x7FFF_FFFF,
    0xFFFF_FFFE,
    0xFFFF_FFFF,
];
const NUMBERS: [&str; 10] = [
    "0",
    "-1",
    "65536",
    "1048577",
    "16385",
    "4294967295",
    "4294967296",
    "99999999999999999999",
    "1e308",
    "XFD1048577",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip {
        at: u32,
        bit: u8,
    },
    Byte {
        at: u32,
        value: u8,
    },
    Extreme {
        at: u32,
        wide: bool,
        which: u8,
    },
    Truncate {
        at: u32,
    },
    Delete {
        at: u32,
        len: u16,
    },
    Splice {
        from: u32,
        to: u32,
        len: u16,
    },
    Insert {
        at: u32,
        bytes: Vec<u8>,
    },
    /// Replace the n-th run of ASCII digits with an extreme number (for XML parts).
    Number {
        nth: u16,
        which: u8,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<u32>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        2 => (any::<u32>(), any::<u8>()).prop_map(|(at, value)| Mutation::Byte { at, value }),
        2 => (any::<u32>(), any::<bool>(), 0u8..10).prop_map(|(at, wide, which)| Mutation::Extreme { at, wide, which }),
        1 => any::<u32>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<u32>(), 1u16..64).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => (any::<u32>(), any::<u32>(), 1u16..256).prop_map(|(from, to, len)| Mutation::Splice { from, to, len }),
        1 => (any::<u32>(), proptest::collection::vec(any::<u8>(), 1..16)).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        3 => (any::<u16>(), 0u8..10).prop_map(|(nth, which)| Mutation::Number { nth, which }),
    ]
}

fn apply(data: &mut Vec<u8>, m: &Mutation) {
    if data.is_empty() {
        return;
    }
    let n = data.len();
    let at = |x: u32| x as usize % n;
    match m {
        Mutation::Flip { at: a, bit } => data[at(*a)] ^= 1 << bit,
        Mutation::Byte { at: a, value } => data[at(*a)] = *value,
        Mutation::Extreme { at: a, wide, which } => {
            let v = EXTREMES[*which as usize % EXTREMES.len()].to_le_bytes();
            let w = if *wide { 4 } else { 2 };
            let start = at(*a).min(n.saturating_sub(w));
            let end = (start + w).min(n);
            data[start..end].copy_from_slice(&v[..end - start]);
        }
        Mutation::Truncate { at: a } => data.truncate(at(*a)),
        Mutation::Delete { at: a, len } => {
            let start = at(*a);
            let end = (start + *len as usize).min(n);
            data.drain(start..end);
        }
        Mutation::Splice { from, to, len } => {
            let from = at(*from);
            let chunk: Vec<u8> = data[from..(from + *len as usize).min(n)].to_vec();
            let to = at(*to);
            data.splice(to..to, chunk);
        }
        Mutation::Insert { at: a, bytes } => {
            let a = at(*a);
            data.splice(a..a, bytes.iter().copied());
        }
        Mutation::Number { nth, which } => {
            let runs: Vec<(usize, usize)> = {
                let mut v = Vec::new();
                let mut i = 0;
                while i < n {
                    if data[i].is_ascii_digit() {
                        let s = i;
                        while i < n && data[i].is_ascii_digit() {
                            i += 1;
                        }
                        v.push((s, i));
                    } else {
                        i += 1;
                    }
                }
                v
            };
            if let Some(&(s, e)) = runs.get(*nth as usize % runs.len().max(1)) {
                let value = NUMBERS[*which as usize % NUMBERS.len()].as_bytes();
                data.splice(s..e, value.iter().copied());
            }
        }
    }
}

fn fuzz_cases(default: u32) -> u32 {
    std::env::var("TIDELINE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn fuzz_config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: fuzz_cases(default),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Reads a mutated file; any outcome but a panic is fine. Errors must be file errors naming the file. Inputs that
/// made calamine panic (caught) are saved when TIDELINE_FUZZ_SAVE is set.
fn check_answer(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let result = std::panic::catch_unwind(|| read_workbook_bytes(name, bytes, &Limits::default()));
    let result = match result {
        Ok(r) => r,
        Err(_) => {
            return Err(TestCaseError::fail(format!(
                "{name}: the reader panicked ({} bytes)",
                bytes.len()
            )))
        }
    };
    check_streamed_and_peeked(name, bytes, &result)?;
    if let Err(e) = &result {
        prop_assert!(
            e.code().starts_with("file_"),
            "{}: unexpected error {}",
            name,
            e
        );
        prop_assert!(e.to_string().starts_with(&format!("{name}: ")), "{}", e);
        if e.to_string().contains("the reader failed") {
            if let Ok(dir) = std::env::var("TIDELINE_FUZZ_SAVE") {
                use sha2::Digest;
                let hash = hex::encode(sha2::Sha256::digest(bytes));
                let ext = Path::new(name)
                    .extension()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let _ = std::fs::create_dir_all(&dir);
                let _ = std::fs::write(
                    Path::new(&dir).join(format!("crash-{}.{ext}", &hash[..16])),
                    bytes,
                );
                eprintln!("caught a reader panic: {e}");
            }
        }
    }
    Ok(())
}

/// Collects what a streamed read hands over.
#[derive(Default)]
struct Collect(Vec<Sheet>);

impl RowSink for Collect {
    fn start(&mut self, _file: &str, _sha256: &str) -> tideline_core::Result<()> {
        Ok(())
    }
    fn sheet(&mut self, name: &str) -> tideline_core::Result<()> {
        self.0.push(Sheet {
            name: name.to_string(),
            rows: Vec::new(),
        });
        Ok(())
    }
    fn row(&mut self, row: Row) -> tideline_core::Result<()> {
        if let Some(s) = self.0.last_mut() {
            s.rows.push(row);
        }
        Ok(())
    }
    fn end_sheet(&mut self) -> tideline_core::Result<()> {
        Ok(())
    }
}

/// The same bytes streamed (as an import reads them) and peeked (as a dropped file is probed) agree with the
/// whole read: a streamed read gives the same sheets or asks to be read again whole, and fails only where the
/// whole read fails, with the same code; a peek gives each sheet's first 20 rows of the whole read.
pub(crate) fn check_streamed_and_peeked(
    name: &str,
    bytes: &[u8],
    whole: &tideline_core::Result<tideline_core::import::workbook::Workbook>,
) -> Result<(), TestCaseError> {
    let limits = Limits::default();
    let mut sink = Collect::default();
    let streamed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        stream_workbook_bytes(name, bytes, &limits, &mut sink, true)
    }))
    .map_err(|_| TestCaseError::fail(format!("{name}: the streamed reader panicked")))?;
    match (whole, &streamed) {
        (Ok(wb), Ok(Streamed::Done)) => {
            prop_assert_eq!(&wb.sheets, &sink.0, "{}: streamed rows differ", name)
        }
        (_, Ok(Streamed::Restart)) => {}
        (Err(a), Err(b)) => prop_assert_eq!(a.code(), b.code(), "{}: {} / {}", name, a, b),
        (a, b) => prop_assert!(
            false,
            "{}: whole read {:?}, streamed {:?}",
            name,
            a.as_ref().map(|_| ()),
            b
        ),
    }
    let peeked = std::panic::catch_unwind(|| peek_workbook_bytes(name, bytes, &limits, 20))
        .map_err(|_| TestCaseError::fail(format!("{name}: the peek panicked")))?;
    if let (Ok(wb), Ok(peek)) = (whole, &peeked) {
        let cut: Vec<Sheet> = wb
            .sheets
            .iter()
            .map(|s| Sheet {
                name: s.name.clone(),
                rows: s.rows.iter().filter(|r| r.number <= 20).cloned().collect(),
            })
            .collect();
        prop_assert_eq!(&cut, &peek.workbook.sheets, "{}: peeked rows differ", name);
    } else if whole.is_ok() {
        prop_assert!(
            false,
            "{}: the whole read worked, the peek failed: {:?}",
            name,
            peeked.err()
        );
    }
    Ok(())
}

fn seed_xlsx() -> &'static [u8] {
    static SEED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    SEED.get_or_init(basic_xlsx)
}

fn seed(name: &'static str) -> &'static [u8] {
    static SEEDS: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<&'static str, &'static [u8]>>,
    > = std::sync::OnceLock::new();
    let map = SEEDS.get_or_init(Default::default);
    let mut map = map.lock().unwrap();
    map.entry(name)
        .or_insert_with(|| Box::leak(fixture(name).into_boxed_slice()))
}

/// Mutates one part of a zip-based workbook (chosen by index) and re-zips it with valid CRCs, so the mutation
/// reaches calamine's parsers rather than stopping at the zip layer.
fn mutate_part(bytes: &[u8], pick: u32, mutations: &[Mutation]) -> Vec<u8> {
    let parts: Vec<String> = {
        let z = ZipArchive::new(Cursor::new(bytes)).unwrap();
        z.file_names_raw()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .filter(|n| !n.ends_with('/'))
            .collect()
    };
    // Favour the parts calamine parses.
    let interesting: Vec<&String> = parts
        .iter()
        .filter(|n| {
            n.ends_with(".xml") || n.ends_with(".bin") || n.ends_with(".rels") || *n == "mimetype"
        })
        .collect();
    let target = interesting[pick as usize % interesting.len()].clone();
    rewrite_zip(bytes, |name, mut data| {
        if name == target {
            for m in mutations {
                apply(&mut data, m);
            }
        }
        data
    })
}

proptest! {
    #![proptest_config(fuzz_config(64))]

    #[test]
    fn fuzz_xlsx_container_bytes(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let mut bytes = seed_xlsx().to_vec();
        for m in &mutations { apply(&mut bytes, m); }
        check_answer("fuzz.xlsx", &bytes)?;
    }

    #[test]
    fn fuzz_xlsx_parts(pick in any::<u32>(), mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate_part(seed_xlsx(), pick, &mutations);
        check_answer("fuzz.xlsx", &bytes)?;
    }

    #[test]
    fn fuzz_ods_parts(pick in any::<u32>(), mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate_part(seed("basic.ods"), pick, &mutations);
        check_answer("fuzz.ods", &bytes)?;
    }

    #[test]
    fn fuzz_xlsb_parts(pick in any::<u32>(), mutations in proptest::collection::vec(mutation(), 1..6)) {
        let bytes = mutate_part(seed("calamine-issues.xlsb"), pick, &mutations);
        check_answer("fuzz.xlsb", &bytes)?;
    }

    #[test]
    fn fuzz_xls_bytes(mutations in proptest::collection::vec(mutation(), 1..8)) {
        let mut bytes = seed("basic.xls").to_vec();
        for m in &mutations { apply(&mut bytes, m); }
        check_answer("fuzz.xls", &bytes)?;
    }

    #[test]
    fn fuzz_ods_container_bytes(mutations in proptest::collection::vec(mutation(), 1..6)) {
        let mut bytes = seed("basic.ods").to_vec();
        for m in &mutations { apply(&mut bytes, m); }
        check_answer("fuzz.ods", &bytes)?;
    }
}
