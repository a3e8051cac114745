"""Differential diagnosis on simulated patients: kgcore against pyhpo and hpo3, one run.

    python3 benches/ddx_patients.py --out /tmp/patients.jsonl
    python3 benches/ddx_bench.py --db HPO_DB --patients /tmp/patients.jsonl \
        [--both-ways-db DIR] [--hpo3-path DIR] [--anchors pyhpo,hpo3] [--json OUT]

Every ranker scores every disease of the target's source (OMIM or ORPHA); from those scores the
same code takes two rankings: within the source, and within the patient's 21 options. A tie is
broken at random, so a hit counts as its probability: a target tied with t others after g
better ones is in the top k with probability clamp((k - g) / (t + 1), 0, 1).

The anchors:
- pyhpo 4.0.0: `EnrichmentModel('omim' | 'orpha').enrichment('hypergeom', patient)`, ranked by
  p-value; a disease it does not list ranks last.
- hpo3 1.5.1 (Rust): `patient.similarity_scores(diseases, kind, 'resnik', 'funSimAvg')`.
pyhpo and hpo3 install the same module name (`pyhpo`), so each anchor runs in a process of its
own; hpo3 is looked for in --hpo3-path (`pip install --target DIR hpo3==1.5.1`). Both read the
HPO files of the installed pyhpo package, the files kgcore's graph was imported from.

With --both-ways-db, kgcore is also run on a copy whose edges are stored both ways, as in
PrimeKG, where the ontology's direction must be inferred (from depth below the root); the copy
also reports how many terms get exactly their true parents back.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

KS = (1, 3, 10)


def hits(scores, target, pool):
    """Per k in KS: the probability that `target` is in the top k of `pool` by `scores`
    (higher is better; a missing score is the worst)."""
    worst = float("-inf")
    t = scores.get(target, worst)
    better = ties = 0
    for d in pool:
        if d == target:
            continue
        s = scores.get(d, worst)
        if s > t:
            better += 1
        elif s == t:
            ties += 1
    return [min(max((k - better) / (ties + 1), 0.0), 1.0) for k in KS]


def evaluate(patients, score_all, sources):
    """Runs `score_all(patient) -> {disease id: score}` on every patient; returns the hit rates
    within the source and within the options, and the time per patient."""
    within_source, within_options, times = [0.0] * len(KS), [0.0] * len(KS), []
    for p in patients:
        t0 = time.perf_counter()
        scores = score_all(p)
        times.append(time.perf_counter() - t0)
        src = p["target"].split(":")[0]
        for i, h in enumerate(hits(scores, p["target"], sources[src])):
            within_source[i] += h
        for i, h in enumerate(hits(scores, p["target"], p["options"])):
            within_options[i] += h
    n = len(patients)
    return {
        "within_source": {f"top{k}": round(v / n, 3) for k, v in zip(KS, within_source)},
        "within_options": {f"top{k}": round(v / n, 3) for k, v in zip(KS, within_options)},
        "ms_per_patient_median": round(statistics.median(times) * 1e3, 3),
        "patients": n,
    }


def run_pyhpo(patients):
    from pyhpo import HPOSet, Ontology
    from pyhpo.stats import EnrichmentModel

    Ontology()
    sources = {"OMIM": [f"OMIM:{d.id}" for d in Ontology.omim_diseases], "ORPHA": [f"ORPHA:{d.id}" for d in Ontology.orpha_diseases]}
    models = {"OMIM": EnrichmentModel("omim"), "ORPHA": EnrichmentModel("orpha")}

    def score_all(p):
        src = p["target"].split(":")[0]
        found = models[src].enrichment("hypergeom", HPOSet.from_queries(p["terms"]))
        return {f"{src}:{r['item'].id}": -r["enrichment"] for r in found}

    return evaluate(patients, score_all, sources)


def run_hpo3(patients):
    from pyhpo import HPOSet, Ontology

    import pyhpo

    Ontology(os.path.join(os.path.dirname(find_pyhpo_data()), "data"), from_obo_file=True)
    diseases = {"OMIM": list(Ontology.omim_diseases), "ORPHA": list(Ontology.orpha_diseases)}
    sets = {s: [d.hpo_set() for d in ds] for s, ds in diseases.items()}
    ids = {s: [f"{s}:{d.id}" for d in ds] for s, ds in diseases.items()}
    kinds = {"OMIM": "omim", "ORPHA": "orpha"}
    del pyhpo

    def score_all(p):
        src = p["target"].split(":")[0]
        patient = HPOSet.from_queries(p["terms"])
        scores = patient.similarity_scores(sets[src], kind=kinds[src], method="resnik", combine="funSimAvg")
        return dict(zip(ids[src], scores))

    return evaluate(patients, score_all, ids)


def find_pyhpo_data():
    """The data folder of the pure-Python pyhpo package (never hpo3's)."""
    out = subprocess.run(
        [sys.executable, "-c", "import pyhpo, os; print(os.path.join(os.path.dirname(pyhpo.__file__), 'data'))"],
        capture_output=True, text=True, check=True, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    return out.stdout.strip()


def run_kgcore(patients, db):
    import kgcore

    g = kgcore.open(db, read_only=True)
    idx, ids, types, _, _ = g.nodes_arrays()
    nodes = {"OMIM": [], "ORPHA": []}
    for n, i, t in zip(idx.tolist(), ids, types):
        src = i.split(":")[0]
        if t == "disease" and src in nodes:
            nodes[src].append(n)
    id_of = dict(zip(idx.tolist(), ids))
    ids = {s: [id_of[n] for n in ns] for s, ns in nodes.items()}

    def score_all(p):
        src = p["target"].split(":")[0]
        ranked = g.rank_diseases(p["terms"], candidates=nodes[src], k=len(nodes[src]))
        return {id_of[n]: s for n, s in ranked}

    result = evaluate(patients, score_all, ids)
    # Time per patient over every disease (the top 10), and all patients through the batch form.
    times = []
    for p in patients:
        t0 = time.perf_counter()
        g.rank_diseases(p["terms"], k=10)
        times.append(time.perf_counter() - t0)
    result["ms_per_patient_median"] = round(statistics.median(times) * 1e3, 3)
    batch = []
    for _ in range(5):
        t0 = time.perf_counter()
        g.rank_diseases_many([p["terms"] for p in patients], k=10)
        batch.append(time.perf_counter() - t0)
    result["batch_seconds_median"] = round(statistics.median(batch), 4)
    return result


def both_ways_copy(db, out):
    """A copy of `db` with every edge also written reversed, as PrimeKG stores them; and how
    well the ontology's direction is inferred on it: the share of terms whose inferred parents
    are exactly the true ones, and the is_a edges missed or added."""
    import shutil

    import kgcore
    import pandas as pd

    g = kgcore.open(db, read_only=True)
    nodes, edges = kgcore.nodes_frame(g), kgcore.edges_frame(g)
    reverse = edges.rename(columns={"x_index": "y_index", "y_index": "x_index"})[edges.columns]
    both = pd.concat([edges, reverse], ignore_index=True)
    n = nodes.set_index("node_index")
    frame = pd.DataFrame({"relation": both.relation.astype(str), "display_relation": both.display_relation.astype(str)})
    for end in ("x", "y"):
        at = both[f"{end}_index"]
        frame[f"{end}_index"] = at
        frame[f"{end}_id"] = n.loc[at, "node_id"].values
        frame[f"{end}_type"] = n.loc[at, "node_type"].astype(str).values
        frame[f"{end}_name"] = n.loc[at, "node_name"].values
        frame[f"{end}_source"] = n.loc[at, "node_source"].astype(str).values
    shutil.rmtree(out, ignore_errors=True)
    kgcore.import_dataframe(out, frame[["relation", "display_relation", "x_index", "x_id", "x_type", "x_name", "x_source", "y_index", "y_id", "y_type", "y_name", "y_source"]])
    h = kgcore.open(out, read_only=True)
    terms = [int(i) for i, t in zip(nodes.node_index, nodes.node_type) if t == "effect/phenotype"]
    exact = missed = added = total = 0
    for t in terms:
        true, inferred = set(g.ontology_parents(t)), set(h.ontology_parents(t))
        exact += true == inferred
        missed += len(true - inferred)
        added += len(inferred - true)
        total += len(true)
    return {"terms_with_exact_parents": round(exact / len(terms), 4), "is_a_edges": total, "missed": missed, "added": added}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patients", required=True)
    ap.add_argument("--db")
    ap.add_argument("--both-ways-db", help="also evaluate a copy of --db written here with every edge both ways (PrimeKG's shape)")
    ap.add_argument("--anchors", default="pyhpo,hpo3")
    ap.add_argument("--hpo3-path", default="/tmp/anchors/hpo3")
    ap.add_argument("--only", choices=["pyhpo", "hpo3", "kgcore"], help=argparse.SUPPRESS)
    ap.add_argument("--json")
    args = ap.parse_args()
    patients = [json.loads(line) for line in open(args.patients, encoding="utf-8")]
    if args.only:
        run = {"pyhpo": run_pyhpo, "hpo3": run_hpo3}[args.only]
        print(json.dumps(run(patients)))
        return
    results = {}
    for anchor in [a for a in args.anchors.split(",") if a]:
        env = dict(os.environ)
        if anchor == "hpo3":
            env["PYTHONPATH"] = args.hpo3_path
        out = subprocess.run([sys.executable, __file__, "--patients", args.patients, "--only", anchor], env=env, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{anchor} failed:\n{out.stderr}")
        results[anchor] = json.loads(out.stdout.strip().splitlines()[-1])
        print(anchor, results[anchor], flush=True)
    if args.db:
        results["kgcore"] = run_kgcore(patients, args.db)
        print("kgcore", results["kgcore"], flush=True)
    if args.db and args.both_ways_db:
        results["inference"] = both_ways_copy(args.db, args.both_ways_db)
        print("direction inferred from depth", results["inference"], flush=True)
        results["kgcore_both_ways"] = run_kgcore(patients, args.both_ways_db)
        print("kgcore on both-ways rows", results["kgcore_both_ways"], flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
