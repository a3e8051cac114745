#!/usr/bin/env bash
# Set up and run the main job on an embedded default: build kgcore, generate a small
# PrimeKG-shaped graph, import it, print its info, answer path queries, time them, and ground
# a few QA records in paths as MedReason's pipeline does.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
claim_target_dir "$CARGO_TARGET_DIR" -- kgcore kg-core kg-query kg-index kg-cli kg-py hnsw-rs-peer
ensure_libclang
echo "== building kgcore (release; the first build compiles RocksDB, ~25 min on 2 cores)" >&2
cargo build --release -p kg-cli
work="${KGCORE_DEMO_DIR:-$(mktemp -d)}"
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
install_python_module
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
