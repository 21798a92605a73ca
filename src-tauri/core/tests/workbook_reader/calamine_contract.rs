//! What the pre-scans assume about calamine, checked against calamine itself. The scans (`zip_scan`, `ods_scan`,
//! `xls_scan` in `import::workbook`) mirror how calamine 0.38.0 reads a file to bound what it will allocate; the
//! root Cargo.toml pins that version. Each test here fails when the behaviour a scan relies on changes, so a
//! calamine upgrade starts with reviewing the scans, not with a crash on a hostile file.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell as StdCell;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use calamine::{Data, Ods, Reader, Xls, Xlsx};

use crate::ods::ods_with_rows;
use crate::support::{add_part, basic_xlsx, edit_part, fixture};
use crate::xls::find_record;

/// The calamine version the scans were written against.
const MIRRORED: &str = "0.38.0";

#[test]
fn calamine_is_the_version_the_prescans_mirror() {
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
    let lock = std::fs::read_to_string(&lock).expect("the workspace Cargo.lock");
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"calamine\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = ")))
        .map(|v| v.trim_matches('"').to_string())
        .expect("calamine in Cargo.lock");
    assert_eq!(
        version, MIRRORED,
        "calamine changed: review zip_scan.rs, ods_scan.rs and xls_scan.rs against the new version first"
    );
}

// ------------------------------------------------------------------------------------------------------------------
// Allocations of the current thread, to see what calamine reserves up front (other tests run on other threads).
// ------------------------------------------------------------------------------------------------------------------

struct ThreadCounting;

thread_local! {
    static LIVE: StdCell<i64> = const { StdCell::new(0) };
    static PEAK: StdCell<i64> = const { StdCell::new(0) };
}

fn count(delta: i64) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is passed to the system allocator unchanged; the counters only read sizes.
unsafe impl GlobalAlloc for ThreadCounting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as i64);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as i64));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: ThreadCounting = ThreadCounting;

/// The most memory this thread held at once while running `f`, above what it held before.
fn peak_bytes<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let start = LIVE.with(|l| l.get());
    PEAK.with(|p| p.set(start));
    let out = f();
    let peak = PEAK.with(|p| p.get());
    (out, (peak - start).max(0) as u64)
}

// ------------------------------------------------------------------------------------------------------------------
// xlsx (zip_scan::check_shared_strings)
// ------------------------------------------------------------------------------------------------------------------

#[test]
fn xlsx_shared_strings_reserve_the_claimed_unique_count_up_front() {
    const CLAIMED: usize = 2_000_000;
    let bytes = edit_part(&basic_xlsx(), "xl/sharedStrings.xml", |xml| {
        xml.replace("uniqueCount=\"16\"", &format!("uniqueCount=\"{CLAIMED}\""))
    });
    let (wb, peak) = peak_bytes(|| Xlsx::new(Cursor::new(bytes.as_slice())));
    wb.expect("calamine opens it");
    let reserved = (CLAIMED * std::mem::size_of::<String>()) as u64;
    assert!(
        peak >= reserved,
        "calamine no longer reserves uniqueCount strings up front ({peak} bytes at peak, {reserved} expected): \
         review zip_scan::check_shared_strings"
    );
}

#[test]
fn xlsx_shared_strings_are_read_from_the_workbook_folder_not_the_relationship_target() {
    // The scan checks every part named *sharedStrings.xml; calamine reads `<workbook folder>/sharedStrings.xml`.
    let decoys: String = (0..16)
        .map(|i| format!("<si><t>decoy {i}</t></si>"))
        .collect();
    let bytes = edit_part(&basic_xlsx(), "xl/sharedStrings.xml", |xml| {
        let start = xml.find("<si>").expect("strings");
        let end = xml.rfind("</sst>").expect("end");
        format!("{}{decoys}{}", &xml[..start], &xml[end..])
    });
    let strings = {
        let original = basic_xlsx();
        let mut zip = zip::ZipArchive::new(Cursor::new(original)).unwrap();
        let mut text = String::new();
        zip.by_name("xl/sharedStrings.xml")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    };
    let bytes = add_part(&bytes, "xl/strings.xml", |z| {
        z.write_all(strings.as_bytes()).unwrap();
    });
    let bytes = edit_part(&bytes, "xl/_rels/workbook.xml.rels", |xml| {
        xml.replace("Target=\"sharedStrings.xml\"", "Target=\"strings.xml\"")
    });
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("calamine opens it");
    let range = wb.worksheet_range("KPIs").expect("the sheet");
    assert_eq!(
        range.get_value((0, 0)),
        Some(&Data::String("decoy 0".into())),
        "calamine now finds shared strings another way: review which parts zip_scan checks"
    );
}

// ------------------------------------------------------------------------------------------------------------------
// xls (xls_scan: the DIMENSIONS reservation)
// ------------------------------------------------------------------------------------------------------------------

#[test]
fn xls_dimensions_reserve_the_declared_grid_up_front() {
    const ROWS: u32 = 100_000;
    let mut bytes = fixture("basic.xls");
    let at = find_record(&bytes, 0x0200, 14);
    // DIMENSIONS: rwMic (u32), rwMac (u32, one past the last row), colMic (u16), colMac (u16, one past).
    bytes[at + 4..at + 8].copy_from_slice(&0u32.to_le_bytes());
    bytes[at + 8..at + 12].copy_from_slice(&ROWS.to_le_bytes());
    let cols = u16::from_le_bytes([bytes[at + 14], bytes[at + 15]])
        - u16::from_le_bytes([bytes[at + 12], bytes[at + 13]]);
    let (wb, peak) = peak_bytes(|| Xls::new(Cursor::new(bytes.as_slice())));
    wb.expect("calamine opens it");
    let reserved = u64::from(ROWS) * u64::from(cols) * std::mem::size_of::<Data>() as u64;
    assert!(
        peak >= reserved,
        "calamine no longer reserves DIMENSIONS rows × columns cells ({peak} bytes at peak, {reserved} \
         expected): review xls_scan"
    );
}

// ------------------------------------------------------------------------------------------------------------------
// ods (ods_scan mirrors read_table / read_row / get_datatype)
// ------------------------------------------------------------------------------------------------------------------

#[test]
fn ods_repeated_columns_stop_at_16384() {
    let bytes = ods_with_rows(
        r#"<table:table-row><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="20000"/></table:table-row>"#,
    );
    let mut wb: Ods<_> = Ods::new(Cursor::new(bytes)).expect("calamine opens it");
    let range = wb.worksheet_range("KPIs").expect("the sheet");
    assert_eq!(
        range.width(),
        16_384,
        "calamine's ODS column cap changed: review ODS_MAX_COLUMNS"
    );
}

#[test]
fn ods_space_runs_count_as_a_signed_32_bit_number() {
    let with_spaces = |run: &str| {
        edit_part(&fixture("basic.ods"), "content.xml", |xml| {
            xml.replacen(
                "<text:p>Acme</text:p>",
                &format!("<text:p>A{run}B</text:p>"),
                1,
            )
        })
    };
    let read = |bytes: Vec<u8>| -> Result<Data, String> {
        let mut wb: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        let range = wb.worksheet_range("KPIs").map_err(|e| e.to_string())?;
        Ok(range.get_value((1, 0)).cloned().unwrap_or(Data::Empty))
    };
    assert_eq!(
        read(with_spaces(r#"<text:s text:c="3"/>"#)),
        Ok(Data::String("A   B".into()))
    );
    assert_eq!(
        read(with_spaces("<text:s/>")),
        Ok(Data::String("A B".into()))
    );
    assert_eq!(
        read(with_spaces(r#"<text:s text:c="-2"/>"#)),
        Ok(Data::String("AB".into())),
        "a negative run adds no space"
    );
    assert!(
        read(with_spaces(r#"<text:s text:c="2147483648"/>"#)).is_err(),
        "a run past i32::MAX fails the file"
    );
}
