"""Side-by-side timing of kgcore's set queries against networkx and igraph, from Python, in one run.

    python3 benches/sets_peers.py [--kg FILE] [--pairs 100000] [--out sets-results.md]

On one graph (hetionet-partial from ../shared when present, else a generated PrimeKG-shaped
graph), the same queries through each library:
- the intersection size of the two largest hubs' neighbour sets (kgcore `set_size`, networkx
  `common_neighbors`, igraph sets of `neighbors`);
- common neighbours of one node type for random pairs (kgcore `set_sizes` on all pairs in one
  call; the peers loop over a subset), in pairs per second;
- the nodes within 2 and 3 hops of the largest hub, all and of one type (kgcore `within_hops`,
  networkx `single_source_shortest_path_length(cutoff=k)`, igraph `neighborhood(order=k)`).
Every answer is checked equal across the libraries before its time is reported. Prints p50
(and p99 where repeated) and the ratio to kgcore, and writes the table to --out.
"""

import argparse
import csv
import gzip
import pathlib
import random
import tempfile
import time

import numpy as np

import kgcore

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "hetionet-partial" / "kg.csv.gz"
TYPE = "gene/protein"


def repeat(fn, times):
    fn()
    out = []
    for _ in range(times):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return sorted(out)


def p(xs, q):
    return xs[min(len(xs) - 1, round((len(xs) - 1) * q))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kg")
    ap.add_argument("--pairs", type=int, default=100_000)
    ap.add_argument("--peer-pairs", type=int, default=2_000, help="pairs the peers loop over")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", default="sets-results.md")
    args = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp())
    kg = pathlib.Path(args.kg) if args.kg else SHARED
    if not kg.exists():
        kg = work / "kg.csv"
        kgcore.generate(str(kg), scale=0.25, seed=42)
    kgcore.import_files(str(work / "db"), [str(kg)])
    g = kgcore.open(str(work / "db"), read_only=True)

    opener = gzip.open if str(kg).endswith(".gz") else open
    types = {}
    edges = set()
    with opener(kg, "rt", newline="") as f:
        for r in csv.DictReader(f):
            x, y = int(r["x_index"]), int(r["y_index"])
            types[x], types[y] = r["x_type"], r["y_type"]
            if x != y:
                edges.add((min(x, y), max(x, y)))
    edges = sorted(edges)
    n_slots = max(types) + 1
    rows = []  # (query, system, p50 s, p99 s or None, note)

    import igraph as ig
    import networkx as nx

    t = time.perf_counter()
    G = nx.Graph()
    G.add_nodes_from(types)
    G.add_edges_from(edges)
    nx_load = time.perf_counter() - t
    t = time.perf_counter()
    I = ig.Graph(n=n_slots, edges=edges)
    ig_load = time.perf_counter() - t
    is_type = np.zeros(n_slots, dtype=bool)
    for n, ty in types.items():
        is_type[n] = ty == TYPE

    hubs = sorted(types, key=G.degree, reverse=True)
    h1, h2 = hubs[0], hubs[1]

    # 1. Intersection size of the two largest hubs.
    want = len(set(G[h1]) & set(G[h2]))
    assert g.set_size(h1, h2) == want
    assert len(list(nx.common_neighbors(G, h1, h2))) == want
    assert len(set(I.neighbors(h1)) & set(I.neighbors(h2))) == want
    q = f"intersection size, two largest hubs (degrees {G.degree(h1)}, {G.degree(h2)})"
    for system, fn, times in [
        ("kgcore", lambda: g.set_size(h1, h2), 2000),
        ("networkx", lambda: len(list(nx.common_neighbors(G, h1, h2))), 50),
        ("igraph", lambda: len(set(I.neighbors(h1)) & set(I.neighbors(h2))), 200),
    ]:
        xs = repeat(fn, times)
        rows.append((q, system, p(xs, 0.5), p(xs, 0.99), ""))

    # 2. Common neighbours of one type, random pairs.
    rng = random.Random(args.seed)
    present = [n for n in types if G.degree(n) > 0]
    pairs = np.array([(rng.choice(present), rng.choice(present)) for _ in range(args.pairs)], dtype=np.int64)
    sub = [tuple(map(int, row)) for row in pairs[: args.peer_pairs]]
    sizes = g.set_sizes(pairs, node_types=[TYPE])

    def nx_typed():
        return [sum(1 for v in nx.common_neighbors(G, a, b) if is_type[v]) for a, b in sub]

    def ig_typed():
        return [sum(1 for v in set(I.neighbors(a)).intersection(I.neighbors(b)) if is_type[v]) for a, b in sub]

    assert nx_typed() == ig_typed() == sizes[: len(sub)].tolist()
    q = f"common {TYPE} neighbours, random pairs (pairs/s)"
    xs = repeat(lambda: g.set_sizes(pairs, node_types=[TYPE]), 10)
    rows.append((q, "kgcore", len(pairs) / p(xs, 0.5), None, f"{len(pairs):,} pairs in one call"))
    for system, fn in [("networkx", nx_typed), ("igraph", ig_typed)]:
        xs = repeat(fn, 3)
        rows.append((q, system, len(sub) / p(xs, 0.5), None, f"{len(sub):,} pairs, a loop"))

    # 3. Nodes within k hops of the largest hub.
    for k in (2, 3):
        reach = nx.single_source_shortest_path_length(G, h1, cutoff=k)
        typed = sum(1 for v in reach if is_type[v])
        assert g.within_hops(h1, k) == len(reach) == I.neighborhood_size(h1, order=k)
        assert g.within_hops(h1, k, node_types=[TYPE]) == typed == int(is_type[I.neighborhood(h1, order=k)].sum())
        q = f"nodes within {k} hops of the largest hub ({len(reach):,})"
        for system, fn, times in [
            ("kgcore", lambda: g.within_hops(h1, k), 300),
            ("networkx", lambda: len(nx.single_source_shortest_path_length(G, h1, cutoff=k)), 5),
            ("igraph", lambda: I.neighborhood_size(h1, order=k), 30),
        ]:
            xs = repeat(fn, times)
            rows.append((q, system, p(xs, 0.5), p(xs, 0.99), ""))
        q = f"nodes within {k} hops of the largest hub, of type {TYPE} ({typed:,})"
        for system, fn, times in [
            ("kgcore", lambda: g.within_hops(h1, k, node_types=[TYPE]), 300),
            ("networkx", lambda: sum(1 for v in nx.single_source_shortest_path_length(G, h1, cutoff=k) if is_type[v]), 5),
            ("igraph", lambda: int(is_type[I.neighborhood(h1, order=k)].sum()), 30),
        ]:
            xs = repeat(fn, times)
            rows.append((q, system, p(xs, 0.5), p(xs, 0.99), ""))

    lines = [
        f"graph: {kg} ({len(types):,} nodes, {len(edges):,} undirected edges); networkx built in {nx_load:.1f} s, igraph in {ig_load:.1f} s",
        "",
        "| query | system | p50 | p99 | vs kgcore | note |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    base = {}
    for query, system, p50, p99, note in rows:
        rate = "pairs/s" in query
        if system == "kgcore":
            base[query] = p50
        ratio = base[query] / p50 if rate else p50 / base[query]
        fmt = (lambda v: f"{v:,.0f}/s") if rate else (lambda v: f"{v * 1e6:,.1f} µs")
        vs = "" if system == "kgcore" else f"{ratio:,.0f}x slower"
        lines.append(f"| {query} | {system} | {fmt(p50)} | {fmt(p99) if p99 is not None else ''} | {vs} | {note} |")
    text = "\n".join(lines)
    print(text)
    pathlib.Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
