//! .xls (BIFF8 in an OLE2 container, converted by LibreOffice): the same cells as the .xlsx, and hostile files
//! (a stray far-off cell, forged dimensions, a cyclic allocation table, an encrypted workbook).

use crate::support::{check_basic, fixture, read_err, read_ok, time};
use tideline_core::import::workbook::Limits;

#[test]
fn xls_converted_by_libreoffice_reads_the_same_cells() {
    let wb = read_ok("basic.xls", &fixture("basic.xls"));
    check_basic(&wb);
}

#[test]
fn hostile_xls_stray_cell_is_refused_with_a_clear_error() {
    // LibreOffice wrote this .xls from tests/fixtures/source/stray-xls.xlsx: A1:C3 plus one cell at IV65536.
    let m = time("xls stray cell", || {
        read_err(
            "stray.xls",
            &fixture("stray.xls"),
            &Limits::default(),
            "file_too_large",
        )
    });
    assert!(
        m.contains("sheet \"KPIs\"") && m.contains("IV65536") && m.contains("stray"),
        "{m}"
    );
}

/// Offset of the first BIFF record of this type and length in an .xls file (small fixtures keep the Workbook
/// stream in one run of sectors).
pub fn find_record(bytes: &[u8], typ: u16, len: u16) -> usize {
    let mut pat = typ.to_le_bytes().to_vec();
    pat.extend(len.to_le_bytes());
    bytes
        .windows(4)
        .position(|w| w == pat.as_slice())
        .expect("record")
}

#[test]
fn hostile_xls_forged_dimensions_are_refused() {
    let mut bytes = fixture("basic.xls");
    let at = find_record(&bytes, 0x0200, 14);
    // rwMac: the sheet claims 268 million rows; calamine would reserve rows × cols cells up front.
    bytes[at + 8..at + 12].copy_from_slice(&0x0FFF_FFFFu32.to_le_bytes());
    let m = read_err("dims.xls", &bytes, &Limits::default(), "file_too_large");
    assert!(m.contains("declares a used range"), "{m}");
}

#[test]
fn hostile_xls_cyclic_allocation_table_is_refused() {
    let mut bytes = fixture("basic.xls");
    assert_eq!(
        u16::from_le_bytes([bytes[30], bytes[31]]),
        9,
        "512-byte sectors"
    );
    let fat_sector = u32::from_le_bytes(bytes[76..80].try_into().unwrap()) as usize;
    let dir_start = u32::from_le_bytes(bytes[48..52].try_into().unwrap()) as usize;
    // The directory chain points at itself: calamine reads it with no length limit and would loop forever,
    // growing a buffer until the process dies.
    let entry = 512 + fat_sector * 512 + dir_start * 4;
    bytes[entry..entry + 4].copy_from_slice(&(dir_start as u32).to_le_bytes());
    let m = time("xls FAT cycle", || {
        read_err("cycle.xls", &bytes, &Limits::default(), "file_unreadable")
    });
    assert!(m.contains("chain"), "{m}");
}

#[test]
fn hostile_xls_allocation_table_listing_a_sector_many_times_is_refused() {
    let mut bytes = fixture("basic.xls");
    // A DIFAT chain of 40 sectors, each naming sector 1 as a FAT sector 127 times: 20 KiB of file that would have
    // the allocation table built from 5,189 sectors (2.5 MiB; a 256 MiB file would ask for 32 GiB).
    const DIFAT_SECTORS: u32 = 40;
    let first = (bytes.len() / 512 - 1) as u32;
    for k in 0..DIFAT_SECTORS {
        for _ in 0..127 {
            bytes.extend(1u32.to_le_bytes());
        }
        let next = if k + 1 < DIFAT_SECTORS {
            first + k + 1
        } else {
            0xFFFF_FFFE
        };
        bytes.extend(next.to_le_bytes());
    }
    // The header's own 109 slots: the real FAT sector, then sector 1 again.
    for slot in bytes[80..512].chunks_exact_mut(4) {
        slot.copy_from_slice(&1u32.to_le_bytes());
    }
    bytes[68..72].copy_from_slice(&first.to_le_bytes());
    bytes[72..76].copy_from_slice(&DIFAT_SECTORS.to_le_bytes());
    let m = read_err("difat.xls", &bytes, &Limits::default(), "file_unreadable");
    assert!(m.contains("more sectors than the file holds"), "{m}");
}

#[test]
fn hostile_xls_encrypted_is_encrypted() {
    // A FILEPASS record in the globals: flip an unused record into one right after BOF.
    let mut bytes = fixture("basic.xls");
    let bof = find_record(&bytes, 0x0809, 16);
    let next = bof + 4 + 16;
    // Overwrite the record that follows BOF with a FILEPASS of the same length (RC4, non-zero wEncryptionType).
    let len = u16::from_le_bytes([bytes[next + 2], bytes[next + 3]]) as usize;
    assert!(len >= 2);
    bytes[next..next + 2].copy_from_slice(&0x002Fu16.to_le_bytes());
    bytes[next + 4..next + 6].copy_from_slice(&1u16.to_le_bytes());
    read_err("locked.xls", &bytes, &Limits::default(), "file_encrypted");
}
