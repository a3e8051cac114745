"""The store side by side: kgcore's `import` against Kuzu's `COPY` of the same nodes and edges,
and, with --before, an earlier kgcore binary (another storage version) in the same run.

Usage: python3 benches/store.py KG_CSV [--kgcore PATH] [--before PATH]

Kuzu needs a node table and a relationship table, so the kg.csv is first split into
nodes.csv and edges.csv (not timed). Then each system loads the same edges into a fresh
database directory, timed as a whole process (wall clock and peak RSS), and the size on disk
is reported. For each kgcore binary also: the view rebuilt from the store (the view file
removed, then a read-only `info`, which rebuilds it in memory; median of 3), and 100 one-edge
update batches applied to a fresh copy (`apply`, then `check`). Requires `pip install kuzu`
and GNU time (`/usr/bin/time`).
"""

import argparse
import csv
import json
import os
import pathlib
import shutil
import statistics
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


def disk_bytes(path):
    """Bytes of a file, or of every file under a directory."""
    path = pathlib.Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def kgcore_figures(exe, kg_csv, work, name, some_nodes):
    """Import, size, view rebuild and 100 one-edge batches with one kgcore binary."""
    db = work / f"{name}.db"
    wall, rss, _ = timed([exe, "import", "--db", str(db), kg_csv])
    info = json.loads(subprocess.run([exe, "info", "--db", str(db), "--json"], check=True, capture_output=True, text=True).stdout)
    on_disk = info["store"]["on_disk"]
    # Without its view file a read-only open rebuilds the view in memory each time.
    saved = work / f"{name}.view"
    shutil.move(db / "graph.view", saved)
    rebuilds = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([exe, "info", "--db", str(db)], check=True, capture_output=True)
        rebuilds.append(time.perf_counter() - t)
    shutil.move(saved, db / "graph.view")
    batches = work / "batches.jsonl"
    batches.write_text("".join(
        json.dumps({"add_edges": [{"source": some_nodes[i], "target": some_nodes[i + 100], "relation": "test_rel", "display_relation": "test"}]}) + "\n"
        for i in range(100)))
    copy = work / f"{name}-apply.db"
    shutil.copytree(db, copy)
    t = time.perf_counter()
    subprocess.run([exe, "apply", "--db", str(copy), str(batches)], check=True, capture_output=True)
    apply_s = time.perf_counter() - t
    subprocess.run([exe, "check", "--db", str(copy)], check=True, capture_output=True)
    after = json.loads(subprocess.run([exe, "info", "--db", str(copy), "--json"], check=True, capture_output=True, text=True).stdout)
    return {"wall": wall, "rss": rss, "on_disk": on_disk, "version": info["storage_version"],
            "rebuild": statistics.median(rebuilds), "apply": apply_s, "on_disk_after_apply": after["store"]["on_disk"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kg_csv")
    ap.add_argument("--kgcore", default=str(pathlib.Path(os.environ.get("CARGO_TARGET_DIR", pathlib.Path.home() / ".cache/kgcore-target")) / "release/kgcore"))
    ap.add_argument("--before", help="an earlier kgcore binary, measured the same way in the same run")
    args = ap.parse_args()
    work = pathlib.Path(tempfile.mkdtemp())
    nodes_csv, edges_csv = work / "nodes.csv", work / "edges.csv"
    seen = set()
    some_nodes = []  # the first 200 nodes of the file, for the update batches
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
                    if len(some_nodes) < 200:
                        some_nodes.append(i)
                    wn.writerow([i, r[f"{p}_id"], r[f"{p}_type"], r[f"{p}_name"], r[f"{p}_source"]])
            key = (r["relation"], r["x_index"], r["y_index"])
            if key not in edge_keys:  # the same distinct edges kgcore stores
                edge_keys.add(key)
                we.writerow([r["x_index"], r["y_index"], r["relation"], r["display_relation"]])
    n_edges = len(edge_keys)
    del edge_keys, seen
    runs = [("kgcore", args.kgcore)] + ([("kgcore-before", args.before)] if args.before else [])
    figures = {name: kgcore_figures(exe, args.kg_csv, work, name, some_nodes) for name, exe in runs}
    try:
        kz_wall, kz_rss, out = timed([sys.executable, "-c", KUZU_SCRIPT, str(work / "kuzu.db"), str(nodes_csv), str(edges_csv)])
        kz_inner, kz_edges = out.split()
        kz_size = disk_bytes(work / "kuzu.db")
    except subprocess.CalledProcessError as e:
        kuzu_error = (e.stderr or "").strip().splitlines()
        kz_wall = None
        kz_edges = f"none: its COPY failed: {kuzu_error[-2] if len(kuzu_error) > 1 else kuzu_error}"
    print(f"edges: {n_edges} (kuzu counted {kz_edges})")
    print("| system | storage version | import wall | peak RSS | on disk | view rebuild | 100 one-edge batches | on disk after them |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, _ in runs:
        f = figures[name]
        print(f"| {name} | {f['version']} | {f['wall']:.2f} s | {f['rss']:.0f} MB | {f['on_disk'] / 1e6:.1f} MB | {f['rebuild']:.2f} s | {f['apply']:.1f} s | {f['on_disk_after_apply'] / 1e6:.1f} MB |")
    if kz_wall is not None:
        print(f"| Kuzu COPY | | {kz_wall:.2f} s (COPY alone {float(kz_inner):.2f} s) | {kz_rss:.0f} MB | {kz_size / 1e6:.1f} MB | | | |")
        for name, _ in runs:
            print(f"Kuzu / {name} import wall-clock: {kz_wall / figures[name]['wall']:.1f}x")


if __name__ == "__main__":
    main()
