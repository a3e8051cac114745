"""kgcore's path answers equal networkx's on the real biomedical graph (hetionet-partial).

For a seeded set of pairs from the giant component: the distance and the number of shortest
paths equal networkx's, and where there are at most 300 paths the sets of paths are equal. The
same for MedReason's view (a node per lowercased name) queried by name.
"""

import csv
import gzip
import json
import random
import subprocess
from functools import lru_cache

import networkx as nx
import pytest

from conftest import HETIONET

PAIRS = 200
MAX_LISTED = 300


@pytest.fixture(scope="module")
def rows():
    with gzip.open(HETIONET, "rt", newline="") as f:
        return [(int(r["x_index"]), int(r["y_index"]), r["x_name"], r["y_name"]) for r in csv.DictReader(f)]


def giant_component_pairs(graph, seed):
    giant = sorted(max(nx.connected_components(graph), key=len), key=str)
    rng = random.Random(seed)
    pairs = []
    while len(pairs) < PAIRS:
        a, b = rng.choice(giant), rng.choice(giant)
        if a != b:
            pairs.append((a, b))
    return pairs


def count_paths(graph, source, target):
    """Number of shortest paths from networkx's own predecessor lists."""
    pred, dist = nx.predecessor(graph, source, return_seen=True)
    if target not in dist:
        return None, 0

    @lru_cache(maxsize=None)
    def count(v):
        return 1 if v == source else sum(count(p) for p in pred[v])

    import sys

    sys.setrecursionlimit(100000)
    return dist[target], count(target)


def run_batch(kgcore, db, pairs, medreason=False):
    args = [str(kgcore), "batch", "--db", str(db), "--max-paths", str(MAX_LISTED)]
    if medreason:
        args.append("--medreason")
    text = "".join(f"{a}\t{b}\n" for a, b in pairs)
    out = subprocess.run(args, input=text, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def compare(graph, pairs, answers):
    listed = 0
    for (a, b), got in zip(pairs, answers, strict=True):
        distance, count = count_paths(graph, a, b)
        assert got["distance"] == distance, (a, b)
        assert got["count"] == count, (a, b)
        if count <= MAX_LISTED:
            want = sorted(nx.all_shortest_paths(graph, a, b))
            assert sorted(got["paths"]) == want, (a, b)
            listed += 1
    # The check must have compared real path sets, not only counts.
    assert listed >= PAIRS // 4, listed


def test_typed_graph_matches_networkx(kgcore, hetionet_db, rows):
    graph = nx.Graph()
    graph.add_edges_from((x, y) for x, y, _, _ in rows if x != y)
    pairs = giant_component_pairs(graph, seed=7)
    compare(graph, pairs, run_batch(kgcore, hetionet_db, pairs))


def test_medreason_view_matches_networkx(kgcore, hetionet_db, rows):
    # Exactly MedReason's construction: lowercased names as nodes, undirected, simple.
    graph = nx.Graph()
    graph.add_edges_from((xn.lower(), yn.lower()) for _, _, xn, yn in rows)
    graph.remove_edges_from(list(nx.selfloop_edges(graph)))
    pairs = giant_component_pairs(graph, seed=11)
    compare(graph, pairs, run_batch(kgcore, hetionet_db, pairs, medreason=True))


def test_hetionet_counts(kgcore, hetionet_db):
    info = json.loads(subprocess.run([str(kgcore), "info", "--db", str(hetionet_db), "--json"], capture_output=True, text=True, check=True).stdout)
    assert (info["nodes"], info["edges"]) == (29_462, 1_755_730)
    assert info["undirected_edges"] == 874_434
    assert info["node_types"]["pharmacologic_class"] > 0  # an 11th type, accepted as any other
