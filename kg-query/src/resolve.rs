//! From what a user typed to a node: an index, or an exact name.

use kg_core::{GraphView, NodeIndex};

use crate::error::{QueryError, Result};

/// `text` as a node index if it is all digits, else the node with exactly that name; if no
/// name matches exactly, the nodes whose name matches ignoring case. Several matches are
/// [`QueryError::Ambiguous`] with the candidates.
pub fn resolve(view: &GraphView, text: &str) -> Result<NodeIndex> {
    let t = text.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let n: NodeIndex = t.parse().map_err(|_| QueryError::InvalidArgument(format!("node index {t:?} is too large")))?;
        return if view.contains(n) { Ok(n) } else { Err(QueryError::UnknownNode(n)) };
    }
    let candidates = find_by_name(view, t);
    match candidates.len() {
        0 => Err(QueryError::UnknownNodeName(t.to_owned())),
        1 => Ok(candidates[0]),
        _ => Err(QueryError::Ambiguous { name: t.to_owned(), candidates }),
    }
}

/// Nodes named exactly `name`, else those named so ignoring case.
pub fn find_by_name(view: &GraphView, name: &str) -> Vec<NodeIndex> {
    let exact: Vec<NodeIndex> = view.nodes().filter(|&n| view.name(n) == name).collect();
    if !exact.is_empty() {
        return exact;
    }
    let lower = name.to_lowercase();
    view.nodes().filter(|&n| view.name(n).to_lowercase() == lower).collect()
}
