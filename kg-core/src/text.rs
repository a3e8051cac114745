//! The one normalisation of node names, used wherever a name goes in: the name index, `find`,
//! the lookup of names in MedReason's graph, and entity extraction.

use unicode_normalization::UnicodeNormalization;

/// The key a name is indexed and looked up under: Unicode compatibility form (NFKC: full-width
/// letters, ligatures), lowercase, and runs of whitespace (any Unicode space) as one space,
/// none at either end.
pub fn normalize(name: &str) -> String {
    fold(name, true)
}

/// [`normalize`] without the lowercasing: what case-sensitive lookups compare.
pub fn normalize_keep_case(name: &str) -> String {
    fold(name, false)
}

/// A word of a text: a run of letters and digits, at `start..end` (bytes) and `chars`
/// (characters, as Python indexes strings), with its [`match key`](fold_word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Byte range in the text.
    pub start: usize,
    /// End of the byte range (exclusive).
    pub end: usize,
    /// Character offset of the first character.
    pub char_start: usize,
    /// Character offset after the last character.
    pub char_end: usize,
    /// The word as matched: NFKC, lowercase, singular ([`fold_word`]).
    pub key: String,
    /// The sentence ends between the previous word and this one (`.`, `;`, `:`, `?`, `!` or a
    /// line break): no name is matched across it.
    pub after_break: bool,
}

/// The words of `text`: runs of letters and digits; everything else separates them. A
/// possessive `'s` is dropped, so "Alzheimer's disease" and "Alzheimer disease" have the same
/// words.
pub fn words(text: &str) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut chars = text.char_indices().enumerate().peekable();
    let mut after_break = false;
    while let Some((ci, (bi, c))) = chars.next() {
        if !c.is_alphanumeric() {
            after_break |= matches!(c, '.' | ';' | ':' | '?' | '!' | '\n' | '\r');
            continue;
        }
        let (start, char_start) = (bi, ci);
        let (mut end, mut char_end) = (bi + c.len_utf8(), ci + 1);
        while let Some(&(cj, (bj, d))) = chars.peek() {
            if !d.is_alphanumeric() {
                break;
            }
            (end, char_end) = (bj + d.len_utf8(), cj + 1);
            chars.next();
        }
        let surface = &text[start..end];
        let mut before = text[..start].chars().rev();
        let possessive = surface.eq_ignore_ascii_case("s")
            && matches!(before.next(), Some('\'' | '\u{2019}'))
            && before.next().is_some_and(char::is_alphanumeric);
        if !possessive {
            out.push(Word { start, end, char_start, char_end, key: fold_word(surface), after_break });
            after_break = false;
        }
    }
    out
}

/// Organ adjectives and the nouns they fold to: `renal failure` is `kidney failure`.
const ORGAN_ADJECTIVES: &[(&str, &str)] = &[
    ("cardiac", "heart"),
    ("cerebral", "brain"),
    ("cutaneous", "skin"),
    ("gastric", "stomach"),
    ("hepatic", "liver"),
    ("ocular", "eye"),
    ("ovarian", "ovary"),
    ("pulmonary", "lung"),
    ("renal", "kidney"),
    ("splenic", "spleen"),
];

/// British spellings as American ones, in words of five letters or more: `ae` and `oe` as `e`
/// (`haemorrhage`, `oedema`, `diarrhoea`), and from six letters a final `our` as `or`
/// (`tumour`). Sources disagree (SIDER's side effects are British, HPO is American).
fn british_to_american(mut w: String) -> String {
    if w.len() >= 5 && w.bytes().all(|b| b.is_ascii_lowercase()) {
        if w.contains("ae") || w.contains("oe") {
            w = w.replace("ae", "e").replace("oe", "e");
        }
        if w.len() >= 6 && w.ends_with("our") {
            w.truncate(w.len() - 2);
            w.push('r');
        }
    }
    w
}

/// One word as names and texts are matched: NFKC, lowercase, an English plural made singular
/// (`therapies` → `therapy`, `abscesses` → `abscess`, `depressions` → `depression`; `-ss`,
/// `-us`, `-is` kept), British spelling made American (`oedema` → `edema`) and an organ
/// adjective made its noun (`renal` → `kidney`). Names and texts fold alike, so a fold that is
/// not a real word (`diabetes` → `diabete`) still matches itself.
pub fn fold_word(word: &str) -> String {
    let w = british_to_american(singular(fold(word, true)));
    match ORGAN_ADJECTIVES.binary_search_by(|(a, _)| a.cmp(&w.as_str())) {
        Ok(i) => ORGAN_ADJECTIVES[i].1.to_owned(),
        Err(_) => w,
    }
}

/// An English plural made singular, in lowercase ASCII words of four letters or more.
fn singular(mut w: String) -> String {
    let n = w.len();
    if n < 4 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return w;
    }
    if w.ends_with("ies") && n > 4 {
        w.truncate(n - 3);
        w.push('y');
    } else if w.ends_with("sses") || w.ends_with("xes") || w.ends_with("ches") || w.ends_with("shes") {
        w.truncate(n - 2);
    } else if w.ends_with('s') && !(w.ends_with("ss") || w.ends_with("us") || w.ends_with("is")) {
        w.truncate(n - 1);
    }
    w
}

/// A name's match key: its [`words`]' keys joined by single spaces. Punctuation, case, width,
/// possessives and plurals do not change it.
pub fn match_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for w in words(name) {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&w.key);
    }
    key
}

fn fold(name: &str, lowercase: bool) -> String {
    if name.is_ascii() {
        // ASCII is already NFKC: fold case and spacing in one pass, one allocation.
        let mut out = String::with_capacity(name.len());
        for word in name.split_ascii_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            if lowercase {
                out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
            } else {
                out.push_str(word);
            }
        }
        return out;
    }
    let folded: String = if lowercase { name.nfkc().flat_map(char::to_lowercase).collect() } else { name.nfkc().collect() };
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_width_and_space() {
        assert_eq!(normalize("  Heart   Attack "), "heart attack");
        assert_eq!(normalize("ＣＯＶＩＤ"), "covid");
        assert_eq!(normalize("Ｆｅｖｅｒ\tHigh"), "fever high");
        assert_eq!(normalize("\u{b}Vitamin\u{a0}B12 "), "vitamin b12", "non-ASCII spaces fold too");
        assert_eq!(normalize(" Type 2  Diabetes\r\n"), "type 2 diabetes");
        assert_eq!(normalize_keep_case(" WAS  gene "), "WAS gene");
        assert_eq!(normalize_keep_case("ＷＡＳ\u{a0}x"), "WAS x");
    }

    #[test]
    fn words_and_match_keys() {
        assert_eq!(match_key("Alzheimer's disease"), "alzheimer disease");
        assert_eq!(match_key("Alzheimer\u{2019}s  Disease"), "alzheimer disease");
        assert_eq!(match_key("Alzheimer disease"), "alzheimer disease");
        assert_eq!(match_key("non-small cell lung carcinomas"), "non small cell lung carcinoma");
        assert_eq!(match_key("Kidney Stones"), "kidney stone");
        assert_eq!(match_key("therapies, abscesses; boxes"), "therapy abscess box");
        assert_eq!(match_key("stenosis virus pelvis glass"), "stenosis virus pelvis glass");
        assert_eq!(match_key("ＣＯＶＩＤ-19"), "covid 19");
        assert_eq!(match_key("it's"), "it", "a lone possessive s goes");
        assert_eq!(match_key("Polycystic ovarian syndrome"), match_key("polycystic ovary syndrome"));
        assert_eq!(match_key("Renal failure"), "kidney failure");
        assert_eq!(match_key("Faecal incontinence"), match_key("fecal incontinence"));
        assert_eq!(match_key("Oedema, tumours; diarrhoea"), "edema tumor diarrhea");
        assert_eq!(match_key("hour toe four"), "hour toe four", "short words keep their letters");
        assert!(ORGAN_ADJECTIVES.windows(2).all(|w| w[0].0 < w[1].0), "binary search needs sorted adjectives");
        assert_eq!(match_key("vitamin s"), "vitamin s", "an s that is a word stays");
        let text = "Fièvre. Le  patient’s pains";
        let w = words(text);
        assert_eq!(w.iter().map(|w| w.key.as_str()).collect::<Vec<_>>(), ["fièvre", "le", "patient", "pain"]);
        assert_eq!(w.iter().map(|w| w.after_break).collect::<Vec<_>>(), [false, true, false, false]);
        let chars: Vec<char> = text.chars().collect();
        let last = &w[3];
        assert_eq!(chars[last.char_start..last.char_end].iter().collect::<String>(), "pains");
        assert_eq!(&text[last.start..last.end], "pains");
        assert!(words("").is_empty() && words(" -- ").is_empty());
    }
}
