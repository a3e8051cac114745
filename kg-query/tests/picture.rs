//! Path pictures: the layered drawing of a path set holds the right nodes and edges, keeps boxes
//! and labels apart, wraps long names, escapes text, and says what a large result left out.

use kg_core::load::LoadedGraph;
use kg_core::{Edge, GraphView, Node, NodeIndex};
use kg_query::picture::{MAX_DRAWN_NODES, Picture};
use kg_query::{PathFinder, ResolvedConstraints};

fn view(names: &[(&str, &str)], edges: &[(NodeIndex, NodeIndex, &str)]) -> GraphView {
    let nodes = names.iter().enumerate().map(|(i, (name, ty))| Node { index: i as u32, id: format!("X{i}"), node_type: (*ty).into(), name: (*name).into(), source: "t".into() }).collect();
    let edges = edges
        .iter()
        .flat_map(|&(a, b, r)| [Edge { source: a, target: b, relation: r.into(), display_relation: r.into() }, Edge { source: b, target: a, relation: r.into(), display_relation: r.into() }])
        .collect();
    let loaded = LoadedGraph::from_records(nodes, edges).unwrap();
    GraphView::build(loaded.vocab, loaded.nodes, &loaded.edges)
}

/// (x, y) of every element of `class` in `svg`, from its first x= and y= attributes.
fn positions(svg: &str, class: &str) -> Vec<(f64, f64)> {
    let attr = |s: &str, name: &str| -> f64 {
        let at = s.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        s[at..at + s[at..].find('"').unwrap()].parse().unwrap()
    };
    svg.split(&format!("class=\"{class}\"")).skip(1).map(|rest| (attr(rest, "x"), attr(rest, "y"))).collect()
}

#[test]
fn all_shortest_paths_are_drawn_as_their_dag() {
    // Fever reaches gonorrhea through two drugs and a gene, in two hops each.
    let names = [("Fever", "effect/phenotype"), ("Ceftriaxone", "drug"), ("Azithromycin", "drug"), ("GENE1", "gene/protein"), ("gonorrhea", "disease"), ("Zinc", "drug")];
    let v = view(&names, &[(0, 1, "indication"), (0, 2, "indication"), (0, 3, "associated with"), (1, 4, "treats"), (2, 4, "treats"), (3, 4, "associated with"), (5, 0, "side effect")]);
    let finder = PathFinder::plain(&v);
    let all = finder.all_shortest(0, 4).unwrap();
    let paths: Vec<Vec<NodeIndex>> = all.paths().collect();
    let p = Picture::typed(&v, &ResolvedConstraints::open(), &paths, "Fever → gonorrhea: 3 shortest paths of length 2");
    assert_eq!((p.node_count(), p.edge_count()), (5, 6));
    let svg = p.svg();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("data-nodes=\"5\" data-edges=\"6\""));
    assert_eq!(svg.matches("class=\"kg-node\"").count(), 5);
    assert_eq!(svg.matches("class=\"kg-edge\"").count(), 6);
    assert!(svg.contains("3 shortest paths of length 2"));
    // One column per hop: the source left, the three middle nodes together, the target right.
    let columns: Vec<f64> = {
        let mut xs: Vec<f64> = positions(&svg, "kg-node").iter().map(|b| b.0).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        xs
    };
    assert_eq!(columns.len(), 3, "{columns:?}");
    for name in ["Fever", "Ceftriaxone", "gonorrhea", "effect/phenotype", "indication"] {
        assert!(svg.contains(name), "{name}");
    }
    assert!(!svg.contains("Zinc"), "only the paths are drawn");
}

#[test]
fn boxes_and_labels_never_overlap_and_text_is_escaped() {
    // A hub fanning out to 20 middle nodes, each to the target: many labels in one gap.
    let mut names: Vec<(String, &str)> = vec![("S <&> \"quoted\"".into(), "drug"), ("T".into(), "disease")];
    let mut edges = Vec::new();
    for i in 0..20u32 {
        names.push((format!("A very long middle node name number {i} that needs wrapping"), "gene/protein"));
        edges.push((0, i + 2, "interacts with"));
        edges.push((i + 2, 1, "associated with"));
    }
    let named: Vec<(&str, &str)> = names.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let v = view(&named, &edges);
    let paths: Vec<Vec<NodeIndex>> = PathFinder::plain(&v).all_shortest(0, 1).unwrap().paths().collect();
    let svg = Picture::typed(&v, &ResolvedConstraints::open(), &paths, "S → T").svg();
    assert!(svg.contains("S &lt;&amp;&gt; &quot;quoted&quot;") && !svg.contains("S <&>"));
    let nodes = positions(&svg, "kg-node");
    assert_eq!(nodes.len(), 22);
    let labels = positions(&svg, "kg-edge-label");
    for (i, a) in labels.iter().enumerate() {
        for b in &labels[i + 1..] {
            assert!(a.0 != b.0 || (a.1 - b.1).abs() >= 12.0, "labels at {a:?} and {b:?} overlap");
        }
    }
    for (i, a) in nodes.iter().enumerate() {
        for b in &nodes[i + 1..] {
            assert!(a.0 != b.0 || (a.1 - b.1).abs() >= 34.0, "boxes at {a:?} and {b:?} overlap");
        }
    }
    // Long names: two lines at most, the whole name in the tooltip.
    assert!(svg.contains("<title>A very long middle node name number 7 that needs wrapping (gene/protein; X9; node 9)</title>"));
    assert!(svg.contains("…"));
    assert!(svg.contains("edge labels hidden") || labels.len() == 40);
}

#[test]
fn a_large_result_is_cut_to_whole_paths_and_says_so() {
    let mut names: Vec<(String, &str)> = vec![("S".into(), "drug"), ("T".into(), "disease")];
    let mut edges = Vec::new();
    for i in 0..100u32 {
        names.push((format!("M{i}"), "gene/protein"));
        edges.push((0, i + 2, "r"));
        edges.push((i + 2, 1, "r"));
    }
    let named: Vec<(&str, &str)> = names.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let v = view(&named, &edges);
    let paths: Vec<Vec<NodeIndex>> = PathFinder::plain(&v).all_shortest(0, 1).unwrap().paths().collect();
    let p = Picture::typed(&v, &ResolvedConstraints::open(), &paths, "S → T: 100 shortest paths");
    assert_eq!(p.node_count(), MAX_DRAWN_NODES);
    assert!(p.caption().contains(&format!("{} of 100 paths drawn", MAX_DRAWN_NODES - 2)), "{}", p.caption());
}

#[test]
fn medreason_names_and_paths_of_different_lengths() {
    let paths = vec![vec!["Fever", "ceftriaxone", "gonorrhea"], vec!["fever", "GENE1", "pharyngitis", "gonorrhea"]];
    let p = Picture::named(&paths, "fever → gonorrhea");
    assert_eq!((p.node_count(), p.edge_count()), (5, 5), "names merge case-insensitively");
    let svg = p.svg();
    assert_eq!(svg.matches("<title>fever</title>").count(), 1);
    // The target sits in the last column even at the end of the shorter path.
    let title_x = |name: &str| {
        let pattern = format!("<title>{name}</title><rect x=\"");
        let at = svg.find(&pattern).unwrap() + pattern.len();
        svg[at..at + svg[at..].find('"').unwrap()].parse::<f64>().unwrap()
    };
    assert!(title_x("gonorrhea") > title_x("pharyngitis") && title_x("pharyngitis") > title_x("gene1"));
}

#[test]
fn captions_say_what_the_set_is() {
    use kg_query::picture::caption;
    assert_eq!(caption("Fever", "gonorrhea", Some(2), Some(3), 3, false), "Fever → gonorrhea: 3 shortest paths of length 2");
    assert_eq!(caption("a", "b", Some(3), Some(1000), 50, false), "a → b: 1000 shortest paths of length 3; 50 listed");
    assert_eq!(caption("a", "b", Some(1), None, 1, false), "a → b: a shortest path of length 1");
    assert_eq!(caption("a", "b", Some(2), None, 5, true), "a → b: the 5 shortest loopless paths");
    assert_eq!(caption("a", "b", None, Some(0), 0, false), "a → b: no path");
}
