"""`kgcore serve` against the same queries through the Python module, one run.

    python3 benches/serve_bench.py --db DB [--pairs 200] [--requests 2000] [--clients 8] [--seed 1]

On seeded random pairs joined by a path:
- time to first drawing: one `/api/paths` request (all shortest paths, 50 listed, with the
  picture, the labelled paths and the prompt lines) timed from the client, and the same query
  and picture from Python (`Graph.draw_paths`), medians;
- SVG size of a drawing of 50 paths (pairs with at least 50 shortest paths, a sample of 50);
- requests per second with `--clients` concurrent clients (each a thread with its own HTTP
  connection per request), against `draw_paths` calls from as many threads in one process.
The kgcore binary is looked for in $CARGO_TARGET_DIR/release (default ~/.cache/kgcore-target).
"""

import argparse
import concurrent.futures
import json
import os
import random
import statistics
import subprocess
import time
import urllib.parse
import urllib.request

import kgcore


def binary():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/kgcore-target"))
    return os.path.join(target, "release", "kgcore")


def pairs_with_paths(g, count, seed):
    rng = random.Random(seed)
    nodes = g.nodes_arrays()[0].tolist()
    out = []
    while len(out) < count:
        s, t = rng.choice(nodes), rng.choice(nodes)
        if s != t and g.shortest_path(s, t) is not None:
            out.append((s, t))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    g = kgcore.open(args.db, read_only=True)
    pairs = pairs_with_paths(g, args.pairs, args.seed)
    server = subprocess.Popen([binary(), "serve", "--db", args.db, "--port", "0"], stdout=subprocess.PIPE, text=True)
    url = server.stdout.readline().split()[2].rstrip("/")
    try:
        def request(s, t, kind="all", n=50):
            query = urllib.parse.urlencode({"from": s, "to": t, "kind": kind, "n": n})
            with urllib.request.urlopen(f"{url}/api/paths?{query}", timeout=60) as r:
                return json.loads(r.read())

        request(*pairs[0])
        http, python, sizes = [], [], []
        for s, t in pairs:
            t0 = time.perf_counter()
            request(s, t)
            http.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            g.draw_paths(s, t, limit=50)
            python.append(time.perf_counter() - t0)
        for s, t in pairs:
            _, count, _ = g.all_shortest_paths(s, t, limit=0)
            if count >= 50:
                sizes.append(len(request(s, t, kind="sample", n=50)["svg"].encode()))
        work = [pairs[i % len(pairs)] for i in range(args.requests)]
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            t0 = time.perf_counter()
            list(pool.map(lambda p: request(*p, kind="sample", n=10), work))
            http_rps = len(work) / (time.perf_counter() - t0)
            t0 = time.perf_counter()
            list(pool.map(lambda p: g.draw_paths(*p, sample=10), work))
            python_rps = len(work) / (time.perf_counter() - t0)
    finally:
        server.terminate()
        server.wait()
    ms = lambda xs: round(statistics.median(xs) * 1e3, 2)  # noqa: E731
    result = {
        "pairs": len(pairs),
        "first_drawing_ms_median_http": ms(http),
        "first_drawing_ms_p90_http": round(sorted(http)[int(0.9 * len(http))] * 1e3, 2),
        "draw_paths_ms_median_python": ms(python),
        "svg_bytes_50_paths_median": int(statistics.median(sizes)) if sizes else None,
        "svg_bytes_50_paths_max": max(sizes) if sizes else None,
        "pairs_with_50_paths": len(sizes),
        "clients": args.clients,
        "requests_per_second_http": round(http_rps, 1),
        "calls_per_second_python": round(python_rps, 1),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
