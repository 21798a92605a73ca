use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Everything the Settings screen edits; stored as flat keys in `settings.json` (tauri-plugin-store's file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Settings {
    /// `snapshot.cooldown_seconds`.
    pub cooldown_seconds: u32,
    /// `health.healthy_min`: a score at or above is Healthy.
    pub healthy_min: f64,
    /// `health.at_risk_min`: a score at or above (and below `healthy_min`) is At risk.
    pub at_risk_min: f64,
    /// `health.weights.<Category>`.
    pub category_weights: BTreeMap<String, f64>,
    /// `ui.theme`: `system`, `light` or `dark`.
    pub theme: String,
    /// `ask.*`: how Ask phrases its answers.
    pub ask: AskSettings,
}

/// Settings → Ask. The built-in answers are the default; a local model only phrases them, from the same evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AskSettings {
    /// `ask.mode`.
    pub mode: AskMode,
    /// `ask.api`: which protocol the local model server speaks.
    pub api: LlmApi,
    /// `ask.endpoint`: the server's base URL; loopback addresses only, so nothing leaves the machine.
    pub endpoint: String,
    /// `ask.model`: the model name the server knows (e.g. `llama3.2`).
    pub model: String,
    /// `ask.timeout_seconds`: how long to wait for the server to connect and send its first bytes.
    pub timeout_seconds: u32,
    /// `ask.total_timeout_seconds`: how long the whole streamed reply may take.
    pub total_timeout_seconds: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AskMode {
    /// Answers composed by Tideline itself (the default).
    Builtin,
    /// Answers phrased by a model served on this machine, checked against the evidence.
    LocalModel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LlmApi {
    /// `POST /v1/chat/completions` (llama.cpp's server, LM Studio, vLLM, Ollama's compatibility layer).
    OpenaiCompatible,
    /// Ollama's own `POST /api/chat`.
    Ollama,
}

impl AskMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AskMode::Builtin => "builtin",
            AskMode::LocalModel => "local_model",
        }
    }

    pub fn parse(s: &str) -> Option<AskMode> {
        match s {
            "builtin" => Some(AskMode::Builtin),
            "local_model" => Some(AskMode::LocalModel),
            _ => None,
        }
    }
}

impl LlmApi {
    pub fn as_str(self) -> &'static str {
        match self {
            LlmApi::OpenaiCompatible => "openai_compatible",
            LlmApi::Ollama => "ollama",
        }
    }

    pub fn parse(s: &str) -> Option<LlmApi> {
        match s {
            "openai_compatible" => Some(LlmApi::OpenaiCompatible),
            "ollama" => Some(LlmApi::Ollama),
            _ => None,
        }
    }
}
