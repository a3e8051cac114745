//! A node's card: what an LLM asks for mid-reasoning ("what do we know about X?"). Its
//! neighbours grouped by relation and direction, each group with its count and its most
//! specific members first (fewest edges of their own: "Dravet syndrome" before "Seizure"),
//! rendered as compact text within a token budget.

use std::collections::BTreeMap;

use kg_core::{GraphView, NodeIndex};
use serde::Serialize;

use crate::error::{QueryError, Result};

/// Tokens are counted as characters / 4, the usual rule of thumb for English text.
pub const CHARS_PER_TOKEN: usize = 4;

/// One relation of a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardGroup {
    /// The relation.
    pub relation: String,
    /// "out" (the node is the edge's source) or "in".
    pub direction: &'static str,
    /// Neighbours in the group, all of them.
    pub count: usize,
    /// The members shown, most specific first.
    pub shown: Vec<NodeIndex>,
}

/// A node's card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Card {
    /// The node.
    pub node: NodeIndex,
    /// Its relations, smallest group first (the most telling), then by name.
    pub groups: Vec<CardGroup>,
    /// The rendered text, within the budget.
    pub text: String,
}

/// The card of `node`, its text within `max_tokens` (at least the heading is always given).
pub fn card(view: &GraphView, node: NodeIndex, max_tokens: usize) -> Result<Card> {
    let me = view.node(node).ok_or(QueryError::UnknownNode(node))?;
    let vocab = view.vocab();
    let mut groups: BTreeMap<(String, &'static str), Vec<NodeIndex>> = BTreeMap::new();
    for (direction, (targets, labels)) in [("out", view.out_edges(node)), ("in", view.in_edges(node))] {
        for (&m, &l) in targets.iter().zip(labels) {
            let members = groups.entry((vocab.label_relation(l).to_owned(), direction)).or_default();
            if members.last() != Some(&m) {
                members.push(m);
            }
        }
    }
    let mut groups: Vec<CardGroup> = groups
        .into_iter()
        .map(|((relation, direction), mut members)| {
            members.sort_unstable();
            members.dedup();
            members.sort_by_key(|&m| (view.degree(m), m));
            CardGroup { relation, direction, count: members.len(), shown: members }
        })
        .collect();
    groups.sort_by(|a, b| a.count.cmp(&b.count).then_with(|| a.relation.cmp(&b.relation)));

    let budget = max_tokens.saturating_mul(CHARS_PER_TOKEN);
    let mut text = format!("{} ({}; {})", me.name, me.node_type, me.id);
    for g in &mut groups {
        let arrow = if g.direction == "out" { "->" } else { "<-" };
        let head = format!("\n{} {} ({}):", g.relation, arrow, g.count);
        if text.len() + head.len() + 8 > budget {
            g.shown.clear();
            continue;
        }
        text.push_str(&head);
        let mut shown = 0;
        for (i, &m) in g.shown.iter().enumerate() {
            let name = view.name(m);
            let piece = if i == 0 { format!(" {name}") } else { format!("; {name}") };
            let rest = g.count - i - 1;
            let tail = if rest > 0 { format!("; +{rest} more") } else { String::new() };
            if text.len() + piece.len() + tail.len() > budget {
                break;
            }
            text.push_str(&piece);
            shown += 1;
        }
        if shown < g.count {
            text.push_str(&format!("{}+{} more", if shown == 0 { " " } else { "; " }, g.count - shown));
        }
        g.shown.truncate(shown);
    }
    Ok(Card { node, groups, text })
}
