//! Settings live in `settings.json` in the data folder, in tauri-plugin-store's format (one JSON object of flat
//! keys), so the app's Settings screen and `tideline-cli settings` read and write the same file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

pub mod endpoint;

use crate::error::{Error, Result};
use crate::model::{AskMode, AskSettings, BackupSettings, LlmApi, Settings};

pub const SETTINGS_FILE: &str = "settings.json";

pub const KEY_COOLDOWN: &str = "snapshot.cooldown_seconds";
pub const KEY_HEALTHY_MIN: &str = "health.healthy_min";
pub const KEY_AT_RISK_MIN: &str = "health.at_risk_min";
pub const KEY_THEME: &str = "ui.theme";
pub const WEIGHT_PREFIX: &str = "health.weights.";
pub const KEY_ASK_MODE: &str = "ask.mode";
pub const KEY_ASK_API: &str = "ask.api";
pub const KEY_ASK_ENDPOINT: &str = "ask.endpoint";
pub const KEY_ASK_MODEL: &str = "ask.model";
pub const KEY_ASK_TIMEOUT: &str = "ask.timeout_seconds";
pub const KEY_ASK_TOTAL_TIMEOUT: &str = "ask.total_timeout_seconds";
/// Settings → Backups (read by [`crate::backup`]; not part of [`Settings`]).
pub const KEY_BACKUP_AUTO_DAILY: &str = "backup.auto_daily";
pub const KEY_BACKUP_KEEP: &str = "backup.keep";
pub const DEFAULT_BACKUP_KEEP: u32 = 7;
const ASK_KEYS: [&str; 6] = [
    KEY_ASK_MODE,
    KEY_ASK_API,
    KEY_ASK_ENDPOINT,
    KEY_ASK_MODEL,
    KEY_ASK_TIMEOUT,
    KEY_ASK_TOTAL_TIMEOUT,
];

pub const DEFAULT_COOLDOWN_SECONDS: u32 = 300;
/// The five categories of the shipped model and their default weights.
pub const DEFAULT_CATEGORY_WEIGHTS: [(&str, f64); 5] = [
    ("Product Usage", 0.30),
    ("Customer Sentiment", 0.20),
    ("Support", 0.15),
    ("Business Outcomes", 0.25),
    ("Relationship", 0.10),
];
/// Ollama's default address; the OpenAI-compatible servers (llama.cpp, LM Studio) pick their own ports.
pub const DEFAULT_ASK_ENDPOINT: &str = "http://127.0.0.1:11434";
/// How long Ask waits for a local model to start answering before it shows the built-in answer.
pub const DEFAULT_ASK_TIMEOUT_SECONDS: u32 = 20;
/// How long the whole streamed reply may take: a small model on a laptop CPU writes a few sentences in this time.
pub const DEFAULT_ASK_TOTAL_TIMEOUT_SECONDS: u32 = 60;
/// A wait longer than ten minutes is a hung server, not a slow one.
pub const MAX_ASK_TIMEOUT_SECONDS: u32 = 600;

impl Default for AskSettings {
    fn default() -> Self {
        AskSettings {
            mode: AskMode::Builtin,
            api: LlmApi::Ollama,
            endpoint: DEFAULT_ASK_ENDPOINT.into(),
            model: String::new(),
            timeout_seconds: DEFAULT_ASK_TIMEOUT_SECONDS,
            total_timeout_seconds: DEFAULT_ASK_TOTAL_TIMEOUT_SECONDS,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            cooldown_seconds: DEFAULT_COOLDOWN_SECONDS,
            healthy_min: 70.0,
            at_risk_min: 40.0,
            category_weights: DEFAULT_CATEGORY_WEIGHTS
                .iter()
                .map(|(k, w)| (k.to_string(), *w))
                .collect(),
            theme: "system".into(),
            ask: AskSettings::default(),
        }
    }
}

impl Settings {
    /// Reads the typed settings out of the store's flat keys; a missing key keeps its default.
    pub fn from_store(map: &Map<String, Value>) -> Settings {
        let mut s = Settings::default();
        if let Some(v) = map.get(KEY_COOLDOWN).and_then(Value::as_u64) {
            s.cooldown_seconds = u32::try_from(v).unwrap_or(u32::MAX);
        }
        if let Some(v) = map.get(KEY_HEALTHY_MIN).and_then(Value::as_f64) {
            s.healthy_min = v;
        }
        if let Some(v) = map.get(KEY_AT_RISK_MIN).and_then(Value::as_f64) {
            s.at_risk_min = v;
        }
        if let Some(v) = map.get(KEY_THEME).and_then(Value::as_str) {
            s.theme = v.to_string();
        }
        if let Some(v) = map.get(KEY_ASK_MODE).and_then(Value::as_str) {
            s.ask.mode = AskMode::parse(v).unwrap_or(AskMode::Builtin);
        }
        if let Some(v) = map
            .get(KEY_ASK_API)
            .and_then(Value::as_str)
            .and_then(LlmApi::parse)
        {
            s.ask.api = v;
        }
        if let Some(v) = map.get(KEY_ASK_ENDPOINT).and_then(Value::as_str) {
            s.ask.endpoint = v.to_string();
        }
        if let Some(v) = map.get(KEY_ASK_MODEL).and_then(Value::as_str) {
            s.ask.model = v.to_string();
        }
        if let Some(v) = map.get(KEY_ASK_TIMEOUT).and_then(Value::as_u64) {
            s.ask.timeout_seconds = u32::try_from(v).unwrap_or(u32::MAX);
        }
        if let Some(v) = map.get(KEY_ASK_TOTAL_TIMEOUT).and_then(Value::as_u64) {
            s.ask.total_timeout_seconds = u32::try_from(v).unwrap_or(u32::MAX);
        }
        // Stored weights replace the defaults as a set, so a category removed in Settings stays removed.
        let stored: BTreeMap<String, f64> = map
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(WEIGHT_PREFIX)?.to_string(), v.as_f64()?)))
            .collect();
        if !stored.is_empty() {
            s.category_weights = stored;
        }
        s
    }

    /// What saving these settings does to a store holding `current`: the keys to delete (weights of categories
    /// no longer listed) and the keys to set. The app's store plugin and [`SettingsStore::save`] both apply it.
    pub fn store_update(
        &self,
        current: &Map<String, Value>,
    ) -> (Vec<String>, BTreeMap<String, Value>) {
        let sets = self.to_store();
        let deletes = current
            .keys()
            .filter(|k| k.starts_with(WEIGHT_PREFIX) && !sets.contains_key(*k))
            .cloned()
            .collect();
        (deletes, sets)
    }

    /// The flat keys the store holds for these settings.
    pub fn to_store(&self) -> BTreeMap<String, Value> {
        let mut m = BTreeMap::new();
        m.insert(KEY_COOLDOWN.to_string(), Value::from(self.cooldown_seconds));
        m.insert(KEY_HEALTHY_MIN.to_string(), Value::from(self.healthy_min));
        m.insert(KEY_AT_RISK_MIN.to_string(), Value::from(self.at_risk_min));
        m.insert(KEY_THEME.to_string(), Value::from(self.theme.clone()));
        m.insert(
            KEY_ASK_MODE.to_string(),
            Value::from(self.ask.mode.as_str()),
        );
        m.insert(KEY_ASK_API.to_string(), Value::from(self.ask.api.as_str()));
        m.insert(
            KEY_ASK_ENDPOINT.to_string(),
            Value::from(self.ask.endpoint.clone()),
        );
        m.insert(
            KEY_ASK_MODEL.to_string(),
            Value::from(self.ask.model.clone()),
        );
        m.insert(
            KEY_ASK_TIMEOUT.to_string(),
            Value::from(self.ask.timeout_seconds),
        );
        m.insert(
            KEY_ASK_TOTAL_TIMEOUT.to_string(),
            Value::from(self.ask.total_timeout_seconds),
        );
        for (cat, w) in &self.category_weights {
            m.insert(format!("{WEIGHT_PREFIX}{cat}"), Value::from(*w));
        }
        m
    }

    /// The stored form of `ask.mode` or `ask.api` typed as text; an unknown choice is refused, not defaulted.
    fn ask_choice(key: &str, text: &str) -> Result<&'static str> {
        let (parsed, choices) = if key == KEY_ASK_MODE {
            (
                AskMode::parse(text).map(AskMode::as_str),
                "builtin or local_model",
            )
        } else {
            (
                LlmApi::parse(text).map(LlmApi::as_str),
                "ollama or openai_compatible",
            )
        };
        parsed.ok_or_else(|| Error::InvalidSetting {
            key: key.into(),
            reason: format!("\"{text}\" is not a choice here; use {choices}"),
        })
    }

    pub fn validate(&self) -> Result<()> {
        let bad = |key: &str, reason: &str| {
            Err(Error::InvalidSetting {
                key: key.into(),
                reason: reason.into(),
            })
        };
        if self.cooldown_seconds > 7 * 24 * 3600 {
            return bad(
                KEY_COOLDOWN,
                "must be between 0 and 604800 seconds (one week)",
            );
        }
        if !(0.0..=100.0).contains(&self.healthy_min) || !(0.0..=100.0).contains(&self.at_risk_min)
        {
            return bad(KEY_HEALTHY_MIN, "band thresholds must be between 0 and 100");
        }
        if self.at_risk_min >= self.healthy_min {
            return bad(
                KEY_AT_RISK_MIN,
                "the At risk threshold must be below the Healthy threshold",
            );
        }
        if !["system", "light", "dark"].contains(&self.theme.as_str()) {
            return bad(KEY_THEME, "must be system, light or dark");
        }
        for (cat, w) in &self.category_weights {
            if !w.is_finite() || *w < 0.0 {
                return bad(
                    &format!("{WEIGHT_PREFIX}{cat}"),
                    "a weight must be a number of 0 or more",
                );
            }
        }
        if self.category_weights.values().all(|w| *w == 0.0) {
            return bad(
                "health.weights",
                "at least one category needs a weight above 0",
            );
        }
        self.ask.validate()
    }
}

impl AskSettings {
    fn validate(&self) -> Result<()> {
        let bad = |key: &str, reason: String| {
            Err(Error::InvalidSetting {
                key: key.into(),
                reason,
            })
        };
        // The address is checked even while the built-in answers are chosen, so a remote address can never sit
        // in the file waiting for the mode to change.
        if !self.endpoint.trim().is_empty() {
            endpoint::check_loopback(&self.endpoint)?;
        }
        for (key, secs) in [
            (KEY_ASK_TIMEOUT, self.timeout_seconds),
            (KEY_ASK_TOTAL_TIMEOUT, self.total_timeout_seconds),
        ] {
            if !(1..=MAX_ASK_TIMEOUT_SECONDS).contains(&secs) {
                return bad(
                    key,
                    format!("must be between 1 and {MAX_ASK_TIMEOUT_SECONDS} seconds"),
                );
            }
        }
        if self.total_timeout_seconds < self.timeout_seconds {
            return bad(
                KEY_ASK_TOTAL_TIMEOUT,
                "the whole answer cannot take less time than its first words".into(),
            );
        }
        if self.mode == AskMode::LocalModel {
            if self.endpoint.trim().is_empty() {
                return bad(
                    KEY_ASK_ENDPOINT,
                    "a local model needs its address, e.g. http://127.0.0.1:11434".into(),
                );
            }
            if self.model.trim().is_empty() {
                return bad(
                    KEY_ASK_MODEL,
                    "a local model needs the name the server knows it by, e.g. llama3.2".into(),
                );
            }
        }
        Ok(())
    }
}

/// Settings → Backups from the store's flat keys: daily automatic backups on, keep 7, unless set.
pub fn backup_settings(map: &Map<String, Value>) -> BackupSettings {
    BackupSettings {
        auto_daily: map
            .get(KEY_BACKUP_AUTO_DAILY)
            .and_then(Value::as_bool)
            .unwrap_or(true),
        keep: map
            .get(KEY_BACKUP_KEEP)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n >= 1)
            .unwrap_or(DEFAULT_BACKUP_KEEP),
    }
}

/// The settings file of one data folder.
#[derive(Debug, Clone)]
pub struct SettingsStore {
    path: PathBuf,
    /// Where a damaged settings file was moved, once one has been found (shown to the user once).
    moved_aside: std::sync::Arc<std::sync::Mutex<Option<PathBuf>>>,
}

impl SettingsStore {
    pub fn new(data_dir: &Path) -> Self {
        SettingsStore {
            path: data_dir.join(SETTINGS_FILE),
            moved_aside: Default::default(),
        }
    }

    /// The place a damaged settings file was moved to, if this store found one; handed out once.
    pub fn take_damaged_notice(&self) -> Option<PathBuf> {
        self.moved_aside
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// A file that is not a JSON object (cut short by a crash, edited by hand) is moved aside to
    /// `settings.json.damaged-<time>` and the defaults are used, so the user is never locked out of Settings.
    fn move_aside(&self, reason: &str) -> Result<Map<String, Value>> {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S%.3f");
        let mut aside = self.path.clone().into_os_string();
        aside.push(format!(".damaged-{stamp}"));
        let aside = PathBuf::from(aside);
        std::fs::rename(&self.path, &aside).map_err(|e| {
            self.file_error(&format!("{reason}, and it could not be moved aside: {e}"))
        })?;
        tracing::warn!(
            "{} {reason}; it was moved to {} and the default settings are in use",
            self.path.display(),
            aside.display()
        );
        *self.moved_aside.lock().unwrap_or_else(|p| p.into_inner()) = Some(aside);
        Ok(Map::new())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The raw store: every key, including ones this version does not know.
    pub fn read_raw(&self) -> Result<Map<String, Value>> {
        match std::fs::read(&self.path) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Ok(Map::new()),
            Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                Ok(Value::Object(m)) => Ok(m),
                Ok(_) => self.move_aside("is not a JSON object"),
                Err(e) => self.move_aside(&format!("is not valid JSON ({e})")),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
            Err(e) => Err(self.file_error(&e.to_string())),
        }
    }

    pub fn load(&self) -> Result<Settings> {
        Ok(Settings::from_store(&self.read_raw()?))
    }

    /// Validates and stores the settings, keeping keys this version does not know.
    pub fn save(&self, settings: &Settings) -> Result<()> {
        settings.validate()?;
        let mut raw = self.read_raw()?;
        let (deletes, sets) = settings.store_update(&raw);
        for k in deletes {
            raw.remove(&k);
        }
        raw.extend(sets);
        self.write_raw(&raw)
    }

    /// Sets one key from its text form, as `settings set KEY VALUE` does; returns the stored value.
    pub fn set(&self, key: &str, text: &str) -> Result<Value> {
        let known = key == KEY_COOLDOWN
            || key == KEY_HEALTHY_MIN
            || key == KEY_AT_RISK_MIN
            || key == KEY_THEME
            || key.starts_with(WEIGHT_PREFIX)
            || ASK_KEYS.contains(&key)
            || key == KEY_BACKUP_AUTO_DAILY
            || key == KEY_BACKUP_KEEP;
        if !known {
            return Err(Error::InvalidSetting {
                key: key.into(),
                reason: format!(
                    "unknown setting; known: {KEY_COOLDOWN}, {KEY_HEALTHY_MIN}, {KEY_AT_RISK_MIN}, {KEY_THEME}, {WEIGHT_PREFIX}<Category>, {KEY_ASK_MODE}, {KEY_ASK_API}, {KEY_ASK_ENDPOINT}, {KEY_ASK_MODEL}, {KEY_ASK_TIMEOUT}, {KEY_ASK_TOTAL_TIMEOUT}, {KEY_BACKUP_AUTO_DAILY}, {KEY_BACKUP_KEEP}"
                ),
            });
        }
        let value = if key == KEY_THEME || key == KEY_ASK_ENDPOINT || key == KEY_ASK_MODEL {
            Value::from(text.trim())
        } else if key == KEY_BACKUP_AUTO_DAILY {
            match text.trim() {
                "true" | "on" | "yes" => Value::from(true),
                "false" | "off" | "no" => Value::from(false),
                _ => {
                    return Err(Error::InvalidSetting {
                        key: key.into(),
                        reason: format!("\"{text}\" is not true or false"),
                    })
                }
            }
        } else if key == KEY_BACKUP_KEEP {
            let n: u32 = text
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=365).contains(n))
                .ok_or_else(|| Error::InvalidSetting {
                    key: key.into(),
                    reason: format!("\"{text}\" is not a whole number from 1 to 365"),
                })?;
            Value::from(n)
        } else if key == KEY_ASK_MODE || key == KEY_ASK_API {
            Value::from(Settings::ask_choice(key, text.trim())?)
        } else if key == KEY_COOLDOWN || key == KEY_ASK_TIMEOUT || key == KEY_ASK_TOTAL_TIMEOUT {
            let n: u32 = text.trim().parse().map_err(|_| Error::InvalidSetting {
                key: key.into(),
                reason: format!("\"{text}\" is not a whole number of seconds"),
            })?;
            Value::from(n)
        } else {
            let n: f64 = text
                .trim()
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| Error::InvalidSetting {
                    key: key.into(),
                    reason: format!("\"{text}\" is not a number"),
                })?;
            Value::from(n)
        };
        let mut raw = self.read_raw()?;
        raw.insert(key.to_string(), value.clone());
        Settings::from_store(&raw).validate()?;
        self.write_raw(&raw)?;
        Ok(value)
    }

    pub fn write_raw(&self, raw: &Map<String, Value>) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(raw).map_err(|e| self.file_error(&e.to_string()))?;
        // Write, flush to disk, then rename over the old file (and flush the folder), so a crash leaves either
        // the old settings or the new ones, never half a file.
        let tmp = self.path.with_extension("json.tmp");
        let err = |e: std::io::Error| self.file_error(&e.to_string());
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp).map_err(err)?;
            f.write_all(&bytes).map_err(err)?;
            f.sync_all().map_err(err)?;
        }
        std::fs::rename(&tmp, &self.path).map_err(err)?;
        if let Some(dir) = self.path.parent() {
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }

    fn file_error(&self, reason: &str) -> Error {
        Error::SettingsFile {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let s = SettingsStore::new(dir.path()).load().unwrap();
        assert_eq!(s.cooldown_seconds, 300);
        assert_eq!(s.healthy_min, 70.0);
    }

    #[test]
    fn set_keeps_unknown_keys_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SETTINGS_FILE), r#"{"window.width": 1400}"#).unwrap();
        let store = SettingsStore::new(dir.path());
        store.set(KEY_COOLDOWN, "120").unwrap();
        let raw = store.read_raw().unwrap();
        assert_eq!(raw["window.width"], 1400);
        assert_eq!(store.load().unwrap().cooldown_seconds, 120);
    }

    #[test]
    fn bad_values_are_refused_with_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::new(dir.path());
        let e = store.set(KEY_COOLDOWN, "soon").unwrap_err();
        assert!(e.to_string().contains(KEY_COOLDOWN));
        let e = store.set(KEY_AT_RISK_MIN, "80").unwrap_err();
        assert!(e.to_string().contains("below the Healthy"));
        assert!(store.set("nonsense", "1").is_err());
        assert!(!store.path().exists(), "nothing written on refusal");
    }

    #[test]
    fn a_category_removed_from_the_weights_stays_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::new(dir.path());
        let mut s = store.load().unwrap();
        s.category_weights.remove("Relationship");
        store.save(&s).unwrap();
        let again = store.load().unwrap();
        assert!(!again.category_weights.contains_key("Relationship"));
        assert_eq!(again.category_weights.len(), 4);
    }

    #[test]
    fn a_damaged_file_is_moved_aside_and_the_defaults_are_used() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SETTINGS_FILE), "{not json").unwrap();
        let store = SettingsStore::new(dir.path());
        assert_eq!(store.load().unwrap(), Settings::default());
        let aside = store
            .take_damaged_notice()
            .expect("the damaged file was moved");
        assert!(aside
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("settings.json.damaged-"));
        assert_eq!(std::fs::read_to_string(&aside).unwrap(), "{not json");
        assert!(store.take_damaged_notice().is_none(), "told once");
        store.set(KEY_COOLDOWN, "60").unwrap();
        assert_eq!(store.load().unwrap().cooldown_seconds, 60);
    }
}
