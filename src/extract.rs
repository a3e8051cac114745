//! Entity extraction on a [`Graph`]: the node names written in free text, with the extraction
//! dictionary built on first use and kept until an update moves the database on.

use std::sync::Arc;

use kg_index::{Dictionary, ExtractOptions, Mention};
use rayon::prelude::*;

use crate::graph::per_generation;
use crate::{Graph, Result};

impl Graph {
    /// The extraction dictionary of the current generation (built from the names in memory).
    pub fn dictionary(&self) -> Arc<Dictionary> {
        per_generation(&self.dictionary, self.database(), |view, _| Dictionary::with_synonyms(view, self.database().synonyms()))
    }

    /// The node names in `text`, in text order, none overlapping (see [`Dictionary::extract`]).
    pub fn extract(&self, text: &str, options: &ExtractOptions) -> Result<Vec<Mention>> {
        let (dictionary, view) = (self.dictionary(), self.view());
        Ok(dictionary.extract(&view, text, options)?)
    }

    /// [`Graph::extract`] for every text, on all cores; the answers in the order of `texts`.
    pub fn extract_many<S: AsRef<str> + Sync>(&self, texts: &[S], options: &ExtractOptions) -> Result<Vec<Vec<Mention>>> {
        let (dictionary, view) = (self.dictionary(), self.view());
        Ok(texts.par_iter().map(|t| dictionary.extract(&view, t.as_ref(), options)).collect::<std::result::Result<_, _>>()?)
    }
}
