"""Time `make test` on the tests issue 13 counted, the same way before and after (point 7).

Issue 13 measured "1,669 tests took 667 s on 2 cores without the browser tests" at commit
51805ba, the last commit before the issue's work began (that commit collects 1,670 tests
outside tests/browser). Their node ids are in tools/suite_baseline_ids.txt. This script runs,
through a tree's own `make test` with TEST_WORKERS=2, the ones that still exist today (some
were moved down to unit tests or renamed since), and prints wall time, CPU time, tests run and
the time per test:

    .venv/bin/python tools/time_suite.py                      # today's tree
    git worktree add --detach /tmp/old13 51805ba
    .venv/bin/python tools/time_suite.py --tree /tmp/old13    # the same ids, as they ran then
    .venv/bin/python tools/time_suite.py --sample 40          # every n-th id, 40 of them

Run both back to back on a quiet machine: the comparison is honest only under the same load.
Both trees use this venv (`python -m pytest` imports `app` from the tree it runs in), and each
tree's Makefile says how its `make test` runs (one process at 51805ba; two passes now).

CPU time is that of `make` and everything it started (pytest, its xdist workers, Chromium,
live servers, the jobs processes); the PostgreSQL server's own CPU is printed apart, from its
postmaster's reaped children, and counts every other client of that server too.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tools" / "suite_baseline_ids.txt"
SUMMARY = re.compile(r"^=+ (?P<counts>.*?) in (?P<seconds>[\d.]+)s", re.MULTILINE)
COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?|xfailed|xpassed|deselected)")
TICKS = os.sysconf("SC_CLK_TCK")


def collected(tree: Path) -> set[str]:
    """Every test node id the tree collects today."""
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",  # noqa: S603
                             "-p", "no:cacheprovider"], cwd=tree, capture_output=True,
                            text=True, check=False)
    return {line for line in result.stdout.splitlines() if "::" in line}


def postgres_children_cpu() -> float | None:
    """CPU seconds of the PostgreSQL server's finished backends (cutime + cstime of every
    postmaster on this machine), or None when none can be read."""
    total, found = 0.0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:]
        fields = rest.split()
        if name != "postgres" or _name_of(fields[1]) == "postgres":
            continue  # not a postmaster: a backend or a helper process under one
        total += (int(fields[13]) + int(fields[14])) / TICKS
        found = True
    return total if found else None


def _name_of(pid: str) -> str:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return text[text.index("(") + 1:text.rindex(")")]


def run(tree: Path, ids: list[str], workers: int, venv: Path) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", prefix="suite-ids-",
                                     delete=False) as listing:
        listing.write("\n".join(ids) + "\n")
    command = ["make", "--no-print-directory", "-C", str(tree),
               "-o", f"{venv}/.installed-test", f"VENV={venv}", f"TEST_WORKERS={workers}",
               f"PYTEST_ARGS=@{listing.name}", "test"]
    before_pg, before = postgres_children_cpu(), os.times()
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.monotonic() - started
    after, after_pg = os.times(), postgres_children_cpu()
    os.unlink(listing.name)
    counts: dict[str, int] = {}
    for summary in SUMMARY.finditer(result.stdout):
        for number, kind in COUNT.findall(summary["counts"]):
            kind = "errors" if kind.startswith("error") else kind
            counts[kind] = counts.get(kind, 0) + int(number)
    return {
        "returncode": result.returncode, "output": result.stdout + result.stderr,
        "wall": wall,
        "cpu_user": after.children_user - before.children_user,
        "cpu_system": after.children_system - before.children_system,
        "postgres_cpu": (after_pg - before_pg if None not in (before_pg, after_pg) else None),
        "counts": counts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT,
                        help="the checkout whose make test runs (default: this one)")
    parser.add_argument("--ids", type=Path, default=BASELINE, help="node ids, one a line")
    parser.add_argument("--workers", type=int, default=2, help="TEST_WORKERS (default 2)")
    parser.add_argument("--sample", type=int, default=0,
                        help="run only this many ids, evenly spaced through the list")
    parser.add_argument("--show-output", action="store_true", help="print make test's output")
    options = parser.parse_args()
    tree = options.tree.resolve()
    wanted = [line.strip() for line in options.ids.read_text().splitlines() if line.strip()]
    today = collected(ROOT)
    there = collected(tree) if tree != ROOT else today
    ids = [node for node in wanted if node in today and node in there]
    if options.sample:
        step = max(1, len(ids) // options.sample)
        ids = ids[::step][:options.sample]
    print(f"{len(wanted)} ids listed, {len(ids)} to run (collected here and in {tree})")
    figures = run(tree, ids, options.workers, Path(sys.prefix))
    if options.show_output or figures["returncode"] != 0:
        print(figures["output"])
    ran = sum(figures["counts"].get(kind, 0) for kind in ("passed", "failed", "errors"))
    cpu = figures["cpu_user"] + figures["cpu_system"]
    print(f"tree:      {tree} ({_head(tree)})")
    print(f"outcome:   exit {figures['returncode']}, "
          + ", ".join(f"{n} {kind}" for kind, n in sorted(figures["counts"].items())))
    print(f"wall:      {figures['wall']:.1f} s  ({figures['wall'] / max(ran, 1):.3f} s a test)")
    print(f"cpu:       {cpu:.1f} s  (user {figures['cpu_user']:.1f}, system "
          f"{figures['cpu_system']:.1f}; {cpu / max(ran, 1):.3f} s a test)")
    if figures["postgres_cpu"] is not None:
        print(f"postgres:  {figures['postgres_cpu']:.1f} s CPU in finished backends "
              "(every client of the server, not only this run)")
    print(f"load:      {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min) "
          f"on {os.cpu_count()} cores")
    return figures["returncode"]


def _head(tree: Path) -> str:
    result = subprocess.run(["git", "-C", str(tree), "log", "-1", "--format=%h"],  # noqa: S603, S607
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() or "no git"


if __name__ == "__main__":
    sys.exit(main())
