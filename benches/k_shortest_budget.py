"""k shortest paths from a hub: time against the spur-search budget.

    python3 benches/k_shortest_budget.py DB SOURCE TARGET [BUDGETS]

asks for a million paths (more than any budget allows) with each spur-search budget in
BUDGETS (comma-separated, default 1000,8000,20000) and no time bound, and prints the time,
the paths proven and whether the answer was cut.
"""

import sys
import time

import kgcore


def main() -> None:
    db, source, target = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    budgets = [int(b) for b in (sys.argv[4] if len(sys.argv) > 4 else "1000,8000,20000").split(",")]
    g = kgcore.open(db, read_only=True)
    print(f"source degree {len(g.neighbours(source))}, target degree {len(g.neighbours(target))}")
    for budget in budgets:
        start = time.perf_counter()
        paths, cut = g.k_shortest_paths(source, target, 10**6, max_searches=budget, max_seconds=None, report=True)
        print(f"{budget:>7} spur searches: {time.perf_counter() - start:7.3f} s, {len(paths)} paths, cut {cut}")


if __name__ == "__main__":
    main()
