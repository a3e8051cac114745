"""Set queries against networkx, on a generated graph and on hetionet-partial (real topology).

Neighbour sets, their intersections, unions and differences (one pair and arrays of pairs),
typed common neighbours, relation- and direction-filtered sets, and the nodes within k hops
must equal what networkx computes from the same rows.
"""

import csv
import gzip
import random

import networkx as nx
import numpy as np
import pytest

import kgcore
from conftest import HETIONET


def read_rows(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", newline="") as f:
        return [
            (int(r["x_index"]), int(r["y_index"]), r["relation"], r["x_type"], r["y_type"])
            for r in csv.DictReader(f)
        ]


def graphs(rows):
    """The undirected simple graph, the stored edges by relation, and each node's type."""
    und = nx.Graph()
    directed = {}
    types = {}
    for x, y, rel, xt, yt in rows:
        types[x], types[y] = xt, yt
        und.add_node(x)
        und.add_node(y)
        if x != y:
            und.add_edge(x, y)
        directed.setdefault(rel, nx.DiGraph()).add_edge(x, y)
    return und, directed, types


@pytest.fixture(scope="module", params=["generated", "hetionet"])
def case(request, tmp_path_factory):
    work = tmp_path_factory.mktemp("sets")
    if request.param == "generated":
        kg = work / "kg.csv"
        kgcore.generate(str(kg), scale=0.05, seed=3)
    else:
        if not HETIONET.exists():
            pytest.skip("../shared/data/hetionet-partial is not present")
        kg = HETIONET
    kgcore.import_files(str(work / "db"), [str(kg)])
    rows = read_rows(kg)
    with kgcore.open(str(work / "db"), read_only=True) as g:
        yield (g, *graphs(rows))


def sample_nodes(und, n, seed):
    """The 5 highest-degree nodes and `n` random others."""
    hubs = sorted(und.nodes, key=und.degree, reverse=True)[:5]
    rng = random.Random(seed)
    return hubs + rng.sample(sorted(und.nodes), n)


def test_pair_sets_and_sizes_equal_networkx(case):
    g, und, _, types = case
    nodes = sample_nodes(und, 40, 1)
    pairs = [(a, b) for a in nodes[:10] for b in nodes]
    for a, b in pairs:
        na, nb = set(und[a]), set(und[b])
        assert g.set_size(a, b) == len(list(nx.common_neighbors(und, a, b))) == len(na & nb)
        assert g.set_size(a, b, op="union") == len(na | nb)
        assert g.set_size(a, b, op="difference") == len(na - nb)
        assert g.set_members(a, b).tolist() == sorted(na & nb)
    arr = np.array(pairs, dtype=np.int64)
    sizes = g.set_sizes(arr)
    assert sizes.dtype == np.uint64 and sizes.tolist() == [len(set(und[a]) & set(und[b])) for a, b in pairs]
    # Typed: the genes (or any one type) two nodes share.
    t = types[nodes[0]]
    other = next(ty for ty in sorted(set(types.values())) if ty != t)
    for ty in (t, other):
        want = [len({v for v in set(und[a]) & set(und[b]) if types[v] == ty}) for a, b in pairs]
        assert g.set_sizes(arr, node_types=[ty]).tolist() == want
        a, b = pairs[1]
        assert g.set_members(a, b, node_types=[ty]).tolist() == sorted(v for v in set(und[a]) & set(und[b]) if types[v] == ty)


def test_filtered_neighbour_sets_equal_networkx(case):
    g, und, directed, types = case
    nodes = sample_nodes(und, 30, 2)
    relations = sorted(directed)
    for n in nodes:
        assert g.neighbour_set(n).tolist() == sorted(und[n])
        for rel in relations[:6]:
            d = directed[rel]
            out = sorted(v for v in d.successors(n) if v != n) if n in d else []
            inn = sorted(v for v in d.predecessors(n) if v != n) if n in d else []
            assert g.neighbour_set(n, direction="out", relations=[rel]).tolist() == out
            assert g.neighbour_set(n, direction="in", relations=[rel]).tolist() == inn
            assert g.neighbour_set(n, relations=[rel]).tolist() == sorted(set(out) | set(inn))
    a, b = nodes[0], nodes[1]
    rel = relations[0]
    d = directed[rel]
    sa = set(d.successors(a)) - {a} if a in d else set()
    sb = set(d.successors(b)) - {b} if b in d else set()
    assert g.set_size(a, b, op="union", direction="out", relations=[rel]) == len(sa | sb)


def test_nodes_within_k_hops_equal_networkx(case):
    g, und, _, types = case
    nodes = sample_nodes(und, 8, 3)
    for n in nodes:
        for k in (0, 1, 2, 3):
            reach = nx.single_source_shortest_path_length(und, n, cutoff=k)
            assert g.within_hops(n, k) == len(reach)
            assert g.nodes_within_hops(n, k).tolist() == sorted(reach)
            ty = types[nodes[-1]]
            assert g.within_hops(n, k, node_types=[ty]) == sum(1 for v in reach if types[v] == ty)


def test_bad_arguments_name_what_is_wrong(case):
    g, und, _, _ = case
    n = next(iter(und.nodes))
    with pytest.raises(KeyError, match="unknown node 4000000"):
        g.set_size(n, 4_000_000)
    with pytest.raises(KeyError, match="unknown node 4000000"):
        g.set_sizes(np.array([[n, n], [4_000_000, n]], dtype=np.int64))
    with pytest.raises(ValueError, match='unknown relation "no_such_relation"'):
        g.neighbour_set(n, relations=["no_such_relation"])
    with pytest.raises(ValueError, match='unknown node type "spaceship"'):
        g.within_hops(n, 2, node_types=["spaceship"])
    with pytest.raises(ValueError, match="out, in, both"):
        g.neighbour_set(n, direction="up")
    with pytest.raises(ValueError, match="intersection, union, difference"):
        g.set_size(n, n, op="xor")
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        g.set_sizes(np.zeros((3, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="pairs\\[0\\]"):
        g.set_sizes(np.array([[-1, n]], dtype=np.int64))
