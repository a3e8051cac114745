#![cfg(feature = "rocksdb")]
//! The facade's policies, end to end on disk: side files written, reused, rebuilt and bound to
//! the generation; MedReason's loop; embeddings attached, saved and refused.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kgcore::files::{NAME_INDEX_FILE, VECTOR_FILE};
use kgcore::index::IndexError;
use kgcore::{Batch, Edge, EntityQuery, Error, Graph, HnswParams, MapOptions, Mapping, NameMatch, Node, NodeIndex, OpenMode, SearchMode, VectorKind};

/// A small generated graph imported into `dir/db`.
fn imported(dir: &Path) -> PathBuf {
    let kg = dir.join("kg.csv");
    kgcore::generate_file(&kg, 0.02, 7).unwrap();
    let db = dir.join("db");
    Graph::import(&db, &[kg], None).unwrap();
    db
}

fn collecting() -> (kgcore::WarningSink, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    (Arc::new(move |w: &str| sink.lock().unwrap().push(w.to_owned())), seen)
}

/// A node with a name no other node bears, and that name.
fn uniquely_named(g: &Graph) -> (NodeIndex, String) {
    let view = g.view();
    view.nodes()
        .map(|n| (n, view.name(n).to_owned()))
        .find(|(n, name)| view.nodes().filter(|&m| view.name(m).eq_ignore_ascii_case(name)).count() == 1 && view.degree(*n) > 0)
        .expect("a uniquely named node")
}

#[test]
fn import_writes_the_name_index_and_a_damaged_one_is_rebuilt_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    let file = db.join(NAME_INDEX_FILE);
    assert!(file.is_file(), "the import wrote {NAME_INDEX_FILE}");

    let g = Graph::open(&db, OpenMode::ReadOnly).unwrap();
    let (node, name) = uniquely_named(&g);
    let hits = g.search_names(&format!("  {}  ", name.to_uppercase()), NameMatch::Exact, None, 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(hits[0].nodes.contains(&node));
    drop(g);

    // Flip a byte in the middle of the file: the next handle warns, rebuilds and answers alike.
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x5a;
    std::fs::write(&file, &bytes).unwrap();
    let (sink, seen) = collecting();
    let g = Graph::open(&db, OpenMode::ReadOnly).unwrap().with_warnings(sink);
    let again = g.search_names(&name, NameMatch::Exact, None, 10).unwrap();
    assert_eq!(again, hits);
    let warnings = seen.lock().unwrap().clone();
    assert!(warnings.iter().any(|w| w.contains(NAME_INDEX_FILE)), "{warnings:?}");
    assert_ne!(std::fs::read(&file).unwrap(), bytes, "the rebuilt index was written back");
}

#[test]
fn derived_indexes_follow_each_update() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    let g = Graph::open(&db, OpenMode::ReadWrite).unwrap();
    let (anchor, anchor_name) = uniquely_named(&g);
    let before = g.name_index();
    assert!(Arc::ptr_eq(&before, &g.name_index()), "one build per generation");
    assert!(g.search_names("zyxwv syndrome", NameMatch::Exact, None, 5).unwrap().is_empty());
    assert!(matches!(g.medreason_pair("zyxwv syndrome", &anchor_name, None), Err(Error::UnknownName(n)) if n == "zyxwv syndrome"));

    let index = g.view().slots() as NodeIndex;
    let node_type = g.view().node(anchor).unwrap().node_type.to_owned();
    g.apply(&Batch {
        add_nodes: vec![Node { index, id: "X1".into(), node_type: node_type.clone(), name: "Zyxwv syndrome".into(), source: "test".into() }],
        add_edges: vec![Edge { source: index, target: anchor, relation: "test_rel".into(), display_relation: "test rel".into() }],
        ..Default::default()
    })
    .unwrap();

    let hits = g.search_names("zyxwv syndrome", NameMatch::Exact, Some(&node_type), 5).unwrap();
    assert_eq!(hits[0].nodes, vec![index]);
    let pair = g.medreason_pair("ZYXWV SYNDROME", &anchor_name, None).unwrap();
    assert_eq!((pair.distance(), pair.count()), (Some(1), 1));
    assert_eq!(pair.first(5).unwrap(), vec![vec!["zyxwv syndrome".to_owned(), anchor_name.to_lowercase()]]);
}

#[test]
fn medreason_paths_skip_missing_names_and_stop_when_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let g = Graph::open(imported(dir.path()), OpenMode::ReadOnly).unwrap();
    let view = g.view();
    let (a, a_name) = uniquely_named(&g);
    // A node two or more hops away, with a name of its own.
    let far_name = view
        .nodes()
        .filter(|&n| n != a && view.degree(n) > 0 && view.nodes().filter(|&m| view.name(m).eq_ignore_ascii_case(view.name(n))).count() == 1)
        .map(|n| view.name(n).to_owned())
        .find(|name| g.medreason_pair(&a_name, name, None).unwrap().distance().is_some_and(|d| d >= 2))
        .unwrap();
    let question = vec![a_name.clone(), "no such entity".to_owned()];
    let answer = vec![far_name.clone()];

    let found = g.medreason_paths(&question, &answer, None, 3, 1, kgcore::query::NEVER).unwrap();
    assert_eq!(found.missing, ["no such entity"], "the missing name is reported");
    let groups = found.groups;
    assert_eq!(groups.len(), 1, "the missing name is left out");
    let pair = g.medreason_pair(&a_name, &far_name, None).unwrap();
    assert_eq!(groups[0].len() as u128, pair.count().min(3));
    for path in &groups[0] {
        assert_eq!(path.len() as u32, pair.distance().unwrap() + 1);
        assert_eq!((path[0].as_str(), path.last().unwrap().as_str()), (a_name.to_lowercase().as_str(), far_name.to_lowercase().as_str()));
    }
    assert_eq!(groups, g.medreason_paths(&question, &answer, None, 3, 1, kgcore::query::NEVER).unwrap().groups, "seeded: the same sample");
    assert!(g.medreason_paths(&question, &answer, Some(pair.distance().unwrap() - 1), 3, 1, kgcore::query::NEVER).unwrap().groups.is_empty(), "max_hops cuts");
    let e = g.medreason_paths(&question, &answer, None, 3, 1, &|| true).unwrap_err();
    assert!(matches!(e, Error::Query(kgcore::query::QueryError::Interrupted)), "interrupted before the first pair: {e}");
    let e = g.medreason_paths(&question, &answer, None, 1 << 40, 1, kgcore::query::NEVER).unwrap_err();
    assert!(e.to_string().contains("at most 1000000 paths"), "{e}");
}

#[test]
fn embeddings_are_saved_by_a_writer_reloaded_and_refused_when_absent_or_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    let dim = 8;
    let nodes: Vec<NodeIndex>;
    let values: Vec<f32>;
    {
        let g = Graph::open(&db, OpenMode::ReadWrite).unwrap();
        assert!(g.vector_index().unwrap().is_none());
        assert!(matches!(g.search_vectors(&[1.0; 8], 3, None, SearchMode::Auto), Err(Error::NoEmbeddings)));
        let q = EntityQuery { text: "anything", vector: Some(&[1.0; 8]), node_type: None };
        assert!(matches!(g.map_entity(q, &MapOptions::default()), Err(Error::NoEmbeddings)));

        nodes = g.view().nodes().take(300).collect();
        let mut rng = kgcore::core::rng::SplitMix64::new(5);
        values = (0..nodes.len() * dim).map(|_| rng.next_f64() as f32 - 0.5).collect();
        assert!(matches!(g.set_vectors(&nodes, &values[1..], dim, None, HnswParams::default()), Err(Error::InvalidArgument(_))));
        let live = g.set_vectors(&nodes, &values, dim, None, HnswParams::default()).unwrap();
        assert_eq!(live, nodes.len());
        assert!(g.vector_index().unwrap().unwrap().hnsw_params().is_some(), "a first index is HNSW");
        // Bad HNSW settings are refused also when the existing graph would be extended.
        let e = g.set_vectors(&nodes[..1], &values[..dim], dim, None, HnswParams { m: 0, ..Default::default() }).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(ref m) if m.contains("m must be")), "{e}");
    }
    assert!(db.join(VECTOR_FILE).is_file());

    // A reader finds them; its own attachment stays in memory (the file is the writer's).
    let g = Graph::open(&db, OpenMode::ReadOnly).unwrap();
    let own = &values[5 * dim..6 * dim];
    assert_eq!(g.search_vectors(own, 1, None, SearchMode::Exact).unwrap()[0].0, nodes[5]);
    let saved = std::fs::read(db.join(VECTOR_FILE)).unwrap();
    g.set_vectors(&nodes[..10], &values[..10 * dim], dim, Some(VectorKind::Exact), HnswParams::default()).unwrap();
    assert!(g.vector_index().unwrap().unwrap().hnsw_params().is_none(), "the kind asked for");
    assert_eq!(std::fs::read(db.join(VECTOR_FILE)).unwrap(), saved, "a reader does not write the file");
    let text = g.view().name(nodes[5]).to_owned();
    let mapped = g.map_entity(EntityQuery { text: &text, vector: None, node_type: None }, &MapOptions::default()).unwrap();
    assert!(matches!(mapped, Mapping::Exact(ref n) if n.contains(&nodes[5])), "{mapped:?}");
    drop(g);

    // A damaged file: searching is an error naming it; attaching replaces it, with a warning.
    let mut bytes = saved.clone();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(db.join(VECTOR_FILE), &bytes).unwrap();
    let (sink, seen) = collecting();
    let g = Graph::open(&db, OpenMode::ReadWrite).unwrap().with_warnings(sink);
    match g.search_vectors(own, 1, None, SearchMode::Auto) {
        Err(Error::Index(e @ IndexError::Corrupt { .. })) => assert!(e.to_string().contains(VECTOR_FILE), "{e}"),
        other => panic!("expected a corruption error, got {other:?}"),
    }
    g.set_vectors(&nodes, &values, dim, None, HnswParams::default()).unwrap();
    assert!(seen.lock().unwrap().iter().any(|w| w.contains("replacing it")), "{:?}", seen.lock().unwrap());
    assert_eq!(g.search_vectors(own, 1, None, SearchMode::Exact).unwrap()[0].0, nodes[5]);
}

#[test]
fn generated_files_appear_whole_plain_or_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, gz) = (dir.path().join("kg.csv"), dir.path().join("kg.csv.gz"));
    let a = kgcore::generate_file(&plain, 0.01, 3).unwrap();
    let b = kgcore::generate_file(&gz, 0.01, 3).unwrap();
    assert_eq!((a.nodes, a.rows), (b.nodes, b.rows));
    assert_eq!(&std::fs::read(&gz).unwrap()[..2], &[0x1f, 0x8b], "gzip magic");
    let r1 = Graph::import(dir.path().join("db1"), &[plain], None).unwrap();
    let r2 = Graph::import(dir.path().join("db2"), &[gz], None).unwrap();
    assert_eq!((r1.nodes, r1.edges), (r2.nodes, r2.edges));

    let bad = dir.path().join("bad.csv");
    assert!(kgcore::generate_file(&bad, -1.0, 3).is_err());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(!left.iter().any(|n| n.to_string_lossy().starts_with("bad")), "nothing of a failed generation is left: {left:?}");
    let nowhere = dir.path().join("no-such-folder").join("kg.csv");
    let e = kgcore::generate_file(&nowhere, 0.01, 3).unwrap_err().to_string();
    assert!(e.contains("no-such-folder/kg.csv"), "the error names the file asked for: {e}");
}

#[test]
fn name_searches_follow_one_rule_for_their_options() {
    assert_eq!(NameMatch::from_options(0, false, false).unwrap(), NameMatch::Exact);
    assert_eq!(NameMatch::from_options(0, true, false).unwrap(), NameMatch::Prefix);
    assert_eq!(NameMatch::from_options(2, false, false).unwrap(), NameMatch::Fuzzy(2));
    assert_eq!(NameMatch::from_options(0, false, true).unwrap(), NameMatch::ExactCase);
    assert_eq!(NameMatch::from_options(0, true, true).unwrap(), NameMatch::PrefixCase);
    assert!(matches!(NameMatch::from_options(1, true, false), Err(Error::InvalidArgument(_))));
    assert!(matches!(NameMatch::from_options(1, false, true), Err(Error::InvalidArgument(_))));

    let dir = tempfile::tempdir().unwrap();
    let g = Graph::open(imported(dir.path()), OpenMode::ReadOnly).unwrap();
    let (_, name) = uniquely_named(&g);
    for how in [NameMatch::Exact, NameMatch::Prefix, NameMatch::Fuzzy(1)] {
        assert!(g.search_names(&name, how, None, 0).unwrap().is_empty(), "{how:?}: limit 0 is no hit");
        assert!(!g.search_names(&name, how, None, 1).unwrap().is_empty(), "{how:?}: the name itself");
        assert!(g.search_names(&name[..2], how, None, 2).unwrap().len() <= 2, "{how:?}");
    }
}

#[test]
fn labelled_paths_are_refused_unless_each_step_is_an_edge() {
    let dir = tempfile::tempdir().unwrap();
    let g = Graph::open(imported(dir.path()), OpenMode::ReadOnly).unwrap();
    let view = g.view();
    let (a, _) = uniquely_named(&g);
    let b = view.neighbours(a)[0];
    let far = view.nodes().find(|&n| n != a && !view.neighbours(a).contains(&n)).unwrap();
    assert!(g.render_labelled(&[a, b]).unwrap().starts_with(view.name(a)));
    assert!(matches!(g.render_labelled(&[a, far]), Err(Error::InvalidArgument(m)) if m.contains("no edge joins")));
    assert!(matches!(g.render_labelled(&[]), Err(Error::InvalidArgument(m)) if m == "empty path"));
    assert!(matches!(g.render_labelled(&[a, 4_000_000_000]), Err(Error::Query(kgcore::query::QueryError::UnknownNode(4_000_000_000)))));
}

#[test]
fn embeddings_of_removed_or_replaced_nodes_are_never_returned_and_check_covers_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    let g = Graph::open(&db, OpenMode::ReadWrite).unwrap();
    let view = g.view();
    // Node 0 and a node with edges of another type than node 0's.
    let gone = 0;
    let other_type = view.nodes().find(|&n| view.type_id(n) != view.type_id(gone)).unwrap();
    let dim = 4;
    let vector = |i: usize| -> Vec<f32> { (0..dim).map(|d| if d == i % dim { 1.0 } else { 0.01 }).collect() };
    g.set_vectors(&[gone, other_type], &[vector(0), vector(1)].concat(), dim, Some(VectorKind::Exact), HnswParams::default()).unwrap();
    assert_eq!(g.search_vectors(&vector(0), 1, None, SearchMode::Exact).unwrap()[0].0, gone);
    assert_eq!(g.check().unwrap().embeddings, Some(2));

    // Node 0 is removed (with its edges): its embedding goes with it, in this handle and in the
    // next one.
    g.apply(&Batch { remove_nodes: vec![gone], ..Default::default() }).unwrap();
    let hits = g.search_vectors(&vector(0), 5, None, SearchMode::Exact).unwrap();
    assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), [other_type], "the removed node's row is not returned");
    drop(g);
    let g = Graph::open(&db, OpenMode::ReadWrite).unwrap();
    assert_eq!(g.vector_index().unwrap().unwrap().len(), 1);

    // A new node at the freed index, of another type, does not inherit the old embedding.
    let new_type = view.node(other_type).unwrap().node_type.to_owned();
    g.apply(&Batch {
        add_nodes: vec![Node { index: gone, id: "NEW-0".into(), node_type: new_type, name: "A newcomer".into(), source: "test".into() }],
        ..Default::default()
    })
    .unwrap();
    let q = EntityQuery { text: "no such name", vector: Some(&vector(0)), node_type: None };
    let mapped = g.map_entity(q, &MapOptions { accept_sim: 0.5, min_sim: 0.5, ..Default::default() }).unwrap();
    assert!(!matches!(mapped, Mapping::Similar { node, .. } if node == gone), "{mapped:?}");
    let report = g.check().unwrap();
    assert_eq!(report.embeddings, Some(1));
    drop(g);
    // Reading the file afresh, at the new generation, gives the same.
    let g = Graph::open(&db, OpenMode::ReadOnly).unwrap();
    assert_eq!(g.search_vectors(&vector(0), 5, None, SearchMode::Exact).unwrap().iter().map(|h| h.0).collect::<Vec<_>>(), [other_type]);
}

#[test]
fn side_files_of_another_database_are_never_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let db = imported(dir.path());
    // Another database, also at generation 1, with embeddings attached.
    let other_dir = dir.path().join("other");
    std::fs::create_dir(&other_dir).unwrap();
    let kg = other_dir.join("kg.csv");
    kgcore::generate_file(&kg, 0.005, 99).unwrap();
    let other = other_dir.join("db");
    Graph::import(&other, &[kg], None).unwrap();
    {
        let g = Graph::open(&other, OpenMode::ReadWrite).unwrap();
        let nodes: Vec<NodeIndex> = g.view().nodes().take(5).collect();
        g.set_vectors(&nodes, &[0.5; 5 * 4], 4, None, HnswParams::default()).unwrap();
    }
    let (info, hits) = {
        let g = Graph::open(&db, OpenMode::ReadOnly).unwrap();
        let (_, name) = uniquely_named(&g);
        (g.info(), g.search_names(&name, NameMatch::Exact, None, 10).unwrap())
    };
    assert_ne!(Graph::open(&other, OpenMode::ReadOnly).unwrap().info().nodes, info.nodes);
    for file in [kgcore::files::VIEW_FILE, NAME_INDEX_FILE, VECTOR_FILE] {
        std::fs::copy(other.join(file), db.join(file)).unwrap();
    }
    let g = Graph::open(&db, OpenMode::ReadOnly).unwrap();
    // The foreign view and name index are rebuilt from this database's own store.
    assert_eq!(g.info().nodes, info.nodes);
    assert_eq!(g.search_names(&hits[0].key, NameMatch::Exact, None, 10).unwrap(), hits);
    // The foreign embeddings are refused, naming the file.
    match g.search_vectors(&[0.5; 4], 1, None, SearchMode::Auto) {
        Err(Error::Index(e @ IndexError::Corrupt { .. })) => assert!(e.to_string().contains("another database"), "{e}"),
        other => panic!("expected the foreign vector file to be refused, got {other:?}"),
    }
    assert!(g.check().is_err(), "check reports the foreign vector file");
}

#[test]
fn names_go_in_one_normalisation_everywhere() {
    let g = Graph::in_memory();
    let node = |index: NodeIndex, node_type: &str, name: &str| Node { index, id: format!("N{index}"), node_type: node_type.into(), name: name.into(), source: "test".into() };
    let edge = |source, target| Edge { source, target, relation: "r".into(), display_relation: "r".into() };
    g.apply(&Batch {
        add_nodes: vec![
            node(0, "pathway", "TNF receptor signaling pathway "),
            node(1, "effect/phenotype", "Fever"),
            node(2, "effect/phenotype", "Hearing  loss"),
            node(3, "gene/protein", "SET"),
            node(4, "exposure", "set"),
        ],
        add_edges: vec![edge(0, 1), edge(1, 2), edge(3, 4)],
        ..Default::default()
    })
    .unwrap();
    // The name search reports normalised names; MedReason's query takes them back.
    let key = g.search_names("TNF receptor signaling pathway", NameMatch::Exact, None, 5).unwrap()[0].key.clone();
    assert_eq!(key, "tnf receptor signaling pathway");
    let found = g.medreason_paths(&[key], &["fever".into(), "no such name".into()], None, 5, 0, kgcore::query::NEVER).unwrap();
    assert_eq!(found.groups, [vec![vec!["tnf receptor signaling pathway ".to_owned(), "fever".to_owned()]]]);
    assert_eq!(found.missing, ["no such name"]);
    // `find` folds case and spacing through the name index, preferring the very case given.
    for text in ["hearing  loss", "Hearing loss", " HEARING LOSS "] {
        assert_eq!(g.find(text), [2], "{text:?}");
    }
    assert_eq!(g.find("SET"), [3]);
    assert_eq!(g.find("set"), [4]);
    assert_eq!(g.find("Set"), [3, 4]);
    assert!(g.find("   ").is_empty() && g.find("nothing").is_empty());
    assert!(matches!(g.resolve("Set"), Err(Error::Query(kgcore::query::QueryError::Ambiguous { .. }))));
    // Case-sensitive search: gene symbols are not the words they spell.
    let nodes = |text: &str, how| g.search_names(text, how, None, 10).unwrap().into_iter().flat_map(|h| h.nodes).collect::<Vec<_>>();
    assert_eq!(nodes("set", NameMatch::Exact), [3, 4]);
    assert_eq!(nodes("SET", NameMatch::ExactCase), [3]);
    assert_eq!(nodes("set", NameMatch::ExactCase), [4]);
    assert!(nodes("Set", NameMatch::ExactCase).is_empty());
    assert_eq!(nodes("Hear", NameMatch::PrefixCase), [2]);
    assert!(nodes("hear", NameMatch::PrefixCase).is_empty());
    assert_eq!(nodes("hear", NameMatch::Prefix), [2]);
    assert_eq!(g.resolve(" fever ").unwrap(), 1);
    assert_eq!(g.resolve("2").unwrap(), 2);
}
