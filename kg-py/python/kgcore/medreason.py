"""MedReason's KG step as one call: QA records in, records grounded in knowledge-graph paths out.

    >>> import kgcore.medreason                                                   # doctest: +SKIP
    >>> kgcore.medreason.ground("primekg.db", "medqa_test.jsonl", "grounded.jsonl")  # doctest: +SKIP
    {'read': 1273, 'with_path': ..., ...}

Each output line has MedReason's fields (``dataset_name, id_in_dataset, question, answer,
reasoning, options``; ``reasoning`` is left ``null`` for a chain-of-thought model to write),
the entities of question and answer (text, character span, type, node, how matched), the path
groups (names, node indices, relation-labelled form), ``thinking_paths`` in MedReason's prompt
format and the ``prompt`` itself. The same job runs as ``kgcore ground --db DB --qa FILE --out OUT``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ._kgcore import open as _open


def ground(
    db: str | os.PathLike[str],
    qa: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    progress: bool | Callable[[int, int], None] = False,
    **options: Any,
) -> dict[str, Any]:
    """Grounds every record of the JSON-lines file `qa` into `out` (resuming: records already
    there are skipped) and returns the summary. `options` are those of `Graph.ground_file`
    (`dataset`, `seed`, `max_paths`, `keep`, `max_hops`, `node_types`, `fuzzy`).
    `progress=True` prints the lines done to standard error; a callable receives them."""
    report = progress
    if progress is True:
        import sys

        def report(done: int, total: int) -> None:
            print(f"\rgrounded {done}/{total} QA lines", end="\n" if done == total else "", file=sys.stderr)

    with _open(os.fspath(db), read_only=True) as graph:
        return graph.ground_file(os.fspath(qa), os.fspath(out), progress=report or None, **options)


__all__ = ["ground"]
