//! The `kgcore` binary end to end: generate, import, info, node, path, batch, check, and its
//! errors, including a second process refused by a database's lock.

use std::process::{Command, Output};

use serde_json::Value;

fn kgcore(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kgcore")).args(args).output().expect("runs")
}

fn ok_json(args: &[&str]) -> Value {
    let out = kgcore(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn generate_import_and_query() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kg.csv.gz");
    let db = dir.path().join("db");
    let (csv_s, db_s) = (csv.to_str().unwrap(), db.to_str().unwrap());
    assert!(kgcore(&["generate", "--scale", "0.02", "--seed", "3", "--out", csv_s]).status.success());
    let imported = ok_json(&["import", "--db", db_s, csv_s, "--json"]);
    assert!(imported["duplicates_skipped"].as_u64().unwrap() >= 7, "{imported}");

    let info = ok_json(&["info", "--db", db_s, "--json"]);
    let nodes = info["nodes"].as_u64().unwrap();
    let expected: usize = kgcore::generator::NODE_TYPES.iter().map(|t| ((t.1 as f64 * 0.02).round() as usize).max(2)).sum();
    assert_eq!(nodes as usize, expected, "every generated node has an edge: {info}");
    assert_eq!(info["edges"], imported["edges"]);
    assert_eq!(info["node_types"].as_object().unwrap().len(), 10);
    assert_eq!(info["relations"].as_object().unwrap().len(), 30);
    // The store's size: RocksDB's files on disk, and each column family's share.
    let store = &info["store"];
    let on_disk = store["on_disk"].as_u64().unwrap();
    let dir_bytes: u64 = std::fs::read_dir(&db).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum();
    assert!(on_disk > 0 && on_disk < dir_bytes, "{store} of {dir_bytes} bytes in the directory (side files included)");
    let families = store["column_families"].as_object().unwrap();
    assert_eq!(families.keys().collect::<Vec<_>>(), ["adj", "meta", "nodes", "sets"]);
    assert!(families["adj"].as_u64().unwrap() > 0 && families["adj"].as_u64().unwrap() < on_disk, "{store}");
    // Every edge is stored both ways (and a pair may carry several relations).
    let (edges, pairs) = (info["edges"].as_u64().unwrap(), info["undirected_edges"].as_u64().unwrap());
    assert!(edges % 2 == 0 && edges >= 2 * pairs && edges < 2 * pairs + pairs / 10, "{info}");
    let hub = info["degree"]["max_node"].as_u64().unwrap().to_string();

    let p = ok_json(&["path", "--db", db_s, "0", &hub, "--all", "--json"]);
    let d = p["distance"].as_u64().unwrap();
    let paths = p["paths"].as_array().unwrap();
    assert!(!paths.is_empty() && paths.len() as u64 <= p["count"].as_u64().unwrap());
    for path in paths {
        assert_eq!(path.as_array().unwrap().len() as u64, d + 1);
        assert_eq!(path[0], 0);
    }
    let s = ok_json(&["path", "--db", db_s, "0", &hub, "--sample", "2", "--seed", "9", "--json"]);
    assert_eq!(s, ok_json(&["path", "--db", db_s, "0", &hub, "--sample", "2", "--seed", "9", "--json"]));
    let k = ok_json(&["path", "--db", db_s, "0", &hub, "--k", "4", "--json"]);
    let lens: Vec<usize> = k["paths"].as_array().unwrap().iter().map(|p| p.as_array().unwrap().len()).collect();
    assert!(lens.windows(2).all(|w| w[0] <= w[1]) && lens.len() == 4, "{lens:?}");

    // Answers too large to list are refused with a message, not an abort; k = 0 is not "no path".
    for (args, says) in [
        (&["--sample", "1000000000000"][..], "at most 1000000 paths"),
        (&["--all", "--limit", "1000000000"][..], "at most 1000000 paths"),
        (&["--k", "1000000000"][..], "at most 1000000 paths"),
        (&["--k", "0"][..], "--k must be at least 1"),
    ] {
        let out = kgcore(&[&["path", "--db", db_s, "0", &hub][..], args].concat());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.code() == Some(1) && err.contains(says), "{args:?}: {:?} {err}", out.status);
    }

    let node = ok_json(&["node", "--db", db_s, &hub, "--json"]);
    assert_eq!(node[0]["index"].as_u64().unwrap().to_string(), hub);
    let name = node[0]["name"].as_str().unwrap().to_owned();
    let by_name = ok_json(&["node", "--db", db_s, &name, "--json"]);
    assert!(by_name.as_array().unwrap().iter().any(|n| n["index"] == node[0]["index"]));

    // The name index was written by the import and finds the hub by its name in any case,
    // and with a typo.
    assert!(db.join("names.idx").is_file());
    let found = ok_json(&["search", "--db", db_s, &format!("  {}  ", name.to_uppercase()), "--json"]);
    assert!(found[0]["nodes"].as_array().unwrap().iter().any(|n| n["index"] == node[0]["index"]), "{found}");
    let mut typo: Vec<char> = name.chars().collect();
    typo.remove(typo.len() / 2);
    let typo: String = typo.into_iter().collect();
    let fuzzy = ok_json(&["search", "--db", db_s, &typo, "--fuzzy", "1", "--json"]);
    assert!(fuzzy.as_array().unwrap().iter().any(|h| h["nodes"].as_array().unwrap().iter().any(|n| n["index"] == node[0]["index"])), "{fuzzy}");
    let out = kgcore(&["search", "--db", db_s, " ", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty query"));

    let mr = ok_json(&["path", "--db", db_s, &name, &name.to_uppercase(), "--medreason", "--json"]);
    assert_eq!(mr["distance"], 0);

    let check = kgcore(&["check", "--db", db_s]);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
}

#[test]
fn errors_name_the_problem_and_exit_nonzero() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "relation,display_relation,x_index,y_index\nr,r,1,2\n").unwrap();
    let db = dir.path().join("db");
    let out = kgcore(&["import", "--db", db.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.csv:2") && err.contains("endpoint 1"), "{err}");
    assert!(!db.exists());

    let out = kgcore(&["info", "--db", dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not found"));
    assert_eq!(kgcore(&["path"]).status.code(), Some(2));

    // A name search is prefix or fuzzy, not both: refused, as in Python.
    let (csv, good) = (dir.path().join("kg.csv"), dir.path().join("good"));
    assert!(kgcore(&["generate", "--scale", "0.01", "--seed", "1", "--out", csv.to_str().unwrap()]).status.success());
    assert!(kgcore(&["import", "--db", good.to_str().unwrap(), csv.to_str().unwrap()]).status.success());
    let out = kgcore(&["search", "--db", good.to_str().unwrap(), "abc", "--prefix", "--fuzzy", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("prefix or fuzzy, not both"));
}

#[test]
fn a_second_writer_process_is_refused_by_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kg.csv");
    let db = dir.path().join("db");
    assert!(kgcore(&["generate", "--scale", "0.01", "--out", csv.to_str().unwrap()]).status.success());
    assert!(kgcore(&["import", "--db", db.to_str().unwrap(), csv.to_str().unwrap()]).status.success());
    let holder = kgcore::core::Database::open(&db, kgcore::core::OpenMode::ReadWrite).unwrap();
    let out = kgcore(&["import", "--db", db.to_str().unwrap(), csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is open read-write elsewhere"));
    // Readers in other processes still work.
    let info = ok_json(&["info", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(info["nodes"].as_u64().unwrap() as usize, holder.view().node_count());
    drop(holder);
    assert!(kgcore(&["import", "--db", db.to_str().unwrap(), csv.to_str().unwrap()]).status.success());
}

#[test]
fn apply_and_batch_name_the_bad_line_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, db) = (dir.path().join("kg.csv"), dir.path().join("db"));
    let (csv_s, db_s) = (csv.to_str().unwrap(), db.to_str().unwrap());
    assert!(kgcore(&["generate", "--scale", "0.01", "--out", csv_s]).status.success());
    assert!(kgcore(&["import", "--db", db_s, csv_s]).status.success());
    let before = ok_json(&["info", "--db", db_s, "--json"]);

    let batches = dir.path().join("batches.jsonl");
    let good = r#"{"add_nodes":[{"index":5000,"id":"X","node_type":"drug","name":"New","source":"t"}]}"#;
    for (bad, says) in [
        (r#"{"add_nodes":[{"index":5001}]}"#, "not a batch"),
        (r#"{"add_edges":[{"source":5000,"target":99999,"relation":"r","display_relation":"r"}]}"#, "unknown node 99999"),
        (r#"{"remove_nodes":[1],"typo":1}"#, "unknown field"),
    ] {
        std::fs::write(&batches, format!("{good}\n{bad}\n")).unwrap();
        let out = kgcore(&["apply", "--db", db_s, batches.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("batches.jsonl:2") && err.contains(says), "{err}");
        // The good first line was committed; the bad second one left nothing.
        let after = ok_json(&["info", "--db", db_s, "--json"]);
        assert_eq!(after["nodes"].as_u64().unwrap(), before["nodes"].as_u64().unwrap() + 1);
        assert_eq!(after["edges"], before["edges"]);
    }

    let out = batch_on_stdin(db_s, b"0\t1\n0 1\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1, "the good line was answered");
    assert!(String::from_utf8_lossy(&out.stderr).contains("stdin:2: expected FROM<TAB>TO"));
    // A line that is not UTF-8 is named too.
    let out = batch_on_stdin(db_s, b"0\t1\n0\t\xff\xfe\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code() == Some(1) && err.contains("stdin:2") && err.contains("UTF-8"), "{err}");
}

/// `kgcore batch` on `db` with `input` as its standard input.
fn batch_on_stdin(db: &str, input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kgcore"))
        .args(["batch", "--db", db])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn write_npy(path: &std::path::Path, rows: usize, dim: usize, values: &[f32]) {
    std::fs::write(path, kgcore::index::npy::encode_matrix(rows, dim, values)).unwrap();
}

#[test]
fn embed_import_attaches_searchable_vectors_and_refuses_bad_input_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, db) = (dir.path().join("kg.csv"), dir.path().join("db"));
    let (csv_s, db_s) = (csv.to_str().unwrap(), db.to_str().unwrap());
    assert!(kgcore(&["generate", "--scale", "0.02", "--seed", "5", "--out", csv_s]).status.success());
    ok_json(&["import", "--db", db_s, csv_s, "--json"]);
    let nodes: Vec<u32> = {
        let d = kgcore::core::Database::open(&db, kgcore::core::OpenMode::ReadOnly).unwrap();
        d.view().nodes().collect()
    };
    let dim = 12;
    let mut rng = kgcore::core::rng::SplitMix64::new(3);
    let values: Vec<f32> = (0..nodes.len() * dim).map(|_| rng.next_f64() as f32 - 0.5).collect();
    let (vec_p, ids_p) = (dir.path().join("vectors.npy"), dir.path().join("ids.txt"));
    write_npy(&vec_p, nodes.len(), dim, &values);
    std::fs::write(&ids_p, nodes.iter().map(|n| format!("{n}\n")).collect::<String>()).unwrap();
    let (vec_s, ids_s) = (vec_p.to_str().unwrap(), ids_p.to_str().unwrap());

    let r = ok_json(&["embed-import", "--db", db_s, vec_s, ids_s, "--json"]);
    assert_eq!((r["rows"].as_u64(), r["dim"].as_u64(), r["hnsw"].as_bool()), (Some(nodes.len() as u64), Some(dim as u64), Some(true)));
    let file = db.join(kgcore::files::VECTOR_FILE);
    let opened = kgcore::core::Database::open(&db, kgcore::core::OpenMode::ReadOnly).unwrap();
    let (stamp, view) = opened.snapshot();
    let index = kgcore::index::VectorIndex::load_file(&file, &view, stamp).unwrap();
    assert_eq!(index.len(), nodes.len());
    for i in [0, nodes.len() / 2, nodes.len() - 1] {
        let hit = index.search(&view, &values[i * dim..(i + 1) * dim], 1, None, kgcore::index::SearchMode::Auto).unwrap();
        assert_eq!(hit[0].0, nodes[i], "a node's own vector finds it");
    }

    // Each bad input: a nonzero exit naming the problem, and the vector file as it was.
    let before = std::fs::read(&file).unwrap();
    let short_ids = dir.path().join("short.txt");
    std::fs::write(&short_ids, "0\n1\n").unwrap();
    let bad_ids = dir.path().join("bad.txt");
    std::fs::write(&bad_ids, "0\nseven\n").unwrap();
    let nan = dir.path().join("nan.npy");
    let mut v = values.clone();
    v[dim * 3 + 1] = f32::NAN;
    write_npy(&nan, nodes.len(), dim, &v);
    let unknown = dir.path().join("unknown.txt");
    std::fs::write(&unknown, nodes.iter().map(|&n| format!("{}\n", if n == nodes[2] { 9_999_999 } else { n })).collect::<String>()).unwrap();
    let cases = [
        (vec_s, short_ids.to_str().unwrap(), "holds 2 node indices"),
        (vec_s, bad_ids.to_str().unwrap(), "bad.txt: line 2"),
        (nan.to_str().unwrap(), ids_s, "row 3"),
        (vec_s, unknown.to_str().unwrap(), "node 9999999 is not in the database"),
        (ids_s, ids_s, "not a .npy file"),
        ("/nonexistent/v.npy", ids_s, "/nonexistent/v.npy"),
    ];
    for (v, i, want) in cases {
        let out = kgcore(&["embed-import", "--db", db_s, v, i]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(want), "{want}: {err}");
        assert_eq!(std::fs::read(&file).unwrap(), before, "{want}: the vector file is untouched");
    }
}

#[test]
fn a_closed_standard_output_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, db) = (dir.path().join("kg.csv"), dir.path().join("db"));
    let (csv_s, db_s) = (csv.to_str().unwrap(), db.to_str().unwrap());
    assert!(kgcore(&["generate", "--scale", "0.01", "--seed", "3", "--out", csv_s]).status.success());
    assert!(kgcore(&["import", "--db", db_s, csv_s]).status.success());
    let hub = ok_json(&["info", "--db", db_s, "--json"])["degree"]["max_node"].as_u64().unwrap().to_string();
    let name = ok_json(&["node", "--db", db_s, &hub, "--json"])[0]["name"].as_str().unwrap().to_owned();
    let commands: [&[&str]; 7] = [
        &["info", "--db", db_s],
        &["node", "--db", db_s, &hub],
        &["path", "--db", db_s, "0", &hub, "--all"],
        &["path", "--db", db_s, "0", &hub, "--all", "--json"],
        &["search", "--db", db_s, &name],
        &["search", "--db", db_s, &name, "--json"],
        &["bench", "--db", db_s, "--pairs", "20", "--k-pairs", "2"],
    ];
    for args in commands {
        // A pipe whose reader is gone before the command writes its first byte.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_kgcore")).args(args).stdout(writer).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && err.is_empty(), "{args:?}: {:?} {err}", out.status);
    }
}

#[test]
fn read_only_processes_open_while_imports_into_the_database_commit() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, db) = (dir.path().join("kg.csv"), dir.path().join("db"));
    let (csv_s, db_s) = (csv.to_str().unwrap(), db.to_str().unwrap());
    assert!(kgcore(&["generate", "--scale", "0.01", "--seed", "3", "--out", csv_s]).status.success());
    assert!(kgcore(&["import", "--db", db_s, csv_s]).status.success());
    // Imports of new nodes into the database, each a process that opens, writes, flushes and
    // closes it: RocksDB deletes its old log files while read-only processes open.
    let extra: Vec<String> = (0..30u32)
        .map(|i| {
            let p = dir.path().join(format!("extra{i}.csv"));
            let mut rows = String::from("relation,display_relation,x_index,x_id,x_type,x_name,x_source,y_index,y_id,y_type,y_name,y_source\n");
            for j in 0..500u32 {
                let x = 60_000 + i * 1000 + 2 * j;
                rows += &format!("drug_drug,synergistic interaction,{x},X{x},drug,Extra {x},test,{},X{},drug,Extra {},test\n", x + 1, x + 1, x + 1);
            }
            std::fs::write(&p, rows).unwrap();
            p.to_str().unwrap().to_owned()
        })
        .collect();
    let writer = std::thread::spawn({
        let db_s = db_s.to_owned();
        move || extra.iter().all(|e| kgcore(&["import", "--db", &db_s, e]).status.success())
    });
    let mut failures = Vec::new();
    let mut opens = 0;
    while !writer.is_finished() {
        let out = kgcore(&["info", "--db", db_s, "--json"]);
        opens += 1;
        if !out.status.success() {
            failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
        }
    }
    assert!(writer.join().unwrap(), "every import succeeded");
    assert!(opens > 10 && failures.is_empty(), "{} of {opens} read-only opens failed: {:?}", failures.len(), failures.first());
}

#[test]
fn set_commands_agree_with_the_library_and_name_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kg.csv");
    let db = dir.path().join("db");
    let (csv_s, db_s) = (csv.to_str().unwrap(), db.to_str().unwrap());
    assert!(kgcore(&["generate", "--scale", "0.02", "--seed", "9", "--out", csv_s]).status.success());
    assert!(kgcore(&["import", "--db", db_s, csv_s]).status.success());
    let graph = kgcore::Graph::open(&db, kgcore::OpenMode::ReadOnly).unwrap();
    let hub = graph.info().degree.max_node.unwrap();
    let other = graph.view().nodes().find(|&n| n != hub && graph.view().degree(n) > 3).unwrap();
    let gene = kgcore::NeighbourFilter { node_types: Some(vec!["gene/protein".into()]), ..Default::default() };
    let (h, o) = (hub.to_string(), other.to_string());

    let n = ok_json(&["neighbours", "--db", db_s, &h, "--type", "gene/protein", "--limit", "5", "--json"]);
    assert_eq!(n["count"].as_u64().unwrap() as usize, graph.neighbour_set(hub, &gene).unwrap().len());
    assert_eq!(n["neighbours"].as_array().unwrap().len(), 5.min(n["count"].as_u64().unwrap() as usize));

    for op in ["intersection", "union", "difference"] {
        let c = ok_json(&["common", "--db", db_s, &h, &o, "--op", op, "--type", "gene/protein", "--json"]);
        let want = graph.set_size(hub, other, op.parse().unwrap(), &gene).unwrap();
        assert_eq!(c["size"].as_u64().unwrap(), want, "{op}");
    }

    let hops = ok_json(&["hops", "--db", db_s, &h, "--k", "2", "--type", "disease", "--json"]);
    let (all, diseases) = graph.within_hops(hub, 2, Some(&["disease".to_owned()])).unwrap();
    assert_eq!(hops["count"].as_u64().unwrap(), all.count());
    assert_eq!(hops["of_types"].as_u64().unwrap(), diseases);
    assert_eq!(hops["per_distance"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).sum::<u64>(), all.count());

    // Many pairs from a file, one line each, in order.
    let pairs: Vec<(u32, u32)> = graph.view().nodes().take(50).map(|n| (hub, n)).collect();
    let file = dir.path().join("pairs.tsv");
    std::fs::write(&file, pairs.iter().map(|(a, b)| format!("{a}\t{b}\n")).collect::<String>()).unwrap();
    let out = kgcore(&["common", "--db", db_s, "--pairs", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sizes = graph.set_sizes(&pairs, kgcore::SetOp::Intersection, &Default::default()).unwrap();
    let want: String = pairs.iter().zip(&sizes).map(|((a, b), s)| format!("{a}\t{b}\t{s}\n")).collect();
    assert_eq!(String::from_utf8_lossy(&out.stdout), want);

    std::fs::write(&file, format!("{h}\t{o}\n{h}\t99999999\n")).unwrap();
    let bad: [(&[&str], &str); 6] = [
        (&["common", "--db", db_s, "--pairs", file.to_str().unwrap()], "pairs.tsv:2: unknown node 99999999"),
        (&["common", "--db", db_s, &h, &o, "--op", "xor"], "set operation \"xor\""),
        (&["common", "--db", db_s, &h], "give two nodes, or --pairs FILE"),
        (&["neighbours", "--db", db_s, &h, "--relation", "no_such"], "unknown relation \"no_such\""),
        (&["neighbours", "--db", db_s, &h, "--direction", "up"], "out, in, both"),
        (&["hops", "--db", db_s, &h, "--k", "2", "--type", "spaceship"], "unknown node type \"spaceship\""),
    ];
    for (args, message) in bad {
        let out = kgcore(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
}

/// A small graph with real names: gene symbols that are English words, a disease, a symptom.
fn named_graph(dir: &std::path::Path) -> String {
    let csv = dir.join("kg.csv");
    let rows = [
        ("disease_protein", "associated with", 0, "WAS", "gene/protein", 1, "major depressive disorder", "disease"),
        ("disease_protein", "associated with", 2, "SET", "gene/protein", 1, "major depressive disorder", "disease"),
        ("disease_phenotype_positive", "phenotype present", 1, "major depressive disorder", "disease", 3, "Fever", "effect/phenotype"),
        ("indication", "indication", 4, "Ibuprofen", "drug", 3, "Fever", "effect/phenotype"),
    ];
    let mut text = String::from("relation,display_relation,x_index,x_id,x_type,x_name,x_source,y_index,y_id,y_type,y_name,y_source\n");
    for (rel, disp, x, xn, xt, y, yn, yt) in rows {
        text += &format!("{rel},{disp},{x},X{x},{xt},{xn},src,{y},X{y},{yt},{yn},src\n{rel},{disp},{y},X{y},{yt},{yn},src,{x},X{x},{xt},{xn},src\n");
    }
    std::fs::write(&csv, text).unwrap();
    let db = dir.join("db");
    let out = kgcore(&["import", "--db", db.to_str().unwrap(), csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db.to_str().unwrap().to_owned()
}

#[test]
fn extract_finds_names_in_text_one_or_many() {
    let dir = tempfile::tempdir().unwrap();
    let db = named_graph(dir.path());
    let text = "He was febrile with fevers; major depressive disorders and a WAS variant. Took ibuprofen.";
    let found = ok_json(&["extract", "--db", &db, text, "--json"]);
    let got: Vec<(&str, &str, &str)> = found.as_array().unwrap().iter().map(|m| (m["text"].as_str().unwrap(), m["name"].as_str().unwrap(), m["how"].as_str().unwrap())).collect();
    assert_eq!(got, [("fevers", "Fever", "folded"), ("major depressive disorders", "major depressive disorder", "folded"), ("WAS", "WAS", "exact"), ("ibuprofen", "Ibuprofen", "exact")]);
    let first = &found[0];
    let chars: Vec<char> = text.chars().collect();
    let (s, e) = (first["start"].as_u64().unwrap() as usize, first["end"].as_u64().unwrap() as usize);
    assert_eq!(chars[s..e].iter().collect::<String>(), "fevers");
    assert_eq!(first["nodes"][0]["type"], "effect/phenotype");

    let drugs = ok_json(&["extract", "--db", &db, text, "--type", "drug", "--json"]);
    assert_eq!(drugs.as_array().unwrap().len(), 1);

    let lines = dir.path().join("texts.txt");
    std::fs::write(&lines, "Fever and WAS\nnothing here was set\nibuprofen\n").unwrap();
    let out = kgcore(&["extract", "--db", &db, "--lines", lines.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let docs: Vec<Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(docs.iter().map(|d| d.as_array().unwrap().len()).collect::<Vec<_>>(), [2, 0, 1], "one line out per line in, in order");

    let bad: [(&[&str], &str); 2] = [
        (&["extract", "--db", &db, "x", "--type", "spaceship"], "unknown node type \"spaceship\""),
        (&["extract", "--db", &db, "--lines", "/no/such/file"], "/no/such/file"),
    ];
    for (args, message) in bad {
        let out = kgcore(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
}
