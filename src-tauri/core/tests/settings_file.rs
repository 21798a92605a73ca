//! A settings file cut short by a crash (tauri-plugin-store and editors don't write atomically) must never lock
//! the user out: it loads as defaults or as its values, is kept aside for inspection, and can be saved again.

use tideline_core::model::Settings;
use tideline_core::SettingsStore;

#[test]
fn a_settings_file_cut_at_every_byte_offset_loads_and_can_be_saved_again() {
    let source = tempfile::tempdir().unwrap();
    let store = SettingsStore::new(source.path());
    for (key, value) in [
        ("snapshot.cooldown_seconds", "120"),
        ("health.healthy_min", "75"),
        ("ui.theme", "dark"),
        ("ask.model", "llama3.2"),
    ] {
        store.set(key, value).unwrap();
    }
    let full = std::fs::read(store.path()).unwrap();
    let saved = store.load().unwrap();
    assert_eq!(saved.cooldown_seconds, 120);

    for cut in 0..=full.len() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::new(dir.path());
        std::fs::write(store.path(), &full[..cut]).unwrap();
        let loaded = store
            .load()
            .unwrap_or_else(|e| panic!("cut at {cut}: the file must load, got {e}"));
        if cut == full.len() {
            assert_eq!(loaded, saved);
            assert!(store.take_damaged_notice().is_none());
        } else {
            assert_eq!(loaded, Settings::default(), "cut at {cut}");
            let whitespace_only = full[..cut].iter().all(u8::is_ascii_whitespace);
            let aside = store.take_damaged_notice();
            assert_eq!(aside.is_some(), !whitespace_only, "cut at {cut}");
            if let Some(aside) = aside {
                assert_eq!(
                    std::fs::read(&aside).unwrap(),
                    &full[..cut],
                    "kept as it was"
                );
            }
        }
        store
            .set("snapshot.cooldown_seconds", "90")
            .unwrap_or_else(|e| panic!("cut at {cut}: settings set must work, got {e}"));
        assert_eq!(store.load().unwrap().cooldown_seconds, 90, "cut at {cut}");
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(left.is_empty(), "no temporary file left: {left:?}");
    }
}
