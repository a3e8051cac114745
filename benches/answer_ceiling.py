"""How many QA answers could name a node of a graph at best: the ceiling on the share of QAs
with a path, whatever the entity mapping.

    python3 benches/answer_ceiling.py --db HETIONET_DB [--qa medqa_test.jsonl] [--no-embed]

A QA gets a path only when its answer text maps to a node. For each answer this counts the
ways it can, each more generous than the last:
- the dictionary (`Graph.extract`), as `kgcore ground` maps it, and with `fuzzy=True`;
- HPO's names and synonyms of terms whose UMLS cross-reference is a node's id, found as
  whole words in the answer (an over-count: no guards);
- MedReason's mapping rule on the whole answer text with MiniLM: the nearest node name of any
  type at cosine >= 0.85 (MedReason also asks the type to agree, so this too over-counts).
Prints per way the answers mapped, and the QAs that also have a question entity: no mapping
of answers can give more QAs a path than the union of these.
"""

import argparse
import json
import pathlib
import re
import time

import numpy as np

import kgcore

ROOT = pathlib.Path(__file__).resolve().parents[1]
QA = ROOT.parent / "shared" / "data" / "qa" / "medqa_test.jsonl"


def answer_text(record):
    if isinstance(record.get("answer"), str) and record["answer"].strip():
        return record["answer"]
    options, key = record.get("options") or {}, record.get("answer_idx", record.get("label"))
    return options.get(key, "") if isinstance(options, dict) else ""


def words(text):
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()).strip() + " "


def hpo_names_of_nodes(graph):
    """Whole-word forms of HPO names and synonyms whose term's UMLS id is a node's id."""
    _, ids, _, _, sources = graph.nodes_arrays()
    umls = {i for i, s in zip(ids, sources) if s == "UMLS"}
    names, linked = set(), 0
    term = None
    with open(pathlib.Path(kgcore.hpo_data_dir()) / "hp.obo", encoding="utf-8") as f:
        for line in [*f, "[Term]\n"]:
            if line.startswith("[Term]"):
                if term and term["xrefs"] & umls:
                    linked += 1
                    names.update(words(n) for n in term["names"] if len(n) > 3)
                term = {"names": [], "xrefs": set()}
            elif term is None:
                continue
            elif line.startswith("name: "):
                term["names"].append(line[6:].strip())
            elif line.startswith('synonym: "'):
                term["names"].append(line.split('"')[1])
            elif line.startswith("xref: UMLS:"):
                term["xrefs"].add(line[11:].split()[0])
    return names, linked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--qa", default=str(QA))
    ap.add_argument("--threshold", type=float, default=0.85)
    ap.add_argument("--no-embed", action="store_true", help="skip the MiniLM way (it embeds every name, about a minute)")
    args = ap.parse_args()
    g = kgcore.open(args.db, read_only=True)
    records = [json.loads(line) for line in open(args.qa, encoding="utf-8") if line.strip()]
    answers = [answer_text(r) for r in records]
    has_question = [bool(m) for m in g.extract_many([r.get("question", "") for r in records])]

    ways = {}
    ways["dictionary"] = [bool(m) for m in g.extract_many(answers)]
    ways["dictionary, fuzzy"] = [bool(m) for m in g.extract_many(answers, fuzzy=True)]
    hpo, linked = hpo_names_of_nodes(g)
    answer_words = [words(a) for a in answers]
    ways[f"HPO names of {linked} linked terms"] = [any(n in w for n in hpo) for w in answer_words]
    if not args.no_embed:
        from kgcore.embed import MiniLM

        _, _, _, names, _ = g.nodes_arrays()
        distinct = sorted(set(names))
        embed = MiniLM()
        t = time.perf_counter()
        vectors = embed(distinct)
        print(f"embedded {len(distinct)} names in {time.perf_counter() - t:.1f} s")
        best = (embed(answers) @ vectors.T).max(axis=1)
        ways[f"MiniLM whole answer >= {args.threshold}"] = list(best >= args.threshold)
    ways["any of these"] = list(np.logical_or.reduce([np.array(v) for v in ways.values()]))

    n = len(records)
    print(f"{args.qa}: {n} QAs, {sum(has_question)} with a question entity")
    print("| answers mapped by | answers | with a question entity too (ceiling on QAs with a path) |")
    print("| --- | --- | --- |")
    for way, mapped in ways.items():
        both = sum(q and a for q, a in zip(has_question, mapped))
        print(f"| {way} | {sum(mapped)} ({sum(mapped) / n:.1%}) | {both} ({both / n:.1%}) |")


if __name__ == "__main__":
    main()
