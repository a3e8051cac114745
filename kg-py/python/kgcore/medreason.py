"""MedReason's KG step as one call: QA records in, records grounded in knowledge-graph paths out.

    >>> import kgcore.medreason                                                   # doctest: +SKIP
    >>> kgcore.medreason.ground("primekg.db", "medqa_test.jsonl", "grounded.jsonl")  # doctest: +SKIP
    {'read': 1273, 'with_path': ..., ...}

On a Ray cluster, `ground_with_ray` runs the same job with one read-only open of the database
per actor (`Grounder`, for `ray.data.Dataset.map_batches`) and writes the same file: records
without an id are numbered by their line, and every random choice is seeded by the record.

Each output line has MedReason's fields (``dataset_name, id_in_dataset, question, answer,
reasoning, options``; ``reasoning`` is left ``null`` for a chain-of-thought model to write),
the entities of question and answer (text, character span, type, node, how matched), the path
groups (names, node indices, relation-labelled form), ``thinking_paths`` in MedReason's prompt
format and the ``prompt`` itself. The same job runs as ``kgcore ground --db DB --qa FILE --out OUT``.
"""

from __future__ import annotations

import json
import os
import pathlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._kgcore import KgcoreError
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


def ground_records(graph: Any, records: Sequence[dict[str, Any] | str], *, dataset: str, line_numbers: Sequence[int] | None = None,
                   **options: Any) -> list[dict[str, Any]]:
    """Grounds QA records (dicts, or JSON lines) with an open `graph`, on all cores: one dict
    per record, in order, the grounded record (`dropped` says why it has no paths, or is None)
    or `{"line": n, "error": reason}`. `line_numbers` (default 1, 2, ...) number records
    without an id, as their line in a file would."""
    lines = [r if isinstance(r, str) else json.dumps(r, default=_plain) for r in records]
    numbers = list(line_numbers) if line_numbers is not None else None
    return [json.loads(d) for d in graph.ground_lines(lines, dataset=dataset, line_numbers=numbers, **options)]


def ground_with_llm(
    graph: Any,
    records: Sequence[dict[str, Any] | str],
    *,
    dataset: str,
    llm: Any = None,
    steps: Sequence[str] = ("extract", "choose", "prune", "reason"),
    line_numbers: Sequence[int] | None = None,
    keep: int = 3,
    max_paths: int = 50,
    accept_distance: int = 1,
    candidates: int = 5,
    embedder: Any = None,
    ambiguous: str = "none",
    max_workers: int = 8,
    **options: Any,
) -> list[dict[str, Any]]:
    """MedReason's pipeline with its model steps, each through `llm` (a `kgcore.llm.ChatClient`)
    when it is given and the step is in `steps`, else its deterministic default:

    - "extract": the model names the entities of question and answer, with node types
      (default: dictionary extraction);
    - "choose": a name that matches no node exactly gets candidates. With an `embedder` (a
      callable from strings to vectors, e.g. `kgcore.embed.MiniLM()`, with the same model's
      name embeddings attached to the graph), they come from MedReason's rules
      (`Graph.map_entity`: a similar enough name is taken, ambiguous ones are candidates),
      and without a model an ambiguous name maps to the best candidate
      (`ambiguous="best"`) or none (`"none"`). Without an embedder, the candidates are the
      `candidates` nearest names within two edits, and without a model the nearest is taken
      when within `accept_distance` edits and alone at that distance.
    - "prune": the model keeps up to `keep` of each group's (up to `max_paths` sampled) paths
      (default: the least hub-laden);
    - "reason": the model writes `reasoning` from the prompt (default: None, the prompt stays).

    A step whose reply is not what was asked (bad JSON, an unknown candidate or path), or whose
    endpoint fails after its retries, is recorded in the record's `llm_errors` and its default
    used: a record is never lost to the model. Records run on `max_workers` threads (the
    client bounds the requests in flight). Returns one dict per record, as `ground_records`."""
    from concurrent.futures import ThreadPoolExecutor

    numbers = list(line_numbers) if line_numbers is not None else list(range(1, len(records) + 1))
    if len(numbers) != len(records):
        raise ValueError(f"{len(records)} records but {len(numbers)} line numbers")
    unknown = set(steps) - {"extract", "choose", "prune", "reason"}
    if unknown:
        raise ValueError(f"unknown step(s) {sorted(unknown)}: the steps are extract, choose, prune, reason")
    if ambiguous not in ("none", "best"):
        raise ValueError(f'ambiguous must be "none" or "best", got {ambiguous!r}')
    node_types = sorted(graph.info()["node_types"])
    active = set(steps) if llm is not None else set()

    def one(record: dict[str, Any] | str, line: int) -> dict[str, Any]:
        try:
            return grounded(record, line)
        except (ValueError, KeyError, TypeError, KgcoreError) as e:  # a record the graph cannot take
            return {"line": line, "error": f"{type(e).__name__}: {e}"}

    def grounded(record: dict[str, Any] | str, line: int) -> dict[str, Any]:
        from . import llm as steps_

        errors: list[str] = []
        try:
            rec = json.loads(record) if isinstance(record, str) else dict(record)
        except ValueError as e:
            return {"line": line, "error": f"not JSON: {e}"}
        if not isinstance(rec, dict):
            return {"line": line, "error": "not a JSON object"}
        chooser = llm if "choose" in active else None
        if "extract" in active and isinstance(rec.get("question"), str):
            try:
                found = steps_.extract_entities(llm, rec["question"], str(rec.get("answer") or ""), node_types)
                rec["question_entities"], rec["answer_entities"] = found["question"], found["answer"]
            except steps_.LLMError as e:
                errors.append(f"extract: {e}")
        # Names from the model or the record itself meet the graph's names here.
        if isinstance(rec.get("question_entities"), list) and isinstance(rec.get("answer_entities"), list):
            for side in ("question_entities", "answer_entities"):
                named = [e if isinstance(e, dict) else {"name": e, "type": None} for e in rec[side]]
                if all(isinstance(e.get("name"), str) for e in named):
                    rec[side] = _map_names(graph, named, set(node_types), chooser, embedder, ambiguous, candidates, accept_distance, errors)
        out = json.loads(graph.ground_lines([json.dumps(rec, default=_plain)], dataset=dataset, line_numbers=[line],
                                            keep=max_paths, max_paths=max_paths, **options)[0])
        if "error" in out:
            return out
        changed = False
        for group in out["path_groups"]:
            paths = group["paths"]
            chosen = list(range(min(keep, len(paths))))
            if "prune" in active and len(paths) > keep:
                try:
                    chosen = steps_.choose_paths(llm, rec["question"], out["answer"], ["->".join(p["names"]) for p in paths], keep)
                except steps_.LLMError as e:
                    errors.append(f"prune {group['from']} -> {group['to']}: {e}")
            changed |= len(chosen) != len(paths)
            group["paths"] = [paths[i] for i in chosen]
        if changed:
            from . import render_medreason, render_prompt

            out["thinking_paths"] = render_medreason([p["names"] for g in out["path_groups"] for p in g["paths"]])
            out["prompt"] = render_prompt(json.dumps(rec, default=_plain), out["thinking_paths"])
        if "reason" in active and out["dropped"] is None:
            try:
                out["reasoning"] = steps_.write_reasoning(llm, out["prompt"])
            except steps_.LLMError as e:
                errors.append(f"reason: {e}")
        out["llm_errors"] = errors
        return out

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return list(pool.map(one, records, numbers))


def _map_names(graph: Any, entities: list[dict[str, Any]], known_types: set[str], llm: Any, embedder: Any, ambiguous: str,
               candidates: int, accept_distance: int, errors: list[str]) -> list[dict[str, Any]]:
    """`entities` with the names of the nodes they mean: their own when a node bears it, else
    the candidate the model picks, else the default rule's; unchanged when none (or of a type
    the graph lacks), so grounding reports them unmapped. One embedder call for all the names
    that need it."""
    from . import llm as steps_

    out = [dict(e) for e in entities]
    unmatched = [i for i, e in enumerate(out) if e.get("type") in known_types | {None}
                 and not graph.search_names(e["name"], node_type=e.get("type"), limit=1)]
    vectors = embedder([out[i]["name"] for i in unmatched]) if embedder is not None and unmatched else None
    for row, i in enumerate(unmatched):
        name, node_type = out[i]["name"], out[i].get("type")
        if vectors is not None:
            kind, found = graph.map_entity(name, np.asarray(vectors[row], dtype=np.float32), node_type=node_type)
            names = [graph.node(n)["name"] for n, _ in found]
            pick = 0 if kind in ("exact", "similar") or (kind == "ambiguous" and ambiguous == "best") else None
            llm_may_choose = kind == "ambiguous"
        else:
            near = graph.search_names(name, node_type=node_type, fuzzy=2, limit=candidates)
            names = [graph.node(hit[2][0])["name"] for hit in near]
            best = [h for h in near if h[1] == near[0][1]] if near else []
            pick = 0 if near and near[0][1] <= accept_distance and len(best) == 1 else None
            llm_may_choose = bool(near)
        if llm is not None and llm_may_choose:
            try:
                pick = steps_.choose_candidate(llm, name, names)
            except steps_.LLMError as e:
                errors.append(f"choose {name!r}: {e}")
        if pick is not None:
            out[i]["name"] = names[pick]
    return out


def _plain(value: Any) -> Any:
    """numpy scalars and arrays, as Ray hands them over, as plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON")


class Grounder:
    """A callable class for `ray.data.Dataset.map_batches`: each actor opens the database
    read-only once and grounds batches of `{"line": [...], "text": [...]}` rows (the dataset
    `qa_dataset` builds), answering `{"line": [...], "record": [JSON text, ...]}` as
    `Graph.ground_lines` does.

        ds.map_batches(Grounder, fn_constructor_kwargs={"db": path, "dataset": "medqa"},
                       compute=ray.data.ActorPoolStrategy(size=4), batch_format="numpy")
    """

    def __init__(self, db: str | os.PathLike[str], dataset: str, **options: Any) -> None:
        self.graph = _open(os.fspath(db), read_only=True)
        self.dataset = dataset
        self.options = options

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        numbers = [int(n) for n in batch["line"]]
        texts = list(batch["text"])
        ok = [i for i, t in enumerate(texts) if t is not None]
        grounded = self.graph.ground_lines([str(texts[i]) for i in ok], dataset=self.dataset, line_numbers=[numbers[i] for i in ok], **self.options)
        records = [json.dumps({"line": n, "error": NOT_UTF8}) for n in numbers]
        for i, record in zip(ok, grounded):
            records[i] = record
        return {"line": np.asarray(numbers, dtype=np.int64), "record": np.asarray(records, dtype=object)}


NOT_UTF8 = "not UTF-8 text"


def qa_dataset(qa: str | os.PathLike[str]) -> Any:
    """The non-blank lines of the JSON-lines file `qa` as a Ray dataset of `{"line", "text"}`
    rows, numbered from 1 as `ground` numbers them (`text` is None for a line that is not
    UTF-8)."""
    import ray.data

    rows: list[dict[str, Any]] = []
    # Split as `ground` splits: on "\n" (a "\r" before it dropped), each line decoded alone.
    for i, raw in enumerate(pathlib.Path(qa).read_bytes().split(b"\n"), 1):
        raw = raw[:-1] if raw.endswith(b"\r") else raw
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            rows.append({"line": i, "text": None})
            continue
        if text.strip():
            rows.append({"line": i, "text": text})
    return ray.data.from_items(rows)


def ground_with_ray(
    db: str | os.PathLike[str],
    qa: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    actors: int = 2,
    batch_size: int = 256,
    dataset: str | None = None,
    actor_options: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """`ground` on a Ray cluster (`ray.init()` first, or a local one starts): `actors` actors,
    each with one read-only open of `db`, which every node must reach at that path (a shared
    file system, or shipped with the job: see docs/RAY.md). Writes to `out` the records with
    paths, in line order, exactly the bytes `ground` writes for the same file and options
    (not resuming: `out` is replaced whole). `actor_options` go to Ray with each actor
    (`num_cpus`, `resources`, ...). Returns the summary `ground` returns."""
    import ray.data

    name = dataset if dataset is not None else pathlib.Path(qa).stem
    grounded = qa_dataset(qa).map_batches(
        Grounder,
        fn_constructor_kwargs={"db": os.fspath(db), "dataset": name, **options},
        compute=ray.data.ActorPoolStrategy(size=actors),
        batch_size=batch_size,
        batch_format="numpy",
        **(actor_options or {}),
    )
    rows = sorted(grounded.iter_rows(), key=lambda r: int(r["line"]))
    summary: dict[str, Any] = {"read": len(rows), "already_done": 0, "bad": 0, "bad_lines": [], "with_question_entity": 0,
                               "with_answer_entity": 0, "with_path": 0, "dropped_no_question_entity": 0,
                               "dropped_no_answer_entity": 0, "dropped_no_path": 0}
    kept = []
    for row in rows:
        text = str(row["record"])
        record = json.loads(text)
        if "error" in record:
            summary["bad"] += 1
            if len(summary["bad_lines"]) < 20:
                summary["bad_lines"].append(f"{os.fspath(qa)}:{record['line']}: {record['error']}")
            continue
        summary["with_question_entity"] += bool(record["question_entities"])
        summary["with_answer_entity"] += bool(record["answer_entities"])
        dropped = record["dropped"]
        if dropped is None:
            summary["with_path"] += 1
            kept.append(text + "\n")
        else:
            summary["dropped_" + dropped.replace(" ", "_")] += 1
    tmp = pathlib.Path(os.fspath(out) + ".tmp")
    tmp.write_text("".join(kept), encoding="utf-8")
    os.replace(tmp, out)
    return summary


__all__ = ["Grounder", "ground", "ground_records", "ground_with_llm", "ground_with_ray", "qa_dataset"]
