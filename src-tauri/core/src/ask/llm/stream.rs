//! Reading the two streamed reply formats into text: Ollama's NDJSON (`{"message":{"content":…},"done":…}` per
//! line) and OpenAI-style SSE (`data: {"choices":[{"delta":{"content":…}}]}` lines ending `data: [DONE]`), and
//! turning the streamed JSON answer into the plain words a CSM watches appear.

use serde::Deserialize;
use serde_json::Value;

use super::LlmApi;

/// One line longer than this is not a streamed token; a server sending it is broken or hostile.
const MAX_LINE_BYTES: usize = 256 * 1024;

/// Splits the byte stream into lines and each line into text deltas, keeping the whole reply text.
pub(super) struct ReplyReader {
    api: LlmApi,
    pending: Vec<u8>,
    content: String,
    done: bool,
}

#[derive(Deserialize)]
struct OllamaLine {
    #[serde(default)]
    message: Option<OllamaMessage>,
    #[serde(default)]
    done: bool,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
struct OllamaMessage {
    #[serde(default)]
    content: String,
}

#[derive(Deserialize)]
struct OpenAiEvent {
    #[serde(default)]
    choices: Vec<OpenAiChoice>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct OpenAiChoice {
    #[serde(default)]
    delta: Option<OpenAiDelta>,
}

#[derive(Deserialize)]
struct OpenAiDelta {
    #[serde(default)]
    content: Option<String>,
}

impl ReplyReader {
    pub(super) fn new(api: LlmApi) -> Self {
        ReplyReader {
            api,
            pending: Vec::new(),
            content: String::new(),
            done: false,
        }
    }

    /// Whether the server has said its reply is complete (`"done": true` or `data: [DONE]`).
    pub(super) fn done(&self) -> bool {
        self.done
    }

    /// The reply text so far, every delta joined.
    pub(super) fn content(&self) -> &str {
        &self.content
    }

    /// Feeds received bytes; returns the text deltas of the lines they completed.
    pub(super) fn push(&mut self, bytes: &[u8]) -> Result<Vec<String>, String> {
        self.pending.extend_from_slice(bytes);
        let mut deltas = Vec::new();
        while let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            if let Some(d) = self.line(&line)? {
                deltas.push(d);
            }
        }
        if self.pending.len() > MAX_LINE_BYTES {
            return Err("the local model's stream had a line far too long to be a reply".into());
        }
        Ok(deltas)
    }

    /// The stream ended: a last line without its newline still counts.
    pub(super) fn finish(&mut self) -> Result<Vec<String>, String> {
        let rest = std::mem::take(&mut self.pending);
        Ok(self.line(&rest)?.into_iter().collect())
    }

    fn line(&mut self, raw: &[u8]) -> Result<Option<String>, String> {
        if self.done {
            return Ok(None);
        }
        let line = std::str::from_utf8(raw)
            .map_err(|_| "the local model's stream was not UTF-8 text".to_string())?
            .trim();
        if line.is_empty() {
            return Ok(None);
        }
        let delta = match self.api {
            LlmApi::Ollama => self.ollama_line(line)?,
            LlmApi::OpenaiCompatible => self.sse_line(line)?,
        };
        if let Some(d) = &delta {
            self.content.push_str(d);
        }
        Ok(delta.filter(|d| !d.is_empty()))
    }

    fn ollama_line(&mut self, line: &str) -> Result<Option<String>, String> {
        let parsed: OllamaLine = serde_json::from_str(line).map_err(|e| {
            format!("the local model's stream had a line that is not Ollama's JSON ({e})")
        })?;
        if let Some(e) = parsed.error {
            return Err(format!("the local model reported an error: {}", short(&e)));
        }
        self.done = parsed.done;
        Ok(parsed.message.map(|m| m.content))
    }

    fn sse_line(&mut self, line: &str) -> Result<Option<String>, String> {
        // Comments (`: keep-alive`) and the `event:`, `id:` and `retry:` fields carry no text.
        let Some(data) = line.strip_prefix("data:") else {
            return Ok(None);
        };
        let data = data.trim();
        if data == "[DONE]" {
            self.done = true;
            return Ok(None);
        }
        let event: OpenAiEvent = serde_json::from_str(data).map_err(|e| {
            format!("the local model's stream had an event that is not chat-completion JSON ({e})")
        })?;
        if let Some(e) = event.error {
            let msg = e
                .get("message")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| e.to_string());
            return Err(format!(
                "the local model reported an error: {}",
                short(&msg)
            ));
        }
        Ok(event
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.delta)
            .and_then(|d| d.content))
    }
}

fn short(s: &str) -> String {
    s.chars().take(200).collect()
}

/// Turns the streamed reply into readable text as it arrives: from a JSON reply only the `"text"` strings are
/// shown (a space between sentences); a plain-text reply is shown as it is.
#[derive(Default)]
pub(super) struct AnswerText {
    mode: Mode,
    json: JsonScan,
}

#[derive(Default, PartialEq)]
enum Mode {
    #[default]
    Undecided,
    Json,
    Plain,
}

/// A small JSON scanner that knows just enough to find the string values of `"text"` keys.
#[derive(Default)]
struct JsonScan {
    in_string: bool,
    escape: bool,
    unicode: Option<String>,
    high_surrogate: Option<u32>,
    /// The current string, while it might be a key.
    buf: String,
    /// The last finished string, in case a `:` makes it a key.
    last_string: Option<String>,
    /// The next string value belongs to a `"text"` key.
    text_value_next: bool,
    /// We are inside a `"text"` value and show its characters.
    showing: bool,
    sentences_shown: usize,
}

impl AnswerText {
    pub(super) fn push(&mut self, delta: &str) -> String {
        if self.mode == Mode::Undecided {
            match delta.trim_start().chars().next() {
                None => return String::new(),
                Some('{') | Some('`') => self.mode = Mode::Json,
                Some(_) => self.mode = Mode::Plain,
            }
        }
        match self.mode {
            Mode::Plain => delta.to_string(),
            _ => {
                let mut out = String::new();
                for c in delta.chars() {
                    self.json.push(c, &mut out);
                }
                out
            }
        }
    }
}

impl JsonScan {
    fn push(&mut self, c: char, out: &mut String) {
        if self.in_string {
            self.string_char(c, out);
            return;
        }
        match c {
            '"' => {
                self.in_string = true;
                self.buf.clear();
                if self.text_value_next {
                    self.text_value_next = false;
                    self.showing = true;
                    if self.sentences_shown > 0 {
                        out.push(' ');
                    }
                    self.sentences_shown += 1;
                }
            }
            ':' => self.text_value_next = self.last_string.take().as_deref() == Some("text"),
            c if c.is_whitespace() => {}
            _ => {
                self.last_string = None;
                self.text_value_next = false;
            }
        }
    }

    fn string_char(&mut self, c: char, out: &mut String) {
        if let Some(hex) = &mut self.unicode {
            hex.push(c);
            if hex.len() == 4 {
                let code = u32::from_str_radix(hex, 16).unwrap_or(0xFFFD);
                self.unicode = None;
                self.code_unit(code, out);
            }
            return;
        }
        if self.escape {
            self.escape = false;
            let decoded = match c {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\u{8}',
                'f' => '\u{c}',
                'u' => {
                    self.unicode = Some(String::new());
                    return;
                }
                other => other,
            };
            self.emit(decoded, out);
            return;
        }
        match c {
            '\\' => self.escape = true,
            '"' => {
                self.in_string = false;
                if self.showing {
                    self.showing = false;
                } else {
                    self.last_string = Some(std::mem::take(&mut self.buf));
                }
            }
            c => self.emit(c, out),
        }
    }

    fn code_unit(&mut self, code: u32, out: &mut String) {
        if (0xD800..0xDC00).contains(&code) {
            self.high_surrogate = Some(code);
            return;
        }
        let scalar = match self.high_surrogate.take() {
            Some(high) if (0xDC00..0xE000).contains(&code) => {
                0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
            }
            _ => code,
        };
        self.emit(char::from_u32(scalar).unwrap_or('\u{FFFD}'), out);
    }

    fn emit(&mut self, c: char, out: &mut String) {
        if self.showing {
            out.push(c);
        } else if self.buf.len() < 64 {
            self.buf.push(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(pieces: &[&str]) -> String {
        let mut t = AnswerText::default();
        pieces.iter().map(|p| t.push(p)).collect()
    }

    #[test]
    fn only_the_sentence_texts_of_a_json_reply_are_shown_however_it_is_split() {
        let reply = r#"{"sentences":[{"text":"NPS is 42 \"now\".","cites":[1]},{"cites":[2],"text":"Caf\u00e9 \ud83d\ude00 ok."}]}"#;
        let want = "NPS is 42 \"now\". Café 😀 ok.";
        assert_eq!(shown(&[reply]), want);
        let chars: Vec<String> = reply.chars().map(String::from).collect();
        let pieces: Vec<&str> = chars.iter().map(String::as_str).collect();
        assert_eq!(shown(&pieces), want);
    }

    #[test]
    fn a_plain_reply_is_shown_as_it_comes() {
        assert_eq!(shown(&["NPS is 42 [1].", " Fine."]), "NPS is 42 [1]. Fine.");
    }

    #[test]
    fn sse_comments_and_fields_carry_no_text() {
        let mut r = ReplyReader::new(LlmApi::OpenaiCompatible);
        let d = r
            .push(b": ping\nevent: message\ndata: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n")
            .unwrap_or_default();
        assert_eq!(d, vec!["Hi".to_string()]);
        assert!(r.done());
    }
}
