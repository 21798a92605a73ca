//! Reading the model's reply into cited sentences and refusing it when any sentence goes beyond its evidence:
//! no citation, a citation to nothing, or a number or account name that the cited evidence does not contain.

use std::collections::BTreeSet;

use serde::Deserialize;
use serde_json::Value;

use super::{EvidenceItem, PhrasedSentence};

#[derive(Deserialize)]
struct Reply {
    sentences: Vec<ReplySentence>,
}

#[derive(Deserialize)]
struct ReplySentence {
    text: String,
    #[serde(default)]
    cites: Vec<u32>,
}

/// The reply as sentences: the JSON asked for, or (from a server that ignored the schema) plain text whose
/// sentences carry `[n]` markers.
pub(super) fn parse_reply(content: &str) -> Result<Vec<PhrasedSentence>, String> {
    let trimmed = strip_code_fence(content.trim());
    let sentences = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let reply: Reply = serde_json::from_str(trimmed)
            .map_err(|e| format!("the local model's reply was not the JSON asked for ({e})"))?;
        reply
            .sentences
            .into_iter()
            .map(|s| {
                // A model may also put markers in the text; they count as citations and are not shown twice.
                let (text, mut cites) = take_markers(&s.text);
                cites.extend(s.cites);
                PhrasedSentence {
                    text,
                    cites: dedup(cites),
                }
            })
            .collect()
    } else {
        plain_sentences(trimmed)
    };
    let sentences: Vec<PhrasedSentence> = sentences
        .into_iter()
        .filter(|s| !s.text.trim().is_empty())
        .collect();
    if sentences.is_empty() {
        return Err("the local model gave an empty answer".into());
    }
    Ok(sentences)
}

fn strip_code_fence(s: &str) -> &str {
    let Some(rest) = s.strip_prefix("```") else {
        return s;
    };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.trim_end().strip_suffix("```").unwrap_or(rest).trim()
}

fn dedup(cites: Vec<u32>) -> Vec<u32> {
    let mut seen = BTreeSet::new();
    cites.into_iter().filter(|c| seen.insert(*c)).collect()
}

/// Removes `[n]` / `[n, m]` markers from a sentence, returning the clean text and the numbers.
fn take_markers(s: &str) -> (String, Vec<u32>) {
    let mut text = String::with_capacity(s.len());
    let mut cites = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        let inner = &rest[open + 1..close];
        let nums: Option<Vec<u32>> = inner
            .split(',')
            .map(|p| p.trim().parse::<u32>().ok())
            .collect();
        match nums {
            Some(nums) if !nums.is_empty() => {
                text.push_str(rest[..open].trim_end());
                cites.extend(nums);
            }
            _ => text.push_str(&rest[..=close]),
        }
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    (text.trim().to_string(), cites)
}

/// Splits plain text after `.`, `!` or `?` followed by a space; markers that open the next piece belong to the
/// sentence before them ("NPS is 42. [1] Health fell…").
fn plain_sentences(s: &str) -> Vec<PhrasedSentence> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    for (i, (at, c)) in chars.iter().enumerate() {
        let next_is_space = chars.get(i + 1).is_some_and(|(_, n)| n.is_whitespace());
        if matches!(c, '.' | '!' | '?' | '\n') && (next_is_space || *c == '\n') {
            let end = at + c.len_utf8();
            pieces.push(&s[start..end]);
            start = end;
        }
    }
    pieces.push(&s[start..]);
    let mut out: Vec<PhrasedSentence> = Vec::new();
    for piece in pieces {
        let mut piece = piece.trim_start();
        // Leading markers cite the sentence just finished.
        while piece.starts_with('[') {
            let Some(close) = piece.find(']') else { break };
            let (marker_text, nums) = take_markers(&piece[..=close]);
            if !marker_text.is_empty() || nums.is_empty() {
                break;
            }
            match out.last_mut() {
                Some(prev) => prev.cites = dedup([prev.cites.clone(), nums].concat()),
                None => break,
            }
            piece = piece[close + 1..].trim_start();
        }
        let (text, cites) = take_markers(piece);
        if !text.is_empty() {
            out.push(PhrasedSentence {
                text,
                cites: dedup(cites),
            });
        }
    }
    out
}

/// Every sentence cites existing evidence, and says no number or account name its cited evidence lacks.
pub(super) fn verify(
    sentences: &[PhrasedSentence],
    evidence: &[EvidenceItem],
    names: &[String],
) -> Result<(), String> {
    for s in sentences {
        if s.cites.is_empty() {
            return Err(format!(
                "the reply had a sentence that cites no evidence (“{}”)",
                s.text
            ));
        }
        let mut cited = Vec::new();
        for n in &s.cites {
            match evidence.iter().find(|e| e.n == *n) {
                Some(e) => cited.push(e),
                None => {
                    return Err(format!(
                        "the reply cites evidence [{n}], which was not given to it"
                    ))
                }
            }
        }
        let mut known: Vec<Number> = Vec::new();
        let mut cited_text = String::new();
        for e in &cited {
            known.extend(numbers(&e.text));
            cited_text.push_str(&e.text);
            cited_text.push('\n');
            value_facts(&e.value, &mut known, &mut cited_text, 0);
        }
        for n in numbers(&s.text) {
            if !known.iter().any(|k| n.matches(k)) {
                return Err(format!(
                    "the reply mentions {}, which is not in the cited evidence",
                    n.shown
                ));
            }
        }
        for name in names {
            let name = name.trim();
            if !name.is_empty() && contains_word(&s.text, name) && !contains_word(&cited_text, name)
            {
                return Err(format!(
                    "the reply names {name}, which is not in the cited evidence"
                ));
            }
        }
    }
    Ok(())
}

/// Numbers and strings inside a cited value (a KPI object, a list of accounts …) count as its evidence too.
fn value_facts(v: &Value, numbers_out: &mut Vec<Number>, text_out: &mut String, depth: usize) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64() {
                numbers_out.push(Number {
                    value: f.abs(),
                    decimals: 0,
                    shown: n.to_string(),
                });
            }
        }
        Value::String(s) => {
            numbers_out.extend(numbers(s));
            text_out.push_str(s);
            text_out.push('\n');
        }
        Value::Array(items) => items
            .iter()
            .for_each(|i| value_facts(i, numbers_out, text_out, depth + 1)),
        Value::Object(m) => m
            .values()
            .for_each(|i| value_facts(i, numbers_out, text_out, depth + 1)),
        Value::Bool(_) | Value::Null => {}
    }
}

/// A number as written: its magnitude (a sign is phrasing: "fell by 12" for −12), its decimal places, and how
/// it appeared, for the reason shown to the CSM.
#[derive(Debug, Clone)]
struct Number {
    value: f64,
    decimals: u32,
    shown: String,
}

impl Number {
    /// A number in the reply matches evidence that, rounded to the reply's decimal places, is the same: "42 %"
    /// for 41.96 is phrasing, "45 %" is not.
    fn matches(&self, evidence: &Number) -> bool {
        let scale = 10f64.powi(self.decimals.min(6) as i32);
        let rounded = (evidence.value * scale).round() / scale;
        (rounded - self.value).abs() <= 1e-9 * self.value.abs().max(1.0)
            || (evidence.value - self.value).abs() <= 1e-9 * self.value.abs().max(1.0)
    }
}

/// The numbers in a text: digit runs with an optional decimal part and `,` thousands groups; `2026-11-30` is
/// three numbers, not a subtraction.
fn numbers(s: &str) -> Vec<Number> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = String::new();
        let mut decimals = 0u32;
        while i < chars.len() {
            let c = chars[i];
            if c.is_ascii_digit() {
                digits.push(c);
                if digits.contains('.') {
                    decimals += 1;
                }
                i += 1;
            } else if c == ','
                && !digits.contains('.')
                && (1..=3).all(|k| chars.get(i + k).is_some_and(char::is_ascii_digit))
                && !chars.get(i + 4).is_some_and(char::is_ascii_digit)
            {
                i += 1;
            } else if c == '.'
                && !digits.contains('.')
                && chars.get(i + 1).is_some_and(char::is_ascii_digit)
            {
                digits.push('.');
                i += 1;
            } else {
                break;
            }
        }
        let mut shown: String = chars[start..i].iter().collect();
        let mut j = i;
        while chars.get(j) == Some(&' ') || chars.get(j) == Some(&'\u{a0}') {
            j += 1;
        }
        if chars.get(j) == Some(&'%') {
            shown.push_str(" %");
        }
        if let Ok(value) = digits.parse::<f64>() {
            out.push(Number {
                value,
                decimals,
                shown,
            });
        }
    }
    out
}

/// Whether `needle` occurs in `haystack` as whole words, ignoring case ("TechCorp's" contains "TechCorp";
/// "TechCorpus" does not).
fn contains_word(haystack: &str, needle: &str) -> bool {
    let h = haystack.to_lowercase();
    let n = needle.to_lowercase();
    if n.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = h[from..].find(&n) {
        let at = from + pos;
        let end = at + n.len();
        let before_ok = !h[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let after_ok = !h[end..].chars().next().is_some_and(char::is_alphanumeric);
        if before_ok && after_ok {
            return true;
        }
        from = at + h[at..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nums(s: &str) -> Vec<(f64, u32)> {
        numbers(s)
            .into_iter()
            .map(|n| (n.value, n.decimals))
            .collect()
    }

    #[test]
    fn numbers_are_read_as_a_reader_would() {
        assert_eq!(nums("NPS 42 (target 50)"), vec![(42.0, 0), (50.0, 0)]);
        assert_eq!(nums("ARR $1,250,000.50"), vec![(1_250_000.5, 2)]);
        assert_eq!(
            nums("on 2026-11-30"),
            vec![(2026.0, 0), (11.0, 0), (30.0, 0)]
        );
        assert_eq!(nums("fell -12.5 points."), vec![(12.5, 1)]);
        assert_eq!(nums("1, 2 and 3"), vec![(1.0, 0), (2.0, 0), (3.0, 0)]);
        assert_eq!(numbers("at 42 %")[0].shown, "42 %");
    }

    #[test]
    fn rounding_is_phrasing_but_a_different_number_is_not() {
        let e = &numbers("41.96")[0];
        assert!(numbers("42")[0].matches(e));
        assert!(numbers("42.0")[0].matches(e));
        assert!(!numbers("41.9")[0].matches(e));
        assert!(!numbers("45")[0].matches(e));
    }

    #[test]
    fn plain_text_markers_become_citations() {
        let s = plain_sentences("NPS is 42 [1]. Health fell 12 points. [2, 3] Renewal is near.");
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].text, "NPS is 42.");
        assert_eq!(s[0].cites, vec![1]);
        assert_eq!(s[1].text, "Health fell 12 points.");
        assert_eq!(s[1].cites, vec![2, 3]);
        assert!(s[2].cites.is_empty());
    }

    #[test]
    fn names_match_whole_words_only() {
        assert!(contains_word("TechCorp's NPS", "techcorp"));
        assert!(!contains_word("TechCorpus", "TechCorp"));
        assert!(contains_word("is Globex Ltd.", "Globex Ltd"));
    }
}
