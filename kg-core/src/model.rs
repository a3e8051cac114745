//! The graph model: typed nodes with a caller-chosen index, and directed labelled edges.
//!
//! One node, four forms, each where it is needed:
//! - [`Node`]: owned strings, as a user or an input file gives it (updates, exports);
//! - [`crate::view::NodeRec`]: type and source interned to [`TermId`]s, what the store and the
//!   view are built from;
//! - [`crate::view::NodeRef`]: borrowed from a view, no copy (queries, rendering);
//! - [`crate::keys::NodeValue`]: the stored encoding, versioned by its variant.
//!
//! The importer's `RawNode` (a parsed row and its line) and `NodeSeen` (a node and where it was
//! first read) and the generator's `NodeGen` are private working forms of the same node.

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
    /// The node's identity: PrimeKG's `x_index`.
    pub index: NodeIndex,
    /// Its identifier in its source (`x_id`).
    pub id: String,
    /// Its type (`x_type`).
    pub node_type: String,
    /// Its name (`x_name`); names are not unique.
    pub name: String,
    /// Where it comes from (`x_source`).
    pub source: String,
}

/// A directed edge as given by a user or an input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edge {
    /// The node the edge leaves (`x_index`).
    pub source: NodeIndex,
    /// The node it enters (`y_index`).
    pub target: NodeIndex,
    /// Its relation (`relation`).
    pub relation: String,
    /// Its display relation (`display_relation`).
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
    /// Terms with these names, ids in order.
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

    /// The id of `name`, if interned.
    pub fn get(&self, name: &str) -> Option<TermId> {
        self.ids.get(name).copied()
    }

    /// The name of `id`.
    pub fn name(&self, id: TermId) -> &str {
        self.names.get(id as usize).map(String::as_str).unwrap_or("")
    }

    /// The number of terms.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True without terms.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Every name, by id.
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
    /// Node types (`x_type`).
    pub node_types: Terms,
    /// Node sources (`x_source`).
    pub sources: Terms,
    /// Relations (`relation`).
    pub relations: Terms,
    /// Display relations (`display_relation`).
    pub display_relations: Terms,
    /// Edge labels: (relation, display relation) pairs. Edges in the view carry a label id.
    pub labels: Vec<(TermId, TermId)>,
    #[serde(skip)]
    label_ids: std::collections::HashMap<(TermId, TermId), LabelId>,
}

impl Vocab {
    /// The label of a (relation, display relation) pair, interned on first use; an error past 65,535 labels.
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

    /// The relation name of `label`.
    pub fn label_relation(&self, label: LabelId) -> &str {
        self.relations.name(self.labels[label as usize].0)
    }

    /// The display relation of `label`.
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

    /// The stored bytes (postcard).
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("vocab serialises")
    }

    /// Decodes stored bytes; an error naming `what` if they are damaged.
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
