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

/// Words too common to identify an account on their own ("Acme Corp" is not found by "corp"; "which accounts"
/// names no "Account 12").
const WEAK_WORDS: [&str; 29] = [
    "the",
    "account",
    "accounts",
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

/// A string ready to be compared many times: its length in chars and a histogram of its chars, so that a pair
/// that cannot reach [`MIN_SIMILARITY`] is ruled out without computing the edit distance (a question is
/// compared with every account name: 10,000 names, dozens of windows each).
struct Prepared {
    text: String,
    chars: usize,
    histogram: [u16; 64],
}

impl Prepared {
    fn new(text: String) -> Self {
        let mut histogram = [0u16; 64];
        let mut chars = 0;
        for c in text.chars() {
            chars += 1;
            let slot = &mut histogram[c as usize % 64];
            *slot = slot.saturating_add(1);
        }
        Prepared {
            text,
            chars,
            histogram,
        }
    }

    /// [`similarity`], or 0.0 when it is certainly below [`MIN_SIMILARITY`]. Every edit (insertion, deletion,
    /// substitution, transposition) changes the multiset of chars by at most one on each side, so the bag
    /// distance (here over histogram slots, which can only lower it) never exceeds the Damerau–Levenshtein
    /// distance, and `1 - bag / longest` bounds the similarity from above.
    fn similarity(&self, other: &Prepared) -> f64 {
        let longest = self.chars.max(other.chars);
        if longest == 0 {
            return 0.0;
        }
        let (mut more, mut fewer) = (0usize, 0usize);
        for (a, b) in self.histogram.iter().zip(&other.histogram) {
            if a > b {
                more += usize::from(a - b);
            } else {
                fewer += usize::from(b - a);
            }
        }
        if 1.0 - (more.max(fewer) as f64) / (longest as f64) < MIN_SIMILARITY {
            return 0.0;
        }
        similarity(&self.text, &other.text)
    }
}

/// The question's word windows, each joined with spaces and run together, prepared once per question.
struct Windows {
    /// `by_len[len - 1][start]`: (words joined with spaces, words run together).
    by_len: Vec<Vec<(Prepared, Prepared)>>,
}

impl Windows {
    fn new(qwords: &[String]) -> Self {
        let by_len = (1..=qwords.len())
            .map(|len| {
                qwords
                    .windows(len)
                    .map(|w| (Prepared::new(w.join(" ")), Prepared::new(w.concat())))
                    .collect()
            })
            .collect();
        Windows { by_len }
    }

    fn of_len(&self, len: usize) -> &[(Prepared, Prepared)] {
        len.checked_sub(1)
            .and_then(|i| self.by_len.get(i))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// How well `name` appears in the question: the best similarity of a window of question words to the whole
/// name (or to its first word, when that is distinctive, at a small discount). `None` below [`MIN_SIMILARITY`].
pub fn score(qwords: &[String], name: &str) -> Option<(f64, usize, usize)> {
    score_in(&Windows::new(qwords), name)
}

fn score_in(windows: &Windows, name: &str) -> Option<(f64, usize, usize)> {
    let nw = name_words(name);
    if nw.is_empty() {
        return None;
    }
    let full = Prepared::new(nw.join(" "));
    let joined = Prepared::new(nw.concat());
    let mut best: Option<(f64, usize, usize)> = None;
    let mut consider = |sim: f64, start: usize, len: usize| {
        if sim >= MIN_SIMILARITY && best.is_none_or(|b| sim > b.0) {
            best = Some((sim, start, len));
        }
    };
    for len in [nw.len(), nw.len().saturating_sub(1).max(1), nw.len() + 1] {
        for (start, (spaced, together)) in windows.of_len(len).iter().enumerate() {
            consider(spaced.similarity(&full), start, len);
            // "techcorp" for "tech corp", "pied piper's" handled by words().
            if len > 1 {
                consider(together.similarity(&joined), start, len);
            }
        }
    }
    let first = &nw[0];
    if nw.len() > 1 && first.chars().count() >= 4 && !WEAK_WORDS.contains(&first.as_str()) {
        let first = Prepared::new(first.clone());
        for (i, (word, _)) in windows.of_len(1).iter().enumerate() {
            // A distinctive first word alone counts a little less than the whole name.
            consider(word.similarity(&first) * 0.97, i, 1);
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
    let windows = Windows::new(qwords);
    let mut found: Vec<Found<T>> = names
        .iter()
        .filter_map(|(item, name)| {
            score_in(&windows, name).map(|(similarity, start, len)| Found {
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
    fn asking_about_accounts_names_none_called_account() {
        let names: Vec<(i64, String)> = (1..=50).map(|i| (i, format!("Account {i}"))).collect();
        assert!(find(&words("Which accounts are at risk?"), &names).is_empty());
        let f = find(&words("How is Account 17 doing?"), &names);
        assert_eq!(f[0].item, 17);
    }

    proptest::proptest! {
        /// The histogram bound only skips pairs below the threshold: above it, the similarity is the edit
        /// distance's, exactly.
        #[test]
        fn the_quick_bound_never_changes_a_match(a in "[a-e ]{0,12}", b in "[a-e ]{0,12}") {
            let quick = Prepared::new(a.clone()).similarity(&Prepared::new(b.clone()));
            let full = similarity(&a, &b);
            if full >= MIN_SIMILARITY {
                proptest::prop_assert_eq!(quick, full);
            } else {
                proptest::prop_assert!(quick < MIN_SIMILARITY);
            }
        }
    }

    #[test]
    fn short_names_match_exactly() {
        assert_eq!(similarity("nps", "nps"), 1.0);
        assert_eq!(similarity("nps", "ns"), 0.0);
    }
}
