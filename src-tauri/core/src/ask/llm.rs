//! The optional local language model that phrases Ask's answer (Settings → Ask → "Local model", off by default).
//! It sends only the question and the numbered evidence to a server on this machine, streams the reply, and keeps
//! it only when every sentence cites evidence and says no number or account name its cited evidence lacks.

mod check;
mod stream;

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::Url;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::time::{timeout, timeout_at, Instant};

use crate::error::Error;
use crate::model::{AskMode, AskSettings};
use crate::settings::endpoint::loopback_host;

pub use crate::model::LlmApi;
pub use crate::settings::endpoint::check_loopback;

/// One numbered fact the model may use. `text` is what the model reads (it should state the value); `value` is
/// the cited field itself, so a number the model repeats from either counts as evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceItem {
    pub n: u32,
    pub text: String,
    pub snapshot_id: i64,
    pub path: String,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LlmConfig {
    pub api: LlmApi,
    /// The server's base URL, e.g. `http://127.0.0.1:11434` (a full `/api/chat` or `/v1/chat/completions` URL
    /// works too).
    pub endpoint: String,
    pub model: String,
    /// Connect plus first bytes of the reply: a server that is not running or still loading its model.
    pub first_byte_timeout: Duration,
    /// The whole streamed reply, from the request on: a model that starts but writes too slowly.
    pub total_timeout: Duration,
}

impl LlmConfig {
    /// The client's configuration, or `None` when Ask uses its built-in answers.
    pub fn from_settings(s: &AskSettings) -> Option<LlmConfig> {
        (s.mode == AskMode::LocalModel).then(|| LlmConfig {
            api: s.api,
            endpoint: s.endpoint.trim().to_string(),
            model: s.model.trim().to_string(),
            first_byte_timeout: Duration::from_secs(u64::from(s.timeout_seconds)),
            total_timeout: Duration::from_secs(u64::from(s.total_timeout_seconds)),
        })
    }
}

/// One sentence of the phrased answer and the evidence numbers it cites.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhrasedSentence {
    pub text: String,
    pub cites: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum LlmOutcome {
    Phrased(Vec<PhrasedSentence>),
    /// Show the built-in answer, with this note for the CSM.
    Fallback {
        reason: String,
    },
}

/// A reply longer than this is not a short answer for a CSM; stop reading rather than grow without bound.
const MAX_REPLY_BYTES: usize = 64 * 1024;

/// Streams the reply (each piece of answer text to `on_delta` as it arrives), then checks it against the
/// evidence. Never errors: any failure is a `Fallback` whose reason a CSM can read. `names` are the account
/// names a sentence may only use when its cited evidence does (pass every account's name); they are not sent.
pub async fn phrase(
    cfg: &LlmConfig,
    question: &str,
    evidence: &[EvidenceItem],
    names: &[String],
    on_delta: &mut (dyn FnMut(&str) + Send),
) -> LlmOutcome {
    match phrase_checked(cfg, question, evidence, names, on_delta).await {
        Ok(sentences) => {
            tracing::info!(
                sentences = sentences.len(),
                model = %cfg.model,
                "the local model phrased the answer"
            );
            LlmOutcome::Phrased(sentences)
        }
        Err(reason) => {
            tracing::info!(%reason, model = %cfg.model, "the local model's answer was not used");
            LlmOutcome::Fallback { reason }
        }
    }
}

async fn phrase_checked(
    cfg: &LlmConfig,
    question: &str,
    evidence: &[EvidenceItem],
    names: &[String],
    on_delta: &mut (dyn FnMut(&str) + Send),
) -> Result<Vec<PhrasedSentence>, String> {
    check_loopback(&cfg.endpoint).map_err(|e| match e {
        Error::InvalidSetting { reason, .. } => format!("the local model's address {reason}"),
        other => other.to_string(),
    })?;
    if cfg.model.trim().is_empty() {
        return Err("no local model name is set in Settings → Ask".into());
    }
    if evidence.is_empty() {
        return Err("there was no evidence for the local model to phrase".into());
    }
    let url = request_url(cfg.api, &cfg.endpoint)?;
    let client = client_for(&url, cfg.first_byte_timeout)?;
    let body = request_body(cfg.api, &cfg.model, question, evidence);
    let first_secs = seconds(cfg.first_byte_timeout);
    let total_secs = seconds(cfg.total_timeout);
    let deadline = Instant::now() + cfg.total_timeout;
    let no_answer = || format!("the local model did not answer within {first_secs}");

    tracing::debug!(%url, evidence = evidence.len(), "asking the local model");
    let start = async {
        let mut resp = client
            .post(url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| transport_reason(&e, &url))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(http_error_reason(status, &mut resp).await);
        }
        let first = resp.chunk().await.map_err(|e| transport_reason(&e, &url))?;
        Ok((resp, first))
    };
    let (mut resp, mut chunk) =
        match timeout(cfg.first_byte_timeout.min(cfg.total_timeout), start).await {
            Ok(r) => r?,
            Err(_) => return Err(no_answer()),
        };

    let mut reader = stream::ReplyReader::new(cfg.api);
    let mut shown = stream::AnswerText::default();
    let mut received = 0usize;
    loop {
        let Some(bytes) = chunk else { break };
        received += bytes.len();
        if received > MAX_REPLY_BYTES * 4 {
            return Err("the local model's reply was far longer than a short answer".into());
        }
        for delta in reader.push(&bytes)? {
            let text = shown.push(&delta);
            if !text.is_empty() {
                on_delta(&text);
            }
        }
        if reader.done() {
            break;
        }
        chunk = match timeout_at(deadline, resp.chunk()).await {
            Ok(next) => next.map_err(|e| transport_reason(&e, &url))?,
            Err(_) => {
                return Err(format!(
                    "the local model did not finish its answer within {total_secs}"
                ))
            }
        };
    }
    for delta in reader.finish()? {
        let text = shown.push(&delta);
        if !text.is_empty() {
            on_delta(&text);
        }
    }
    if !reader.done() {
        return Err("the local model's reply stopped before it was complete".into());
    }
    if reader.content().len() > MAX_REPLY_BYTES {
        return Err("the local model's reply was far longer than a short answer".into());
    }
    let sentences = check::parse_reply(reader.content())?;
    check::verify(&sentences, evidence, names)?;
    Ok(sentences)
}

/// The chat URL for a base address; a full chat URL is kept as it is, and a base ending in `/v1` is not doubled.
pub fn request_url(api: LlmApi, endpoint: &str) -> Result<Url, String> {
    let mut url = Url::parse(endpoint.trim())
        .map_err(|_| format!("the local model's address \"{endpoint}\" is not a URL"))?;
    let path = url.path().trim_end_matches('/').to_string();
    let full = match api {
        LlmApi::Ollama if path.ends_with("/api/chat") => path,
        LlmApi::Ollama => format!("{path}/api/chat"),
        LlmApi::OpenaiCompatible if path.ends_with("/chat/completions") => path,
        LlmApi::OpenaiCompatible if path.ends_with("/v1") => format!("{path}/chat/completions"),
        LlmApi::OpenaiCompatible => format!("{path}/v1/chat/completions"),
    };
    url.set_path(&full);
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

fn client_for(url: &Url, connect_timeout: Duration) -> Result<reqwest::Client, String> {
    // No proxy and no redirects: either could carry the evidence off this machine despite a loopback address.
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(connect_timeout)
        .http1_only();
    // `localhost` is pinned to the loopback addresses rather than trusted to whatever the resolver says.
    if let (Some(url::Host::Domain(d)), Some(ips), Some(port)) =
        (url.host(), loopback_host(url), url.port_or_known_default())
    {
        let addrs: Vec<SocketAddr> = ips
            .into_iter()
            .map(|ip| SocketAddr::new(ip, port))
            .collect();
        builder = builder.resolve_to_addrs(d, &addrs);
    }
    builder
        .build()
        .map_err(|e| format!("the connection to the local model could not be set up ({e})"))
}

const SYSTEM_PROMPT: &str = "You phrase short answers for a Customer Success Manager. \
Use only the numbered evidence you are given; it is the only source of facts. \
Answer the question in one to four short sentences. Every sentence must cite the evidence it uses by number. \
Write no number, date or account name that does not appear in the evidence that sentence cites. \
If the evidence does not answer the question, say so in one sentence citing the closest evidence. \
Reply with JSON only: {\"sentences\": [{\"text\": \"...\", \"cites\": [1]}]}.";

/// The JSON schema of the reply, given to the server's structured-output option.
fn reply_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "sentences": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "text": { "type": "string" },
                        "cites": { "type": "array", "items": { "type": "integer" } }
                    },
                    "required": ["text", "cites"],
                    "additionalProperties": false
                }
            }
        },
        "required": ["sentences"],
        "additionalProperties": false
    })
}

/// What the model reads: the question and the numbered evidence, nothing else (no ids, paths or other accounts).
pub fn user_prompt(question: &str, evidence: &[EvidenceItem]) -> String {
    let mut s = format!("Question: {}\n\nEvidence:\n", question.trim());
    for e in evidence {
        s.push_str(&format!("[{}] {}\n", e.n, e.text.trim()));
    }
    s
}

fn request_body(api: LlmApi, model: &str, question: &str, evidence: &[EvidenceItem]) -> Value {
    let messages = json!([
        { "role": "system", "content": SYSTEM_PROMPT },
        { "role": "user", "content": user_prompt(question, evidence) }
    ]);
    match api {
        LlmApi::Ollama => json!({
            "model": model,
            "messages": messages,
            "stream": true,
            "format": reply_schema(),
            "options": { "temperature": 0 }
        }),
        LlmApi::OpenaiCompatible => json!({
            "model": model,
            "messages": messages,
            "stream": true,
            "temperature": 0,
            "response_format": {
                "type": "json_schema",
                "json_schema": { "name": "cited_answer", "strict": true, "schema": reply_schema() }
            }
        }),
    }
}

fn seconds(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

fn transport_reason(e: &reqwest::Error, url: &Url) -> String {
    let origin = url.origin().ascii_serialization();
    if e.is_connect() {
        format!("nothing answered at {origin}; is the local model server running?")
    } else if e.is_timeout() {
        format!("the local model at {origin} did not connect in time")
    } else {
        format!("the connection to the local model at {origin} failed ({e})")
    }
}

/// A short reason from an error reply: Ollama sends `{"error": "..."}`, OpenAI-style servers
/// `{"error": {"message": "..."}}`.
async fn http_error_reason(status: reqwest::StatusCode, resp: &mut reqwest::Response) -> String {
    let mut body = Vec::new();
    while body.len() < 4096 {
        match resp.chunk().await {
            Ok(Some(b)) => body.extend_from_slice(&b),
            _ => break,
        }
    }
    let detail = serde_json::from_slice::<Value>(&body).ok().and_then(|v| {
        let e = v.get("error")?;
        e.as_str()
            .or_else(|| e.get("message").and_then(Value::as_str))
            .map(str::to_string)
    });
    let detail: String = detail
        .unwrap_or_else(|| String::from_utf8_lossy(&body).trim().to_string())
        .chars()
        .take(200)
        .collect();
    if detail.is_empty() {
        format!("the local model's server answered HTTP {}", status.as_u16())
    } else {
        format!(
            "the local model's server answered HTTP {}: {detail}",
            status.as_u16()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_urls_are_built_from_the_base_address() {
        let u = |api, e| {
            request_url(api, e)
                .map(|u| u.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            u(LlmApi::Ollama, "http://127.0.0.1:11434"),
            "http://127.0.0.1:11434/api/chat"
        );
        assert_eq!(
            u(LlmApi::Ollama, "http://127.0.0.1:11434/api/chat"),
            "http://127.0.0.1:11434/api/chat"
        );
        assert_eq!(
            u(LlmApi::OpenaiCompatible, "http://localhost:8080"),
            "http://localhost:8080/v1/chat/completions"
        );
        assert_eq!(
            u(LlmApi::OpenaiCompatible, "http://localhost:8080/v1/"),
            "http://localhost:8080/v1/chat/completions"
        );
    }
}
