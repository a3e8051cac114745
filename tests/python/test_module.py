"""The `kgcore` Python module on a generated PrimeKG-shaped graph (no ../shared needed)."""

import os
import pickle
import threading

import numpy as np
import pytest

import kgcore


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    work = tmp_path_factory.mktemp("gen")
    kg = work / "kg.csv"
    report = kgcore.generate(str(kg), scale=0.02, seed=5)
    assert report["rows"] > 0
    imported = kgcore.import_files(str(work / "db"), [str(kg)])
    assert imported["duplicates_skipped"] >= 1
    return str(work / "db")


@pytest.fixture()
def graph(db_path):
    with kgcore.open(db_path, read_only=True) as g:
        yield g


def hub(g):
    return g.info()["degree"]["max_node"]


def test_info_and_nodes(graph):
    info = graph.info()
    assert info["nodes"] > 2000 and info["edges"] > info["nodes"]
    assert len(info["node_types"]) == 10
    node = graph.node(hub(graph))
    assert node["degree"] == info["degree"]["max"]
    assert hub(graph) in graph.find(node["name"])
    assert hub(graph) in graph.find(node["name"].upper())
    with pytest.raises(KeyError):
        graph.node(10**9)
    with pytest.raises(KeyError):
        graph.neighbours(10**9)


def test_paths_agree_with_each_other(graph):
    h = hub(graph)
    src = graph.neighbours(graph.neighbours(h)[0])[-1]
    one = graph.shortest_path(src, h)
    distance, count, paths = graph.all_shortest_paths(src, h)
    assert len(one) - 1 == distance
    assert len(paths) == min(count, 1000)
    assert one in paths
    assert all(len(p) == distance + 1 and p[0] == src and p[-1] == h for p in paths)
    sample = graph.all_shortest_paths(src, h, sample=3, seed=4)[2]
    assert sample == graph.all_shortest_paths(src, h, sample=3, seed=4)[2]
    assert len(sample) == min(3, count)
    k = graph.k_shortest_paths(src, h, 5)
    assert [len(p) for p in k] == sorted(len(p) for p in k) and len(k) == 5
    assert graph.shortest_path(src, h, max_hops=distance - 1) is None if distance > 1 else True
    text = graph.render_labelled(one)
    assert text.count(" (") == len(one)


def test_batch_distances(graph):
    h = hub(graph)
    pairs = np.array([[h, n] for n in graph.neighbours(h)[:50]] + [[h, h]], dtype=np.int64)
    d = graph.distances(pairs)
    assert d.dtype == np.int64 and d.shape == (51,)
    assert (d[:50] == 1).all() and d[50] == 0
    with pytest.raises(ValueError):
        graph.distances(np.zeros((3, 3), dtype=np.int64))
    with pytest.raises(KeyError):
        graph.distances(np.array([[h, 10**9]], dtype=np.int64))


def test_medreason_paths_and_rendering(graph):
    h = graph.node(hub(graph))["name"]
    n = graph.node(graph.neighbours(hub(graph))[0])["name"]
    groups = graph.medreason_paths([h.upper()], [n, "no such entity"], max_paths=50)
    assert len(groups) == 1 and groups[0][0][0] == h.lower()
    text = kgcore.render_medreason(groups[0])
    assert text.startswith(f"1:{h.lower()}->")


def test_pickle_reopens_read_only(graph):
    clone = pickle.loads(pickle.dumps(graph))
    assert clone.read_only and clone.info() == graph.info()


def test_threads_share_a_handle(graph):
    # 8 threads x 100,000 queries on one handle: no crash, and the exact total.
    h = hub(graph)
    targets = graph.neighbours(h)[:200]
    near = set(graph.neighbours(h))
    far = [n for n in graph.neighbours(targets[0]) if n != h and n not in near][:1]
    per_thread = 100_000
    plan = [(targets[i % len(targets)], 2) for i in range(per_thread - 1)] + [(far[0], 3)] if far else [(t, 2) for t in targets]
    results = []

    def work():
        results.append(sum(len(graph.shortest_path(h, t)) for t, _ in plan))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = sum(length for _, length in plan)
    assert results == [expected] * 8


def test_errors_map_to_python_exceptions(db_path, tmp_path):
    writer = kgcore.open(db_path)
    with pytest.raises(kgcore.LockedError):
        kgcore.open(db_path)
    assert issubclass(kgcore.LockedError, kgcore.KgcoreError)
    del writer
    with pytest.raises(FileNotFoundError):
        kgcore.open(str(tmp_path / "missing"), read_only=True)
    bad = tmp_path / "bad.csv"
    bad.write_text("relation,display_relation,x_index,y_index\nr,r,1,2\n")
    with pytest.raises(ValueError, match="bad.csv:2"):
        kgcore.import_files(str(tmp_path / "db"), [str(bad)])
    assert not os.path.exists(tmp_path / "db")
    with pytest.raises(OSError):
        kgcore.import_files(str(tmp_path / "db"), [str(tmp_path / "nope.csv")])


def test_many_read_only_processes_beside_a_writer(db_path):
    # Six processes hold read-only handles at the same moment (each says "open" and waits for
    # "go") while this process holds the read-write one; all answer, and answer alike.
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(f"""
        import kgcore, sys
        g = kgcore.open({db_path!r}, read_only=True)
        print("open", flush=True)
        assert sys.stdin.readline().strip() == "go"
        h = g.info()["degree"]["max_node"]
        nodes = g.nodes_arrays()[0][:500].tolist()
        print(g.info()["edges"], sum(len(g.shortest_path(h, n) or []) for n in nodes), flush=True)
    """)
    with kgcore.open(db_path) as writer:
        readers = [
            subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            for _ in range(6)
        ]
        assert [r.stdout.readline().strip() for r in readers] == ["open"] * 6
        outs = [r.communicate("go\n", timeout=120)[0].split() for r in readers]
        h = writer.info()["degree"]["max_node"]
        nodes = writer.nodes_arrays()[0][:500].tolist()
        expected = [str(writer.info()["edges"]), str(sum(len(writer.shortest_path(h, n) or []) for n in nodes))]
    assert [r.returncode for r in readers] == [0] * 6
    assert outs == [expected] * 6


def test_name_search(graph):
    h = hub(graph)
    name = graph.node(h)["name"]
    [(key, distance, nodes)] = graph.search_names("  " + name.upper() + " ")
    assert key == " ".join(name.lower().split()) and distance == 0 and h in nodes
    typo = name[:-1] if len(name) > 4 else name + "x"
    assert any(h in hit[2] for hit in graph.search_names(typo, fuzzy=1))
    assert all(hit[0].startswith(name.lower()[:3]) for hit in graph.search_names(name[:3], prefix=True))
    with pytest.raises(ValueError):
        graph.search_names("   ")
    with pytest.raises(ValueError):
        graph.search_names(name, node_type="no such type")
    # One rule for the options, as in the CLI: prefix and fuzzy together are refused, and
    # limit bounds every kind of search.
    with pytest.raises(ValueError, match="prefix or fuzzy, not both"):
        graph.search_names(name[:4], prefix=True, fuzzy=1)
    for options in ({}, {"prefix": True}, {"fuzzy": 1}):
        assert graph.search_names(name, limit=0, **options) == []
        assert len(graph.search_names(name[:2], limit=2, **options)) <= 2


def test_vectors_and_entity_mapping(db_path):
    rng = np.random.default_rng(0)
    with kgcore.open(db_path) as g:
        info = g.info()
        ids = np.array(sorted(g.find(g.node(hub(g))["name"]) + list(range(0, 200))), dtype=np.int64)
        ids = np.array([i for i in dict.fromkeys(ids.tolist()) if g.node(i)], dtype=np.int64)
        vecs = rng.standard_normal((len(ids), 16)).astype(np.float32)
        assert g.set_vectors(ids, vecs) == len(ids)
        with pytest.raises(ValueError):
            g.set_vectors(ids[:2], vecs[:3])
        bad = vecs[:1].copy()
        bad[0, 3] = np.nan
        with pytest.raises(ValueError, match="NaN"):
            g.set_vectors(ids[:1], bad)
    # Saved beside the database: a new read-only handle finds them.
    with kgcore.open(db_path, read_only=True) as g:
        top = g.search_vectors(vecs[5], 3)
        assert top[0][0] == ids[5] and abs(top[0][1] - 1.0) < 1e-5
        with pytest.raises(ValueError):
            g.search_vectors(vecs[5][:8])
        node = g.node(int(ids[7]))
        kind, cands = g.map_entity(node["name"].upper())
        assert kind == "exact" and int(ids[7]) in [c[0] for c in cands]
        near = vecs[7] + 0.01 * rng.standard_normal(16).astype(np.float32)
        kind, cands = g.map_entity("no such entity name", near, node_type=node["type"])
        assert (kind, cands[0][0]) == ("similar", int(ids[7]))
        kind, cands = g.map_entity("no such entity name", -vecs[7])
        assert kind == "none" and cands == []


def test_updates_and_many_to_many(tmp_path):
    kg = tmp_path / "kg.csv"
    kgcore.generate(str(kg), scale=0.01, seed=2)
    kgcore.import_files(str(tmp_path / "db"), [str(kg)])
    with kgcore.open(str(tmp_path / "db")) as g:
        n = g.info()["nodes"]
        new = 90_000 + n
        report = g.apply(
            add_nodes=[{"index": new, "id": "X1", "node_type": "drug", "name": "Newdrug", "source": "test"}],
            add_edges=[{"source": new, "target": 0, "relation": "drug_drug", "display_relation": "synergistic interaction"}],
        )
        assert (report["nodes_added"], report["edges_added"]) == (1, 1)
        assert g.shortest_path(new, 0) == [new, 0]
        with pytest.raises(KeyError):  # an edge to a node that does not exist: nothing written
            g.apply(add_nodes=[{"index": new + 1, "id": "X2", "node_type": "drug", "name": "B", "source": "t"}],
                    add_edges=[{"source": new + 1, "target": 10**8, "relation": "r", "display_relation": "r"}])
        with pytest.raises(ValueError, match="no \"name\""):
            g.apply(add_nodes=[{"index": 5, "id": "X", "node_type": "drug", "source": "t"}])
        assert g.info()["nodes"] == n + 1
        g.apply(remove_edges=[(new, 0, "drug_drug")], remove_nodes=[new])
        assert g.info()["nodes"] == n
        pairs = g.many_to_many([0, 1], [2, 3], max_paths=5, seed=1)
        assert [(s, t) for s, t, *_ in pairs] == [(0, 2), (0, 3), (1, 2), (1, 3)]
        for s, t, d, count, paths in pairs:
            assert len(paths) == min(count, 5) and all(len(p) == d + 1 for p in paths)


def test_dataframes_and_networkx(graph, tmp_path):
    pytest.importorskip("pandas")
    nx = pytest.importorskip("networkx")
    nodes = kgcore.nodes_frame(graph)
    edges = kgcore.edges_frame(graph)
    info = graph.info()
    assert len(nodes) == info["nodes"] and len(edges) == info["edges"]
    assert edges.groupby("relation", observed=True).size().to_dict() == info["relations"]
    # Round trip: kg.csv rows rebuilt from the frames import to the same graph.
    n = nodes.set_index("node_index")
    kg = edges.join(n.add_prefix("x_"), on="x_index").join(n.add_prefix("y_"), on="y_index")
    kg = kg.rename(columns={f"{p}_node_{c}": f"{p}_{c}" for p in "xy" for c in ("id", "type", "name", "source")})
    report = kgcore.import_dataframe(str(tmp_path / "copy"), kg)
    assert (report["nodes"], report["edges"]) == (info["nodes"], info["edges"])
    with pytest.raises(ValueError, match="x_id"):
        kgcore.import_dataframe(str(tmp_path / "bad"), kg.drop(columns=["x_id"]))
    h = hub(graph)
    sub = kgcore.to_networkx(graph, [h] + graph.neighbours(h)[:20])
    assert sub.number_of_nodes() == 21 and sub.number_of_edges() >= 20
    assert all("relation" in d for _, _, d in sub.edges(data=True))
    assert isinstance(sub, nx.MultiDiGraph)


def test_ctrl_c_interrupts_a_long_call(db_path):
    # A real SIGINT to a process inside a long batch call: KeyboardInterrupt, and the handle
    # answers afterwards.
    import signal
    import subprocess
    import sys
    import textwrap
    import time

    script = textwrap.dedent(f"""
        import kgcore, sys
        g = kgcore.open({db_path!r}, read_only=True)
        nodes = g.nodes_arrays()[0][:2000].tolist()
        print("ready", flush=True)
        try:
            g.many_to_many(nodes, nodes, max_paths=50)
            print("finished", flush=True)
        except KeyboardInterrupt:
            print("interrupted", len(g.shortest_path(nodes[0], nodes[1]) or []) > 0, flush=True)
    """)
    p = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    assert out.split() == ["interrupted", "True"] and p.returncode == 0, out


def test_module_namespace_is_the_api():
    import importlib.metadata

    assert kgcore.__version__ == importlib.metadata.version("kgcore")
    public = {n for n in dir(kgcore) if not n.startswith("_")}
    assert public <= set(kgcore.__all__) | {"embed", "llm", "medreason"}, public - set(kgcore.__all__)  # and its submodules
    assert not hasattr(kgcore, "os") and not hasattr(kgcore, "tempfile")


def test_one_rule_for_what_is_unknown(graph):
    """KeyError for a node (or edge) the graph does not hold; ValueError for an argument it
    cannot take, unknown node types and relations included, at every entry point."""
    h = hub(graph)
    missing = 10**9
    for call in (
        lambda: graph.node(missing),
        lambda: graph.neighbours(missing),
        lambda: graph.shortest_path(h, missing),
        lambda: graph.all_shortest_paths(missing, h),
        lambda: graph.k_shortest_paths(h, missing, 2),
        lambda: graph.many_to_many([h], [missing]),
        lambda: graph.neighbourhood([missing], 1),
        lambda: graph.render_labelled([missing]),
        lambda: graph.induced_edges([h, missing]),
    ):
        with pytest.raises(KeyError):
            call()
    for call in (
        lambda: graph.search_names("fever", node_type="no such type"),
        lambda: graph.map_entity("fever", node_type="no such type"),
        lambda: graph.shortest_path(h, 0, node_types=["no such type"]),
        lambda: graph.all_shortest_paths(h, 0, exclude_node_types=["no such type"]),
        lambda: graph.k_shortest_paths(h, 0, 2, relations=["no such relation"]),
        lambda: graph.distances(np.array([[h, 0]]), exclude_relations=["no such relation"]),
        lambda: graph.many_to_many([h], [0], node_types=["no such type"]),
        lambda: graph.neighbourhood([h], 1, relations=["no such relation"]),
    ):
        with pytest.raises(ValueError):
            call()


def test_render_labelled_refuses_what_is_not_a_path(graph):
    h = hub(graph)
    near = set(graph.neighbours(h)) | {h}
    far = next(n for m in graph.neighbours(h) for n in graph.neighbours(m) if n not in near)
    step = graph.shortest_path(h, far)
    assert len(step) == 3 and graph.render_labelled(step).startswith(graph.node(h)["name"])
    with pytest.raises(ValueError, match="no edge joins"):
        graph.render_labelled([h, far])
    with pytest.raises(ValueError, match="empty"):
        graph.render_labelled([])


def test_leaving_a_with_block_releases_the_write_lock(tmp_path):
    import subprocess
    import sys

    kgcore.generate(str(tmp_path / "kg.csv"), scale=0.01, seed=4)
    db = str(tmp_path / "db")
    kgcore.import_files(db, [str(tmp_path / "kg.csv")])
    with kgcore.open(db) as g:
        nodes = g.info()["nodes"]
        with pytest.raises(kgcore.LockedError, match="another handle in this one"):
            kgcore.open(db)
    # The same process, and another one, can now write.
    with kgcore.open(db) as again:
        assert again.info()["nodes"] == nodes
    probe = "import kgcore, sys; g = kgcore.open(sys.argv[1]); print(g.info()['nodes']); g.close()"
    out = subprocess.run([sys.executable, "-c", probe, db], capture_output=True, text=True, check=True).stdout
    assert int(out) == nodes
    # A closed graph refuses calls the way a closed file does; closing again does nothing.
    with pytest.raises(ValueError, match="closed"):
        g.info()
    with pytest.raises(ValueError, match="closed"):
        g.shortest_path(0, 1)
    g.close()
    assert "read_only=False" in repr(g)


FORK_SCENARIO = r"""
import gc, os, sys
import kgcore

db = sys.argv[1]
g = kgcore.open(db)
node = {"id": "F", "node_type": "drug", "source": "fork-test"}
g.apply(add_nodes=[{**node, "index": 900_000, "name": "Fork 0"}])
pid = os.fork()
if pid == 0:
    # The child reads, is refused a write, lets go of the handle and exits normally.
    assert g.info()["nodes"] > 0
    try:
        g.apply(add_nodes=[{**node, "index": 999_999, "name": "From the child"}])
        os._exit(3)
    except kgcore.KgcoreError as e:
        if "fork" not in str(e):
            os._exit(4)
    g.close()
    del g
    gc.collect()
    sys.exit(0)
_, status = os.waitpid(pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, os.waitstatus_to_exitcode(status)
for i in range(1, 50):
    g.apply(add_nodes=[{**node, "index": 900_000 + i, "name": f"Fork {i}"}])
g.close()
"""


def test_a_handle_inherited_across_fork_neither_writes_nor_closes_the_database(tmp_path, kgcore_cli):
    import subprocess
    import sys

    kgcore.generate(str(tmp_path / "kg.csv"), scale=0.01, seed=6)
    db = str(tmp_path / "db")
    kgcore.import_files(db, [str(tmp_path / "kg.csv")])
    with kgcore.open(db, read_only=True) as before:
        generation, nodes = before.info()["generation"], before.info()["nodes"]
    subprocess.run([sys.executable, "-c", FORK_SCENARIO, db], check=True, timeout=300)
    with kgcore.open(db, read_only=True) as g:
        # Every batch the parent committed after the fork survived; the child's did not.
        assert g.info()["generation"] == generation + 50
        assert g.info()["nodes"] == nodes + 50
        assert g.find("From the child") == []
    subprocess.run([str(kgcore_cli), "check", "--db", db], check=True, capture_output=True)


def layered_graph(tmp_path, layers=12, width=10):
    """A pair (0, 1) joined by width**layers shortest paths: 10**12 by default."""
    import csv

    def meta(n):
        return [n, f"N{n}", "gene/protein", f"Node {n}", "test"]

    levels = [[0]] + [[2 + l * width + i for i in range(width)] for l in range(layers)] + [[1]]
    kg = tmp_path / "layered.csv"
    with open(kg, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["relation", "display_relation", "x_index", "x_id", "x_type", "x_name", "x_source",
                    "y_index", "y_id", "y_type", "y_name", "y_source"])
        for a, b in zip(levels, levels[1:]):
            for x in a:
                for y in b:
                    w.writerow(["ppi", "ppi", *meta(x), *meta(y)])
    db = tmp_path / "layered"
    kgcore.import_files(str(db), [str(kg)])
    return str(db)


@pytest.mark.parametrize("call", [
    "g.all_shortest_paths(0, 1, sample=10**6)",
    "g.all_shortest_paths(0, 1, limit=10**6)",
    "g.many_to_many([0, 0], [1], max_paths=10**6)",
    "g.medreason_paths(['node 0'], ['node 1'], max_paths=2 * 10**5)",
])
def test_ctrl_c_stops_one_expensive_pair(tmp_path, call):
    # Each call lists up to a million of the 10**12 shortest paths of one pair: seconds of work
    # inside one pair. Run once whole, then again with a SIGINT a tenth of the way in: the
    # KeyboardInterrupt must come well before the work would have ended, and the handle still
    # answers. (Before, the signal waited for the pair to finish.)
    import subprocess
    import sys
    import textwrap

    db = layered_graph(tmp_path)
    with kgcore.open(db, read_only=True) as g:
        assert g.all_shortest_paths(0, 1, limit=0)[:2] == (13, 10**12)
    script = textwrap.dedent(f"""
        import os, subprocess, time
        import kgcore
        g = kgcore.open({db!r}, read_only=True)
        start = time.perf_counter()
        {call}
        whole = time.perf_counter() - start
        # Sent from another process, as a terminal's Ctrl-C is: a thread of this one would
        # need the GIL to send it.
        subprocess.Popen(["sh", "-c", f"sleep {{whole / 10:.3f}}; kill -INT {{os.getpid()}}"])
        start = time.perf_counter()
        try:
            {call}
            print("finished", flush=True)
        except KeyboardInterrupt:
            cut = time.perf_counter() - start
            print("interrupted", cut < whole / 2, g.shortest_path(0, 1) is not None, round(whole, 2), round(cut, 2), flush=True)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300).stdout
    assert out.split()[:3] == ["interrupted", "True", "True"], out


def test_names_round_trip_and_gene_symbols_are_not_words(tmp_path):
    import csv

    rows = [
        ((0, "pathway", "TNF receptor signaling pathway "), (1, "effect/phenotype", "Fever")),
        ((1, "effect/phenotype", "Fever"), (2, "effect/phenotype", "Hearing  loss")),
        ((3, "gene/protein", "WAS"), (2, "effect/phenotype", "Hearing  loss")),
    ]
    kg = tmp_path / "kg.csv"
    with open(kg, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["relation", "display_relation", "x_index", "x_id", "x_type", "x_name", "x_source",
                    "y_index", "y_id", "y_type", "y_name", "y_source"])
        for (xi, xt, xn), (yi, yt, yn) in rows:
            w.writerow(["r", "r", xi, f"N{xi}", xt, xn, "test", yi, f"N{yi}", yt, yn, "test"])
    kgcore.import_files(str(tmp_path / "db"), [str(kg)])
    with kgcore.open(str(tmp_path / "db"), read_only=True) as g:
        # What the name search reports goes back into MedReason's query; missing names are said.
        (key, _, _), = g.search_names("TNF receptor signaling pathway ")
        assert key == "tnf receptor signaling pathway"
        assert len(g.medreason_paths([key], ["fever"])) == 1
        groups, missing = g.medreason_paths([key, "no such thing"], ["fever"], report=True)
        assert len(groups) == 1 and missing == ["no such thing"]
        # `find` folds spacing and case through the name index.
        assert g.find("hearing  loss") == g.find("Hearing loss") == [2]
        # Gene symbols: case-insensitive by default, exact case when asked.
        assert g.search_names("was")[0][2] == [3]
        assert g.search_names("was", case_sensitive=True) == []
        assert g.search_names("WAS", case_sensitive=True)[0][2] == [3]
        with pytest.raises(ValueError, match="exact or prefix"):
            g.search_names("WAS", fuzzy=1, case_sensitive=True)
