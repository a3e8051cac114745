//! Concurrency and corruption: readers during writes see whole snapshots; damaged store files
//! give a clear error, never a panic or a wrong answer.
#![cfg(feature = "rocksdb")]

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kgcore::core::Database;
use kgcore::{Batch, Edge, Node, OpenMode};

fn small_db(dir: &std::path::Path) -> std::path::PathBuf {
    let csv = dir.join("kg.csv");
    let mut f = std::fs::File::create(&csv).unwrap();
    kgcore::generator::generate_primekg(0.01, 3, &mut f).unwrap();
    f.flush().unwrap();
    let db = dir.join("db");
    kgcore::core::import(&db, &[csv], None).unwrap();
    db
}

#[test]
fn readers_see_consistent_snapshots_while_a_writer_commits() {
    let dir = tempfile::tempdir().unwrap();
    let db = Arc::new(Database::open(small_db(dir.path()), OpenMode::ReadWrite).unwrap());
    let base_nodes = db.view().node_count();
    let base_edges = db.view().edge_count();
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let (db, stop) = (Arc::clone(&db), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut seen = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let view = db.view();
                    // Batch b adds one node and two edges: every snapshot holds whole batches.
                    let added = view.node_count() - base_nodes;
                    assert_eq!(view.edge_count(), base_edges + 2 * added, "a half-applied batch was visible");
                    for b in 0..added as u32 {
                        assert!(view.contains(50_000 + b), "batches are visible in order");
                    }
                    seen += 1;
                }
                seen
            })
        })
        .collect();
    for b in 0..40u32 {
        let n = 50_000 + b;
        let edge = |s, t| Edge { source: s, target: t, relation: "drug_drug".into(), display_relation: "synergistic interaction".into() };
        let batch = Batch {
            add_nodes: vec![Node { index: n, id: format!("B{b}"), node_type: "drug".into(), name: format!("Batch {b}"), source: "t".into() }],
            add_edges: vec![edge(n, b), edge(b, n)],
            ..Default::default()
        };
        db.apply(&batch).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let reads: u64 = readers.into_iter().map(|r| r.join().expect("no reader panicked")).sum();
    assert!(reads > 0);
    assert_eq!(db.view().node_count(), base_nodes + 40);
    db.check().unwrap();
}

#[test]
fn damaged_store_files_give_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = small_db(dir.path());
    let want = Database::open(&db, OpenMode::ReadOnly).unwrap().info();
    let ssts: Vec<_> = std::fs::read_dir(&db)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sst"))
        .collect();
    assert!(!ssts.is_empty());
    let mut tried = 0;
    for (i, sst) in ssts.iter().enumerate() {
        let original = std::fs::read(sst).unwrap();
        for (k, damage) in ["flip", "truncate"].into_iter().enumerate() {
            let mut bytes = original.clone();
            match damage {
                "flip" => {
                    let at = (original.len() / 3 + 97 * (i + k)) % original.len();
                    bytes[at] ^= 0x5a;
                }
                _ => bytes.truncate(original.len() / 2),
            }
            std::fs::write(sst, &bytes).unwrap();
            // Without the view file every byte of the store is read back.
            let _ = std::fs::remove_file(db.join(kgcore::core::db::VIEW_FILE));
            tried += 1;
            match Database::open(&db, OpenMode::ReadOnly).and_then(|d| d.check().map(|_| d.info())) {
                Ok(info) => assert_eq!(info, want, "{damage} of {} went unnoticed but changed the answer", sst.display()),
                Err(e) => {
                    let text = e.to_string();
                    assert!(text.contains("orrupt") || text.contains("storage engine"), "{damage} of {}: {text}", sst.display());
                }
            }
            std::fs::write(sst, &original).unwrap();
        }
    }
    assert!(tried >= 2);
    Database::open(&db, OpenMode::ReadOnly).unwrap().check().unwrap();
}
