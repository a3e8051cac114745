//! Property tests: the engine against a plain single-source BFS and brute-force path lists on
//! random graphs, undirected and directed, with and without constraints.

use std::collections::{BTreeSet, VecDeque};

use kg_core::view::NodeRec;
use kg_core::{EdgeRec, GraphView, Vocab};
use kg_query::{Constraints, PathFinder};
use proptest::prelude::*;

fn build(n: u32, edges: &[(u32, u32, u16)], types: &[u16]) -> GraphView {
    let mut vocab = Vocab::default();
    for t in ["a", "b"] {
        vocab.node_types.intern(t, "t").unwrap();
    }
    let s = vocab.sources.intern("src", "s").unwrap();
    for r in ["r0", "r1"] {
        let rid = vocab.relations.intern(r, "r").unwrap();
        let d = vocab.display_relations.intern(r, "d").unwrap();
        vocab.label(rid, d).unwrap();
    }
    let nodes = (0..n)
        .map(|i| NodeRec { index: i, id: format!("N{i}"), node_type: types[i as usize], name: format!("Node {}", i % 7), source: s })
        .collect();
    let mut recs: Vec<EdgeRec> = edges.iter().map(|&(a, b, l)| EdgeRec { source: a, target: b, label: l }).collect();
    recs.sort();
    recs.dedup();
    GraphView::build(vocab, nodes, &recs)
}

/// Neighbour sets as the reference sees them.
fn adjacency(n: u32, edges: &[(u32, u32, u16)], directed: bool, label: Option<u16>, blocked: &[bool], s: u32, t: u32) -> Vec<BTreeSet<u32>> {
    let mut adj = vec![BTreeSet::new(); n as usize];
    for &(a, b, l) in edges {
        if a == b || label.is_some_and(|x| x != l) {
            continue;
        }
        let ok = |v: u32| v == s || v == t || !blocked[v as usize];
        if !ok(a) || !ok(b) {
            continue;
        }
        adj[a as usize].insert(b);
        if !directed {
            adj[b as usize].insert(a);
        }
    }
    adj
}

fn bfs(adj: &[BTreeSet<u32>], s: u32) -> Vec<Option<u32>> {
    let mut d = vec![None; adj.len()];
    d[s as usize] = Some(0);
    let mut q = VecDeque::from([s]);
    while let Some(u) = q.pop_front() {
        for &v in &adj[u as usize] {
            if d[v as usize].is_none() {
                d[v as usize] = Some(d[u as usize].unwrap() + 1);
                q.push_back(v);
            }
        }
    }
    d
}

/// Every simple path from s to t (small graphs only).
fn simple_paths(adj: &[BTreeSet<u32>], s: u32, t: u32, max_len: usize) -> Vec<Vec<u32>> {
    fn go(adj: &[BTreeSet<u32>], path: &mut Vec<u32>, t: u32, max_len: usize, out: &mut Vec<Vec<u32>>) {
        let u = *path.last().unwrap();
        if u == t {
            out.push(path.clone());
            return;
        }
        if path.len() > max_len {
            return;
        }
        for &v in &adj[u as usize] {
            if !path.contains(&v) {
                path.push(v);
                go(adj, path, t, max_len, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    go(adj, &mut vec![s], t, max_len, &mut out);
    out
}

fn graph_strategy() -> impl Strategy<Value = (u32, Vec<(u32, u32, u16)>, Vec<u16>)> {
    (2u32..14).prop_flat_map(|n| {
        (
            Just(n),
            proptest::collection::vec((0..n, 0..n, 0u16..2), 0..(n as usize * 3)),
            proptest::collection::vec(0u16..2, n as usize),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn matches_reference((n, edges, types) in graph_strategy(), s in 0u32..14, t in 0u32..14,
                         directed in any::<bool>(), label in proptest::option::of(0u16..2), block_b in any::<bool>()) {
        let (s, t) = (s % n, t % n);
        let view = build(n, &edges, &types);
        let blocked: Vec<bool> = types.iter().map(|&ty| block_b && ty == 1).collect();
        let constraints = Constraints {
            directed,
            relations: label.map(|l| vec![format!("r{l}")]),
            exclude_node_types: if block_b { vec!["b".into()] } else { vec![] },
            ..Constraints::default()
        };
        let finder = PathFinder::new(&view, &constraints).unwrap();
        let adj = adjacency(n, &edges, directed, label, &blocked, s, t);
        let want = bfs(&adj, s)[t as usize];
        prop_assert_eq!(finder.distance(s, t).unwrap(), want);

        let one = finder.shortest_path(s, t).unwrap();
        prop_assert_eq!(one.as_ref().map(|p| p.len() as u32 - 1), want);
        if let Some(p) = &one {
            prop_assert_eq!((p[0], *p.last().unwrap()), (s, t));
            for w in p.windows(2) { prop_assert!(adj[w[0] as usize].contains(&w[1])); }
        }

        let all_simple = simple_paths(&adj, s, t, n as usize);
        let shortest: BTreeSet<Vec<u32>> = match want {
            Some(d) => all_simple.iter().filter(|p| p.len() as u32 == d + 1).cloned().collect(),
            None => BTreeSet::new(),
        };
        let all = finder.all_shortest(s, t).unwrap();
        prop_assert_eq!(all.count(), shortest.len() as u128);
        let listed: Vec<Vec<u32>> = all.paths().collect();
        prop_assert_eq!(listed.len(), shortest.len(), "enumeration repeats a path");
        prop_assert_eq!(listed.iter().cloned().collect::<BTreeSet<_>>(), shortest.clone());

        let sample = all.sample(3, 11).unwrap();
        prop_assert_eq!(sample.len(), shortest.len().min(3));
        prop_assert_eq!(sample.iter().collect::<BTreeSet<_>>().len(), sample.len());
        prop_assert!(sample.iter().all(|p| shortest.contains(p)));
        prop_assert_eq!(&sample, &all.sample(3, 11).unwrap(), "same seed, same sample");

        let k = 5;
        let ks = finder.k_shortest(s, t, k, 10_000).unwrap();
        let mut lengths: Vec<usize> = all_simple.iter().map(Vec::len).collect();
        lengths.sort_unstable();
        lengths.truncate(k);
        prop_assert_eq!(ks.paths.iter().map(Vec::len).collect::<Vec<_>>(), lengths);
        prop_assert_eq!(ks.paths.iter().collect::<BTreeSet<_>>().len(), ks.paths.len());
        for p in &ks.paths {
            prop_assert!(all_simple.contains(p), "not a simple path: {:?}", p);
        }
    }
}

#[test]
fn hop_limit_and_unknown_nodes() {
    // A line 0-1-2-3.
    let view = build(4, &[(0, 1, 0), (1, 2, 0), (2, 3, 0)], &[0, 0, 0, 0]);
    let f = PathFinder::new(&view, &Constraints { max_hops: Some(2), ..Default::default() }).unwrap();
    assert_eq!(f.distance(0, 2).unwrap(), Some(2));
    assert_eq!(f.distance(0, 3).unwrap(), None);
    assert!(f.distance(0, 9).is_err());
    let err = PathFinder::new(&view, &Constraints { relations: Some(vec!["nope".into()]), ..Default::default() }).unwrap_err();
    assert!(err.to_string().contains("nope"));
    // Directed: 3 cannot reach 0.
    let d = PathFinder::new(&view, &Constraints { directed: true, ..Default::default() }).unwrap();
    assert_eq!(d.distance(3, 0).unwrap(), None);
    assert_eq!(d.distance(0, 3).unwrap(), Some(3));
}

#[test]
fn hubs_can_be_avoided_and_neighbourhoods_are_bounded() {
    // A star around 0 plus a detour 1-5-6-2.
    let mut edges: Vec<(u32, u32, u16)> = (1..5).map(|i| (0, i, 0)).collect();
    edges.extend([(1, 5, 1), (5, 6, 1), (6, 2, 1)]);
    let view = build(7, &edges, &[0; 7]);
    let plain = PathFinder::plain(&view);
    assert_eq!(plain.shortest_path(1, 2).unwrap(), Some(vec![1, 0, 2]));
    let avoid = PathFinder::new(&view, &Constraints { max_degree: Some(3), ..Default::default() }).unwrap();
    assert_eq!(avoid.shortest_path(1, 2).unwrap(), Some(vec![1, 5, 6, 2]));
    let hood = plain.neighbourhood(&[1], 1, 100, 100).unwrap();
    assert_eq!(hood.nodes, vec![(1, 0), (0, 1), (5, 1)]);
    assert_eq!(hood.edges.len(), 2);
    let cut = plain.neighbourhood(&[0], 2, 3, 100).unwrap();
    assert!(cut.truncated && cut.nodes.len() == 3);
    let many = plain.many_to_many(&[1, 3], &[2], 10, 1).unwrap();
    assert_eq!(many.len(), 2);
    assert_eq!(many[0].count, 1);
}

#[test]
fn name_graph_merges_same_names() {
    // Nodes 0 and 7 are both "Node 0": MedReason's view makes them one node.
    let view = build(8, &[(0, 1, 0), (7, 2, 0)], &[0; 8]);
    let g = kg_query::NameGraph::build(&view);
    let (a, b) = (g.id("node 1").unwrap(), g.id("NODE 2").unwrap());
    let all = kg_query::paths::all_shortest(&g, kg_query::Limits::default(), a, b);
    let paths: Vec<Vec<&str>> = all.paths().map(|p| p.iter().map(|&n| g.name(n)).collect()).collect();
    assert_eq!(paths, vec![vec!["node 1", "node 0", "node 2"]]);
    assert_eq!(kg_query::render::medreason(&paths), "1:node 1->node 0->node 2\n");
}

/// `layers` layers of 10 nodes, each layer joined completely to the next, and two ends:
/// 10^layers shortest paths between the ends.
fn layered(layers: u32) -> (GraphView, u32, u32) {
    let width = 10u32;
    let n = 2 + layers * width;
    let (s, t) = (n - 2, n - 1);
    let node = |l: u32, i: u32| l * width + i;
    let mut edges = Vec::new();
    for i in 0..width {
        edges.push((s, node(0, i), 0));
        edges.push((node(layers - 1, i), t, 0));
        for l in 0..layers - 1 {
            for j in 0..width {
                edges.push((node(l, i), node(l + 1, j), 0));
            }
        }
    }
    (build(n, &edges, &vec![0; n as usize]), s, t)
}

#[test]
fn samples_are_uniform_distinct_and_in_enumeration_order() {
    // Two layers of 10: 100 paths. Drawing 30 of them with 2,000 seeds, each path is expected
    // 600 times (standard deviation about 20).
    let (view, s, t) = layered(2);
    let all = PathFinder::plain(&view).all_shortest(s, t).unwrap();
    let listed: Vec<Vec<u32>> = all.paths().collect();
    assert_eq!(listed.len(), 100);
    let mut drawn = std::collections::HashMap::<Vec<u32>, u32>::new();
    for seed in 0..2000 {
        let sample = all.sample(30, seed).unwrap();
        assert_eq!(sample.len(), 30);
        assert!(sample.windows(2).all(|w| w[0] < w[1]), "seed {seed}: distinct, in enumeration order");
        for p in sample {
            *drawn.entry(p).or_default() += 1;
        }
    }
    assert_eq!(drawn.len(), 100, "every path is drawn");
    for (p, times) in &drawn {
        assert!((480..=720).contains(times), "{p:?} drawn {times} times, expected about 600");
    }
    // All of them when asked for as many or more, in enumeration order.
    assert_eq!(all.sample(100, 1).unwrap(), listed);
}

#[test]
fn explosive_queries_stay_bounded_and_say_when_they_were_cut() {
    // 10^38 paths are counted exactly; 10^40 exceed u128 and the count saturates.
    let (big, s40, t40) = layered(40);
    let saturated = PathFinder::plain(&big).all_shortest(s40, t40).unwrap();
    assert_eq!(saturated.count(), u128::MAX);
    // Path numbers no longer name paths there: the sample is still distinct whole paths.
    let sample = saturated.sample(50, 3).unwrap();
    assert_eq!(sample.iter().collect::<std::collections::BTreeSet<_>>().len(), 50);
    assert!(sample.iter().all(|p| p.len() == 42 && p[0] == s40 && p[41] == t40 && p.windows(2).all(|w| big.neighbours(w[0]).contains(&w[1]))));
    let layers = 38;
    let (view, s, t) = layered(layers);
    let finder = PathFinder::plain(&view);
    let all = finder.all_shortest(s, t).unwrap();
    assert_eq!(all.distance, Some(layers + 1));
    assert_eq!(all.count(), 10u128.pow(layers));
    assert_eq!(all.paths().take(100).count(), 100, "listing is lazy: the first 100 only");
    let sample = all.sample(50, 3).unwrap();
    assert_eq!(sample.len(), 50);
    assert!(sample.iter().all(|p| p.len() == layers as usize + 2 && p[0] == s && p[p.len() - 1] == t));
    // Asking to list more paths than any answer holds is refused up front, never reserved:
    // 10^12 used to ask the allocator for 55 TB and abort the process.
    let huge = 1_000_000_000_000;
    for e in [all.sample(huge, 3).unwrap_err(), all.first(huge).unwrap_err(), finder.k_shortest(s, t, huge, 5).unwrap_err(), finder.many_to_many(&[s], &[t], huge, 0).unwrap_err()] {
        assert!(e.to_string().contains("at most 1000000 paths"), "{e}");
    }
    assert_eq!(all.first(kg_query::MAX_LISTED_PATHS).unwrap().len(), kg_query::MAX_LISTED_PATHS, "the largest answer allowed is listed");
    let many: Vec<u32> = vec![s; 4000];
    assert!(finder.many_to_many(&many, &many, 1, 0).unwrap_err().to_string().contains("pairs per call"));
    // Among the shortest paths, the k shortest are read off the DAG: no spur search needed.
    let ks = finder.k_shortest(s, t, 1000, 5).unwrap();
    assert_eq!((ks.paths.len(), ks.truncated), (1000, false));
    // One shortest path 0-1-...-10, and a 12-clique joined to nodes 4 and 6: countless longer
    // loopless paths. A small search budget stops Yen early, and says so.
    let mut edges: Vec<(u32, u32, u16)> = (0..10).map(|i| (i, i + 1, 0)).collect();
    for a in 11..23 {
        edges.push((4, a, 0));
        edges.push((a, 6, 0));
        for b in a + 1..23 {
            edges.push((a, b, 0));
        }
    }
    let ring = build(23, &edges, &[0; 23]);
    let yen = PathFinder::plain(&ring);
    let cut = yen.k_shortest(0, 10, 1000, 5).unwrap();
    assert!(cut.truncated && cut.paths.len() < 1000, "{} paths, truncated {}", cut.paths.len(), cut.truncated);
    let whole = yen.k_shortest(0, 10, 3, 20_000).unwrap();
    assert_eq!((whole.paths.len(), whole.truncated), (3, false));
    assert_eq!(whole.paths[0], (0..=10).collect::<Vec<u32>>());
    // A neighbourhood of everything, cut by its node and edge limits.
    let hood = finder.neighbourhood(&[s], 100, 50, 1_000_000).unwrap();
    assert!(hood.truncated && hood.nodes.len() == 50);
    let hood = finder.neighbourhood(&[s], 100, 10_000, 100).unwrap();
    assert!(hood.truncated && hood.edges.len() == 100);
}

/// On graphs with hubs the search may find the meeting layer from the other side (each node of
/// that side's newest layer asking whether it touches the frontier) instead of expanding a
/// frontier that holds a hub. Constraints that allow every relation take the same graph through
/// the plain expansion only: both must give the same distances, counts and paths.
#[test]
fn the_meeting_layer_found_from_either_side_gives_the_same_paths() {
    use kg_core::rng::SplitMix64;
    let mut rng = SplitMix64::new(17);
    // (nodes, edges per node): the larger graphs have hubs above the view's hub threshold, asked
    // by bit tests; the smaller ones by binary searches.
    for (round, (n, per_node)) in [(1500u32, 4u32), (1500, 4), (1500, 4), (1500, 4), (5000, 16), (5000, 16)].into_iter().enumerate() {
        // Node i is drawn with weight ~ 1/(i+1)^0.8: a few hubs of high degree, many small nodes.
        let mut cumulative = Vec::with_capacity(n as usize);
        let mut total = 0.0;
        for i in 0..n {
            total += 1.0 / ((i + 1) as f64).powf(0.8);
            cumulative.push(total);
        }
        let draw = |rng: &mut SplitMix64| {
            let x = (rng.below(1 << 30) as f64 / (1u64 << 30) as f64) * total;
            (cumulative.partition_point(|&c| c <= x) as u32).min(n - 1)
        };
        let edges: Vec<(u32, u32, u16)> = (0..per_node * n).map(|_| (draw(&mut rng), draw(&mut rng), rng.below(2) as u16)).collect();
        let types: Vec<u16> = (0..n).map(|i| (i % 2) as u16).collect();
        let view = build(n, &edges, &types);
        assert_eq!(view.hubs().count() > 0, n == 5000, "round {round}: hubs {}", view.hubs().count());
        let plain = PathFinder::plain(&view);
        let every_relation = Constraints { relations: Some(vec!["r0".into(), "r1".into()]), ..Default::default() };
        let filtered = PathFinder::new(&view, &every_relation).unwrap();
        for _ in 0..300 {
            let (s, t) = (rng.below(n as u64) as u32, rng.below(n as u64) as u32);
            let (a, b) = (plain.all_shortest(s, t).unwrap(), filtered.all_shortest(s, t).unwrap());
            assert_eq!((a.distance, a.count()), (b.distance, b.count()), "round {round}: {s} -> {t}");
            if a.count() <= 200 {
                assert_eq!(a.paths().collect::<Vec<_>>(), b.paths().collect::<Vec<_>>(), "round {round}: {s} -> {t}");
            }
            let one = plain.shortest_path(s, t).unwrap();
            assert_eq!(one.as_ref().map(|p| p.len() as u32 - 1), a.distance);
            if let Some(p) = one {
                assert!(p.windows(2).all(|w| view.neighbours(w[0]).contains(&w[1])), "{p:?} is not a path");
            }
        }
    }
}
