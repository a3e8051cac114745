"""Small Python-side measurements quoted in the docs, on one database:

    python3 benches/python_calls.py DB

- names whose stored form has stray spacing, and how many of them `search_names` reports in a
  form that `medreason_paths` takes back;
- median time of `find(name)` over 200 names;
- median time of one pair's `all_shortest_paths` answered on the calling thread (limit=50)
  and through the worker pool (limit=20,000: the same pairs, few paths each), and of a 1x1
  `many_to_many` (small, so on the calling thread), over 100 pairs.
"""

import statistics
import sys
import time

import kgcore


def median_us(calls) -> float:
    times = []
    for call in calls:
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def main() -> None:
    g = kgcore.open(sys.argv[1], read_only=True)
    idx, _ids, _types, names, _src = g.nodes_arrays()
    odd = [n for n in names if n.lower() != " ".join(n.lower().split())]
    back = 0
    for n in odd:
        (key, _, _), = g.search_names(n)
        _, missing = g.medreason_paths([key], [names[0]], report=True)
        back += not missing
    print(f"names with stray spacing: {len(odd)}; found back by medreason_paths: {back}")
    sample = list(names[:2000:10])
    print(f"find: median {median_us(lambda n=n: g.find(n) for n in sample):.1f} us over {len(sample)} names")
    nodes = [int(x) for x in idx[:200]]
    pairs = list(zip(nodes[:100], nodes[100:]))
    inline = median_us(lambda a=a, b=b: g.all_shortest_paths(a, b, limit=50) for a, b in pairs)
    pooled = median_us(lambda a=a, b=b: g.all_shortest_paths(a, b, limit=20_000) for a, b in pairs)
    m2m = median_us(lambda a=a, b=b: g.many_to_many([a], [b], max_paths=50) for a, b in pairs)
    print(f"all_shortest_paths: calling thread {inline:.1f} us, pool {pooled:.1f} us; many_to_many 1x1 {m2m:.1f} us")


if __name__ == "__main__":
    main()
