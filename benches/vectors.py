"""kgcore's HNSW index against hnswlib and the hnsw_rs crate on the same vectors, single-threaded
queries.

Vectors: MiniLM embeddings (kgcore.embed, 384 dimensions) of every node name of a database
(default: a generated graph at scale 1.0, ~130k nodes), cached in ~/.cache/kgcore-bench.
Queries: names of random nodes with one character changed, embedded the same way, so they come
from the names' distribution but are not in the index. Truth: exact cosine top-k (numpy).
Many nodes share a name, hence a vector, so recall counts a returned node as correct when its
true similarity reaches the k-th best (ties are equally right answers).

    python3 benches/vectors.py [--db DIR] [--queries 1000] [--out vectors-results.md]

Each build runs in its own process so its time and peak memory are its own. hnsw_rs runs as
the Rust binary `hnsw-rs-peer` (benches/hnsw_rs_peer), built here if missing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CACHE = Path.home() / ".cache" / "kgcore-bench"
EFS = [16, 32, 64, 128, 256]
M, EF_CONSTRUCTION = 16, 200


def rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def vectors_for(db: str, queries: int, seed: int) -> tuple[Path, Path, Path]:
    import kgcore
    import kgcore.embed

    g = kgcore.open(db, read_only=True)
    idx, _ids, _types, names, _src = g.nodes_arrays()
    key = hashlib.sha256(("\n".join(names) + f"|{queries}|{seed}").encode()).hexdigest()[:16]
    base, qs, ids = (CACHE / f"{key}-{n}.npy" for n in ("base", "queries", "ids"))
    if base.exists() and qs.exists() and ids.exists():
        return base, qs, ids
    CACHE.mkdir(parents=True, exist_ok=True)
    model = kgcore.embed.MiniLM()
    t = time.perf_counter()
    distinct = sorted(set(names))
    vec = kgcore.embed.embed(distinct, model)
    row = {n: i for i, n in enumerate(distinct)}
    full = vec[[row[n] for n in names]]
    print(f"embedded {len(distinct)} distinct names in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    texts = []
    for _ in range(queries):
        s = list(rng.choice(names))
        i = rng.randrange(len(s))
        s[i] = rng.choice(letters)
        texts.append("".join(s))
    np.save(base, full)
    np.save(qs, kgcore.embed.embed(texts, model))
    np.save(ids, np.asarray(idx, dtype=np.int64))
    return base, qs, ids


def run_engine(engine: str, db: str, base: Path, qs: Path, ids: Path, k: int, out: Path) -> None:
    """In a child process: build, then time single-threaded queries at each ef."""
    data, queries, node_ids = np.load(base), np.load(qs), np.load(ids)
    if engine == "kgcore":
        import kgcore

        # The database is opened before the memory baseline: only the index is counted.
        g = kgcore.open(db, read_only=True)
    before = rss_mb()
    t = time.perf_counter()
    if engine == "kgcore":
        g.set_vectors(node_ids, data, index="hnsw", m=M, ef_construction=EF_CONSTRUCTION)
        build = time.perf_counter() - t

        def search(q, ef):
            return [n for n, _ in g.search_vectors(q, k, ef=ef)]

        ident = lambda r: r  # noqa: E731
    else:
        import hnswlib

        h = hnswlib.Index(space="cosine", dim=data.shape[1])
        h.init_index(max_elements=len(data), M=M, ef_construction=EF_CONSTRUCTION, random_seed=1)
        h.set_num_threads(os.cpu_count() or 1)
        h.add_items(data, np.arange(len(data)))
        build = time.perf_counter() - t
        h.set_num_threads(1)

        def search(q, ef):
            h.set_ef(max(ef, k))
            labels, _ = h.knn_query(q, k=k)
            return labels[0].tolist()

        ident = lambda r: int(node_ids[r])  # noqa: E731
    mem = rss_mb() - before
    rows = []
    for ef in EFS:
        for q in queries[:50]:  # warm-up
            search(q, ef)
        lat, found = [], []
        for q in queries:
            t0 = time.perf_counter_ns()
            r = search(q, ef)
            lat.append(time.perf_counter_ns() - t0)
            found.append([ident(x) for x in r])
        rows.append({"ef": ef, "p50_us": statistics.median(lat) / 1e3, "qps": len(lat) / (sum(lat) / 1e9), "found": found})
    out.write_text(json.dumps({"engine": engine, "build_s": build, "mem_mb": mem, "rows": rows}))


def hnsw_rs_peer() -> Path:
    """The hnsw_rs engine's binary, built in the release profile when it is not there yet."""
    root = Path(__file__).resolve().parents[1]
    target = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache" / "kgcore-target"))
    exe = target / "release" / "hnsw-rs-peer"
    if not exe.exists():
        subprocess.run(["cargo", "build", "--release", "-p", "hnsw-rs-peer"], cwd=root, check=True)
    return exe


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="database directory (default: a generated graph at --scale)")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="vectors-results.md")
    ap.add_argument("--engine", help=argparse.SUPPRESS)
    ap.add_argument("--files", nargs=4, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.engine:
        base, qs, ids, out = map(Path, a.files)
        run_engine(a.engine, a.db, base, qs, ids, a.k, out)
        return
    import kgcore

    db = a.db
    if db is None:
        db = str(CACHE / f"generated-{a.scale}")
        if not Path(db).exists():
            csv = Path(tempfile.mkdtemp()) / "kg.csv"
            kgcore.generate(str(csv), scale=a.scale, seed=1)
            kgcore.import_files(db, [str(csv)])
    base, qs, ids = vectors_for(db, a.queries, a.seed)
    data, queries = np.load(base), np.load(qs)
    _, copies = np.unique(data, axis=0, return_counts=True)
    print(
        f"{len(copies):,} distinct vectors for {len(data):,} rows; {int(copies[copies > 16].sum()):,} rows "
        f"share their vector with 16 or more others",
        file=sys.stderr,
    )
    # Truth: exact cosine over unit rows (MiniLM rows are unit length already).
    unit = data / np.linalg.norm(data, axis=1, keepdims=True)
    qn = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    node_ids = np.load(ids)
    row_of = {int(n): r for r, n in enumerate(node_ids)}
    sims, kth = [], []
    for q in qn:
        s = unit @ q
        sims.append(s)
        kth.append(float(np.partition(-s, a.k - 1)[a.k - 1]) * -1)
    results = {}
    for engine in ("kgcore", "hnswlib", "hnsw_rs"):
        out = Path(tempfile.mkdtemp()) / f"{engine}.json"
        if engine == "hnsw_rs":
            efs = ",".join(map(str, EFS))
            cmd = [str(hnsw_rs_peer()), str(base), str(qs), str(ids), str(out), "--k", str(a.k), "--m", str(M),
                   "--ef-construction", str(EF_CONSTRUCTION), "--ef", efs]
        else:
            cmd = [sys.executable, __file__, "--engine", engine, "--db", db, "--k", str(a.k), "--files", str(base), str(qs), str(ids), str(out)]
        subprocess.run(cmd, check=True)
        results[engine] = json.loads(out.read_text())
    lines = [
        f"# HNSW: kgcore vs hnswlib vs hnsw_rs, {len(data):,} x {data.shape[1]} MiniLM name vectors, {len(queries)} queries, k={a.k}",
        "",
        f"`python3 benches/vectors.py --db {a.db or '(generated, scale ' + str(a.scale) + ')'}`; M={M}, ef_construction={EF_CONSTRUCTION}, builds on {os.cpu_count()} threads, queries on one.",
        "",
        "| engine | build s | index RSS MB | ef | recall@10 | p50 us | QPS (1 thread) |",
        "|---|---|---|---|---|---|---|",
    ]
    for engine, r in results.items():
        for row in r["rows"]:
            rec = statistics.fmean(
                sum(1 for n in set(f) if s[row_of[n]] >= t - 1e-5) / a.k for f, s, t in zip(row["found"], sims, kth)
            )
            row["recall"] = rec
            lines.append(f"| {engine} | {r['build_s']:.1f} | {r['mem_mb']:.0f} | {row['ef']} | {rec:.4f} | {row['p50_us']:.1f} | {row['qps']:,.0f} |")
    for peer in ("hnswlib", "hnsw_rs"):
        lines.append("")
        lines.append(f"QPS ratio kgcore/{peer} at the same ef, and at the same recall ({peer}'s QPS")
        lines.append("interpolated between its two ef settings whose recalls bracket kgcore's):")
        lines.append("")
        p_rows = results[peer]["rows"]
        for k_row, p_row in zip(results["kgcore"]["rows"], p_rows):
            same_ef = k_row["qps"] / p_row["qps"]
            at_recall = f"outside {peer}'s measured range"
            for lo, hi in zip(p_rows, p_rows[1:]):
                if lo["recall"] <= k_row["recall"] <= hi["recall"] and hi["recall"] > lo["recall"]:
                    f = (k_row["recall"] - lo["recall"]) / (hi["recall"] - lo["recall"])
                    p_qps = math.exp(math.log(lo["qps"]) + f * (math.log(hi["qps"]) - math.log(lo["qps"])))
                    at_recall = f"{k_row['qps'] / p_qps:.2f}"
            lines.append(f"- ef={k_row['ef']} (kgcore recall {k_row['recall']:.4f}): same ef {same_ef:.2f}, same recall {at_recall}")
    text = "\n".join(lines) + "\n"
    print(text)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(text)
    print(f"peak RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", file=sys.stderr)


if __name__ == "__main__":
    main()
