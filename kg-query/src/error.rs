//! Query errors. "No path" is an answer, not an error.

use kg_core::NodeIndex;

/// Result alias of the query layer.
pub type Result<T, E = QueryError> = std::result::Result<T, E>;

/// Everything a path query can refuse. "No path" is an answer, not an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// A node index the view does not hold.
    #[error("unknown node {0}")]
    UnknownNode(NodeIndex),
    /// A node name the view does not hold.
    #[error("no node has the name or id {0:?}")]
    UnknownNodeName(String),
    /// A node type or relation the view does not hold (an argument, not a node).
    #[error("unknown {kind} {name:?}")]
    UnknownTerm {
        /// What was looked for: "node type" or "relation".
        kind: &'static str,
        /// The name given.
        name: String,
    },
    /// A name several nodes bear, where one node was needed.
    #[error("name {name:?} matches {} nodes; use an index: {}", candidates.len(), candidates.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "))]
    Ambiguous {
        /// The name given.
        name: String,
        /// Every node bearing it.
        candidates: Vec<NodeIndex>,
    },
    /// The caller's [`Stop`](crate::engine::Stop) asked the work to end (Ctrl-C, say).
    #[error("interrupted")]
    Interrupted,
    /// An argument out of range, or constraints that do not fit together.
    #[error("{0}")]
    InvalidArgument(String),
}
