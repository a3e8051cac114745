//! Entity extraction without a model: the node names written in a free text, found by walking
//! an FST of name match keys ([`kg_core::text::match_key`]) word by word from every word of
//! the text, keeping the longest non-overlapping matches that pass the guards below.
//!
//! Guards, each against a false match seen in medical questions:
//! - a name without spaces whose case says it is a symbol (any gene/protein, or a name in
//!   capitals: `WAS`, `SET`, `CAMP`) matches only in the case written, and not inside a
//!   run of capitals (a heading);
//! - a common English word ([`STOP_WORDS`]) on its own never matches another kind of name;
//! - a name shorter than three characters matches only where the text writes it in capitals,
//!   and one of one character never;
//! - a clinical phrase ([`STOP_PHRASES`]: `blood pressure`) holds its words, unreported;
//! - a name of several words does not run across a comma, semicolon or colon of the text
//!   (`cough, increased`) unless it has one itself;
//! - a one-word name right after a short all-capitals word that is not itself a match is that
//!   word's compound (`ST depression`, `ST-segment depression`, `T cell`), not the name,
//!   unless the word is a route of giving a drug ([`ROUTES`]: `IM epinephrine`);
//! - an abbreviation in parentheses spelled by the initials of the words before it
//!   (`number needed to treat (NNT)`) abbreviates them, and is no gene symbol;
//! - the optional fuzzy match is for single long words and edits inside them, not endings
//!   (`influenzae` is not `influenza`).

use fst::raw::{Fst, Output};
use fst::{IntoStreamer, Map, Streamer};
use kg_core::text::{Word, match_key, normalize, normalize_keep_case, words};
use kg_core::{GraphView, NodeIndex, TermId};
use levenshtein_automata::Distance;

use crate::error::IndexError;
use crate::node_lists::{self, NodeLists};
use crate::names::{lev_builder, node_type_id};

/// English function words and words common in clinical questions. On their own they match only
/// a symbol written in its own case.
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "again", "against", "all", "also", "an", "and", "any", "are", "as", "at", "be", "because", "been",
    "before", "being", "between", "both", "boy", "but", "by", "can", "cause", "cell", "change", "condition", "could", "day", "decrease",
    "diagnosis", "did", "disease", "do", "doe", "doing", "down", "during", "each", "examination", "few", "finding",
    "following", "for", "from", "further", "girl", "had", "has", "have", "having", "he", "her", "here", "him", "his",
    "history", "hour", "how", "i", "if", "in", "increase", "into", "is", "it", "its", "just", "large", "last", "least", "left",
    "less", "level", "likely", "made", "make", "man", "many", "max", "may", "me", "might", "month", "more", "most", "much",
    "must", "my", "new", "next", "no", "nor", "normal", "not", "now", "of", "off", "old", "on", "once", "one", "only", "or",
    "other", "our", "out", "over", "own", "patient", "per", "presence", "present", "rate", "rest", "result", "right", "same",
    "set", "she", "should", "show", "shown", "since", "so", "some", "such", "test", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "those", "three", "through", "time", "to", "too", "two", "type", "under", "until",
    "up", "upon", "use", "used", "very", "via", "was", "we", "week", "were", "what", "when", "where", "which", "while",
    "who", "whom", "why", "will", "with", "within", "without", "woman", "would", "year", "yes", "you", "your",
];

/// Clinical phrases that are not the names inside them (`blood pressure` is no mention of
/// blood): they hold their words as a longer match would, and are not reported. A node of
/// the same name is matched as usual.
pub const STOP_PHRASES: &[&str] = &[
    "alanine aminotransferase", "alanine transaminase", "alanine transferase", "aspartate aminotransferase", "aspartate transaminase", "blood cell", "blood count", "blood pressure", "body mass index", "emergency department", "family history", "heart rate",
    "medical history", "mm hg", "oxygen saturation", "physical examination", "pulse oximetry", "respiratory rate", "room air",
    "urea nitrogen", "vital sign",
];

/// Routes of giving a drug, written before its name (`IV ceftriaxone`): no compound heads.
pub const ROUTES: &[&str] = &["IM", "IO", "IV", "PO", "SC", "SL", "SQ"];

/// How a mention matched its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    /// The text equals the name up to case, width and spacing.
    Exact,
    /// Equal once punctuation, possessives and plurals are folded away.
    Folded,
    /// Within this many edits of a one-word name.
    Fuzzy(u8),
}

impl MatchKind {
    /// `"exact"`, `"folded"` or `"fuzzy"`.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Exact => "exact",
            MatchKind::Folded => "folded",
            MatchKind::Fuzzy(_) => "fuzzy",
        }
    }
}

/// A node name found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Character offset of the mention's first character (Python's string index).
    pub start: usize,
    /// Character offset after its last character.
    pub end: usize,
    /// The text as written.
    pub text: String,
    /// The name matched, as the first node bears it.
    pub name: String,
    /// Every node of that name (of the types asked for) that the guards let through.
    pub nodes: Vec<NodeIndex>,
    /// How it matched.
    pub how: MatchKind,
}

/// What [`Dictionary::extract`] looks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtractOptions {
    /// Only names of nodes of these types (all types when `None`).
    pub node_types: Option<Vec<String>>,
    /// Also match single words of eight or more letters within one edit (two from twelve
    /// letters) of a one-word name.
    pub fuzzy: bool,
}

/// Node names by match key, for extraction.
#[derive(Debug)]
pub struct Dictionary {
    map: Map<Vec<u8>>,
    lists: NodeLists,
    gene_type: Option<TermId>,
}

/// The FST value of a [`STOP_PHRASES`] key.
const STOP_PHRASE: u64 = node_lists::NO_NODES;

/// A match found while scanning: words `first..last` (inclusive) and the name's ordinal.
#[derive(Debug, Clone)]
struct Candidate {
    first: usize,
    last: usize,
    nodes: Vec<NodeIndex>,
    how: MatchKind,
}

impl Dictionary {
    /// The match keys of every node name of `view`.
    pub fn build(view: &GraphView) -> Self {
        Self::with_synonyms(view, &[])
    }

    /// The match keys of every node name of `view` and of its nodes' `synonyms`. Texts write
    /// some names in two ways, and both are keys: a stereo prefix is optional (`L-Alanine`,
    /// `alanine`), and a gene symbol of letters and digits may be hyphenated (`IL4`, `IL-4`).
    pub fn with_synonyms(view: &GraphView, synonyms: &[(NodeIndex, String)]) -> Self {
        let gene_type = view.vocab().node_types.get("gene/protein");
        let mut pairs: Vec<(String, Option<NodeIndex>)> = view
            .nodes()
            .flat_map(|n| {
                let name = view.name(n);
                let hyphenated = if Some(view.type_id(n)) == gene_type { hyphenated_symbol(name) } else { None };
                [Some(match_key(name)), without_stereo_prefix(name).map(match_key), hyphenated].into_iter().flatten().map(move |k| (k, Some(n)))
            })
            .filter(|(k, _)| !k.is_empty())
            .collect();
        pairs.extend(synonyms.iter().filter(|(n, _)| view.contains(*n)).map(|(n, s)| (match_key(s), Some(*n))).filter(|(k, _)| !k.is_empty()));
        pairs.extend(STOP_PHRASES.iter().map(|p| (match_key(p), None)));
        pairs.sort_unstable();
        pairs.dedup();
        let (bytes, lists) = node_lists::build(&pairs);
        let map = Map::new(bytes).expect("a freshly built FST");
        Dictionary { map, lists, gene_type }
    }

    /// Distinct match keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no node has a name.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn postings(&self, ordinal: u64) -> &[NodeIndex] {
        self.lists.get(ordinal)
    }

    /// The node types `options` asks for, resolved; an unknown one is an error naming it.
    fn types(view: &GraphView, options: &ExtractOptions) -> Result<Option<Vec<TermId>>, IndexError> {
        let Some(names) = &options.node_types else { return Ok(None) };
        names.iter().map(|t| node_type_id(view, t)).collect::<Result<Vec<_>, _>>().map(Some)
    }

    /// The nodes whose name has the match key of `name` (plurals, punctuation and case
    /// folded), of `node_types` when given: a name handed over whole, by a user or a model,
    /// rather than found in a text. No guards apply.
    pub fn lookup(&self, view: &GraphView, name: &str, node_types: Option<&[String]>) -> Result<Vec<NodeIndex>, IndexError> {
        let types = Self::types(view, &ExtractOptions { node_types: node_types.map(<[String]>::to_vec), fuzzy: false })?;
        Ok(match self.map.get(match_key(name)) {
            Some(ordinal) if ordinal != STOP_PHRASE => {
                self.postings(ordinal).iter().copied().filter(|&n| types.as_ref().is_none_or(|t| t.contains(&view.type_id(n)))).collect()
            }
            _ => Vec::new(),
        })
    }

    /// The node names in `text`, in text order, none overlapping.
    pub fn extract(&self, view: &GraphView, text: &str, options: &ExtractOptions) -> Result<Vec<Mention>, IndexError> {
        let types = Self::types(view, options)?;
        let words = words(text);
        let mut found = Vec::new();
        let fst = self.map.as_fst();
        for first in 0..words.len() {
            self.walk(fst, view, text, &words, first, types.as_deref(), &mut found);
        }
        // Longest first (in words, then characters), then leftmost; a word belongs to one mention.
        let chars = |c: &Candidate| words[c.last].char_end - words[c.first].char_start;
        found.sort_by(|a, b| (b.last - b.first).cmp(&(a.last - a.first)).then(chars(b).cmp(&chars(a))).then(a.first.cmp(&b.first)));
        let mut owner: Vec<Option<usize>> = vec![None; words.len()];
        let mut kept: Vec<Candidate> = Vec::new();
        for c in found {
            if owner[c.first..=c.last].iter().all(Option::is_none) {
                owner[c.first..=c.last].iter_mut().for_each(|o| *o = Some(kept.len()));
                kept.push(c);
            }
        }
        if options.fuzzy {
            for (i, o) in owner.iter_mut().enumerate() {
                if o.is_none()
                    && let Some(c) = self.fuzzy(view, text, &words, i, types.as_deref())
                {
                    *o = Some(kept.len());
                    kept.push(c);
                }
            }
        }
        kept.retain(|c| !c.nodes.is_empty() && !self.is_compound_tail(view, text, &words, &owner, c));
        kept.sort_by_key(|c| c.first);
        Ok(kept
            .into_iter()
            .map(|c| {
                let (a, b) = (&words[c.first], &words[c.last]);
                Mention { start: a.char_start, end: b.char_end, text: text[a.start..b.end].to_owned(), name: view.name(c.nodes[0]).to_owned(), nodes: c.nodes, how: c.how }
            })
            .collect())
    }

    /// Every name starting at word `first`, as far as the FST has keys going on.
    #[allow(clippy::too_many_arguments)]
    fn walk(&self, fst: &Fst<Vec<u8>>, view: &GraphView, text: &str, words: &[Word], first: usize, types: Option<&[TermId]>, found: &mut Vec<Candidate>) {
        let mut node = fst.root();
        let mut out = Output::zero();
        for last in first..words.len() {
            if last > first && words[last].after_break {
                return;
            }
            let sep: &[u8] = if last > first { b" " } else { b"" };
            for &b in sep.iter().chain(words[last].key.as_bytes()) {
                match node.find_input(b) {
                    Some(i) => {
                        let t = node.transition(i);
                        out = out.cat(t.out);
                        node = fst.node(t.addr);
                    }
                    None => return,
                }
            }
            if node.is_final() {
                let ordinal = out.cat(node.final_output()).value();
                if ordinal == STOP_PHRASE {
                    found.push(Candidate { first, last, nodes: Vec::new(), how: MatchKind::Exact });
                } else if let Some(c) = self.candidate(view, text, words, first, last, self.postings(ordinal), types) {
                    found.push(c);
                }
            }
        }
    }

    /// The nodes of a matched name that pass the guards for the text at words `first..=last`.
    #[allow(clippy::too_many_arguments)]
    fn candidate(&self, view: &GraphView, text: &str, words: &[Word], first: usize, last: usize, postings: &[NodeIndex], types: Option<&[TermId]>) -> Option<Candidate> {
        let surface = &text[words[first].start..words[last].end];
        let one_word = first == last;
        // A comma, semicolon or colon in the text ends a name, unless the name has one too
        // (`cough, increased` is no mention of Cough increased).
        let has_clause_break = |s: &str| s.contains([',', ';', ':']);
        let across_clauses = !one_word && has_clause_break(surface);
        let stop_word = one_word && STOP_WORDS.binary_search(&words[first].key.as_str()).is_ok();
        let capitals = is_capitals(surface);
        let letters = words[first].key.chars().count();
        let short = one_word && letters < 3;
        let in_heading = (first > 0 && is_capitals(&text[words[first - 1].start..words[first - 1].end]) && words[first - 1].key.len() > 1)
            || (last + 1 < words.len() && is_capitals(&text[words[last + 1].start..words[last + 1].end]) && words[last + 1].key.len() > 1);
        let exact_case = normalize_keep_case(surface);
        let defined_here = one_word && defines_abbreviation(text, words, first);
        let nodes: Vec<NodeIndex> = postings
            .iter()
            .copied()
            .filter(|&n| types.is_none_or(|t| t.contains(&view.type_id(n))))
            .filter(|&n| !across_clauses || has_clause_break(view.name(n)))
            .filter(|&n| {
                if one_word && letters < 2 {
                    false // a letter is a letter: `T cell`, `troponin T`, `T 37.6 C`
                } else if self.is_symbol(view, n) {
                    same_symbol(view.name(n), &exact_case) && !(stop_word && in_heading) && !defined_here
                } else {
                    !stop_word && (!short || capitals)
                }
            })
            .collect();
        if nodes.is_empty() {
            return None;
        }
        // Nodes named as written come first: their name is the mention's.
        let lower = normalize(surface);
        let mut nodes = nodes;
        nodes.sort_by_key(|&n| normalize(view.name(n)) != lower);
        let how = if normalize(view.name(nodes[0])) == lower { MatchKind::Exact } else { MatchKind::Folded };
        Some(Candidate { first, last, nodes, how })
    }

    /// True for a one-word, non-symbol match right after a short unmatched word in capitals:
    /// the tail of that word's compound (`ST depression`, `T cell`), not the name.
    fn is_compound_tail(&self, view: &GraphView, text: &str, words: &[Word], owner: &[Option<usize>], c: &Candidate) -> bool {
        let i = c.first;
        if c.last != i || i == 0 || words[i].after_break {
            return false;
        }
        let abbreviation = |j: usize| {
            let word = &text[words[j].start..words[j].end];
            owner[j].is_none() && is_abbreviation(word) && !ROUTES.contains(&word)
        };
        // `ST depression`, or with a hyphenated modifier between: `ST-segment depression`.
        let hyphenated = i >= 2 && !words[i - 1].after_break && &text[words[i - 2].end..words[i - 1].start] == "-" && abbreviation(i - 2);
        if !(abbreviation(i - 1) || hyphenated) {
            return false;
        }
        let surface = normalize_keep_case(&text[words[i].start..words[i].end]);
        !c.nodes.iter().any(|&n| self.is_symbol(view, n) && normalize_keep_case(view.name(n)) == surface)
    }

    /// A name that matches only in its own case: any gene/protein, or a one-word name in capitals.
    fn is_symbol(&self, view: &GraphView, n: NodeIndex) -> bool {
        let name = view.name(n);
        !name.contains(char::is_whitespace) && (Some(view.type_id(n)) == self.gene_type || is_capitals(name))
    }

    /// The one-word name within an edit or two of word `i`, if exactly one is closest.
    fn fuzzy(&self, view: &GraphView, text: &str, words: &[Word], i: usize, types: Option<&[TermId]>) -> Option<Candidate> {
        let key = &words[i].key;
        let letters = key.chars().count();
        if letters < 8 || !key.chars().all(char::is_alphabetic) || STOP_WORDS.binary_search(&key.as_str()).is_ok() {
            return None;
        }
        let distance = if letters >= 12 { 2 } else { 1 };
        let dfa = lev_builder(distance).build_dfa(key);
        let mut stream = self.map.search(&dfa).into_stream();
        let mut best: Option<(u8, u64)> = None;
        let mut tied = false;
        while let Some((k, ordinal)) = stream.next() {
            let Ok(k) = std::str::from_utf8(k) else { continue };
            // One word, same first letter, same last two: a typo inside the word, not another
            // ending (`influenzae` is another word than `influenza`).
            if k.contains(' ') || k.chars().next() != key.chars().next() || !k.chars().rev().take(2).eq(key.chars().rev().take(2)) {
                continue;
            }
            let Distance::Exact(d) = dfa.eval(k) else { continue };
            match best {
                Some((b, _)) if d > b => {}
                Some((b, _)) if d == b => tied = true,
                _ => {
                    best = Some((d, ordinal));
                    tied = false;
                }
            }
        }
        let (d, ordinal) = best.filter(|_| !tied)?;
        let c = self.candidate(view, text, words, i, i, self.postings(ordinal), types)?;
        // The guards judged the text; a symbol never matches a misspelling.
        Some(Candidate { how: MatchKind::Fuzzy(d), ..c })
    }
}

/// True when word `i` is an abbreviation in parentheses defined by the words just before
/// them, as in `number needed to treat (NNT)`: its letters are their initials, small words
/// skipped. It abbreviates that phrase and is not a symbol of the same letters.
fn defines_abbreviation(text: &str, words: &[Word], i: usize) -> bool {
    const SKIPPED: &[&str] = &["and", "for", "in", "of", "the", "to"];
    let (before, after) = (&text[..words[i].start], &text[words[i].end..]);
    if !before.trim_end().ends_with('(') || !after.trim_start().starts_with(')') {
        return false;
    }
    let letters: Vec<char> = text[words[i].start..words[i].end].chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
    let mut needed = letters.iter().rev().peekable();
    let mut j = i;
    while needed.peek().is_some() && j > 0 && !words[j].after_break {
        j -= 1;
        let key = &words[j].key;
        if SKIPPED.contains(&key.as_str()) {
            continue;
        }
        match key.chars().next() {
            Some(first) if Some(&&first) == needed.peek() => {
                needed.next();
            }
            _ => return false,
        }
    }
    needed.peek().is_none() && letters.len() >= 2
}

/// A gene symbol of two or more capitals and then digits, split there: `("IL", "4")` for
/// `IL4`; None for any other name.
fn symbol_parts(name: &str) -> Option<(&str, &str)> {
    let (letters, number) = name.split_at(name.find(|c: char| c.is_ascii_digit())?);
    let fits = letters.len() >= 2 && letters.bytes().all(|b| b.is_ascii_uppercase()) && number.bytes().all(|b| b.is_ascii_digit());
    fits.then_some((letters, number))
}

/// The match key of such a symbol written with a hyphen between its parts: `il 4` for `IL4`
/// (the text `IL-4`).
fn hyphenated_symbol(name: &str) -> Option<String> {
    symbol_parts(name).map(|(letters, number)| format!("{} {number}", letters.to_ascii_lowercase()))
}

/// True when the text writes the symbol `name` in its case, as it is or with a hyphen or a
/// space between its parts (`IL-4` for `IL4`). `surface` is case-kept normalised.
fn same_symbol(name: &str, surface: &str) -> bool {
    let name = normalize_keep_case(name);
    name == surface
        || symbol_parts(&name).is_some_and(|(letters, number)| {
            surface.strip_prefix(letters).and_then(|rest| rest.strip_prefix(['-', ' '])) == Some(number)
        })
}

/// `Alanine` for `L-Alanine` (also `D-`, `DL-`); None for a name without such a prefix.
fn without_stereo_prefix(name: &str) -> Option<&str> {
    let rest = ["L-", "D-", "DL-"].iter().find_map(|p| name.strip_prefix(p))?;
    rest.starts_with(char::is_alphabetic).then_some(rest)
}

/// A word of one to four capital letters: an abbreviation.
fn is_abbreviation(word: &str) -> bool {
    (1..=4).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_uppercase())
}

/// Has a capital letter and no small one.
fn is_capitals(s: &str) -> bool {
    s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(names: &[(&str, &str)]) -> GraphView {
        crate::named_view(names)
    }

    const NAMES: &[(&str, &str)] = &[
        ("WAS", "gene/protein"),
        ("SET", "gene/protein"),
        ("REST", "gene/protein"),
        ("CAMP", "gene/protein"),
        ("GC", "gene/protein"),
        ("depression", "disease"),
        ("influenza", "disease"),
        ("Alzheimer's disease", "disease"),
        ("heart", "anatomy"),
        ("heart failure", "disease"),
        ("Pain", "effect/phenotype"),
        ("pain", "effect/phenotype"),
        ("Kidney Stones", "disease"),
        ("cell", "cellular_component"),
        ("Aspirin", "drug"),
        ("Ibuprofen", "drug"),
        ("AIDS", "disease"),
        ("ear", "anatomy"),
        ("multiple sclerosis", "disease"),
        ("sclerosis", "disease"),
        ("T", "gene/protein"),
        ("Oedema", "effect/phenotype"),
        ("edema", "effect/phenotype"),
        ("blood", "anatomy"),
        ("Heart rate", "effect/phenotype"),
        ("L-Alanine", "drug"),
        ("IL4", "gene/protein"),
        ("Cough increased", "effect/phenotype"),
        ("Anemia, Hemolytic", "disease"),
    ];

    fn found(text: &str, options: &ExtractOptions) -> Vec<(String, &'static str, Vec<NodeIndex>)> {
        let v = view(NAMES);
        let d = Dictionary::build(&v);
        d.extract(&v, text, options).unwrap().into_iter().map(|m| (m.text, m.how.as_str(), m.nodes)).collect()
    }

    fn texts(text: &str) -> Vec<String> {
        found(text, &ExtractOptions::default()).into_iter().map(|(t, _, _)| t).collect()
    }

    #[test]
    fn stop_words_sorted_and_folded() {
        assert!(STOP_PHRASES.iter().all(|p| match_key(p) == *p));
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]), "binary search needs sorted, distinct words");
        assert!(STOP_WORDS.iter().all(|w| kg_core::text::fold_word(w) == *w), "stop words are compared as folded words");
    }

    #[test]
    fn gene_symbols_match_only_in_their_case() {
        assert!(texts("The pain was set to rest; max camp.").iter().all(|t| t == "pain"), "{:?}", texts("The pain was set to rest; max camp."));
        assert_eq!(texts("WAS and SET mutations, REST binding, CAMP levels"), ["WAS", "SET", "REST", "CAMP"]);
        assert!(texts("THE PATIENT WAS SEEN").is_empty(), "a stop word in a capitals heading is no symbol");
        assert!(texts("Was he seen? Set it.").is_empty());
        assert!(texts("gc content").is_empty());
        assert_eq!(texts("GC variant"), ["GC"]);
        assert_eq!(texts("AIDS"), ["AIDS"]);
        assert!(texts("hearing aids").is_empty(), "a name in capitals matches only in capitals");
        assert!(texts("the serum enzyme test (SET) is 12").is_empty(), "an abbreviation defined in place is no symbol");
        assert_eq!(texts("a mutation in the SET gene (SET)"), ["SET", "SET"], "initials that do not spell it leave it a symbol");
    }

    #[test]
    fn longest_match_plurals_possessives_and_kinds() {
        let f = found("Heart failure with kidney stones in Alzheimer disease; heart.", &ExtractOptions::default());
        let got: Vec<(&str, &str)> = f.iter().map(|(t, h, _)| (t.as_str(), *h)).collect();
        assert_eq!(got, [("Heart failure", "exact"), ("kidney stones", "exact"), ("Alzheimer disease", "folded"), ("heart", "exact")]);
        let pains = found("Pains of multiple sclerosis", &ExtractOptions::default());
        assert_eq!(pains[0].2, vec![10, 11], "both nodes named pain");
        assert_eq!(pains[0].1, "folded");
        assert_eq!(pains[1].0, "multiple sclerosis", "the longest name wins over the one inside it");
        assert!(texts("heart. failure").contains(&"heart".to_owned()) && !texts("heart. failure").iter().any(|t| t.contains("failure")));
        assert_eq!(texts("Cough increased; cough, increased; anemia, hemolytic"), ["Cough increased", "anemia, hemolytic"], "a comma ends a name without one");
    }

    #[test]
    fn synonyms_are_found_in_text_as_their_node() {
        let v = view(NAMES);
        let d = Dictionary::with_synonyms(&v, &[(11, "aching".to_owned()), (1, "Sets".to_owned()), (99, "phantom".to_owned())]);
        let m = d.extract(&v, "Aching after a phantom limb", &ExtractOptions::default()).unwrap();
        assert_eq!(m.iter().map(|m| (m.text.as_str(), m.nodes.clone())).collect::<Vec<_>>(), [("Aching", vec![11])]);
    }

    #[test]
    fn spellings_meet_and_the_name_as_written_leads() {
        let f = found("oedema, then edemas", &ExtractOptions::default());
        let first: Vec<(&str, &str)> = f.iter().map(|(t, h, _)| (t.as_str(), *h)).collect();
        assert_eq!(first, [("oedema", "exact"), ("edemas", "folded")]);
        let v = view(NAMES);
        let d = Dictionary::build(&v);
        let m = d.extract(&v, "Oedema and edema", &ExtractOptions::default()).unwrap();
        assert_eq!((m[0].name.as_str(), m[1].name.as_str()), ("Oedema", "edema"));
        assert_eq!(m[0].nodes.len(), 2, "both spellings' nodes, the one as written first");
    }

    #[test]
    fn compounds_of_abbreviations_and_short_words() {
        assert!(texts("ECG shows ST depressions").is_empty(), "ST depression is not depression");
        assert!(texts("ECG shows ST-segment depressions").is_empty());
        assert!(texts("T cell counts, T 37.6 C").is_empty(), "{:?}", texts("T cell counts, T 37.6 C"));
        assert_eq!(texts("blood pressure 120/80 mm Hg; blood in stool"), ["blood"]);
        assert_eq!(texts("heart rate"), ["heart rate"], "a node of a stop phrase's name is matched");
        assert_eq!(texts("major depression"), ["depression"]);
        assert_eq!(texts("the ear"), ["ear"]);
        assert_eq!(texts("IM aspirin, then IV ibuprofen"), ["aspirin", "ibuprofen"], "a route is no compound head");
    }

    #[test]
    fn stereo_prefixes_are_optional() {
        let f = found("alanine, then L-alanine", &ExtractOptions::default());
        assert_eq!(f.iter().map(|(t, h, n)| (t.as_str(), *h, n.clone())).collect::<Vec<_>>(), [("alanine", "folded", vec![25]), ("L-alanine", "exact", vec![25])]);
        assert_eq!(texts("alanine aminotransferase 40 U per liter and alanine 2 mg"), ["alanine"], "a lab test is no mention of its amino acid");
        assert_eq!((without_stereo_prefix("DL-Methionine"), without_stereo_prefix("D-5"), without_stereo_prefix("Lactose")), (Some("Methionine"), None, None));
    }

    #[test]
    fn symbols_of_letters_and_digits_may_be_hyphenated() {
        let f = found("IL-4 and IL4 rise; il-4, Il-4 and (IL) 4 are no symbols", &ExtractOptions::default());
        assert_eq!(f.iter().map(|(t, h, n)| (t.as_str(), *h, n.clone())).collect::<Vec<_>>(), [("IL-4", "folded", vec![26]), ("IL4", "exact", vec![26])]);
        assert_eq!((hyphenated_symbol("CASP9"), hyphenated_symbol("HLA-B"), hyphenated_symbol("T1"), hyphenated_symbol("CD4A")), (Some("casp 9".to_owned()), None, None, None));
    }

    #[test]
    fn types_filter_and_offsets_in_characters() {
        let only_drugs = ExtractOptions { node_types: Some(vec!["drug".into()]), ..Default::default() };
        let got = found("Fièvre, pain: aspirin or ibuprofen", &only_drugs);
        assert_eq!(got.iter().map(|g| g.0.as_str()).collect::<Vec<_>>(), ["aspirin", "ibuprofen"]);
        let v = view(NAMES);
        let d = Dictionary::build(&v);
        let text = "Fièvre, pain: aspirin";
        let m = &d.extract(&v, text, &ExtractOptions::default()).unwrap()[1];
        assert_eq!((m.start, m.end, m.name.as_str()), (14, 21, "Aspirin"));
        assert_eq!(text.chars().skip(m.start).take(m.end - m.start).collect::<String>(), "aspirin");
        let bad = ExtractOptions { node_types: Some(vec!["planet".into()]), ..Default::default() };
        let e = d.extract(&v, text, &bad).unwrap_err().to_string();
        assert!(e.contains("planet"), "{e}");
        assert!(d.extract(&v, "", &ExtractOptions::default()).unwrap().is_empty());
    }

    #[test]
    fn lookup_of_whole_names() {
        let v = view(NAMES);
        let d = Dictionary::build(&v);
        assert_eq!(d.lookup(&v, "PAINS", None).unwrap(), vec![10, 11]);
        assert_eq!(d.lookup(&v, "was", None).unwrap(), vec![0], "a name handed over whole is taken as meant");
        assert!(d.lookup(&v, "heart", Some(&["disease".to_owned()])).unwrap().is_empty());
        assert!(d.lookup(&v, "blood pressure", None).unwrap().is_empty(), "a stop phrase names nothing");
        assert!(d.lookup(&v, "x", Some(&["planet".to_owned()])).is_err());
    }

    #[test]
    fn fuzzy_mends_inner_typos_not_endings() {
        let fuzzy = ExtractOptions { fuzzy: true, ..Default::default() };
        let got = found("influnza and Haemophilus influenzae", &fuzzy);
        assert_eq!(got.iter().map(|g| (g.0.as_str(), g.1)).collect::<Vec<_>>(), [("influnza", "fuzzy")]);
        assert!(texts("influnza").is_empty(), "fuzzy is asked for");
    }

    proptest::proptest! {
        /// Any text, however odd its characters, gives mentions in order whose offsets cut out
        /// exactly their text.
        #[test]
        fn any_text_gives_well_formed_mentions(text in "(\\PC|[ .'’-]|WAS|pain|heart failure|Ｆｅｖｅｒ){0,40}", fuzzy: bool) {
            let v = view(NAMES);
            let d = Dictionary::build(&v);
            let found = d.extract(&v, &text, &ExtractOptions { fuzzy, ..Default::default() }).unwrap();
            let chars: Vec<char> = text.chars().collect();
            let mut end = 0;
            for m in found {
                proptest::prop_assert!(m.start >= end && m.start < m.end && m.end <= chars.len());
                proptest::prop_assert_eq!(chars[m.start..m.end].iter().collect::<String>(), m.text);
                proptest::prop_assert!(!m.nodes.is_empty());
                end = m.end;
            }
        }
    }
}
