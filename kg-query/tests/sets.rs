//! Property tests: set queries against sets computed the obvious way, with hubs given dense
//! bitsets or not, and the k-hop search, in both strategies, against a plain BFS.

use std::collections::{BTreeSet, VecDeque};

use kg_core::view::{HubBits, NodeRec};
use kg_core::{EdgeRec, GraphView, Vocab};
use kg_query::sets::{HopSearch, within_hops};
use kg_query::{Direction, NeighbourFilter, QueryError, SetIndex, SetOp, SetQueries};
use proptest::prelude::*;

const TYPES: [&str; 3] = ["drug", "disease", "gene/protein"];
const RELATIONS: [&str; 2] = ["r0", "r1"];

fn build(n: u32, edges: &[(u32, u32, u16)], types: &[u16]) -> GraphView {
    let mut vocab = Vocab::default();
    for t in TYPES {
        vocab.node_types.intern(t, "t").unwrap();
    }
    let s = vocab.sources.intern("src", "s").unwrap();
    for r in RELATIONS {
        let rid = vocab.relations.intern(r, "r").unwrap();
        let d = vocab.display_relations.intern(r, "d").unwrap();
        vocab.label(rid, d).unwrap();
    }
    let nodes = (0..n).map(|i| NodeRec { index: i, id: format!("N{i}"), node_type: types[i as usize], name: format!("Node {i}"), source: s }).collect();
    let mut recs: Vec<EdgeRec> = edges.iter().map(|&(a, b, l)| EdgeRec { source: a, target: b, label: l }).collect();
    recs.sort();
    recs.dedup();
    GraphView::build(vocab, nodes, &recs)
}

/// The neighbour set of `x` under a filter, computed from the edge list.
fn reference(edges: &[(u32, u32, u16)], types: &[u16], x: u32, dir: Direction, label: Option<u16>, ty: Option<u16>) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    for &(a, b, l) in edges {
        if label.is_some_and(|want| want != l) {
            continue;
        }
        let v = match dir {
            Direction::Out if a == x => b,
            Direction::In if b == x => a,
            Direction::Both if a == x => b,
            Direction::Both if b == x => a,
            _ => continue,
        };
        if v != x && ty.is_none_or(|t| types[v as usize] == t) {
            out.insert(v);
        }
    }
    out
}

fn graph_strategy() -> impl Strategy<Value = (u32, Vec<(u32, u32, u16)>, Vec<u16>)> {
    (2u32..150).prop_flat_map(|n| {
        (
            Just(n),
            // Node 0 is a hub: a third of the edges touch it.
            proptest::collection::vec((0..n, 0..n, 0u16..2, 0u8..3), 0..(n as usize * 6))
                .prop_map(|v| v.into_iter().map(|(a, b, l, hub)| if hub == 0 { (0, b, l) } else { (a, b, l) }).collect()),
            proptest::collection::vec(0u16..3, n as usize),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn set_queries_match_the_reference((n, edges, types) in graph_strategy(), a in 0u32..150, b in 0u32..150,
                                       dir in prop_oneof![Just(Direction::Out), Just(Direction::In), Just(Direction::Both)],
                                       label in proptest::option::of(0u16..2), ty in proptest::option::of(0u16..3),
                                       min_hub in prop_oneof![Just(0usize), Just(4), Just(usize::MAX)]) {
        let (a, b) = (a % n, b % n);
        let view = build(n, &edges, &types);
        let index = SetIndex::with_min_hub_degree(&view, min_hub);
        let q = SetQueries::new(&view, &index);
        let filter = NeighbourFilter {
            direction: dir,
            relations: label.map(|l| vec![RELATIONS[l as usize].to_owned()]),
            node_types: ty.map(|t| vec![TYPES[t as usize].to_owned()]),
        };
        let f = q.resolve(&filter).unwrap();
        let (ra, rb) = (reference(&edges, &types, a, dir, label, ty), reference(&edges, &types, b, dir, label, ty));
        prop_assert_eq!(q.neighbours(a, &f).unwrap(), ra.iter().copied().collect::<Vec<_>>());
        let want = [
            (SetOp::Intersection, ra.intersection(&rb).copied().collect::<Vec<_>>()),
            (SetOp::Union, ra.union(&rb).copied().collect()),
            (SetOp::Difference, ra.difference(&rb).copied().collect()),
        ];
        for (op, members) in want {
            prop_assert_eq!(q.size(a, b, op, &f).unwrap(), members.len() as u64, "{:?}", op);
            prop_assert_eq!(q.combined(a, b, op, &f).unwrap(), members.clone(), "{:?}", op);
            let pairs: Vec<(u32, u32)> = (0..n).map(|x| (a, x)).collect();
            let sizes = q.sizes(&pairs, op, &f).unwrap();
            for (&(_, x), &size) in pairs.iter().zip(&sizes) {
                let rx = reference(&edges, &types, x, dir, label, ty);
                let expect = match op {
                    SetOp::Intersection => ra.intersection(&rx).count(),
                    SetOp::Union => ra.union(&rx).count(),
                    SetOp::Difference => ra.difference(&rx).count(),
                };
                prop_assert_eq!(size, expect as u64, "{:?} with {}", op, x);
            }
        }
    }

    #[test]
    fn k_hop_sets_match_a_plain_bfs_in_both_strategies((n, edges, types) in graph_strategy(), s in 0u32..150, k in 0u32..5) {
        let s = s % n;
        let view = build(n, &edges, &types);
        let mut adj = vec![BTreeSet::new(); n as usize];
        for &(a, b, _) in &edges {
            if a != b {
                adj[a as usize].insert(b);
                adj[b as usize].insert(a);
            }
        }
        let mut dist = vec![u32::MAX; n as usize];
        dist[s as usize] = 0;
        let mut queue = VecDeque::from([s]);
        while let Some(u) = queue.pop_front() {
            for &v in &adj[u as usize] {
                if dist[v as usize] == u32::MAX {
                    dist[v as usize] = dist[u as usize] + 1;
                    queue.push_back(v);
                }
            }
        }
        let want: Vec<u32> = (0..n).filter(|&v| dist[v as usize] <= k).collect();
        // Hubs from degree 3 on, so that steps inwards use their bitsets.
        let low_hubs = HubBits::new(&view, 3);
        for (strategy, hubs) in [(HopSearch::TopDown, view.hubs()), (HopSearch::DirectionOptimising, view.hubs()), (HopSearch::DirectionOptimising, &low_hubs)] {
            let hops = within_hops(&view, hubs, s, k, strategy);
            prop_assert_eq!(hops.nodes().collect::<Vec<_>>(), want.clone(), "{:?} with {} hubs", strategy, hubs.count());
            prop_assert_eq!(hops.count(), want.len() as u64);
            for (d, &count) in hops.per_distance.iter().enumerate() {
                prop_assert_eq!(count, dist.iter().filter(|&&x| x == d as u32).count() as u64);
            }
        }
        let index = SetIndex::new(&view);
        let q = SetQueries::new(&view, &index);
        let typed = q.resolve(&NeighbourFilter { node_types: Some(vec!["disease".into()]), ..Default::default() }).unwrap();
        let hops = q.within_hops(s, k).unwrap();
        prop_assert_eq!(q.count(&hops, &typed), want.iter().filter(|&&v| types[v as usize] == 1).count() as u64);
    }
}

#[test]
fn unknown_nodes_relations_and_types_are_errors_naming_them() {
    let view = build(3, &[(0, 1, 0), (1, 2, 1)], &[0, 1, 2]);
    let index = SetIndex::new(&view);
    let q = SetQueries::new(&view, &index);
    let open = q.resolve(&NeighbourFilter::default()).unwrap();
    assert!(matches!(q.size(0, 7, SetOp::Union, &open), Err(QueryError::UnknownNode(7))));
    assert!(matches!(q.sizes(&[(0, 1), (9, 1)], SetOp::Union, &open), Err(QueryError::UnknownNode(9))));
    assert!(matches!(q.within_hops(5, 1), Err(QueryError::UnknownNode(5))));
    let too_many = vec![(0, 1); kg_query::MAX_PAIRS + 1];
    let err = q.sizes(&too_many, SetOp::Intersection, &open).unwrap_err().to_string();
    assert!(err.contains("10000001 pairs") && err.contains("split them"), "{err}");
    let err = q.resolve(&NeighbourFilter { relations: Some(vec!["r9".into()]), ..Default::default() }).unwrap_err();
    assert_eq!(err.to_string(), "unknown relation \"r9\"");
    let err = q.resolve(&NeighbourFilter { node_types: Some(vec!["anatomy".into()]), ..Default::default() }).unwrap_err();
    assert_eq!(err.to_string(), "unknown node type \"anatomy\"");
    assert!("sideways".parse::<Direction>().unwrap_err().to_string().contains("out, in, both"));
    assert!("xor".parse::<SetOp>().unwrap_err().to_string().contains("intersection, union, difference"));
}
