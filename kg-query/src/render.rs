//! Paths as text: MedReason's prompt lines, a labelled form with types and relations, and JSON.

use kg_core::{GraphView, LabelId, NodeIndex};
use serde::Serialize;

use crate::filter::ResolvedConstraints;

/// One step of a path, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// The label (relation, display relation) of the edge crossed.
    pub label: LabelId,
    /// An edge is stored from the earlier node to the later one.
    pub forward: bool,
    /// An edge is stored from the later node to the earlier one.
    pub backward: bool,
}

/// The stored edge behind each step of `path` (a label allowed by `constraints`, preferring one
/// stored both ways).
pub fn hops(view: &GraphView, constraints: &ResolvedConstraints, path: &[NodeIndex]) -> Vec<Option<Hop>> {
    path.windows(2)
        .map(|w| {
            let fwd: Vec<LabelId> = view.labels_between(w[0], w[1]).iter().copied().filter(|&l| constraints.label_ok(l)).collect();
            let bwd: Vec<LabelId> = if constraints.directed {
                Vec::new()
            } else {
                view.labels_between(w[1], w[0]).iter().copied().filter(|&l| constraints.label_ok(l)).collect()
            };
            if let Some(&l) = fwd.iter().find(|l| bwd.contains(l)) {
                return Some(Hop { label: l, forward: true, backward: true });
            }
            fwd.first()
                .map(|&l| Hop { label: l, forward: true, backward: false })
                .or_else(|| bwd.first().map(|&l| Hop { label: l, forward: false, backward: true }))
        })
        .collect()
}

/// MedReason's prompt format: `1:fever->ceftriaxone->gonorrhea`, one path a line.
pub fn medreason<S: AsRef<str>>(paths: &[Vec<S>]) -> String {
    let mut out = String::new();
    for (i, p) in paths.iter().enumerate() {
        out.push_str(&format!("{}:", i + 1));
        for (j, n) in p.iter().enumerate() {
            if j > 0 {
                out.push_str("->");
            }
            out.push_str(&n.as_ref().to_lowercase());
        }
        out.push('\n');
    }
    out
}

/// MedReason's format for paths of node indices.
pub fn medreason_nodes(view: &GraphView, paths: &[Vec<NodeIndex>]) -> String {
    let named: Vec<Vec<&str>> = paths.iter().map(|p| p.iter().map(|&n| view.name(n)).collect()).collect();
    medreason(&named)
}

/// `Fever (effect/phenotype) -[indication]- Ceftriaxone (drug)`: `-[r]-` for an edge stored
/// both ways, `-[r]->` or `<-[r]-` for one way.
pub fn labelled(view: &GraphView, constraints: &ResolvedConstraints, path: &[NodeIndex]) -> String {
    let node = |n: NodeIndex| match view.node(n) {
        Some(r) => format!("{} ({})", r.name, r.node_type),
        None => format!("#{n}"),
    };
    let mut out = node(path[0]);
    for (w, hop) in path.windows(2).zip(hops(view, constraints, path)) {
        let arrow = match hop {
            Some(h) => {
                let r = view.vocab().label_display(h.label);
                match (h.forward, h.backward) {
                    (true, true) => format!(" -[{r}]- "),
                    (true, false) => format!(" -[{r}]-> "),
                    _ => format!(" <-[{r}]- "),
                }
            }
            None => " -- ".to_owned(),
        };
        out.push_str(&arrow);
        out.push_str(&node(w[1]));
    }
    out
}

/// A path as JSON: its nodes with names and types, and its steps with relations.
pub fn path_json(view: &GraphView, constraints: &ResolvedConstraints, path: &[NodeIndex]) -> serde_json::Value {
    let nodes: Vec<serde_json::Value> = path
        .iter()
        .map(|&n| {
            let r = view.node(n);
            serde_json::json!({
                "index": n,
                "name": r.map(|r| r.name),
                "type": r.map(|r| r.node_type),
            })
        })
        .collect();
    let steps: Vec<serde_json::Value> = hops(view, constraints, path)
        .into_iter()
        .map(|h| match h {
            Some(h) => serde_json::json!({
                "relation": view.vocab().label_relation(h.label),
                "display_relation": view.vocab().label_display(h.label),
                "direction": match (h.forward, h.backward) { (true, true) => "both", (true, false) => "forward", _ => "backward" },
            }),
            None => serde_json::Value::Null,
        })
        .collect();
    serde_json::json!({ "nodes": nodes, "steps": steps })
}
