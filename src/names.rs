//! Node names: the name index's life cycle (loaded from its side file, else built and saved)
//! and the one way a name search is asked.

use std::sync::Arc;

use kg_core::NodeIndex;
use kg_core::text::normalize_keep_case;
use kg_index::{Hit, NameIndex};
use kg_query::QueryError;

use crate::files::NAME_INDEX_FILE;
use crate::graph::per_generation;
use crate::{Error, Graph, Result};

/// How a [`Graph::search_names`] text matches names (all normalised: width, spacing, and case
/// unless the match is case-sensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    /// The whole name.
    Exact,
    /// Names starting with the text.
    Prefix,
    /// Names within this many edits (1 or 2).
    Fuzzy(u8),
    /// The whole name, in the case given: `WAS` finds the gene, `was` does not.
    ExactCase,
    /// Names starting with the text in the case given.
    PrefixCase,
}

impl NameMatch {
    /// The match asked for by the options the CLI and Python take: `fuzzy` edits (1 or 2), else
    /// `prefix`, else exact; case-sensitive if asked. Fuzzy with prefix, or with case, is
    /// refused: no lookup answers both.
    pub fn from_options(fuzzy: u8, prefix: bool, case_sensitive: bool) -> Result<Self> {
        match (fuzzy, prefix, case_sensitive) {
            (0, false, false) => Ok(NameMatch::Exact),
            (0, true, false) => Ok(NameMatch::Prefix),
            (0, false, true) => Ok(NameMatch::ExactCase),
            (0, true, true) => Ok(NameMatch::PrefixCase),
            (d, false, false) => Ok(NameMatch::Fuzzy(d)),
            (_, true, _) => Err(Error::InvalidArgument("a name search is prefix or fuzzy, not both".into())),
            (_, _, true) => Err(Error::InvalidArgument("a case-sensitive name search is exact or prefix, not fuzzy".into())),
        }
    }
}

impl Graph {
    /// The name index of the current generation: from `names.idx` when that file is of this
    /// database and generation, else built from the view and written back (atomically) for the next
    /// process. A damaged file is rebuilt with a warning; a file that cannot be written only
    /// costs the next process the build.
    pub fn name_index(&self) -> Arc<NameIndex> {
        per_generation(&self.names, self.database(), |view, stamp| {
            let file = self.side_file(NAME_INDEX_FILE);
            if let Some(p) = file.as_ref().filter(|p| p.exists()) {
                match NameIndex::load_file(p, stamp) {
                    Ok(Some(idx)) => return idx,
                    Ok(None) => {}
                    Err(e) => self.warn(&e.to_string()),
                }
            }
            let idx = NameIndex::with_synonyms(view, stamp, self.database().synonyms());
            if let Some(p) = &file
                && let Err(e) = idx.write_file(p)
            {
                self.warn(&format!("could not save the name index: {e}"));
            }
            idx
        })
    }

    /// Nodes named `name`, normalised as the name index is (case, width, spacing); when some
    /// bear it in the very case given, only those. A lookup in the name index.
    pub fn find(&self, name: &str) -> Vec<NodeIndex> {
        let idx = self.name_index();
        let view = self.view();
        let nodes = idx.exact(&view, name, None).unwrap_or_default();
        let cased = normalize_keep_case(name);
        let same_case: Vec<NodeIndex> = nodes.iter().copied().filter(|&n| normalize_keep_case(view.name(n)) == cased).collect();
        if same_case.is_empty() { nodes } else { same_case }
    }

    /// What a user typed, as one node: an index if it is all digits, else the node
    /// [`Graph::find`] gives, else the node whose id (`x_id`: `HP:0001250`, `DB00945`) it is;
    /// several are [`QueryError::Ambiguous`], with the candidates.
    pub fn resolve(&self, text: &str) -> Result<NodeIndex> {
        let t = text.trim();
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            let n: NodeIndex = t.parse().map_err(|_| Error::InvalidArgument(format!("node index {t:?} is too large")))?;
            return if self.view().contains(n) { Ok(n) } else { Err(QueryError::UnknownNode(n).into()) };
        }
        let mut candidates = self.find(t);
        if candidates.is_empty() {
            candidates = self.nodes_with_id(t);
        }
        match candidates.len() {
            0 => Err(QueryError::UnknownNodeName(t.to_owned()).into()),
            1 => Ok(candidates[0]),
            _ => Err(QueryError::Ambiguous { name: t.to_owned(), candidates }.into()),
        }
    }

    /// Every text [`Graph::resolve`]d, in order. With `skip_unknown` a text that names no node
    /// is left out; else, and always for one that names several, [`Error::UnresolvedTerms`]
    /// lists each such text with why, so a caller never works on fewer terms than it gave
    /// without saying so.
    pub fn resolve_all<S: AsRef<str>>(&self, texts: &[S], skip_unknown: bool) -> Result<Vec<NodeIndex>> {
        let mut nodes = Vec::with_capacity(texts.len());
        let mut unresolved = Vec::new();
        for text in texts {
            match self.resolve(text.as_ref()) {
                Ok(n) => nodes.push(n),
                Err(Error::Query(QueryError::UnknownNode(_) | QueryError::UnknownNodeName(_))) if skip_unknown => {}
                Err(e) => unresolved.push(format!("{:?} ({e})", text.as_ref())),
            }
        }
        if unresolved.is_empty() { Ok(nodes) } else { Err(Error::UnresolvedTerms(unresolved)) }
    }

    /// Names matching `text`, closest first, at most `limit` (an exact match has one hit), each
    /// with every node bearing it (of `node_type` only, when given). A case-sensitive match
    /// keeps the nodes whose name, width- and space-normalised, matches in the case given.
    pub fn search_names(&self, text: &str, how: NameMatch, node_type: Option<&str>, limit: usize) -> Result<Vec<Hit>> {
        let idx = self.name_index();
        let view = self.view();
        let exact = |cased: bool| -> Result<Vec<Hit>> {
            let mut nodes = idx.exact(&view, text, node_type)?;
            if cased {
                let want = normalize_keep_case(text);
                nodes.retain(|&n| normalize_keep_case(view.name(n)) == want);
            }
            Ok(if nodes.is_empty() || limit == 0 { Vec::new() } else { vec![Hit { key: kg_index::normalize(text), distance: 0, nodes }] })
        };
        let mut hits = match how {
            NameMatch::Fuzzy(d) => idx.fuzzy(&view, text, d, node_type, limit)?,
            NameMatch::Prefix => idx.prefix(&view, text, node_type, limit)?,
            NameMatch::Exact => exact(false)?,
            NameMatch::ExactCase => exact(true)?,
            NameMatch::PrefixCase => {
                // Ask the index for more names until `limit` survive the case filter or none remain.
                let want = normalize_keep_case(text);
                let mut asked = limit.max(1);
                loop {
                    let mut hits = idx.prefix(&view, text, node_type, asked)?;
                    let exhausted = hits.len() < asked;
                    for h in &mut hits {
                        h.nodes.retain(|&n| normalize_keep_case(view.name(n)).starts_with(&want));
                    }
                    hits.retain(|h| !h.nodes.is_empty());
                    if hits.len() >= limit || exhausted {
                        break hits;
                    }
                    asked = asked.saturating_mul(4);
                }
            }
        };
        hits.truncate(limit);
        Ok(hits)
    }
}
