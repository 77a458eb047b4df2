"""Benchmark of single-report audits, all figures from one run (machines are noisy).

Reports:
  1. cold start: `dutycheck audit <seed>` as a fresh process vs `python -c "import click, rich, yaml"`
     (target: at most 2.5x for the terminal view), the commands interleaved so noise hits all alike;
  2. in-process throughput: audits per second of the bundled reports on one core (target: >= 600/s),
     by wall time and by CPU time of this process (the CPU figure moves less on a busy machine).

Usage: python bench/bench_audit.py [--runs 15] [--seconds 5]
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


def throughput(seconds: float) -> tuple[float, float, float]:
    """Audits per second in this process on one core, and mean report size in characters."""
    sys.path.insert(0, str(ROOT / "src"))
    from dutycheck.audit import audit_source
    from dutycheck.checklist.load import load_checklist
    from dutycheck.read import read_source

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    checklist = load_checklist("default")
    sources = [read_source(p) for p in REPORTS]
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
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
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
