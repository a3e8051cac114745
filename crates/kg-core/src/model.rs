//! The graph model: typed nodes with a caller-chosen index, and directed labelled edges.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A node's identity: PrimeKG's `x_index`. Names are not unique; indices are.
pub type NodeIndex = u32;

/// Dense id of an interned string (node type, relation, display relation, source).
pub type TermId = u16;

/// Dense id of a (relation, display relation) pair: the label carried by an edge in the view.
pub type LabelId = u16;

/// The largest node index kgcore accepts. Slots are dense arrays, so indices must be too.
pub const MAX_NODE_INDEX: NodeIndex = u32::MAX - 1;

/// A node as given by a user or an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    pub index: NodeIndex,
    pub id: String,
    pub node_type: String,
    pub name: String,
    pub source: String,
}

/// A directed edge as given by a user or an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    pub source: NodeIndex,
    pub target: NodeIndex,
    pub relation: String,
    pub display_relation: String,
}

/// Interned strings of one kind, with ids in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    names: Vec<String>,
    #[serde(skip)]
    ids: std::collections::HashMap<String, TermId>,
}

impl Terms {
    pub fn from_names(names: Vec<String>) -> Self {
        let ids = names.iter().enumerate().map(|(i, n)| (n.clone(), i as TermId)).collect();
        Terms { names, ids }
    }

    /// The id of `name`, interning it if new. `kind` names the vocabulary in the error.
    pub fn intern(&mut self, name: &str, kind: &str) -> Result<TermId> {
        if let Some(&id) = self.ids.get(name) {
            return Ok(id);
        }
        if self.names.len() > TermId::MAX as usize {
            return Err(Error::InvalidInput(format!(
                "too many distinct {kind} values: kgcore supports at most {}",
                TermId::MAX as usize + 1
            )));
        }
        let id = self.names.len() as TermId;
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        Ok(id)
    }

    pub fn get(&self, name: &str) -> Option<TermId> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, id: TermId) -> &str {
        self.names.get(id as usize).map(String::as_str).unwrap_or("")
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Rebuilds the lookup map after deserialisation.
    fn reindex(&mut self) {
        self.ids = self.names.iter().enumerate().map(|(i, n)| (n.clone(), i as TermId)).collect();
    }
}

/// Every interned vocabulary of a database.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vocab {
    pub node_types: Terms,
    pub sources: Terms,
    pub relations: Terms,
    pub display_relations: Terms,
    /// Edge labels: (relation, display relation) pairs. Edges in the view carry a label id.
    pub labels: Vec<(TermId, TermId)>,
    #[serde(skip)]
    label_ids: std::collections::HashMap<(TermId, TermId), LabelId>,
}

impl Vocab {
    pub fn label(&mut self, relation: TermId, display: TermId) -> Result<LabelId> {
        if let Some(&id) = self.label_ids.get(&(relation, display)) {
            return Ok(id);
        }
        if self.labels.len() > LabelId::MAX as usize {
            return Err(Error::InvalidInput(format!(
                "too many distinct (relation, display_relation) pairs: kgcore supports at most {}",
                LabelId::MAX as usize + 1
            )));
        }
        let id = self.labels.len() as LabelId;
        self.labels.push((relation, display));
        self.label_ids.insert((relation, display), id);
        Ok(id)
    }

    pub fn label_relation(&self, label: LabelId) -> &str {
        self.relations.name(self.labels[label as usize].0)
    }

    pub fn label_display(&self, label: LabelId) -> &str {
        self.display_relations.name(self.labels[label as usize].1)
    }

    /// Labels whose relation (or display relation) is `name`.
    pub fn labels_named(&self, name: &str) -> Vec<LabelId> {
        let rel = self.relations.get(name);
        let disp = self.display_relations.get(name);
        (0..self.labels.len() as LabelId)
            .filter(|&l| {
                let (r, d) = self.labels[l as usize];
                Some(r) == rel || Some(d) == disp
            })
            .collect()
    }

    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("vocab serialises")
    }

    pub fn decode(bytes: &[u8], what: &str) -> Result<Self> {
        let mut v: Vocab = postcard::from_bytes(bytes)
            .map_err(|e| Error::corruption(what, format!("vocabulary does not decode: {e}")))?;
        for t in [&mut v.node_types, &mut v.sources, &mut v.relations, &mut v.display_relations] {
            t.reindex();
        }
        for &(r, d) in &v.labels {
            if r as usize >= v.relations.len() || d as usize >= v.display_relations.len() {
                return Err(Error::corruption(what, "edge label refers to an unknown relation"));
            }
        }
        v.label_ids = v.labels.iter().enumerate().map(|(i, &p)| (p, i as LabelId)).collect();
        Ok(v)
    }
}
