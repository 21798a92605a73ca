//! The optional local model behind Ask, against a fake server on 127.0.0.1 that streams replies in Ollama's NDJSON
//! and OpenAI's SSE formats (built by `ollama_stream` / `openai_stream` below, shaped like replies recorded from
//! Ollama and llama.cpp's server). No model runs anywhere: the point is what Tideline does with good and bad replies.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tideline_core::ask::llm::{
    check_loopback, phrase, EvidenceItem, LlmApi, LlmConfig, LlmOutcome, PhrasedSentence,
};
use tideline_core::model::{AskMode, LlmApi as SettingsApi};
use tideline_core::SettingsStore;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

// ---- the fake server -------------------------------------------------------------------------------------------

/// What the fake server does with each request.
#[derive(Clone)]
enum Script {
    /// Streams these pieces (one HTTP chunk each, a short pause between), then ends the reply.
    Stream {
        status: u16,
        content_type: &'static str,
        pieces: Vec<String>,
    },
    /// Sends these pieces, then keeps the connection open without another byte.
    StreamThenStall { pieces: Vec<String> },
    /// Reads the request and never answers.
    Silent,
}

#[derive(Debug, Clone)]
struct Seen {
    path: String,
    body: Value,
}

struct FakeServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeServer {
    async fn start(script: Script) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let script = script.clone();
                let log = log.clone();
                tokio::spawn(async move { serve(sock, script, log).await });
            }
        });
        FakeServer { addr, seen }
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().expect("log").clone()
    }
}

async fn read_request(sock: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        let n = sock.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let path = head.split_whitespace().nth(1)?.to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = sock.read(&mut tmp).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    let body = serde_json::from_slice(&buf[head_end..head_end + length]).unwrap_or(Value::Null);
    Some(Seen { path, body })
}

async fn serve(mut sock: TcpStream, script: Script, log: Arc<Mutex<Vec<Seen>>>) {
    let Some(seen) = read_request(&mut sock).await else {
        return;
    };
    log.lock().expect("log").push(seen);
    let (status, content_type, pieces, stall) = match script {
        Script::Silent => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            return;
        }
        Script::Stream {
            status,
            content_type,
            pieces,
        } => (status, content_type, pieces, false),
        Script::StreamThenStall { pieces } => (200, "application/x-ndjson", pieces, true),
    };
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    if sock.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    for p in pieces {
        let chunk = format!("{:x}\r\n{p}\r\n", p.len());
        if sock.write_all(chunk.as_bytes()).await.is_err() {
            return;
        }
        let _ = sock.flush().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    if stall {
        tokio::time::sleep(Duration::from_secs(60)).await;
        return;
    }
    let _ = sock.write_all(b"0\r\n\r\n").await;
    let _ = sock.shutdown().await;
}

/// The reply content cut into token-sized pieces, as a model streams it.
fn tokens(content: &str) -> Vec<String> {
    let chars: Vec<char> = content.chars().collect();
    chars.chunks(5).map(|c| c.iter().collect()).collect()
}

/// Ollama's `/api/chat` stream: one JSON object per line, the last with `"done": true` and the timings.
fn ollama_stream(content: &str) -> Vec<String> {
    let mut lines: Vec<String> = tokens(content)
        .into_iter()
        .map(|t| {
            json!({
                "model": "llama3.2",
                "created_at": "2026-12-04T10:00:00.123456Z",
                "message": { "role": "assistant", "content": t },
                "done": false
            })
            .to_string()
                + "\n"
        })
        .collect();
    lines.push(
        json!({
            "model": "llama3.2",
            "created_at": "2026-12-04T10:00:01.5Z",
            "message": { "role": "assistant", "content": "" },
            "done_reason": "stop",
            "done": true,
            "total_duration": 1_482_000_000u64,
            "load_duration": 21_000_000u64,
            "prompt_eval_count": 212,
            "eval_count": 61
        })
        .to_string()
            + "\n",
    );
    lines
}

/// An OpenAI-compatible `/v1/chat/completions` stream (llama.cpp's server): SSE events, a role-only first delta,
/// a `finish_reason` event, then `data: [DONE]`.
fn openai_stream(content: &str) -> Vec<String> {
    let event = |delta: Value, finish: Value| {
        format!(
            "data: {}\n\n",
            json!({
                "id": "chatcmpl-7Qx",
                "object": "chat.completion.chunk",
                "created": 1_796_378_400u64,
                "model": "qwen2.5-3b-instruct",
                "choices": [{ "index": 0, "delta": delta, "finish_reason": finish }]
            })
        )
    };
    let mut events = vec![event(
        json!({ "role": "assistant", "content": null }),
        Value::Null,
    )];
    events.extend(
        tokens(content)
            .into_iter()
            .map(|t| event(json!({ "content": t }), Value::Null)),
    );
    events.push(event(json!({}), json!("stop")));
    events.push("data: [DONE]\n\n".into());
    events
}

fn ndjson(pieces: Vec<String>) -> Script {
    Script::Stream {
        status: 200,
        content_type: "application/x-ndjson",
        pieces,
    }
}

fn sse(pieces: Vec<String>) -> Script {
    Script::Stream {
        status: 200,
        content_type: "text/event-stream",
        pieces,
    }
}

// ---- what Ask hands the model ----------------------------------------------------------------------------------

const QUESTION: &str = "Why did TechCorp's health drop?";

fn evidence() -> Vec<EvidenceItem> {
    vec![
        EvidenceItem {
            n: 1,
            text: "TechCorp Solutions: NPS was 42 in Nov 2026 (target 50).".into(),
            snapshot_id: 812,
            path: "$.kpis[3].value".into(),
            value: json!(42),
        },
        EvidenceItem {
            n: 2,
            text:
                "TechCorp Solutions: health score 58.4 (At risk), down 12.1 points since Oct 2026."
                    .into(),
            snapshot_id: 812,
            path: "$.health.score".into(),
            value: json!(58.4),
        },
        EvidenceItem {
            n: 3,
            text: "TechCorp Solutions: Active Users 1,250 in Nov 2026 (target 1,500).".into(),
            snapshot_id: 812,
            path: "$.kpis[0].value".into(),
            value: json!(1250),
        },
    ]
}

fn names() -> Vec<String> {
    ["TechCorp Solutions", "Globex Ltd", "Initech"]
        .map(String::from)
        .to_vec()
}

fn config(api: LlmApi, endpoint: String) -> LlmConfig {
    LlmConfig {
        api,
        endpoint,
        model: "llama3.2".into(),
        first_byte_timeout: Duration::from_millis(1500),
        total_timeout: Duration::from_secs(5),
    }
}

const GOOD: &str = r#"{"sentences":[{"text":"TechCorp Solutions' NPS was 42 in Nov 2026, below its target of 50.","cites":[1]},{"text":"That pulled the health score down 12.1 points to 58.4, At risk.","cites":[2,1]}]}"#;

fn good_sentences() -> Vec<PhrasedSentence> {
    vec![
        PhrasedSentence {
            text: "TechCorp Solutions' NPS was 42 in Nov 2026, below its target of 50.".into(),
            cites: vec![1],
        },
        PhrasedSentence {
            text: "That pulled the health score down 12.1 points to 58.4, At risk.".into(),
            cites: vec![2, 1],
        },
    ]
}

/// Asks with the canned evidence; returns the outcome and the text streamed to the panel, piece by piece.
async fn ask(cfg: &LlmConfig) -> (LlmOutcome, Vec<String>) {
    let mut deltas = Vec::new();
    let outcome = phrase(cfg, QUESTION, &evidence(), &names(), &mut |d: &str| {
        deltas.push(d.to_string())
    })
    .await;
    (outcome, deltas)
}

fn reason(outcome: &LlmOutcome) -> &str {
    match outcome {
        LlmOutcome::Fallback { reason } => reason,
        LlmOutcome::Phrased(s) => panic!("expected a fallback, the reply was kept: {s:?}"),
    }
}

// ---- good replies ----------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_good_ollama_reply_is_phrased_with_its_citations_and_streams_as_words() {
    let server = FakeServer::start(ndjson(ollama_stream(GOOD))).await;
    let (outcome, deltas) = ask(&config(LlmApi::Ollama, server.base())).await;
    assert_eq!(outcome, LlmOutcome::Phrased(good_sentences()));
    assert!(deltas.len() > 5, "the answer arrives in pieces: {deltas:?}");
    assert_eq!(
        deltas.concat(),
        "TechCorp Solutions' NPS was 42 in Nov 2026, below its target of 50. \
         That pulled the health score down 12.1 points to 58.4, At risk."
    );

    // The model got the question and the numbered evidence, and nothing else: no snapshot ids, no JSON paths.
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, "/api/chat");
    let body = &seen[0].body;
    assert_eq!(body["model"], "llama3.2");
    assert_eq!(body["stream"], true);
    assert_eq!(
        body["format"]["properties"]["sentences"]["type"], "array",
        "structured output through Ollama's `format` schema"
    );
    let user = body["messages"][1]["content"].as_str().unwrap_or_default();
    assert!(user.contains(QUESTION));
    assert!(user.contains("[1] TechCorp Solutions: NPS was 42 in Nov 2026 (target 50)."));
    assert!(user.contains("[3] TechCorp Solutions: Active Users 1,250"));
    let sent = body.to_string();
    assert!(!sent.contains("812") && !sent.contains("$.kpis"), "{sent}");
    assert!(!sent.contains("Globex"), "other account names are not sent");
}

#[tokio::test]
async fn a_good_openai_compatible_reply_is_phrased_with_its_citations() {
    let server = FakeServer::start(sse(openai_stream(GOOD))).await;
    let (outcome, deltas) = ask(&config(LlmApi::OpenaiCompatible, server.base())).await;
    assert_eq!(outcome, LlmOutcome::Phrased(good_sentences()));
    assert!(deltas
        .concat()
        .starts_with("TechCorp Solutions' NPS was 42"));
    let seen = server.requests();
    assert_eq!(seen[0].path, "/v1/chat/completions");
    assert_eq!(seen[0].body["response_format"]["type"], "json_schema");
    assert_eq!(
        seen[0].body["response_format"]["json_schema"]["schema"]["required"],
        json!(["sentences"])
    );
}

#[tokio::test]
async fn a_plain_text_reply_with_markers_is_accepted() {
    let server = FakeServer::start(sse(openai_stream(
        "NPS was 42 in Nov 2026 [1]. The health score fell 12.1 points to 58.4 [2].",
    )))
    .await;
    let (outcome, deltas) = ask(&config(
        LlmApi::OpenaiCompatible,
        format!("{}/v1", server.base()),
    ))
    .await;
    assert_eq!(
        outcome,
        LlmOutcome::Phrased(vec![
            PhrasedSentence {
                text: "NPS was 42 in Nov 2026.".into(),
                cites: vec![1]
            },
            PhrasedSentence {
                text: "The health score fell 12.1 points to 58.4.".into(),
                cites: vec![2]
            },
        ])
    );
    assert!(deltas.concat().contains("[1]"));
}

// ---- replies that are discarded ----------------------------------------------------------------------------------

#[tokio::test]
async fn a_sentence_that_cites_nothing_is_discarded() {
    let reply = r#"{"sentences":[{"text":"NPS was 42 in Nov 2026.","cites":[1]},{"text":"The account needs attention soon.","cites":[]}]}"#;
    let server = FakeServer::start(ndjson(ollama_stream(reply))).await;
    let (outcome, _) = ask(&config(LlmApi::Ollama, server.base())).await;
    assert_eq!(
        reason(&outcome),
        "the reply had a sentence that cites no evidence (“The account needs attention soon.”)"
    );
}

#[tokio::test]
async fn a_number_absent_from_the_cited_evidence_is_discarded() {
    // 17 % is the model's own arithmetic (1,250 against 1,500): not a fact any evidence states.
    let reply = r#"{"sentences":[{"text":"Active Users are 17 % below the target of 1,500.","cites":[3]}]}"#;
    let server = FakeServer::start(sse(openai_stream(reply))).await;
    let (outcome, _) = ask(&config(LlmApi::OpenaiCompatible, server.base())).await;
    assert_eq!(
        reason(&outcome),
        "the reply mentions 17 %, which is not in the cited evidence"
    );
}

#[tokio::test]
async fn a_number_from_evidence_the_sentence_does_not_cite_is_discarded() {
    // 58.4 is in evidence [2], but this sentence cites only [1].
    let reply = r#"{"sentences":[{"text":"NPS was 42, and health is 58.4.","cites":[1]}]}"#;
    let server = FakeServer::start(ndjson(ollama_stream(reply))).await;
    let (outcome, _) = ask(&config(LlmApi::Ollama, server.base())).await;
    assert_eq!(
        reason(&outcome),
        "the reply mentions 58.4, which is not in the cited evidence"
    );
}

#[tokio::test]
async fn an_account_name_absent_from_the_evidence_is_discarded() {
    let reply =
        r#"{"sentences":[{"text":"NPS was 42 in Nov 2026, as at Globex Ltd.","cites":[1]}]}"#;
    let server = FakeServer::start(ndjson(ollama_stream(reply))).await;
    let (outcome, _) = ask(&config(LlmApi::Ollama, server.base())).await;
    assert_eq!(
        reason(&outcome),
        "the reply names Globex Ltd, which is not in the cited evidence"
    );
}

#[tokio::test]
async fn a_citation_to_evidence_that_was_not_given_is_discarded() {
    let reply = r#"{"sentences":[{"text":"NPS was 42.","cites":[1,9]}]}"#;
    let server = FakeServer::start(sse(openai_stream(reply))).await;
    let (outcome, _) = ask(&config(LlmApi::OpenaiCompatible, server.base())).await;
    assert_eq!(
        reason(&outcome),
        "the reply cites evidence [9], which was not given to it"
    );
}

#[tokio::test]
async fn malformed_json_is_discarded() {
    // The stream is well formed, but the answer it carries stops mid-object.
    let reply = r#"{"sentences":[{"text":"NPS was 42 in Nov 2026.","cites":[1]}"#;
    let server = FakeServer::start(ndjson(ollama_stream(reply))).await;
    let (outcome, _) = ask(&config(LlmApi::Ollama, server.base())).await;
    assert!(
        reason(&outcome).starts_with("the local model's reply was not the JSON asked for"),
        "{outcome:?}"
    );

    // A stream line that is not JSON at all.
    let server = FakeServer::start(ndjson(vec![
        "{\"message\":{\"content\":\"{\\\"sen\"},\"done\":false}\n".into(),
        "<html>502 Bad Gateway</html>\n".into(),
    ]))
    .await;
    let (outcome, _) = ask(&config(LlmApi::Ollama, server.base())).await;
    assert!(
        reason(&outcome)
            .starts_with("the local model's stream had a line that is not Ollama's JSON"),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_stream_cut_off_before_its_end_is_discarded() {
    let mut events = openai_stream(GOOD);
    events.truncate(events.len() - 2); // no finish event, no [DONE]
    let server = FakeServer::start(sse(events)).await;
    let (outcome, _) = ask(&config(LlmApi::OpenaiCompatible, server.base())).await;
    assert_eq!(
        reason(&outcome),
        "the local model's reply stopped before it was complete"
    );
}

#[tokio::test]
async fn an_unknown_model_falls_back_with_the_servers_words() {
    let server = FakeServer::start(Script::Stream {
        status: 404,
        content_type: "application/json",
        pieces: vec![r#"{"error":"model \"llama9\" not found, try pulling it first"}"#.into()],
    })
    .await;
    let (outcome, _) = ask(&config(LlmApi::Ollama, server.base())).await;
    assert_eq!(
        reason(&outcome),
        "the local model's server answered HTTP 404: model \"llama9\" not found, try pulling it first"
    );
}

// ---- servers that are slow, silent or absent ---------------------------------------------------------------------

#[tokio::test]
async fn a_server_that_never_answers_falls_back_after_the_first_byte_timeout() {
    let server = FakeServer::start(Script::Silent).await;
    let mut cfg = config(LlmApi::Ollama, server.base());
    cfg.first_byte_timeout = Duration::from_millis(300);
    let (outcome, deltas) = ask(&cfg).await;
    assert_eq!(
        reason(&outcome),
        "the local model did not answer within 0.3 s"
    );
    assert!(deltas.is_empty());
    assert_eq!(
        server.requests().len(),
        1,
        "the request did reach the server"
    );
}

#[tokio::test]
async fn a_server_that_stalls_mid_answer_falls_back_after_the_total_timeout() {
    let mut lines = ollama_stream(GOOD);
    lines.truncate(10);
    let server = FakeServer::start(Script::StreamThenStall { pieces: lines }).await;
    let mut cfg = config(LlmApi::Ollama, server.base());
    cfg.total_timeout = Duration::from_millis(800);
    let (outcome, deltas) = ask(&cfg).await;
    assert_eq!(
        reason(&outcome),
        "the local model did not finish its answer within 0.8 s"
    );
    assert!(
        deltas.concat().starts_with("TechCorp"),
        "what arrived was streamed: {deltas:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_falls_back_at_once() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    drop(listener);
    let (outcome, _) = ask(&config(LlmApi::Ollama, format!("http://{addr}"))).await;
    assert_eq!(
        reason(&outcome),
        format!("nothing answered at http://{addr}; is the local model server running?")
    );
}

#[tokio::test]
async fn a_non_loopback_endpoint_is_never_contacted() {
    let (outcome, _) = ask(&config(LlmApi::Ollama, "http://192.0.2.10:11434".into())).await;
    assert!(
        reason(&outcome).starts_with(
            "the local model's address \"http://192.0.2.10:11434\" is not on this machine"
        ),
        "{outcome:?}"
    );
    assert!(check_loopback("http://192.0.2.10:11434").is_err());
    assert!(check_loopback("http://localhost:11434").is_ok());
}

// ---- settings ---------------------------------------------------------------------------------------------------

#[test]
fn ask_settings_default_to_the_built_in_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let s = SettingsStore::new(dir.path()).load().expect("defaults");
    assert_eq!(s.ask.mode, AskMode::Builtin);
    assert_eq!(s.ask.timeout_seconds, 20);
    assert!(LlmConfig::from_settings(&s.ask).is_none());
}

#[test]
fn a_local_model_is_configured_key_by_key_as_the_cli_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SettingsStore::new(dir.path());
    store
        .set("ask.endpoint", "http://127.0.0.1:8080/v1")
        .expect("loopback accepted");
    store
        .set("ask.api", "openai_compatible")
        .expect("api accepted");
    let e = store
        .set("ask.mode", "local_model")
        .expect_err("no model name yet");
    assert_eq!(e.code(), "invalid_setting");
    assert!(e.to_string().starts_with("ask.model: "), "{e}");
    store
        .set("ask.model", "qwen2.5-3b-instruct")
        .expect("model");
    store.set("ask.mode", "local_model").expect("mode");
    store.set("ask.timeout_seconds", "10").expect("timeout");

    let s = store.load().expect("load");
    assert_eq!(s.ask.api, SettingsApi::OpenaiCompatible);
    let cfg = LlmConfig::from_settings(&s.ask).expect("a local model is on");
    assert_eq!(cfg.endpoint, "http://127.0.0.1:8080/v1");
    assert_eq!(cfg.model, "qwen2.5-3b-instruct");
    assert_eq!(cfg.first_byte_timeout, Duration::from_secs(10));
    assert_eq!(cfg.total_timeout, Duration::from_secs(60));
}

#[test]
fn a_remote_endpoint_or_a_bad_choice_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SettingsStore::new(dir.path());
    for (key, value, says) in [
        (
            "ask.endpoint",
            "http://10.1.2.3:11434",
            "is not on this machine",
        ),
        (
            "ask.endpoint",
            "https://api.example.com/v1",
            "must start with http://",
        ),
        ("ask.mode", "cloud", "use builtin or local_model"),
        ("ask.api", "anthropic", "use ollama or openai_compatible"),
        ("ask.timeout_seconds", "0", "between 1 and 600 seconds"),
        (
            "ask.total_timeout_seconds",
            "5",
            "cannot take less time than its first words",
        ),
    ] {
        let e = store.set(key, value).expect_err(value);
        assert_eq!(e.code(), "invalid_setting");
        let msg = e.to_string();
        assert!(msg.starts_with(&format!("{key}: ")), "{msg}");
        assert!(msg.contains(says), "{msg}");
    }
    assert!(!store.path().exists(), "nothing written on refusal");

    let mut s = store.load().expect("defaults");
    s.ask.endpoint = "http://ollama.internal:11434".into();
    let e = store.save(&s).expect_err("remote endpoint");
    assert!(e
        .to_string()
        .contains("only 127.0.0.1 (127.0.0.0/8), ::1 and localhost"));
    assert!(!store.path().exists());
}
