"""Side-by-side import: kgcore's `import` against Kuzu's `COPY` of the same nodes and edges.

Usage: python3 benches/kuzu_import.py KG_CSV [--kgcore PATH]

Kuzu needs a node table and a relationship table, so the kg.csv is first split into
nodes.csv and edges.csv (not timed). Then both systems load the same edges into a fresh
database directory, each timed as a whole process (wall clock and peak RSS), and the ratio is
printed. Requires `pip install kuzu` and GNU time (`/usr/bin/time`).
"""

import argparse
import csv
import os
import pathlib
import subprocess
import sys
import tempfile
import time

KUZU_SCRIPT = r"""
import sys, time, kuzu
db_dir, nodes, edges = sys.argv[1:4]
t = time.perf_counter()
conn = kuzu.Connection(kuzu.Database(db_dir))
conn.execute("CREATE NODE TABLE Node(idx INT64, id STRING, type STRING, name STRING, source STRING, PRIMARY KEY(idx))")
conn.execute("CREATE REL TABLE Edge(FROM Node TO Node, relation STRING, display STRING)")
conn.execute(f"COPY Node FROM '{nodes}' (HEADER=true)")
conn.execute(f"COPY Edge FROM '{edges}' (HEADER=true)")
n = conn.execute("MATCH ()-[e:Edge]->() RETURN count(e)").get_next()[0]
print(f"{time.perf_counter() - t:.3f} {n}")
"""


def timed(cmd):
    """Wall clock and peak RSS (MB) of one process, measured by GNU time."""
    start = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak_kb = int(out.stderr.strip().splitlines()[-1])
    return wall, peak_kb / 1024, out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kg_csv")
    ap.add_argument("--kgcore", default=str(pathlib.Path(os.environ.get("CARGO_TARGET_DIR", pathlib.Path.home() / ".cache/kgcore-target")) / "release/kgcore"))
    args = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp())
    nodes_csv, edges_csv = work / "nodes.csv", work / "edges.csv"
    seen = set()
    with open(args.kg_csv, newline="") as f, open(nodes_csv, "w", newline="") as fn, open(edges_csv, "w", newline="") as fe:
        wn, we = csv.writer(fn), csv.writer(fe)
        wn.writerow(["idx", "id", "type", "name", "source"])
        we.writerow(["from", "to", "relation", "display"])
        edge_keys = set()
        for r in csv.DictReader(f):
            for p in ("x", "y"):
                i = int(r[f"{p}_index"])
                if i not in seen:
                    seen.add(i)
                    wn.writerow([i, r[f"{p}_id"], r[f"{p}_type"], r[f"{p}_name"], r[f"{p}_source"]])
            key = (r["relation"], r["x_index"], r["y_index"])
            if key not in edge_keys:  # the same distinct edges kgcore stores
                edge_keys.add(key)
                we.writerow([r["x_index"], r["y_index"], r["relation"], r["display_relation"]])
    n_edges = len(edge_keys)
    del edge_keys, seen
    kg_wall, kg_rss, _ = timed([args.kgcore, "import", "--db", str(work / "kgcore.db"), args.kg_csv])
    kz_wall, kz_rss, out = timed([sys.executable, "-c", KUZU_SCRIPT, str(work / "kuzu.db"), str(nodes_csv), str(edges_csv)])
    kz_inner, kz_edges = out.split()
    print(f"edges: {n_edges} (kuzu counted {kz_edges})")
    print(f"{'system':<28}{'wall s':>10}{'peak RSS MB':>14}")
    print(f"{'kgcore import (kg.csv)':<28}{kg_wall:>10.2f}{kg_rss:>14.0f}")
    print(f"{'kuzu COPY (nodes+edges)':<28}{kz_wall:>10.2f}{kz_rss:>14.0f}   (COPY statements alone: {float(kz_inner):.2f} s)")
    print(f"kuzu / kgcore wall-clock ratio: {kz_wall / kg_wall:.1f}x")


if __name__ == "__main__":
    main()
