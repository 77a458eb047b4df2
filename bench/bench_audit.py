"""Benchmark of single-report audits, all figures from one run (machines are noisy).

Reports:
  1. cold start: `dutycheck audit <seed>` as a fresh process vs `python -c "import click, rich, yaml"`
     (target: at most 2.5x for the terminal view), the commands interleaved so noise hits all alike;
  2. in-process throughput: audits per second of the bundled reports on one core (target: >= 600/s),
     by wall time and by CPU time of this process (the CPU figure moves less on a busy machine).

With --against REV the in-process loop also runs on another git revision of this repository
(unpacked with `git archive`), the two in fresh processes taken in turn, and the
ratio is printed: a target written as "N/s on the machine it was measured on" travels to another
machine as the ratio to the code of that day (issue 13 was written at 2b6af4f, ~224/s there).

Usage: python bench/bench_audit.py [--runs 15] [--seconds 5] [--against REV [--pairs 3]]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "reports").rglob("*.txt"))


def timed(cmd: list[str], runs: int) -> float:
    """Median wall time of a command, in seconds (one warm-up run first)."""
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def timed_together(cmds: list[list[str]], runs: int) -> list[float]:
    """Median wall time of each command, the commands run in turn (one warm-up round first)."""
    times: list[list[float]] = [[] for _ in cmds]
    for i in range(runs + 1):
        for k, cmd in enumerate(cmds):
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            if i:
                times[k].append(time.perf_counter() - t)
    return [statistics.median(t) for t in times]


def throughput(seconds: float, root: Path = ROOT) -> tuple[float, float, float]:
    """Audits per second in this process on one core, and mean report size in characters, of the
    code and bundled reports under `root`."""
    sys.path.insert(0, str(root / "src"))
    import dutycheck
    from dutycheck.audit import audit_source
    from dutycheck.checklist.load import load_checklist
    from dutycheck.read import read_source
    if not Path(dutycheck.__file__).resolve().is_relative_to(root.resolve()):
        raise SystemExit(f"dutycheck imported from {dutycheck.__file__}, not from {root}")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    checklist = load_checklist("default")
    sources = [read_source(p) for p in sorted((root / "reports").rglob("*.txt"))]
    for s in sources:
        audit_source(s, checklist)
    n, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for s in sources:
            audit_source(s, checklist)
            n += 1
    rate = n / (time.perf_counter() - start)
    cpu_rate = n / (time.process_time() - cpu)
    return rate, cpu_rate, statistics.mean(len(s.text) for s in sources)


def unpack(rev: str, into: Path) -> Path:
    """A git revision of this repository, unpacked under `into` (its code, checklists and reports)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def compared(rev: str, seconds: float, pairs: int) -> None:
    """In-process throughput of this tree and of `rev`, each in a fresh process, taken in turn."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dutycheck-against-") as tmp:
        other = unpack(rev, Path(tmp))
        rates: dict[Path, list[tuple[float, float]]] = {ROOT: [], other: []}
        for _ in range(pairs):
            for root in rates:
                run = subprocess.run([sys.executable, __file__, "--seconds", str(seconds), "--_tree", str(root)],
                                     capture_output=True, text=True)
                if run.returncode:
                    raise SystemExit(f"{root}: {run.stderr.strip()}")
                out = run.stdout.split()
                rates[root].append((float(out[0]), float(out[1])))
        here, there = ([statistics.median(r[k] for r in rates[root]) for k in (0, 1)] for root in (ROOT, other))
    print(f"in-process audits/s, {pairs} pairs in fresh processes taken in turn (median):")
    print(f"  this tree   {here[0]:7.1f}/s wall, {here[1]:7.1f}/s CPU")
    print(f"  {rev:<11s} {there[0]:7.1f}/s wall, {there[1]:7.1f}/s CPU  (its own bundled reports)")
    print(f"  ratio       {here[0] / there[0]:5.2f}x wall, {here[1] / there[1]:5.2f}x CPU")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--against", metavar="REV", help="also measure this git revision, in turn, and print the ratio")
    ap.add_argument("--pairs", type=int, default=3, help="rounds of the --against comparison")
    ap.add_argument("--_tree", type=Path, help=argparse.SUPPRESS)   # one throughput figure of a tree, for --against
    args = ap.parse_args()
    if args._tree:
        rate, cpu_rate, _ = throughput(args.seconds, args._tree)
        print(rate, cpu_rate)
        return
    seed = str(REPORTS[0])
    py = sys.executable
    # pip compiles bytecode when it installs a package; an editable checkout (or a machine with
    # PYTHONDONTWRITEBYTECODE=1) would otherwise recompile every module on every run.
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "dutycheck"), quiet=1)
    base, cold_json, cold_term = timed_together([[py, "-c", "import click, rich, yaml"],
                                                 [py, "-m", "dutycheck", "audit", seed, "--format", "json"],
                                                 [py, "-m", "dutycheck", "audit", seed]], args.runs)
    rate, cpu_rate, chars = throughput(args.seconds)
    print(f"baseline  python -c 'import click, rich, yaml'   {base * 1000:7.1f} ms")
    print(f"cold      dutycheck audit --format json          {cold_json * 1000:7.1f} ms   "
          f"ratio {cold_json / base:4.2f}x")
    print(f"cold      dutycheck audit (terminal view)        {cold_term * 1000:7.1f} ms   "
          f"ratio {cold_term / base:4.2f}x  (target <= 2.5x)")
    print(f"in-process audits/s on one core ({len(REPORTS)} bundled reports, "
          f"mean {chars:,.0f} chars): {rate:7.1f}/s wall, {cpu_rate:7.1f}/s CPU  (target >= 600/s)")
    if args.against:
        compared(args.against, args.seconds, args.pairs)
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
