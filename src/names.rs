//! Node names: the name index's life cycle (loaded from its side file, else built and saved)
//! and the one way a name search is asked.

use std::sync::Arc;

use kg_index::{Hit, NameIndex};

use crate::files::NAME_INDEX_FILE;
use crate::graph::per_generation;
use crate::{Error, Graph, Result};

/// How a [`Graph::search_names`] text matches names (all normalised: case, width, spacing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    /// The whole name.
    Exact,
    /// Names starting with the text.
    Prefix,
    /// Names within this many edits (1 or 2).
    Fuzzy(u8),
}

impl NameMatch {
    /// The match asked for by the options the CLI and Python take: `fuzzy` edits (1 or 2), else
    /// `prefix`, else exact. Fuzzy and prefix together are refused: no lookup answers both.
    pub fn from_options(fuzzy: u8, prefix: bool) -> Result<Self> {
        match (fuzzy, prefix) {
            (0, false) => Ok(NameMatch::Exact),
            (0, true) => Ok(NameMatch::Prefix),
            (d, false) => Ok(NameMatch::Fuzzy(d)),
            (_, true) => Err(Error::InvalidArgument("a name search is prefix or fuzzy, not both".into())),
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
            let idx = NameIndex::build(view, stamp);
            if let Some(p) = &file
                && let Err(e) = idx.write_file(p)
            {
                self.warn(&format!("could not save the name index: {e}"));
            }
            idx
        })
    }

    /// Names matching `text`, closest first, at most `limit` (an exact match has one hit), each
    /// with every node bearing it (of `node_type` only, when given).
    pub fn search_names(&self, text: &str, how: NameMatch, node_type: Option<&str>, limit: usize) -> Result<Vec<Hit>> {
        let idx = self.name_index();
        let view = self.view();
        let mut hits = match how {
            NameMatch::Fuzzy(d) => idx.fuzzy(&view, text, d, node_type, limit)?,
            NameMatch::Prefix => idx.prefix(&view, text, node_type, limit)?,
            NameMatch::Exact => {
                let nodes = idx.exact(&view, text, node_type)?;
                if nodes.is_empty() { Vec::new() } else { vec![Hit { key: kg_index::normalize(text), distance: 0, nodes }] }
            }
        };
        hits.truncate(limit);
        Ok(hits)
    }
}
