//! One engine of `benches/vectors.py`: the hnsw_rs crate (the design card's HNSW) on the same
//! vectors, settings and queries as kgcore's HNSW and hnswlib, reporting what the script's
//! other engines report (build time, index memory, single-threaded latency and the nodes found
//! at each ef) as JSON.
//!
//!     hnsw-rs-peer BASE.npy QUERIES.npy IDS.npy OUT.json --k 10 --m 16 --ef-construction 200 --ef 16,32,64
//!
//! Rows are normalised once and compared by dot product, as hnswlib's cosine space and kgcore
//! do. The distance is this file's `UnitDot` (1 - dot, clamped at 0), not anndists' `DistDot`:
//! that one asserts `1 - dot >= 0` and so panics when rounding puts two identical unit rows a
//! hair above 1 (it did, inserting the benchmark's MiniLM rows, a third of which share their
//! vector with other rows).

use std::path::Path;
use std::time::Instant;

use hnsw_rs::prelude::{Distance, Hnsw};

/// Cosine distance of unit rows: 1 - dot, clamped at 0 against rounding.
#[derive(Debug, Clone, Copy)]
struct UnitDot;

impl Distance<f32> for UnitDot {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        (1.0 - dot).max(0.0)
    }
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn unit_rows(values: Vec<f32>, dim: usize) -> Vec<Vec<f32>> {
    values
        .chunks_exact(dim)
        .map(|r| {
            let norm = r.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
            r.iter().map(|x| x / norm).collect()
        })
        .collect()
}

fn flag<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> T {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, queries, ids, out] = [0, 1, 2, 3].map(|i| args.get(i).cloned().unwrap_or_default());
    if out.is_empty() {
        return Err("usage: hnsw-rs-peer BASE.npy QUERIES.npy IDS.npy OUT.json [--k K] [--m M] [--ef-construction N] [--ef A,B,...]".into());
    }
    let (k, m, ef_construction) = (flag(&args, "--k", 10usize), flag(&args, "--m", 16usize), flag(&args, "--ef-construction", 200usize));
    let efs: Vec<usize> = flag(&args, "--ef", "16,32,64,128,256".to_owned()).split(',').map(str::parse).collect::<Result<_, _>>()?;

    let (rows, dim, values) = kg_index::npy::read_matrix(Path::new(&base))?;
    let (_, qdim, qvalues) = kg_index::npy::read_matrix(Path::new(&queries))?;
    let node_ids = kg_index::npy::read_ids(Path::new(&ids))?;
    if qdim != dim || node_ids.len() != rows {
        return Err(format!("{base}: {rows} x {dim}, {queries}: dimension {qdim}, {ids}: {} ids", node_ids.len()).into());
    }
    let data = unit_rows(values, dim);
    let queries = unit_rows(qvalues, dim);

    let before = rss_mb();
    let started = Instant::now();
    let mut index = Hnsw::<f32, UnitDot>::new(m, rows, 16, ef_construction, UnitDot);
    let with_ids: Vec<(&Vec<f32>, usize)> = data.iter().zip(0..).collect();
    index.parallel_insert(&with_ids);
    let build_s = started.elapsed().as_secs_f64();
    index.set_searching_mode(true);
    let mem_mb = rss_mb() - before;

    let mut results = Vec::new();
    for &ef in &efs {
        for q in queries.iter().take(50) {
            index.search(q, k, ef.max(k)); // warm-up
        }
        let mut latencies = Vec::with_capacity(queries.len());
        let mut found = Vec::with_capacity(queries.len());
        for q in &queries {
            let t = Instant::now();
            let hits = index.search(q, k, ef.max(k));
            latencies.push(t.elapsed().as_nanos() as f64);
            found.push(hits.iter().map(|h| node_ids[h.d_id]).collect::<Vec<_>>());
        }
        let total_s: f64 = latencies.iter().sum::<f64>() / 1e9;
        latencies.sort_by(f64::total_cmp);
        let p50_us = latencies[latencies.len() / 2] / 1e3;
        results.push(serde_json::json!({"ef": ef, "p50_us": p50_us, "qps": latencies.len() as f64 / total_s, "found": found}));
    }
    let doc = serde_json::json!({"engine": "hnsw_rs", "build_s": build_s, "mem_mb": mem_mb, "rows": results});
    std::fs::write(&out, serde_json::to_vec(&doc)?)?;
    Ok(())
}
