//! Update batches against a model: random batches of node and edge additions and removals on
//! the in-memory backend; after each, `check` passes (store, view and the roaring type/relation
//! sets all agree) and the view holds exactly the model's nodes and edges.

use std::collections::{BTreeMap, BTreeSet};

use kg_core::rng::SplitMix64;
use kg_core::{Batch, Database, Edge, Node, NodeIndex};

const TYPES: [&str; 3] = ["drug", "disease", "gene/protein"];
const RELATIONS: [&str; 4] = ["indication", "drug_drug", "ppi", "disease_protein"];

fn node(i: NodeIndex, ty: &str) -> Node {
    Node { index: i, id: format!("N{i}"), node_type: ty.into(), name: format!("node {i}"), source: "test".into() }
}

#[test]
fn random_batches_keep_store_view_and_sets_in_agreement() {
    let db = Database::in_memory();
    let mut rng = SplitMix64::new(17);
    let mut pick = |n: usize| (rng.next_f64() * n as f64) as usize;
    // The model: node -> type, and (source, target, relation).
    let mut nodes: BTreeMap<NodeIndex, &str> = BTreeMap::new();
    let mut edges: BTreeSet<(NodeIndex, NodeIndex, &str)> = BTreeSet::new();
    for round in 0..300 {
        let mut batch = Batch::default();
        let live: Vec<NodeIndex> = nodes.keys().copied().collect();
        // Removals first in the model, as the database applies them.
        if !live.is_empty() && pick(3) == 0 {
            let n = live[pick(live.len())];
            batch.remove_nodes.push(n);
            nodes.remove(&n);
            edges.retain(|&(s, t, _)| s != n && t != n);
        }
        let existing: Vec<_> = edges.iter().copied().collect();
        for _ in 0..pick(3) {
            if existing.is_empty() {
                break;
            }
            let (s, t, r) = existing[pick(existing.len())];
            if edges.remove(&(s, t, r)) && nodes.contains_key(&s) && nodes.contains_key(&t) {
                batch.remove_edges.push((s, t, r.to_owned()));
            }
        }
        for _ in 0..pick(4) {
            let i = pick(80) as NodeIndex;
            if !nodes.contains_key(&i) && !batch.remove_nodes.contains(&i) {
                let ty = TYPES[pick(TYPES.len())];
                batch.add_nodes.push(node(i, ty));
                nodes.insert(i, ty);
            }
        }
        let live: Vec<NodeIndex> = nodes.keys().copied().collect();
        for _ in 0..pick(6) {
            if live.is_empty() {
                break;
            }
            let (s, t, r) = (live[pick(live.len())], live[pick(live.len())], RELATIONS[pick(RELATIONS.len())]);
            batch.add_edges.push(Edge { source: s, target: t, relation: r.into(), display_relation: r.into() });
            edges.insert((s, t, r));
        }
        db.apply(&batch).unwrap_or_else(|e| panic!("round {round}: {e}"));
        db.check().unwrap_or_else(|e| panic!("round {round}: {e}"));
        let view = db.view();
        let got: BTreeMap<NodeIndex, String> = view.nodes().map(|n| (n, view.node(n).unwrap().node_type.to_owned())).collect();
        let want: BTreeMap<NodeIndex, String> = nodes.iter().map(|(&n, t)| (n, (*t).to_owned())).collect();
        assert_eq!(got, want, "round {round}: nodes");
        let vocab = view.vocab();
        let got: BTreeSet<(NodeIndex, NodeIndex, String)> =
            view.edges().map(|e| (e.source, e.target, vocab.label_relation(e.label).to_owned())).collect();
        let want: BTreeSet<(NodeIndex, NodeIndex, String)> = edges.iter().map(|&(s, t, r)| (s, t, r.to_owned())).collect();
        assert_eq!(got, want, "round {round}: edges");
        // The stored sets answer like the model.
        for ty in TYPES {
            if let Ok(set) = db.nodes_of_type(ty) {
                let want: Vec<u32> = nodes.iter().filter(|&(_, t)| *t == ty).map(|(&n, _)| n).collect();
                assert_eq!(set.iter().collect::<Vec<_>>(), want, "round {round}: type {ty}");
            }
        }
        for r in RELATIONS {
            if let Ok(set) = db.nodes_of_relation(r) {
                let want: BTreeSet<u32> = edges.iter().filter(|e| e.2 == r).flat_map(|&(s, t, _)| [s, t]).collect();
                assert_eq!(set.iter().collect::<BTreeSet<_>>(), want, "round {round}: relation {r}");
            }
        }
    }
}

#[test]
fn a_batch_that_changes_nothing_keeps_the_generation() {
    let db = Database::in_memory();
    let first = Batch { add_nodes: vec![node(0, "drug"), node(1, "disease")], add_edges: vec![Edge { source: 0, target: 1, relation: "indication".into(), display_relation: "indication".into() }], ..Default::default() };
    assert_eq!(db.apply(&first).unwrap().generation, 1);
    let view = db.view();
    for batch in [Batch::default(), first.clone()] {
        let report = db.apply(&batch).unwrap();
        assert_eq!((report.generation, db.generation()), (1, 1), "{batch:?}");
        assert_eq!((report.nodes_added, report.edges_added, report.unchanged), (0, 0, batch.add_nodes.len() + batch.add_edges.len()));
        assert!(std::sync::Arc::ptr_eq(&view, &db.view()), "the same snapshot is kept");
    }
}

#[test]
fn store_size_counts_each_column_family() {
    let db = Database::in_memory();
    let empty = db.store_size().unwrap();
    assert_eq!((empty.on_disk, empty.column_families["adj"], empty.column_families["nodes"]), (None, 0, 0));
    db.apply(&Batch { add_nodes: vec![node(0, "drug"), node(1, "disease")], add_edges: vec![Edge { source: 0, target: 1, relation: "indication".into(), display_relation: "indication".into() }], ..Default::default() }).unwrap();
    let size = db.store_size().unwrap();
    assert_eq!(size.column_families.keys().collect::<Vec<_>>(), ["adj", "meta", "nodes", "sets"]);
    assert!(size.column_families["adj"] > 0 && size.column_families["nodes"] > 0 && size.column_families["sets"] > 0, "{size:?}");
}
