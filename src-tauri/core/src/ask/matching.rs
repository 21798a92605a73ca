//! Recognising account, KPI and category names in a question, with case and small typos forgiven
//! (`strsim`'s normalised Damerau–Levenshtein similarity over word windows of the question).

/// Similarity a window of the question needs to count as a name (1.0 = identical).
pub const MIN_SIMILARITY: f64 = 0.84;

/// A question split into lower-case words, apostrophes and punctuation dropped ("TechCorp's" → "techcorp").
pub fn words(question: &str) -> Vec<String> {
    question
        .split(|c: char| {
            c.is_whitespace() || matches!(c, ',' | '?' | '!' | ';' | ':' | '"' | '(' | ')')
        })
        .map(|w| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '%');
            let w = w
                .strip_suffix("'s")
                .or_else(|| w.strip_suffix("’s"))
                .unwrap_or(w);
            w.trim_end_matches('.').to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn name_words(name: &str) -> Vec<String> {
    words(name)
}

/// Words too common to identify an account on their own ("Acme Corp" is not found by "corp").
const WEAK_WORDS: [&str; 27] = [
    "the",
    "customer",
    "business",
    "product",
    "corp",
    "inc",
    "ltd",
    "llc",
    "group",
    "company",
    "co",
    "solutions",
    "systems",
    "industries",
    "labs",
    "health",
    "media",
    "software",
    "retail",
    "capital",
    "finance",
    "energy",
    "cloud",
    "foods",
    "trading",
    "brands",
    "development",
];

/// How well `name` appears in the question: the best similarity of a window of question words to the whole
/// name (or to its first word, when that is distinctive, at a small discount). `None` below [`MIN_SIMILARITY`].
pub fn score(qwords: &[String], name: &str) -> Option<(f64, usize, usize)> {
    let nw = name_words(name);
    if nw.is_empty() {
        return None;
    }
    let full = nw.join(" ");
    let mut best: Option<(f64, usize, usize)> = None;
    let mut consider = |sim: f64, start: usize, len: usize| {
        if sim >= MIN_SIMILARITY && best.is_none_or(|b| sim > b.0) {
            best = Some((sim, start, len));
        }
    };
    for len in [nw.len(), nw.len().saturating_sub(1).max(1), nw.len() + 1] {
        if len == 0 || len > qwords.len() {
            continue;
        }
        for start in 0..=qwords.len() - len {
            let window = qwords[start..start + len].join(" ");
            consider(similarity(&window, &full), start, len);
            // "techcorp" for "tech corp", "pied piper's" handled by words().
            if len > 1 {
                consider(
                    similarity(&qwords[start..start + len].concat(), &nw.concat()),
                    start,
                    len,
                );
            }
        }
    }
    let first = &nw[0];
    if nw.len() > 1 && first.chars().count() >= 4 && !WEAK_WORDS.contains(&first.as_str()) {
        for (i, w) in qwords.iter().enumerate() {
            // A distinctive first word alone counts a little less than the whole name.
            consider(similarity(w, first) * 0.97, i, 1);
        }
    }
    best
}

/// Normalised Damerau–Levenshtein similarity; names of four characters or fewer must match exactly ("NPS"
/// is not "CSAT"), and strings of very different length are not compared.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la == 0 || lb == 0 {
        return 0.0;
    }
    if la.min(lb) <= 4 {
        return if a == b { 1.0 } else { 0.0 };
    }
    if la.abs_diff(lb) * 5 > la.max(lb) {
        return 0.0;
    }
    strsim::normalized_damerau_levenshtein(a, b)
}

/// A name found in the question.
#[derive(Debug, Clone, PartialEq)]
pub struct Found<T> {
    pub item: T,
    pub name: String,
    pub similarity: f64,
    pub start: usize,
    pub len: usize,
}

/// Every name that appears in the question, best first; where two names claim overlapping words, only the
/// better stays unless they tie (a tie is reported by [`ties`]).
pub fn find<T: Clone>(qwords: &[String], names: &[(T, String)]) -> Vec<Found<T>> {
    let mut found: Vec<Found<T>> = names
        .iter()
        .filter_map(|(item, name)| {
            score(qwords, name).map(|(similarity, start, len)| Found {
                item: item.clone(),
                name: name.clone(),
                similarity,
                start,
                len,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.similarity
            .total_cmp(&a.similarity)
            .then(b.len.cmp(&a.len))
            .then(a.start.cmp(&b.start))
    });
    let mut kept: Vec<Found<T>> = Vec::new();
    for f in found {
        let overlaps = kept
            .iter()
            .find(|k| f.start < k.start + k.len && k.start < f.start + f.len);
        match overlaps {
            None => kept.push(f),
            Some(k) if (k.similarity - f.similarity).abs() < 1e-9 && k.len == f.len => kept.push(f),
            Some(_) => {}
        }
    }
    // Left to right, as the question names them.
    kept.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.similarity.total_cmp(&a.similarity))
    });
    kept
}

/// Groups of found names that claim the same words equally well: the question is ambiguous between them.
pub fn ties<T: Clone>(found: &[Found<T>]) -> Vec<Vec<Found<T>>> {
    let mut groups: Vec<Vec<Found<T>>> = Vec::new();
    for f in found {
        match groups
            .iter_mut()
            .find(|g| g[0].start == f.start && g[0].len == f.len)
        {
            Some(g) => g.push(f.clone()),
            None => groups.push(vec![f.clone()]),
        }
    }
    groups.into_iter().filter(|g| g.len() > 1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<(i64, String)> {
        vec![
            (1, "TechCorp Solutions".into()),
            (2, "Acme Corp".into()),
            (3, "Acme Labs".into()),
            (4, "Initech".into()),
        ]
    }

    #[test]
    fn typos_and_case_are_forgiven() {
        let f = find(&words("how is techcrop solutions doing"), &names());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].item, 1);
        let f = find(&words("What's TechCorp's NPS?"), &names());
        assert_eq!(f[0].item, 1);
        let f = find(&words("status of INITECH"), &names());
        assert_eq!(f[0].item, 4);
    }

    #[test]
    fn a_shared_first_word_is_a_tie() {
        let f = find(&words("how is acme doing"), &names());
        assert_eq!(ties(&f).len(), 1);
        let f = find(&words("how is acme labs doing"), &names());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].item, 3);
    }

    #[test]
    fn short_names_match_exactly() {
        assert_eq!(similarity("nps", "nps"), 1.0);
        assert_eq!(similarity("nps", "ns"), 0.0);
    }
}
