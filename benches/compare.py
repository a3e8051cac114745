"""Side-by-side timing of kgcore against the graph libraries MedReason-style pipelines use.

    python3 benches/compare.py [--kg FILE] [--pairs 500] [--slow-pairs 15] [--out results.md]

On the same seeded pairs of the same graph (hetionet-partial from ../shared when present, else a
generated PrimeKG-shaped graph), times each call from Python: shortest path (kgcore, networkx
bidirectional, igraph, rustworkx, Kuzu `* SHORTEST`), all shortest paths (kgcore count + 50
sampled; networkx, igraph, rustworkx listing all; Kuzu `ALL SHORTEST` count), k=10 shortest
paths (kgcore, igraph), batch shortest paths, and load/open time and memory. The slow peers run
on the first --slow-pairs pairs only. Prints one table of p50/p99 and ratios to kgcore and
writes it to --out.

Then kgcore's whole all-shortest answer (count + 50 sampled) meets networkx's single
bidirectional shortest path head to head: the two calls alternate on every pair, their order
swapped each round, for --rounds rounds, so that both see the same machine at the same moment
(on these machines a block of calls can run 15% slower than the next).

Libraries that are not installed are skipped (pip install networkx igraph rustworkx kuzu).
"""

import argparse
import csv
import gzip
import os
import pathlib
import random
import statistics
import tempfile
import time

import kgcore

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "hetionet-partial" / "kg.csv.gz"


def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def timed_calls(pairs, fn):
    for a, b in pairs[:5]:
        fn(a, b)
    out = []
    for a, b in pairs:
        t = time.perf_counter()
        fn(a, b)
        out.append(time.perf_counter() - t)
    return out


def head_to_head(pairs, rounds, first, second):
    """Per call seconds of `first` and `second`, alternating on every pair, the one called
    first swapped each round."""
    a_times, b_times = [], []
    for a, b in pairs[:5]:
        first(a, b)
        second(a, b)
    for r in range(rounds):
        for a, b in pairs:
            for fn, out in ((first, a_times), (second, b_times))[:: 1 if r % 2 == 0 else -1]:
                t = time.perf_counter()
                fn(a, b)
                out.append(time.perf_counter() - t)
    return a_times, b_times


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round((len(xs) - 1) * q))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kg")
    ap.add_argument("--pairs", type=int, default=500)
    ap.add_argument("--slow-pairs", type=int, default=15)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the head-to-head comparison")
    ap.add_argument("--out", default="compare-results.md")
    args = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp())
    kg = pathlib.Path(args.kg) if args.kg else SHARED
    if not kg.exists():
        kg = work / "kg.csv"
        kgcore.generate(str(kg), scale=0.25, seed=42)
    opener = gzip.open if str(kg).endswith(".gz") else open
    with opener(kg, "rt", newline="") as f:
        rows = [(int(r["x_index"]), int(r["y_index"])) for r in csv.DictReader(f)]
    edges = sorted({(min(a, b), max(a, b)) for a, b in rows if a != b})
    nodes = sorted({n for e in edges for n in e})
    results = []  # (query, system, list of seconds)
    loads = []  # (system, seconds, MB)

    base = rss_mb()
    t = time.perf_counter()
    kgcore.import_files(str(work / "db"), [str(kg)])
    import_s = time.perf_counter() - t
    t = time.perf_counter()
    g = kgcore.open(str(work / "db"), read_only=True)
    loads.append(("kgcore open (import once: %.1f s)" % import_s, time.perf_counter() - t, rss_mb() - base))

    import networkx as nx

    base = rss_mb()
    t = time.perf_counter()
    G = nx.Graph()
    G.add_edges_from(edges)
    loads.append(("networkx Graph from edges", time.perf_counter() - t, rss_mb() - base))
    giant = sorted(max(nx.connected_components(G), key=len))
    rng = random.Random(args.seed)
    pairs = []
    while len(pairs) < args.pairs:
        a, b = rng.choice(giant), rng.choice(giant)
        if a != b:
            pairs.append((a, b))
    slow = pairs[: args.slow_pairs]

    results.append(("shortest path", "kgcore", timed_calls(pairs, g.shortest_path)))
    results.append(("shortest path", "networkx bidirectional", timed_calls(pairs, lambda a, b: nx.bidirectional_shortest_path(G, a, b))))
    results.append(("all shortest paths", "kgcore count + 50 sampled", timed_calls(pairs, lambda a, b: g.all_shortest_paths(a, b, sample=50, seed=1))))
    results.append(("all shortest paths", "networkx all_shortest_paths", timed_calls(slow, lambda a, b: list(nx.all_shortest_paths(G, a, b)))))
    results.append(("k=10 shortest paths", "kgcore", timed_calls(pairs[:100], lambda a, b: g.k_shortest_paths(a, b, 10))))

    try:
        import igraph as ig

        base = rss_mb()
        t = time.perf_counter()
        index = {n: i for i, n in enumerate(nodes)}
        IG = ig.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in edges])
        loads.append(("igraph Graph from edges", time.perf_counter() - t, rss_mb() - base))
        ipairs = [(index[a], index[b]) for a, b in pairs]
        results.append(("shortest path", "igraph get_shortest_path", timed_calls(ipairs, lambda a, b: IG.get_shortest_path(a, b))))
        results.append(("all shortest paths", "igraph get_all_shortest_paths", timed_calls(ipairs[: len(slow)], lambda a, b: IG.get_all_shortest_paths(a, to=b))))
        results.append(("k=10 shortest paths", "igraph get_k_shortest_paths", timed_calls(ipairs[: max(3, len(slow) // 3)], lambda a, b: IG.get_k_shortest_paths(a, b, k=10))))
    except ImportError:
        pass

    try:
        import rustworkx as rx

        base = rss_mb()
        t = time.perf_counter()
        RX = rx.PyGraph()
        ids = RX.add_nodes_from(nodes)
        rindex = dict(zip(nodes, ids))
        RX.add_edges_from_no_data([(rindex[a], rindex[b]) for a, b in edges])
        loads.append(("rustworkx PyGraph from edges", time.perf_counter() - t, rss_mb() - base))
        rpairs = [(rindex[a], rindex[b]) for a, b in pairs]
        results.append(("shortest path", "rustworkx dijkstra (unit weights)", timed_calls(rpairs, lambda a, b: rx.graph_dijkstra_shortest_paths(RX, a, target=b))))
        results.append(("all shortest paths", "rustworkx all_shortest_paths", timed_calls(rpairs[: len(slow)], lambda a, b: rx.all_shortest_paths(RX, a, b))))
    except ImportError:
        pass

    try:
        import kuzu

        ncsv, ecsv = work / "kn.csv", work / "ke.csv"
        ncsv.write_text("idx\n" + "".join(f"{n}\n" for n in nodes))
        ecsv.write_text("from,to\n" + "".join(f"{a},{b}\n" for a, b in edges))
        base = rss_mb()
        t = time.perf_counter()
        conn = kuzu.Connection(kuzu.Database(str(work / "kuzu")))
        conn.execute("CREATE NODE TABLE N(idx INT64, PRIMARY KEY(idx))")
        conn.execute("CREATE REL TABLE E(FROM N TO N)")
        conn.execute(f"COPY N FROM '{ncsv}' (HEADER=true)")
        conn.execute(f"COPY E FROM '{ecsv}' (HEADER=true)")
        loads.append(("kuzu COPY", time.perf_counter() - t, rss_mb() - base))
        q1 = "MATCH (a:N {idx: $a})-[e:E* SHORTEST 1..30]-(b:N {idx: $b}) RETURN length(e) LIMIT 1"
        qa = "MATCH (a:N {idx: $a})-[e:E* ALL SHORTEST 1..30]-(b:N {idx: $b}) RETURN count(*)"
        kp = pairs[: max(len(slow), 50)]
        results.append(("shortest path", "kuzu * SHORTEST", timed_calls(kp, lambda a, b: conn.execute(q1, {"a": a, "b": b}).get_all())))
        results.append(("all shortest paths", "kuzu ALL SHORTEST count", timed_calls(kp, lambda a, b: conn.execute(qa, {"a": a, "b": b}).get_all())))
    except ImportError:
        pass

    import numpy as np

    arr = np.array(pairs * 20, dtype=np.int64)
    g.distances(arr[:100])
    t = time.perf_counter()
    g.distances(arr)
    batch = len(arr) / (time.perf_counter() - t)

    lines = [f"graph: {kg.name} ({len(nodes)} nodes, {len(edges)} undirected edges); {len(pairs)} seeded pairs (seed {args.seed}), slow peers on {len(slow)}", ""]
    lines.append(f"| query | system | calls | p50 | p99 | p50 ratio to kgcore |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    kg_p50 = {q: statistics.median(ts) for q, s, ts in results if s.startswith("kgcore")}
    fmt = lambda s: f"{s * 1e6:.1f} µs" if s < 1e-3 else (f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s")
    for q, s, ts in results:
        p50 = statistics.median(ts)
        ratio = "1" if s.startswith("kgcore") else f"{p50 / kg_p50[q]:,.0f}x slower"
        lines.append(f"| {q} | {s} | {len(ts)} | {fmt(p50)} | {fmt(pct(ts, 0.99))} | {ratio} |")
    lines.append("")
    lines.append(f"batch shortest-path distances (numpy in/out, {len(arr)} pairs): {batch:,.0f} pairs/s")
    lines.append("")
    lines.append("| load | seconds | RSS growth MB |")
    lines.append("| --- | --- | --- |")
    for name, s, mb in loads:
        lines.append(f"| {name} | {s:.3f} | {mb:.0f} |")
    kg_all, nx_one = head_to_head(pairs, args.rounds, lambda a, b: g.all_shortest_paths(a, b, sample=50, seed=1), lambda a, b: nx.bidirectional_shortest_path(G, a, b))
    lines.append("")
    lines.append(f"head to head, alternating on each pair, {args.rounds} rounds of {len(pairs)} pairs:")
    lines.append("")
    lines.append("| call | p50 | p99 |")
    lines.append("| --- | --- | --- |")
    lines.append(f"| kgcore all shortest, count + 50 sampled | {fmt(statistics.median(kg_all))} | {fmt(pct(kg_all, 0.99))} |")
    lines.append(f"| networkx bidirectional_shortest_path (one path) | {fmt(statistics.median(nx_one))} | {fmt(pct(nx_one, 0.99))} |")
    lines.append("")
    lines.append(f"kgcore / networkx at p50: {statistics.median(kg_all) / statistics.median(nx_one):.2f}")
    text = "\n".join(lines)
    print(text)
    pathlib.Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
