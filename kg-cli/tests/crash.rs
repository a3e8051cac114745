//! Crash safety: `kgcore import` and `kgcore apply` killed with SIGKILL at random points.
//! After each kill the database is either absent (an import that had not finished) or opens,
//! passes `check`, and holds every batch wholly or not at all, in order.
//!
//! CI runs a short version; `KGCORE_CRASH_POINTS=50 cargo test --release -p kg-cli --test crash
//! -- --nocapture` runs the full harness.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kgcore::core::rng::SplitMix64;
use kgcore::core::{Database, OpenMode};

fn points() -> usize {
    std::env::var("KGCORE_CRASH_POINTS").ok().and_then(|v| v.parse().ok()).unwrap_or(8)
}

fn kgcore() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kgcore"))
}

/// Runs `cmd` and kills it after `delay` unless it finished; true if it was killed.
fn run_and_kill(cmd: &mut Command, delay: Duration) -> bool {
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("spawn");
    let started = Instant::now();
    while started.elapsed() < delay {
        if child.try_wait().expect("wait").is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("kill");
    child.wait().expect("reap");
    true
}

#[test]
fn killed_imports_leave_nothing_or_a_whole_database() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kg.csv");
    assert!(kgcore().args(["generate", "--scale", "0.05", "--out", csv.to_str().unwrap()]).status().unwrap().success());
    let reference = dir.path().join("reference");
    let t = Instant::now();
    assert!(kgcore().args(["import", "--db", reference.to_str().unwrap(), csv.to_str().unwrap()]).status().unwrap().success());
    let full = t.elapsed();
    let want = Database::open(&reference, OpenMode::ReadOnly).unwrap().info();
    let mut rng = SplitMix64::new(11);
    let (mut killed, mut whole) = (0, 0);
    for i in 0..points() {
        let db = dir.path().join(format!("db{i}"));
        // Up to twice a full import: most runs are killed part-way, some finish.
        let delay = Duration::from_micros(rng.below(full.as_micros() as u64 * 2 + 1));
        if run_and_kill(kgcore().args(["import", "--db", db.to_str().unwrap(), csv.to_str().unwrap()]), delay) {
            killed += 1;
        }
        if db.exists() {
            let opened = Database::open(&db, OpenMode::ReadOnly).expect("a database that exists opens");
            opened.check().expect("and is consistent");
            assert_eq!(opened.info(), want, "a database at the target is the whole import");
            whole += 1;
        }
    }
    // The next import removes the staging directories the killed ones left.
    let next = dir.path().join("db0");
    let _ = std::fs::remove_dir_all(&next);
    assert!(kgcore().args(["import", "--db", next.to_str().unwrap(), csv.to_str().unwrap()]).status().unwrap().success());
    let leftovers = std::fs::read_dir(dir.path()).unwrap().flatten().filter(|e| e.file_name().to_string_lossy().starts_with(".db0.")).count();
    assert_eq!(leftovers, 0);
    eprintln!("import: {killed} killed of {} runs, {whole} left a whole database", points());
}

#[test]
fn killed_update_batches_apply_wholly_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("kg.csv");
    let db = dir.path().join("db");
    assert!(kgcore().args(["generate", "--scale", "0.02", "--out", csv.to_str().unwrap()]).status().unwrap().success());
    assert!(kgcore().args(["import", "--db", db.to_str().unwrap(), csv.to_str().unwrap()]).status().unwrap().success());
    let base = Database::open(&db, OpenMode::ReadOnly).unwrap().info();
    // Batch b adds node 100_000 + b (beyond the ~2,600 generated ones) and 3 edges from it to existing nodes.
    let batches = 400u32;
    let mut lines = String::new();
    for b in 0..batches {
        let n = 100_000 + b;
        lines.push_str(&format!(
            "{{\"add_nodes\":[{{\"index\":{n},\"id\":\"X{b}\",\"node_type\":\"drug\",\"name\":\"Batch drug {b}\",\"source\":\"test\"}}],\
             \"add_edges\":[{{\"source\":{n},\"target\":{},\"relation\":\"drug_drug\",\"display_relation\":\"synergistic interaction\"}},\
             {{\"source\":{n},\"target\":{},\"relation\":\"drug_drug\",\"display_relation\":\"synergistic interaction\"}},\
             {{\"source\":{},\"target\":{n},\"relation\":\"drug_drug\",\"display_relation\":\"synergistic interaction\"}}]}}\n",
            b % 50,
            b % 50 + 1,
            b % 50
        ));
    }
    let file = dir.path().join("batches.jsonl");
    std::fs::write(&file, lines).unwrap();
    let mut rng = SplitMix64::new(5);
    let mut applied_before = 0u32;
    for _ in 0..points() {
        let delay = Duration::from_millis(rng.below(400));
        run_and_kill(kgcore().args(["apply", "--db", db.to_str().unwrap(), file.to_str().unwrap()]), delay);
        let opened = Database::open(&db, OpenMode::ReadOnly).expect("opens after a kill");
        opened.check().expect("consistent after a kill");
        let view = opened.view();
        // Batches are applied in order, so those present form a prefix; each is whole.
        let present: Vec<u32> = (0..batches).filter(|b| view.contains(100_000 + b)).collect();
        let k = present.len() as u32;
        assert_eq!(present, (0..k).collect::<Vec<_>>());
        for b in 0..k {
            assert_eq!(view.out_edges(100_000 + b).0.len(), 2, "batch {b} is whole");
            assert_eq!(view.in_edges(100_000 + b).0.len(), 1, "batch {b} is whole");
        }
        assert_eq!(opened.info().nodes, base.nodes + k as usize);
        assert!(k >= applied_before, "a committed batch survived");
        applied_before = k;
    }
    eprintln!("apply: {applied_before} of {batches} batches committed over {} kills", points());
}

/// The storage-version-1 fixture (kg-core/tests/fixtures/storage-v1), copied to `to`.
fn version_1_copy(to: &std::path::Path) -> std::path::PathBuf {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../kg-core/tests/fixtures/storage-v1/db");
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(fixture).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
    to.to_owned()
}

#[test]
fn a_migration_killed_before_or_after_its_commit_leaves_a_database_that_opens() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    let migrate = |db: &std::path::Path, crash_at: &str| {
        kgcore().args(["apply", "--db", db.to_str().unwrap(), empty.to_str().unwrap()]).env("KGCORE_CRASH_AT", crash_at).status().unwrap()
    };
    let version = |db: &std::path::Path| match Database::open(db, OpenMode::ReadOnly) {
        Ok(d) => {
            d.check().expect("consistent");
            (d.info().storage_version, d.info().edges)
        }
        Err(kgcore::core::Error::NeedsMigration { found, .. }) => (found, 0),
        Err(e) => panic!("{e}"),
    };

    // Killed before the commit: still version 1, intact, and the next open migrates it.
    let db = version_1_copy(&dir.path().join("before"));
    assert!(!migrate(&db, "migration-before-commit").success(), "the process was aborted");
    assert_eq!(version(&db), (1, 0));
    assert!(migrate(&db, "").success());
    assert_eq!(version(&db), (2, 15));

    // Killed after it: version 2 (the old families still there until a read-write open drops them).
    let db = version_1_copy(&dir.path().join("after"));
    assert!(!migrate(&db, "migration-after-commit").success(), "the process was aborted");
    assert_eq!(version(&db), (2, 15));
    assert!(migrate(&db, "").success());
    assert_eq!(version(&db), (2, 15));
}
