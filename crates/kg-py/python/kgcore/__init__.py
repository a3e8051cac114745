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
    generate,
    import_files,
    open,
    render_medreason,
)

__all__ = [
    "CorruptionError",
    "Graph",
    "KgcoreError",
    "LockedError",
    "generate",
    "import_files",
    "open",
    "render_medreason",
]
