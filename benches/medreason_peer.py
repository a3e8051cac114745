"""MedReason's KG step as its released code does it, against `kgcore` on the same QAs, in one run.

    python3 benches/medreason_peer.py [--kg hetionet kg.csv.gz] [--qa medqa_test.jsonl] [--qas 20]
                                      [--pair-budget 60] [--out medreason-peer.md]

The peer, written here after the steps of MedReason's code (see ../shared/docs/PRIMEKG.md):
pandas reads kg.csv; networkx builds an undirected simple graph on lowercased names; each
entity is mapped by exact cosine similarity of text embeddings against every name of its type
(top 10 above 0.7; a case-insensitive equal name wins, else the top one above 0.85, else none,
where MedReason would ask a model); every question x answer entity pair gets
`list(nx.all_shortest_paths(...))`, and a group above 50 paths is sampled to 50. MiniLM stands
in for MedReason's MedEmbed (both are exact searches; MiniLM is the smaller model).

Both sides get the same entities, taken from kgcore's dictionary extraction of each QA (text
and node type), so both do the same work: map the entities, then find, count and sample the
paths. kgcore grounds each QA with one `Graph.ground_lines` call. Listing one pair's paths
stops after --pair-budget seconds, and such pairs are reported. Times are per QA, median and
total. Pairs mapped to the same names on both sides must have the same distance and count.
"""

import argparse
import gzip
import json
import pathlib
import random
import statistics
import tempfile
import time

import numpy as np

import kgcore
import kgcore.medreason as mr

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def load_peer(kg):
    import networkx as nx
    import pandas as pd

    t = time.perf_counter()
    frame = pd.read_csv(kg, usecols=["x_name", "x_type", "display_relation", "y_name", "y_type"], low_memory=False)
    graph = nx.Graph()
    for x, r, y in zip(frame["x_name"].str.lower(), frame["display_relation"].str.lower().str.strip(), frame["y_name"].str.lower()):
        graph.add_edge(x, y, relation=r)
    names_by_type = {}
    for col, ty in (("x_name", "x_type"), ("y_name", "y_type")):
        for name, node_type in zip(frame[col], frame[ty]):
            names_by_type.setdefault(node_type, set()).add(name)
    return graph, {t: sorted(v) for t, v in names_by_type.items()}, time.perf_counter() - t


def peer_map(entity, node_type, names, vectors, embed):
    """MedReason's mapping rules on exact cosine similarity; the model's pick becomes none."""
    if node_type not in names:
        return None
    q = embed([entity])[0]
    sims = vectors[node_type] @ q
    top = np.argsort(-sims)[:10]
    top = [i for i in top if sims[i] > 0.7]
    for i in top:
        if names[node_type][i].lower() == entity.lower():
            return names[node_type][i].lower()
    if top and sims[top[0]] > 0.85:
        return names[node_type][top[0]].lower()
    return None


def peer_paths(graph, s, t, budget, rng):
    """MedReason's listing of every shortest path, then its sample of 50; None past `budget`."""
    import networkx as nx

    if s not in graph or t not in graph or s == t:
        return "skip"
    start = time.perf_counter()
    paths = []
    try:
        for p in nx.all_shortest_paths(graph, s, t):
            paths.append(p)
            if len(paths) % 1000 == 0 and time.perf_counter() - start > budget:
                return None
    except nx.NetworkXNoPath:
        return "skip"
    sample = rng.sample(paths, 50) if len(paths) > 50 else paths
    return len(paths[0]) - 1, len(paths), sample


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kg", default=str(SHARED / "hetionet-partial" / "kg.csv.gz"))
    ap.add_argument("--qa", default=str(SHARED / "qa" / "medqa_test.jsonl"))
    ap.add_argument("--qas", type=int, default=20)
    ap.add_argument("--pair-budget", type=float, default=60.0)
    ap.add_argument("--out", default="medreason-peer.md")
    args = ap.parse_args()
    from kgcore.embed import MiniLM

    work = pathlib.Path(tempfile.mkdtemp())
    db = work / "db"
    t = time.perf_counter()
    kgcore.import_files(str(db), [args.kg])
    import_s = time.perf_counter() - t
    graph = kgcore.open(str(db), read_only=True)
    opener = gzip.open if args.qa.endswith(".gz") else open
    with opener(args.qa, "rt") as f:
        lines = [line for line in f if line.strip()]
    grounded = mr.ground_records(graph, lines, dataset="qa", seed=1)
    # QAs with entities on both sides, each side's entities as (text, type).
    chosen = [(i, g) for i, g in enumerate(grounded) if "error" not in g and g["question_entities"] and g["answer_entities"]][: args.qas]
    given = []
    for i, g in chosen:
        rec = json.loads(lines[i])
        rec["question_entities"] = [{"name": e["text"], "type": e["type"]} for e in g["question_entities"]]
        rec["answer_entities"] = [{"name": e["text"], "type": e["type"]} for e in g["answer_entities"]]
        given.append((i + 1, json.dumps(rec)))

    kg_times, kg_records = [], []
    for line, text in given:
        graph.ground_lines([text], dataset="qa", line_numbers=[line], seed=1)  # warm
        t = time.perf_counter()
        out = graph.ground_lines([text], dataset="qa", line_numbers=[line], seed=1)
        kg_times.append(time.perf_counter() - t)
        kg_records.append(json.loads(out[0]))

    peer, names, peer_load = load_peer(args.kg)
    embed = MiniLM()
    t = time.perf_counter()
    vectors = {ty: embed(ns) for ty, ns in names.items()}
    embed_s = time.perf_counter() - t
    rng = random.Random(1)
    peer_times, capped, checked, agreed = [], 0, 0, 0
    for (line, text), mine in zip(given, kg_records):
        rec = json.loads(text)
        t = time.perf_counter()
        q = [peer_map(e["name"], e["type"], names, vectors, embed) for e in rec["question_entities"]]
        a = [peer_map(e["name"], e["type"], names, vectors, embed) for e in rec["answer_entities"]]
        groups = {}
        for s in filter(None, q):
            for d in filter(None, a):
                r = peer_paths(peer, s, d, args.pair_budget, rng)
                if r is None:
                    capped += 1
                elif r != "skip":
                    groups[(s, d)] = r
        peer_times.append(time.perf_counter() - t)
        for g in mine["path_groups"]:
            if (g["from"], g["to"]) in groups:
                checked += 1
                dist, count, _ = groups[(g["from"], g["to"])]
                agreed += dist == g["distance"] and str(count) == g["count"]
        print(f"line {line}: kgcore {kg_times[len(peer_times) - 1] * 1e3:.2f} ms, peer {peer_times[-1]:.2f} s", flush=True)

    kg_med, peer_med = statistics.median(kg_times), statistics.median(peer_times)
    report = [
        f"QAs: {len(given)} of {pathlib.Path(args.qa).name} with entities on both sides; graph {pathlib.Path(args.kg).name}",
        "",
        "| step | kgcore | MedReason's way (pandas + networkx, MiniLM) |",
        "| --- | --- | --- |",
        f"| load | import once {import_s:.1f} s, then open in ms | {peer_load:.1f} s to build the graph, {embed_s:.1f} s to embed {sum(map(len, names.values()))} names |",
        f"| per QA, median | {kg_med * 1e3:.3f} ms | {peer_med:.2f} s ({peer_med / kg_med:,.0f}x) |",
        f"| per QA, total over {len(given)} | {sum(kg_times):.3f} s | {sum(peer_times):.1f} s ({sum(peer_times) / sum(kg_times):,.0f}x) |",
        "",
        f"Pairs past the {args.pair_budget:.0f} s listing budget on the peer's side: {capped}. "
        f"Pairs mapped alike on both sides: {checked}, of which {agreed} agree on distance and count.",
    ]
    text = "\n".join(report)
    print(text)
    pathlib.Path(args.out).write_text(text + "\n")
    if agreed != checked:
        raise SystemExit("kgcore and networkx disagree on a pair")


if __name__ == "__main__":
    main()
