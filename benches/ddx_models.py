"""The alternatives the diagnosis model was chosen from, on the same simulated patients.

    python3 benches/ddx_models.py --patients /tmp/patients.jsonl [--data DIR]

A numpy sketch, not kgcore's implementation (kg-query/src/ddx.rs): phenotype annotations
only, one frequency total per disease (no ontology branches), no credit for findings below an
annotation. It scores every disease for each patient and reports top-1 within the target's
source and within its 21 options (ties broken at random, as benches/ddx_bench.py counts them):
- "resnik sum": per finding, the information content of the most informative ancestor it
  shares with any annotation of the disease, summed (Phenomizer's similarity, no frequencies);
- "likelihood, discount d": per finding, log(noise + sum over the disease's annotations a
  below or at it of f(a) * d^steps / F(d)), noise 1e-4: the model kgcore ships, with d = 0.5.
"""

import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ddx_patients as dp  # noqa: E402
from ddx_bench import hits  # noqa: E402


def steps_up(parents, term, cache):
    """Every ancestor of `term` (itself included) with its fewest is_a steps."""
    if term not in cache:
        found, frontier, k = {term: 0}, [term], 0
        while frontier:
            k += 1
            nxt = []
            for t in frontier:
                for p in parents[t]:
                    if p not in found:
                        found[p] = k
                        nxt.append(p)
            frontier = nxt
        cache[term] = found
    return cache[term]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--patients", required=True)
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    parents, annotations, _ = dp.load_hpo(args.data or dp.default_data_dir())
    diseases = sorted(annotations)
    row = {d: i for i, d in enumerate(diseases)}
    n = len(diseases)
    patients = [json.loads(line) for line in open(args.patients, encoding="utf-8")]
    source = {}
    for d in diseases:
        source.setdefault(d.split(":")[0], []).append(d)
    cache = {}

    def evaluate(name, score):
        s1 = s21 = 0.0
        for p in patients:
            scores = dict(zip(diseases, score(p["terms"]).tolist()))
            s1 += hits(scores, p["target"], source[p["target"].split(":")[0]])[0]
            s21 += hits(scores, p["target"], p["options"])[0]
        print(f"{name:28} top-1 within source {s1 / len(patients):.3f}, within options {s21 / len(patients):.3f}", flush=True)

    # Resnik sum: information content per term from the share of diseases having it in closure.
    reach = {}
    for d, annotated in annotations.items():
        closure = set()
        for t in annotated:
            closure |= set(steps_up(parents, t, cache))
        for m in closure:
            reach.setdefault(m, []).append(row[d])
    reach = {m: np.array(v) for m, v in reach.items()}
    ic = {m: -math.log(len(v) / n) for m, v in reach.items()}

    def resnik(terms):
        total = np.zeros(n)
        for q in terms:
            best = np.zeros(n)
            for m in steps_up(parents, q, cache):
                if m in reach:
                    np.maximum.at(best, reach[m], ic[m])
            total += best
        return total

    evaluate("resnik sum", resnik)

    totals = np.array([sum(annotations[d].values()) for d in diseases])
    for discount in (1.0, 0.7, 0.5, 0.3):
        sums = {}
        for d, annotated in annotations.items():
            for t, f in annotated.items():
                for m, k in steps_up(parents, t, cache).items():
                    per = sums.setdefault(m, {})
                    per[row[d]] = per.get(row[d], 0.0) + f * discount**k
        lists = {m: (np.fromiter(v.keys(), int), np.fromiter(v.values(), float)) for m, v in sums.items()}

        def likelihood(terms, lists=lists):
            total = np.zeros(n)
            for q in terms:
                chance = np.zeros(n)
                if q in lists:
                    idx, w = lists[q]
                    chance[idx] = w / totals[idx]
                total += np.log(1e-4 + chance)
            return total

        evaluate(f"likelihood, discount {discount}", likelihood)


if __name__ == "__main__":
    main()
