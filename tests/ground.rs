//! MedReason's KG step as one job: QA records of each file style read, grounded on a small
//! named graph, sampled and pruned with seeds of their own; files resumed, bad lines reported.

use kgcore::{Batch, Dropped, Edge, Graph, GroundOptions, Node, QaRecord};

const NODES: &[(&str, &str)] = &[
    ("Fever", "effect/phenotype"),
    ("Cough", "effect/phenotype"),
    ("influenza", "disease"),
    ("Oseltamivir", "drug"),
    ("Zinc", "drug"),
    ("Aspirin", "drug"),
];

/// Fever and cough present in influenza, oseltamivir treats it; zinc stands alone; fever and
/// aspirin share 60 genes, the first of them a hub.
fn graph() -> Graph {
    let mut nodes: Vec<Node> = NODES.iter().enumerate().map(|(i, (name, ty))| node(i, name, ty)).collect();
    let mut edges = vec![edge(2, 0, "presents"), edge(2, 1, "presents"), edge(3, 2, "treats")];
    for g in 0..60 {
        let i = nodes.len();
        nodes.push(node(i, &format!("GENE{g}"), "gene/protein"));
        edges.extend([edge(0, i, "associates"), edge(5, i, "binds")]);
    }
    let hub = NODES.len();
    for extra in 0..10 {
        let i = nodes.len();
        nodes.push(node(i, &format!("EXTRA{extra}"), "gene/protein"));
        edges.push(edge(hub, i, "interacts"));
    }
    let both: Vec<Edge> = edges.iter().flat_map(|e| [e.clone(), Edge { source: e.target, target: e.source, ..e.clone() }]).collect();
    let g = Graph::in_memory();
    g.apply(&Batch { add_nodes: nodes, add_edges: both, ..Default::default() }).unwrap();
    g
}

fn node(i: usize, name: &str, ty: &str) -> Node {
    Node { index: i as u32, id: format!("N{i}"), node_type: ty.into(), name: name.into(), source: "test".into() }
}

fn edge(s: usize, t: usize, r: &str) -> Edge {
    Edge { source: s as u32, target: t as u32, relation: r.into(), display_relation: r.into() }
}

#[test]
fn records_of_each_file_style_are_read_or_refused_with_a_reason() {
    let medqa = r#"{"question": "Fever?", "answer": "Oseltamivir", "options": {"A": "Zinc", "B": "Oseltamivir"}, "answer_idx": "B"}"#;
    let r = QaRecord::parse(medqa, "medqa", 7).unwrap();
    assert_eq!((r.id_in_dataset.as_str(), r.answer.as_str(), r.dataset_name.as_str()), ("7", "Oseltamivir", "medqa"));
    let xpert = r#"{"id": "Text-1", "question": "Cough?", "options": {"A": "Zinc", "B": "Oseltamivir"}, "label": "B"}"#;
    let r = QaRecord::parse(xpert, "x", 1).unwrap();
    assert_eq!((r.id_in_dataset.as_str(), r.answer.as_str()), ("Text-1", "Oseltamivir"));
    let hle = r#"{"idx": 3, "question": "Q", "options": {"C": "Oseltamivir"}, "answer": "C. Oseltamivir\n", "answer_idx": "C"}"#;
    let r = QaRecord::parse(hle, "hle", 1).unwrap();
    assert_eq!((r.id_in_dataset.as_str(), r.answer.as_str()), ("3", "Oseltamivir"), "the option letter goes");
    for (line, reason) in [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        (r#"{"answer": "x"}"#, "no question text"),
        (r#"{"question": "q", "answer": "  "}"#, "no answer text"),
        (r#"{"question": "q", "options": {"A": "x"}, "answer_idx": "D"}"#, "option \"D\" is missing"),
    ] {
        let e = QaRecord::parse(line, "d", 1).unwrap_err();
        assert!(e.contains(reason), "{line}: {e}");
    }
}

#[test]
fn a_record_grounds_in_paths_entities_and_a_prompt() {
    let g = graph();
    let line = r#"{"question": "A man has fevers and a cough. Answer Choices: Zinc", "answer": "Oseltamivir", "options": {"A": "Zinc", "B": "Oseltamivir"}}"#;
    let r = QaRecord::parse(line, "medqa", 1).unwrap();
    let out = g.ground(&r, &GroundOptions::default()).unwrap();
    let q: Vec<(&str, &str)> = out.question_entities.iter().map(|e| (e.text.as_str(), e.how)).collect();
    assert_eq!(q, [("fevers", "folded"), ("cough", "exact")], "the appended answer choices are not the question");
    assert_eq!(out.answer_entities.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["oseltamivir"]);
    assert_eq!(out.dropped, None);
    assert_eq!(out.path_groups.len(), 2);
    let first = &out.path_groups[0];
    assert_eq!((first.from.as_str(), first.to.as_str(), first.distance, first.count.as_str(), first.sampled), ("fever", "oseltamivir", 2, "1", false));
    assert_eq!(first.paths[0].names, ["fever", "influenza", "oseltamivir"]);
    assert_eq!(first.paths[0].nodes, [vec![0], vec![2], vec![3]]);
    assert_eq!(first.paths[0].labelled, "fever -[presents]- influenza -[treats]- oseltamivir");
    assert_eq!(out.thinking_paths, "1:fever->influenza->oseltamivir\n2:cough->influenza->oseltamivir\n");
    assert!(out.prompt.contains("Answer: Oseltamivir") && out.prompt.contains(&out.thinking_paths) && out.prompt.contains("B. Oseltamivir"));

    let unreachable = QaRecord::parse(r#"{"question": "fever", "answer": "Zinc"}"#, "d", 2).unwrap();
    assert_eq!(g.ground(&unreachable, &GroundOptions::default()).unwrap().dropped, Some(Dropped::NoPath));
    let nothing = QaRecord::parse(r#"{"question": "Which is it?", "answer": "Zinc"}"#, "d", 3).unwrap();
    assert_eq!(g.ground(&nothing, &GroundOptions::default()).unwrap().dropped, Some(Dropped::NoQuestionEntity));
    let same = QaRecord::parse(r#"{"question": "Fever and more", "answer": "Fever"}"#, "d", 4).unwrap();
    let same = g.ground(&same, &GroundOptions::default()).unwrap();
    assert!(same.question_entities.is_empty(), "an answer entity is not also a question entity");
}

#[test]
fn the_typed_graph_gives_typed_steps_with_their_relations() {
    let g = graph();
    let r = QaRecord::parse(r#"{"question": "fevers", "answer": "Oseltamivir"}"#, "d", 1).unwrap();
    let out = g.ground(&r, &GroundOptions { typed: true, ..Default::default() }).unwrap();
    assert_eq!((out.question_entities[0].name.as_str(), out.answer_entities[0].name.as_str()), ("Fever", "Oseltamivir"));
    let path = &out.path_groups[0].paths[0];
    assert_eq!(path.nodes, [vec![0], vec![2], vec![3]]);
    assert_eq!(path.labelled, "Fever (effect/phenotype) -[presents]- influenza (disease) -[treats]- Oseltamivir (drug)");
    assert_eq!(out.thinking_paths, "1:fever->influenza->oseltamivir\n");
    let names = g.ground(&r, &GroundOptions::default()).unwrap();
    assert_eq!(names.thinking_paths, out.thinking_paths, "one path either way on this graph");
    let short = g.ground(&r, &GroundOptions { typed: true, max_hops: Some(1), ..Default::default() }).unwrap();
    assert_eq!(short.dropped, Some(Dropped::NoPath), "max_hops bounds the typed search too");
}

#[test]
fn entities_a_record_names_itself_are_mapped_not_extracted() {
    let g = graph();
    let line = r#"{"question": "Unrelated words", "answer": "x", "question_entities": ["fevers", {"name": "Cough", "type": "effect/phenotype"}, {"name": "influenza", "type": "drug"}, "unicorn"], "answer_entities": [{"name": "oseltamivir"}]}"#;
    let r = QaRecord::parse(line, "d", 1).unwrap();
    let out = g.ground(&r, &GroundOptions::default()).unwrap();
    let q: Vec<(&str, &str, Option<usize>)> = out.question_entities.iter().map(|e| (e.name.as_str(), e.how, e.start)).collect();
    assert_eq!(q, [("fever", "folded", None), ("cough", "exact", None)]);
    assert_eq!(out.unmapped_entities, ["influenza", "unicorn"], "a name of another type maps to nothing");
    assert_eq!(out.path_groups.len(), 2);
    for (bad, reason) in [
        (r#"{"question": "q", "answer": "a", "question_entities": []}"#, "come together"),
        (r#"{"question": "q", "answer": "a", "question_entities": [3], "answer_entities": []}"#, "`question_entities[0]` is neither"),
        (r#"{"question": "q", "answer": "a", "question_entities": [], "answer_entities": {"a": 1}}"#, "`answer_entities` is not a list"),
    ] {
        let e = QaRecord::parse(bad, "d", 1).unwrap_err();
        assert!(e.contains(reason), "{bad}: {e}");
    }
    // A grounded record read back grounds the same: its entities are given.
    let again = QaRecord::parse(&serde_json::to_string(&out).unwrap(), "d", 1).unwrap();
    let twice = g.ground(&again, &GroundOptions::default()).unwrap();
    assert_eq!(twice.path_groups, out.path_groups);
}

#[test]
fn large_groups_are_sampled_with_the_records_seed_and_pruned_away_from_hubs() {
    let g = graph();
    let r = QaRecord::parse(r#"{"id": "a", "question": "fever", "answer": "Aspirin"}"#, "d", 1).unwrap();
    let all = g.ground(&r, &GroundOptions { max_paths: 60, keep: 3, ..Default::default() }).unwrap();
    let group = &all.path_groups[0];
    assert_eq!((group.count.as_str(), group.sampled, group.paths.len()), ("60", false, 3));
    assert!(group.paths.iter().all(|p| p.names[1] != "gene0"), "the hub gene is pruned first: {:?}", group.paths);

    let sampled = |seed: u64, id: &str| {
        let r = QaRecord::parse(&format!(r#"{{"id": "{id}", "question": "fever", "answer": "Aspirin"}}"#), "d", 1).unwrap();
        let out = g.ground(&r, &GroundOptions { keep: 50, seed, ..Default::default() }).unwrap();
        assert!(out.path_groups[0].sampled);
        out.path_groups[0].paths.iter().map(|p| p.names[1].clone()).collect::<Vec<_>>()
    };
    assert_eq!(sampled(1, "a").len(), 50);
    assert_eq!(sampled(1, "a"), sampled(1, "a"), "same seed and record, same sample");
    assert_ne!(sampled(1, "a"), sampled(2, "a"), "another seed, another sample");
    assert_ne!(sampled(1, "a"), sampled(1, "b"), "another record, another sample");
}

#[test]
fn a_file_grounds_resumes_after_a_cut_and_reports_bad_lines() {
    let g = graph();
    let dir = tempfile::tempdir().unwrap();
    let qa = dir.path().join("set.jsonl");
    let mut lines = vec![
        r#"{"question": "fever and cough", "answer": "Oseltamivir"}"#.to_owned(),
        "{broken".to_owned(),
        String::new(),
        r#"{"question": "no names here", "answer": "Oseltamivir"}"#.to_owned(),
        r#"{"question": "fever", "options": {"A": "Zinc"}, "answer_idx": "A"}"#.to_owned(),
        r#"{"question": "cough"}"#.to_owned(),
    ];
    lines.extend((0..300).map(|i| format!(r#"{{"id": "r{i}", "question": "fever {i}", "answer": "Aspirin"}}"#)));
    let mut bytes = lines.join("\n").into_bytes();
    bytes.extend_from_slice(b"\n{\"question\": \"caf\xe9\", \"answer\": \"x\"}\r\n");
    std::fs::write(&qa, bytes).unwrap();
    let options = GroundOptions { seed: 5, ..Default::default() };
    let quiet = |_: usize, _: usize| {};

    let whole = dir.path().join("whole.jsonl");
    let s = g.ground_file(&qa, &whole, None, &options, &quiet, kgcore::query::NEVER).unwrap();
    assert_eq!((s.read, s.bad, s.with_path, s.already_done), (306, 3, 301, 0));
    assert_eq!((s.dropped_no_question_entity, s.dropped_no_path, s.dropped_no_answer_entity), (1, 1, 0));
    assert!(s.bad_lines[0].ends_with("set.jsonl:2: not JSON: key must be a string at line 1 column 2"), "{:?}", s.bad_lines);
    assert!(s.bad_lines[1].contains("set.jsonl:6: no answer text"), "{:?}", s.bad_lines);
    assert!(s.bad_lines[2].ends_with("set.jsonl:307: not UTF-8 text"), "a line, not the file: {:?}", s.bad_lines);
    let written = std::fs::read_to_string(&whole).unwrap();
    assert_eq!(written.lines().count(), 301);
    let first: serde_json::Value = serde_json::from_str(written.lines().next().unwrap()).unwrap();
    assert_eq!((first["dataset_name"].as_str(), first["id_in_dataset"].as_str()), (Some("set"), Some("1")));

    // A run stopped mid-line: the cut line goes, the rest is grounded as before.
    let cut = dir.path().join("cut.jsonl");
    let keep = written.lines().take(100).map(|l| format!("{l}\n")).collect::<String>() + &written.lines().nth(100).unwrap()[..40];
    std::fs::write(&cut, keep).unwrap();
    let s = g.ground_file(&qa, &cut, None, &options, &quiet, kgcore::query::NEVER).unwrap();
    assert_eq!((s.already_done, s.with_path), (100, 201));
    assert_eq!(std::fs::read_to_string(&cut).unwrap(), written, "resumed output equals one whole run");
    let again = g.ground_file(&qa, &cut, None, &options, &quiet, kgcore::query::NEVER).unwrap();
    assert_eq!((again.already_done, again.with_path), (301, 0));

    let lines = [(7, r#"{"question": "fever", "answer": "Oseltamivir"}"#), (8, "[]"), (9, r#"{"question": "fever", "answer": "Oseltamivir"}"#)];
    let outcomes = g.ground_lines(&lines, "d", &options, &|r| r.id_in_dataset == "9");
    match &outcomes[..] {
        [kgcore::LineOutcome::Grounded(first), kgcore::LineOutcome::Bad(reason), kgcore::LineOutcome::AlreadyDone] => {
            assert_eq!((first.record.id_in_dataset.as_str(), first.dropped), ("7", None));
            assert_eq!(reason, "not a JSON object");
        }
        other => panic!("{other:?}"),
    }
    let typed = GroundOptions { extract: kgcore::ExtractOptions { node_types: Some(vec!["spaceship".into()]), fuzzy: false }, ..Default::default() };
    let fresh = dir.path().join("never.jsonl");
    let e = g.ground_file(&qa, &fresh, None, &typed, &quiet, kgcore::query::NEVER).unwrap_err();
    assert!(e.to_string().contains("spaceship") && !fresh.exists(), "refused before any record: {e}");

    let none_kept = GroundOptions { keep: 0, ..Default::default() };
    let e = g.ground_file(&qa, &fresh, None, &none_kept, &quiet, kgcore::query::NEVER).unwrap_err();
    assert!(e.to_string().contains("keep must be at least 1"), "{e}");

    let stop = || true;
    let e = g.ground_file(&qa, &dir.path().join("stopped.jsonl"), None, &options, &quiet, &stop).unwrap_err();
    assert!(e.to_string().contains("interrupted"), "{e}");
    let e = g.ground_file(&dir.path().join("missing.jsonl"), &whole, None, &options, &quiet, kgcore::query::NEVER).unwrap_err();
    assert!(e.to_string().contains("missing.jsonl"), "{e}");
    std::fs::write(&cut, "not a record\n").unwrap();
    let e = g.ground_file(&qa, &cut, None, &options, &quiet, kgcore::query::NEVER).unwrap_err();
    assert!(e.to_string().contains("cut.jsonl:1: not a grounded record"), "{e}");
}

#[test]
fn a_graph_without_names_grounds_nothing_and_says_why() {
    let g = Graph::in_memory();
    let nodes = (0..3).map(|i| node(i, "", "disease")).collect();
    g.apply(&Batch { add_nodes: nodes, add_edges: vec![edge(0, 1, "r"), edge(1, 2, "r")], ..Default::default() }).unwrap();
    let r = QaRecord::parse(r#"{"question": "fever and cough", "answer": "Oseltamivir"}"#, "d", 1).unwrap();
    let out = g.ground(&r, &GroundOptions::default()).unwrap();
    assert_eq!((out.dropped, out.question_entities.len()), (Some(Dropped::NoQuestionEntity), 0));
    assert!(g.extract("fever", &Default::default()).unwrap().is_empty());
}

proptest::proptest! {
    /// Any line, JSON or not, is a record or a reason; a record always has a question and a
    /// non-empty answer.
    #[test]
    fn any_line_is_a_record_or_a_reason(line in r#"\{("(question|answer|answer_idx|label|options|id|question_entities|answer_entities)": ("[A-Ea-z .]{0,8}"|\[("x"|3|\{"name": "y"\})?\]|\{"A": "z"\}|1|null), ?){0,6}\}|\PC{0,40}"#) {
        let line = line.replace(", }", "}");
        match QaRecord::parse(&line, "d", 1) {
            Ok(r) => proptest::prop_assert!(!r.question.is_empty() && !r.answer.trim().is_empty()),
            Err(reason) => proptest::prop_assert!(!reason.is_empty()),
        }
    }
}
