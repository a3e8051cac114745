//! Query errors. "No path" is an answer, not an error.

use kg_core::NodeIndex;

pub type Result<T, E = QueryError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    #[error("unknown node {0}")]
    UnknownNode(NodeIndex),
    #[error("unknown {kind} {name:?}")]
    UnknownName { kind: &'static str, name: String },
    #[error("name {name:?} matches {} nodes; use an index: {}", candidates.len(), candidates.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "))]
    Ambiguous { name: String, candidates: Vec<NodeIndex> },
    #[error("{0}")]
    InvalidArgument(String),
}
