"""Grounding with an embedder mapping entity names, and where the time goes, in one run.

    python3 benches/ground_embeddings.py [--kg hetionet kg.csv.gz] [--qa medqa_test.jsonl] [--qas 300]

Entities arrive as a model would name them: the text of each mention as written in the QA
("fevers", "pupils"), with its type, from kgcore's extraction. MiniLM (offline) embeds every
node name once and each unmatched entity name per QA. `kgcore.medreason.ground_with_llm`
maps names, no model attached, three ways:
- with MiniLM and MedReason's rules through `Graph.map_entity`;
- without an embedder (the nearest name within an edit);
- the Rust grounding alone on the same records (names looked up by match key).
Prints QAs per second and the time inside the embedder (summed over the worker threads).
"""

import argparse
import json
import pathlib
import tempfile
import time

import kgcore
import kgcore.embed
import kgcore.medreason as mr

SHARED = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kg", default=str(SHARED / "hetionet-partial" / "kg.csv.gz"))
    ap.add_argument("--qa", default=str(SHARED / "qa" / "medqa_test.jsonl"))
    ap.add_argument("--qas", type=int, default=300)
    args = ap.parse_args()
    db = pathlib.Path(tempfile.mkdtemp()) / "db"
    kgcore.import_files(str(db), [args.kg])
    model = kgcore.embed.MiniLM()
    spent = [0.0]

    def timed(texts):
        t = time.perf_counter()
        try:
            return model(texts)
        finally:
            spent[0] += time.perf_counter() - t

    with kgcore.open(str(db)) as g:
        t = time.perf_counter()
        rows = kgcore.embed.attach_name_embeddings(g, timed)
        attach_s = time.perf_counter() - t
        lines = [line for line in pathlib.Path(args.qa).read_text().splitlines() if line.strip()][: args.qas]
        plain = mr.ground_records(g, lines, dataset="qa")
        records = []
        for line, found in zip(lines, plain):
            rec = json.loads(line)
            rec["question_entities"] = [{"name": e["text"], "type": e["type"]} for e in found.get("question_entities", [])]
            rec["answer_entities"] = [{"name": e["text"], "type": e["type"]} for e in found.get("answer_entities", [])]
            records.append(rec)
        runs = {}
        for name, kwargs in (("MiniLM + map_entity, 8 threads", {"embedder": timed}), ("MiniLM + map_entity, 1 thread", {"embedder": timed, "max_workers": 1}),
                             ("nearest name, no embedder, 8 threads", {})):
            mr.ground_with_llm(g, records[:10], dataset="qa", **kwargs)  # warm
            spent[0] = 0.0
            t = time.perf_counter()
            out = mr.ground_with_llm(g, records, dataset="qa", **kwargs)
            runs[name] = (time.perf_counter() - t, spent[0], sum(1 for o in out if o.get("path_groups")))
        t = time.perf_counter()
        rust = mr.ground_records(g, records, dataset="qa")
        runs["Rust grounding alone"] = (time.perf_counter() - t, 0.0, sum(1 for o in rust if o.get("path_groups")))
    print(f"{rows} name embeddings attached in {attach_s:.1f} s; {len(records)} QAs of {pathlib.Path(args.qa).name}")
    print("| mapping | seconds | QAs/s | in the embedder (summed over threads) | QAs with a path |")
    print("| --- | --- | --- | --- | --- |")
    for name, (secs, emb, with_path) in runs.items():
        print(f"| {name} | {secs:.2f} | {len(records) / secs:,.0f} | {emb:.2f} s | {with_path} |")


if __name__ == "__main__":
    main()
