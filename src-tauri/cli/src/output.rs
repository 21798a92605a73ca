//! Printing results: one JSON document on stdout with `--json`, else readable text.

use serde::Serialize;

pub fn json<T: Serialize>(value: &T) -> Result<(), tideline_core::Error> {
    let text = serde_json::to_string_pretty(value).map_err(|e| tideline_core::Error::Internal(e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// A right-aligned score with its band label, or a dash.
pub fn score(score: Option<f64>, band: Option<tideline_core::model::Band>) -> String {
    match (score, band) {
        (Some(s), Some(b)) => format!("{s:5.1} {}", b.label()),
        _ => "    –".to_string(),
    }
}
