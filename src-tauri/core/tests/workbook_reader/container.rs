//! The zip container of every zip-based format: bombs (declared and lying sizes), overlapping parts, too many
//! parts.

use crate::support::{add_part, basic_xlsx, lie_about_size, read_err, rewrite_zip, time};
use std::io::{Cursor, Write};
use tideline_core::import::workbook::{read_workbook_bytes, Limits};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

#[test]
fn hostile_zip_bomb_is_refused_by_its_declared_size() {
    const ZEROS: usize = 200 << 20;
    let bytes = add_part(&basic_xlsx(), "xl/media/image1.png", |z| {
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..(ZEROS >> 20) {
            z.write_all(&chunk).unwrap();
        }
    });
    assert!(
        bytes.len() < 1 << 20,
        "the bomb itself is small: {} bytes",
        bytes.len()
    );
    let limits = Limits {
        max_inflated_bytes: 10 << 20,
        ..Limits::default()
    };
    let m = time("zip bomb, declared size", || {
        read_err("bomb.xlsx", &bytes, &limits, "file_too_large")
    });
    assert!(m.contains("expand"), "{m}");
    // With the default 512 MiB limit the 200 MiB part passes the size caps but not the ratio cap.
    let m = read_err("bomb.xlsx", &bytes, &Limits::default(), "file_too_large");
    assert!(m.contains("zip bomb"), "{m}");
}

#[test]
fn hostile_zip_bomb_with_lying_sizes_is_capped_while_inflating() {
    let mut bytes = add_part(&basic_xlsx(), "xl/worksheets/sheet9.xml", |z| {
        let chunk = vec![b' '; 1 << 20];
        for _ in 0..64 {
            z.write_all(&chunk).unwrap();
        }
    });
    lie_about_size(&mut bytes, "xl/worksheets/sheet9.xml", 1_000);
    let limits = Limits {
        max_inflated_bytes: 10 << 20,
        ..Limits::default()
    };
    let r = time("zip bomb, lying sizes", || {
        read_workbook_bytes("liar.xlsx", &bytes, &limits)
    });
    let e = r.expect_err("refused");
    eprintln!("{e}");
    assert!(
        matches!(e.code(), "file_too_large" | "file_unreadable"),
        "{e}"
    );
    assert!(e.to_string().starts_with("liar.xlsx: "), "{e}");
}

#[test]
fn hostile_overlapping_zip_entries_are_refused() {
    let bytes = rewrite_zip(&basic_xlsx(), |_, d| d);
    let mut z = ZipWriter::new_append(Cursor::new(bytes)).unwrap();
    z.shallow_copy_file("xl/worksheets/sheet1.xml", "xl/worksheets/sheet4.xml")
        .unwrap();
    let bytes = z.finish().unwrap().into_inner();
    let m = read_err(
        "overlap.xlsx",
        &bytes,
        &Limits::default(),
        "file_unreadable",
    );
    assert!(m.contains("overlap"), "{m}");
}

#[test]
fn hostile_too_many_zip_parts_are_refused() {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..10_001 {
        z.start_file(
            format!("xl/p{i}.xml"),
            SimpleFileOptions::default().compression_method(CompressionMethod::Stored),
        )
        .unwrap();
    }
    let bytes = z.finish().unwrap().into_inner();
    let m = read_err("many.xlsx", &bytes, &Limits::default(), "file_unreadable");
    assert!(m.contains("parts"), "{m}");
}
