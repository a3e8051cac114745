//! The durable store end to end: import, reopen, updates, open modes, and every bad input the
//! importer must refuse with a clear error and no database left behind.
#![cfg(feature = "rocksdb")]

use std::io::Write;
use std::path::{Path, PathBuf};

use kg_core::store::WriteOp;
use kg_core::{Batch, Database, Edge, Error, Node, OpenMode};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const HEADER: &str = "relation,display_relation,x_index,x_id,x_type,x_name,x_source,y_index,y_id,y_type,y_name,y_source\n";

/// A small PrimeKG-style file: both directions stored, one exact duplicate row, a quoted name
/// with a comma, and a name shared by two node types.
fn kg_rows() -> String {
    let mut s = String::from(HEADER);
    let rows = [
        ("indication", "indication", (0, "DB1", "drug", "Ceftriaxone", "DrugBank"), (1, "M1", "disease", "Gonorrhea", "MONDO")),
        ("disease_phenotype_positive", "phenotype present", (1, "M1", "disease", "Gonorrhea", "MONDO"), (2, "HP1", "effect/phenotype", "Fever", "HPO")),
        ("drug_effect", "side effect", (0, "DB1", "drug", "Ceftriaxone", "DrugBank"), (3, "HP2", "effect/phenotype", "\"Rash, mild\"", "HPO")),
        ("exposure_disease", "linked to", (4, "E1", "exposure", "Progesterone", "CTD"), (1, "M1", "disease", "Gonorrhea", "MONDO")),
        ("drug_drug", "synergistic interaction", (5, "DB2", "drug", "Progesterone", "DrugBank"), (0, "DB1", "drug", "Ceftriaxone", "DrugBank")),
    ];
    for (r, d, x, y) in rows {
        for (a, b) in [(x, y), (y, x)] {
            s.push_str(&format!("{r},{d},{},{},{},{},{},{},{},{},{},{}\n", a.0, a.1, a.2, a.3, a.4, b.0, b.1, b.2, b.3, b.4));
        }
    }
    s.push_str("indication,indication,0,DB1,drug,Ceftriaxone,DrugBank,1,M1,disease,Gonorrhea,MONDO\n");
    s
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn import_reopen_and_check() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = write(dir.path(), "kg.csv", kg_rows().as_bytes());
    let db_path = dir.path().join("db");
    let report = kg_core::import(&db_path, &[file], None)?;
    assert_eq!((report.nodes, report.edges, report.load.rows), (6, 10, 11));
    assert_eq!(report.load.duplicates_skipped, 1);
    assert!(db_path.join(kg_core::db::VIEW_FILE).is_file());

    let db = Database::open(&db_path, OpenMode::ReadOnly)?;
    let info = db.info();
    assert_eq!((info.nodes, info.edges, info.undirected_edges), (6, 10, 5));
    assert_eq!(info.node_types["drug"], 2);
    assert_eq!(info.relations["indication"], 2);
    let view = db.view();
    assert_eq!(view.node(3).unwrap().name, "Rash, mild");
    assert_eq!(view.node(4).unwrap().node_type, "exposure");
    assert_eq!(view.neighbours(0), &[1, 3, 5]);
    assert_eq!(db.nodes_of_type("drug")?.iter().collect::<Vec<_>>(), vec![0, 5]);
    assert_eq!(db.nodes_of_relation("indication")?.len(), 2);
    db.check()?;
    // Many readers at once.
    let second = Database::open(&db_path, OpenMode::ReadOnly)?;
    assert_eq!(second.info().edges, 10);
    Ok(())
}

#[test]
fn gzip_and_the_nodes_edges_pair_give_the_same_graph() -> TestResult {
    let dir = tempfile::tempdir()?;
    let plain = write(dir.path(), "kg.csv", kg_rows().as_bytes());
    let packed = write(dir.path(), "kg.csv.gz", &gz(kg_rows().as_bytes()));
    kg_core::import(dir.path().join("a"), &[plain], None)?;
    kg_core::import(dir.path().join("b"), &[packed], None)?;
    let a = Database::open(dir.path().join("a"), OpenMode::ReadOnly)?;
    let b = Database::open(dir.path().join("b"), OpenMode::ReadOnly)?;
    assert!(a.view().edges().eq(b.view().edges()));

    let nodes = write(dir.path(), "nodes.csv", b"node_index,node_id,node_type,node_name,node_source\n0,DB1,drug,Ceftriaxone,DrugBank\n1,M1,disease,Gonorrhea,MONDO\n");
    let edges = write(dir.path(), "edges.csv", b"relation,display_relation,x_index,y_index\nindication,indication,0,1\nindication,indication,1,0\n");
    // Edges first on the command line: nodes files are still read first.
    let r = kg_core::import(dir.path().join("c"), &[edges, nodes], None)?;
    assert_eq!((r.nodes, r.edges), (2, 2));
    Ok(())
}

/// Imports `content` as a file named `name` and returns the error text, checking that no
/// database (nor staging directory) was left behind.
fn import_error(name: &str, content: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), name, content);
    let db = dir.path().join("db");
    let err = kg_core::import(&db, &[file], None).expect_err("import must fail").to_string();
    assert!(!db.exists(), "a failed import left {}", db.display());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 1, "staging left behind: {left:?}");
    err
}

#[test]
fn bad_input_is_refused_with_file_and_line() {
    let good = kg_rows();
    let e = import_error("kg.csv", b"relation,x_index,y_index,foo\n");
    assert!(e.contains("kg.csv:1") && e.contains("display_relation"), "{e}");
    let e = import_error("kg.csv", b"a,b,c\n1,2,3\n");
    assert!(e.contains("kg.csv:1") && e.contains("not a PrimeKG file"), "{e}");
    let e = import_error("kg.csv", good.replacen(",1,M1,", ",x1,M1,", 1).as_bytes());
    assert!(e.contains("kg.csv:2") && e.contains("not a non-negative integer"), "{e}");
    let e = import_error("kg.csv", format!("{HEADER}indication,indication,-4,DB1,drug,C,DB,1,M1,disease,G,MONDO\n").as_bytes());
    assert!(e.contains("kg.csv:2") && e.contains("negative"), "{e}");
    let e = import_error("kg.csv", format!("{good}indication,indication,0,DB1,drug,Other name,DrugBank,1,M1,disease,Gonorrhea,MONDO\n").as_bytes());
    assert!(e.contains("kg.csv:13") && e.contains("node 0") && e.contains("line 2"), "{e}");
    let e = import_error("kg.csv", format!("{HEADER}indication,indication,0,DB1,drug\n").as_bytes());
    assert!(e.contains("kg.csv:2") && e.contains("expected 12 fields, found 5"), "{e}");
    let e = import_error("kg.csv", format!("{HEADER}indication,indication,0,DB1,drug,\"Open quote,DB,1,M1,disease,G,MONDO\nindication,indication,0,DB1,drug,C,DB,1,M1,disease,G,MONDO\n").as_bytes());
    assert!(e.contains("kg.csv:2") && e.contains("unbalanced quote"), "{e}");
    let e = import_error("kg.csv", b"");
    assert!(e.contains("kg.csv:1") && e.contains("empty"), "{e}");
    // One relation more than the vocabulary holds: the row that brought it is named.
    let mut many = String::from(HEADER);
    for r in 0..=u16::MAX as u32 + 1 {
        many += &format!("rel{r},d,0,DB1,drug,Ceftriaxone,DrugBank,1,M1,disease,Gonorrhea,MONDO\n");
    }
    let e = import_error("kg.csv", many.as_bytes());
    assert!(e.contains("kg.csv:65538") && e.contains("too many distinct relation values"), "{e}");
    let e = import_error("kg.csv", good.replacen("x_name", "x_type", 1).as_bytes());
    assert!(e.contains("kg.csv:1") && e.contains("\"x_type\" appears twice") && e.contains("columns 5 and 6"), "{e}");
    for copies in [1, 2000] {
        // CR-only line endings: a short file, and one whose first "line" passes 64 KiB.
        let e = import_error("kg.csv", good.repeat(copies).replace('\n', "\r").as_bytes());
        assert!(e.contains("kg.csv:1") && e.contains("bare carriage return") && e.len() < 300, "{e}");
    }
    let mut bad_utf8 = format!("{HEADER}indication,indication,0,DB1,drug,C").into_bytes();
    bad_utf8.extend_from_slice(&[0xff, 0xfe]);
    bad_utf8.extend_from_slice(b",DB,1,M1,disease,G,MONDO\n");
    let e = import_error("kg.csv", &bad_utf8);
    assert!(e.contains("kg.csv:2") && e.contains("UTF-8"), "{e}");
    let packed = gz(good.repeat(50).replace(HEADER, "").as_bytes());
    let mut with_header = gz(HEADER.as_bytes());
    with_header.extend_from_slice(&packed[..packed.len() / 2]);
    let e = import_error("kg.csv.gz", &with_header);
    assert!(e.contains("kg.csv.gz") && e.contains("truncated or corrupt"), "{e}");
    let e = import_error("edges.csv", b"relation,display_relation,x_index,y_index\nindication,indication,0,1\n");
    assert!(e.contains("edges.csv:2") && e.contains("endpoint 0"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let e = kg_core::import(dir.path().join("db"), &[dir.path().to_owned()], None).unwrap_err().to_string();
    assert!(e.contains("not a regular file"), "{e}");
    let e = kg_core::import(dir.path().join("db"), &[dir.path().join("missing.csv")], None).unwrap_err().to_string();
    assert!(e.contains("missing.csv"), "{e}");
}

#[test]
fn import_into_an_existing_database_is_one_atomic_batch() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db_path = dir.path().join("db");
    kg_core::import(&db_path, &[write(dir.path(), "kg.csv", kg_rows().as_bytes())], None)?;
    let more = write(dir.path(), "more.csv", format!("{HEADER}ppi,ppi,6,G1,gene/protein,TP53,NCBI,7,G2,gene/protein,MDM2,NCBI\nindication,indication,0,DB1,drug,Ceftriaxone,DrugBank,1,M1,disease,Gonorrhea,MONDO\n").as_bytes());
    let r = kg_core::import(&db_path, &[more], None)?;
    assert_eq!((r.nodes, r.edges, r.nodes_added, r.edges_added), (8, 11, 2, 1));
    assert_eq!(r.load.duplicates_skipped, 1);

    // A file that fails half way changes nothing.
    let before = Database::open(&db_path, OpenMode::ReadOnly)?.info();
    let bad = write(dir.path(), "bad.csv", format!("{HEADER}ppi,ppi,8,G3,gene/protein,A,NCBI,9,G4,gene/protein,B,NCBI\nppi,ppi,8,G3,gene/protein,A,NCBI,oops,G4,gene/protein,B,NCBI\n").as_bytes());
    assert!(kg_core::import(&db_path, std::slice::from_ref(&bad), None).unwrap_err().to_string().contains("bad.csv:3"));
    assert_eq!(Database::open(&db_path, OpenMode::ReadOnly)?.info(), before);

    // Open read-write elsewhere: the import is refused as locked.
    let holder = Database::open(&db_path, OpenMode::ReadWrite)?;
    let err = kg_core::import(&db_path, &[bad], None).unwrap_err();
    assert!(matches!(err, Error::Locked(_)), "{err}");
    assert!(err.to_string().contains("is open read-write elsewhere"));
    let err = Database::open(&db_path, OpenMode::ReadWrite).unwrap_err();
    assert!(matches!(err, Error::Locked(_)), "{err}");
    // Readers still work beside the writer.
    assert_eq!(Database::open(&db_path, OpenMode::ReadOnly)?.info().nodes, 8);
    drop(holder);
    Ok(())
}

#[test]
fn updates_are_atomic_durable_and_visible_after_reopen() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db_path = dir.path().join("db");
    kg_core::import(&db_path, &[write(dir.path(), "kg.csv", kg_rows().as_bytes())], None)?;
    let node = |i: u32, name: &str| Node { index: i, id: format!("X{i}"), node_type: "drug".into(), name: name.into(), source: "test".into() };
    let edge = |s: u32, t: u32| Edge { source: s, target: t, relation: "drug_drug".into(), display_relation: "synergistic interaction".into() };
    {
        let db = Database::open(&db_path, OpenMode::ReadWrite)?;
        let snapshot = db.view();
        let r = db.apply(&Batch { add_nodes: vec![node(10, "Aspirin")], add_edges: vec![edge(10, 0), edge(0, 10)], ..Default::default() })?;
        assert_eq!((r.nodes_added, r.edges_added, r.generation), (1, 2, 2));
        assert_eq!(snapshot.edge_count(), 10, "an earlier snapshot is unchanged");
        assert_eq!(db.view().edge_count(), 12);

        // Invalid: an edge to an unknown node. Nothing of the batch is written.
        let err = db.apply(&Batch { add_nodes: vec![node(11, "Ibuprofen")], add_edges: vec![edge(11, 99)], ..Default::default() }).unwrap_err();
        assert!(matches!(err, Error::UnknownNode(99)), "{err}");
        assert!(!db.view().contains(11));
        let err = db.apply(&Batch { add_nodes: vec![node(4_000_000_000, "Far away")], ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("dense arrays"), "{err}");
        let err = db.apply(&Batch { add_nodes: vec![node(0, "Not ceftriaxone")], ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");

        let r = db.apply(&Batch { remove_nodes: vec![1], remove_edges: vec![(10, 0, "drug_drug".into())], ..Default::default() })?;
        assert_eq!((r.nodes_removed, r.edges_removed), (1, 7));
        db.check()?;
        // Killed here: no view file written for the last batches...
    }
    let db = Database::open(&db_path, OpenMode::ReadOnly)?;
    assert_eq!((db.info().nodes, db.info().edges, db.generation()), (6, 5, 3));
    assert!(!db.view().contains(1));
    assert_eq!(db.view().node(10).unwrap().name, "Aspirin");
    db.check()?;
    assert!(matches!(db.apply(&Batch::default()), Err(Error::ReadOnly(_))));
    Ok(())
}

#[test]
fn a_stale_or_damaged_view_file_is_rebuilt_from_the_store() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db_path = dir.path().join("db");
    kg_core::import(&db_path, &[write(dir.path(), "kg.csv", kg_rows().as_bytes())], None)?;
    let view_file = db_path.join(kg_core::db::VIEW_FILE);
    let mut bytes = std::fs::read(&view_file)?;
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(&view_file, &bytes)?;
    let db = Database::open(&db_path, OpenMode::ReadWrite)?;
    assert_eq!(db.info().edges, 10);
    db.check()?;
    drop(db);
    std::fs::remove_file(&view_file)?;
    let db = Database::open(&db_path, OpenMode::ReadOnly)?;
    assert_eq!(db.info().nodes, 6);
    Ok(())
}

#[test]
fn refuses_newer_versions_and_unfinished_or_missing_databases() -> TestResult {
    let dir = tempfile::tempdir()?;
    let err = Database::open(dir.path().join("nothing"), OpenMode::ReadOnly).unwrap_err();
    assert!(err.to_string().contains("nothing"), "{err}");

    let db_path = dir.path().join("db");
    Database::create(&db_path)?.close()?;
    {
        let store = kg_core::store::RocksStore::open(&db_path)?;
        store.write(vec![WriteOp::Put(kg_core::keys::cf::META, kg_core::keys::meta::STORAGE_VERSION.to_vec(), 99u32.to_be_bytes().to_vec())])?;
    }
    let err = Database::open(&db_path, OpenMode::ReadOnly).unwrap_err();
    assert!(matches!(err, Error::NewerVersion { found: 99, .. }), "{err}");

    let unfinished = dir.path().join("unfinished");
    {
        let store = kg_core::store::RocksStore::open(&unfinished)?;
        store.write(vec![WriteOp::Put(kg_core::keys::cf::META, b"storage_version".to_vec(), 1u32.to_be_bytes().to_vec())])?;
    }
    let err = Database::open(&unfinished, OpenMode::ReadOnly).unwrap_err();
    assert!(err.to_string().contains("never completed"), "{err}");
    assert!(Database::create(&db_path).unwrap_err().to_string().contains("not empty"));
    Ok(())
}

#[test]
fn the_memory_backend_behaves_like_the_disk_one() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = write(dir.path(), "kg.csv", kg_rows().as_bytes());
    let mem = Database::in_memory();
    let r = mem.import_files(std::slice::from_ref(&file), None)?;
    assert_eq!((r.nodes, r.edges, r.load.duplicates_skipped), (6, 10, 1));
    mem.check()?;
    kg_core::import(dir.path().join("db"), &[file], None)?;
    let disk = Database::open(dir.path().join("db"), OpenMode::ReadOnly)?;
    assert!(mem.view().edges().eq(disk.view().edges()));
    assert_eq!(mem.view().node_count(), disk.view().node_count());
    Ok(())
}

/// The storage-version-1 fixture (see its README), copied to `to`.
fn version_1_copy(to: &Path) -> PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/storage-v1");
    let db = to.join("v1");
    std::fs::create_dir_all(&db).unwrap();
    for entry in std::fs::read_dir(fixture.join("db")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), db.join(entry.file_name())).unwrap();
    }
    db
}

/// The fixture's graph, built by this kgcore from the same files.
fn version_1_expected(dir: &Path) -> Database {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/storage-v1");
    let path = dir.join("expected");
    kg_core::import(&path, &[fixture.join("kg.csv")], None).unwrap();
    let db = Database::open(&path, OpenMode::ReadWrite).unwrap();
    let batch: Batch = serde_json::from_str(std::fs::read_to_string(fixture.join("batch.jsonl")).unwrap().trim()).unwrap();
    db.apply(&batch).unwrap();
    db
}

#[test]
fn a_version_1_database_migrates_on_its_first_read_write_open() -> TestResult {
    let dir = tempfile::tempdir()?;
    let v1 = version_1_copy(dir.path());
    let families = |p: &Path| rocksdb::DB::list_cf(&rocksdb::Options::default(), p).unwrap();
    assert!(families(&v1).contains(&"out".to_owned()));

    let err = Database::open(&v1, OpenMode::ReadOnly).unwrap_err();
    assert!(matches!(err, Error::NeedsMigration { found: 1, current: 2, .. }), "{err}");
    assert!(err.to_string().contains("open it read-write once"), "{err}");

    let expected = version_1_expected(dir.path());
    let db = Database::open(&v1, OpenMode::ReadWrite)?;
    assert_eq!(db.check()?.edges, 15);
    let (info, want) = (db.info(), expected.info());
    assert_eq!((info.storage_version, info.generation), (2, 2));
    assert_eq!((info.nodes, info.edges, &info.relations, &info.node_types), (want.nodes, want.edges, &want.relations, &want.node_types));
    let nodes = |d: &Database| d.view().nodes().map(|n| d.view().node(n).unwrap().to_node()).collect::<Vec<_>>();
    assert_eq!(nodes(&db), nodes(&expected));
    assert!(db.view().edges().eq(expected.view().edges()));
    // Updates after the migration go through the adjacency merges.
    db.apply(&Batch { remove_nodes: vec![6], ..Default::default() })?;
    db.check()?;
    db.close()?;
    let mut names = families(&v1);
    names.sort();
    assert_eq!(names, ["adj", "default", "meta", "nodes", "sets"], "the version-1 families are dropped");
    let db = Database::open(&v1, OpenMode::ReadOnly)?;
    assert_eq!((db.info().edges, db.generation()), (9, 3));
    db.check()?;
    Ok(())
}

#[test]
fn a_merge_operand_that_does_not_decode_is_a_corruption_error_naming_the_key() -> TestResult {
    use kg_core::adjacency::{self, Direction};
    let dir = tempfile::tempdir()?;
    let file = write(dir.path(), "kg.csv", kg_rows().as_bytes());
    let db_path = dir.path().join("db");
    kg_core::import(&db_path, &[file], None)?;
    {
        let store = kg_core::store::RocksStore::open(&db_path)?;
        let key = adjacency::key(1, Direction::Out, 0).to_vec();
        store.write(vec![WriteOp::Merge(kg_core::keys::cf::ADJ, key, vec![adjacency::DELTA, 9, 9])])?;
    }
    // The view file is current, so the open succeeds; `check` reads the store and fails.
    let db = Database::open(&db_path, OpenMode::ReadOnly)?;
    let err = db.check().unwrap_err();
    assert!(matches!(err, Error::Corruption { .. }), "{err}");
    assert!(err.to_string().contains("adjacency of node 1 (Out, label 0)") && err.to_string().contains("merge operand"), "{err}");
    drop(db);
    std::fs::remove_file(db_path.join("graph.view"))?;
    let err = Database::open(&db_path, OpenMode::ReadWrite).unwrap_err();
    assert!(err.to_string().contains("adjacency of node 1"), "{err}");
    Ok(())
}
