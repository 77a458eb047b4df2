"""Benchmark of `dutycheck batch`, all figures from one run (machines are noisy; ratios travel).

Builds a corpus of synthetic reports from the bundled ones (title block kept, body
paragraphs shuffled and some dropped, a numbered line so every file is distinct), in mixed
formats: UTF-8 .txt, GB18030 .txt, .docx (python-docx) and .pdf (15 % each; fpdf2 and a CJK
font; a pool of 40 distinct PDFs, each copy made distinct by a trailing comment, since making
a PDF costs more than auditing it). Then reports:

  1. reports/s of `dutycheck batch --jobs 1` and `--jobs 2` over N reports, and the speed-up;
  2. the ratio to `grep -c -F -f phrases.txt` over the same corpus, phrases = every literal
     phrase of the default checklist (target: batch --jobs 2 at most 20x grep's time, N=2000);
  3. time growth from N to 4N with --jobs 2 (target: linear, ratio within 1 ± 0.10);
  4. peak memory (RSS) at N and 4N (target: flat, within 20%): of the batch process itself,
     and of its largest worker process;
  5. (not with --quick) a run with --db, then the rerun served from the store;
  6. CPU time per report of each timed run, of the batch process and of its workers: the
     figures a loaded machine distorts least, and from them the rate an idle machine would give.

Times are wall-clock times of the whole command, Python start-up included: what a user waits.
Output is `--format jsonl --out /dev/null`, the streaming mode meant for large runs; the
memory of `--format csv`, which keeps one ranking row per report, is shown beside it.

Usage: python bench/bench_batch.py [--n 2000] [--quick] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "reports").rglob("*.txt"))
HEAD_LINES = 3   # title block kept in place so agency and year are still found

# Runs `dutycheck batch` and, at exit, records the peak RSS of this process (VmHWM: exec starts
# it afresh, unlike ru_maxrss, which would count the benchmark process that spawned it) and of
# its largest worker (RUSAGE_CHILDREN; the workers have been joined by then).
_WRAPPER = """
import atexit, os, resource, sys
def _peak():
    hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = os.times()
    with open(os.environ["BENCH_RSS_FILE"], "w") as fh:
        fh.write(f"{hwm} {kids} {t.user + t.system} {t.children_user + t.children_system}")
atexit.register(_peak)
sys.argv = ["dutycheck"] + sys.argv[1:]
from dutycheck.cli import main
main()
"""


def phrases() -> list[str]:
    """Every literal phrase of the default checklist (match terms and exclusions; not regexes)."""
    sys.path.insert(0, str(ROOT / "src"))
    from dutycheck.checklist.load import load_checklist

    out: set[str] = set()
    for it in load_checklist("default").items:
        for rule in it.rules:
            for term in [t for g in rule.groups for t in g] + list(rule.exclude):
                if not term.startswith("re:") and term:
                    out.add(term)
    return sorted(out)


def synthetic(rng: random.Random, text: str, i: int) -> str:
    lines = text.splitlines()
    head, body = lines[:HEAD_LINES], [x for x in lines[HEAD_LINES:] if x.strip()]
    rng.shuffle(body)
    body = [x for x in body if rng.random() > 0.1] or body[:1]
    return "\n".join(head + body + [f"（样本 {i}）"]) + "\n"


def pdf_pool(pool: Path, sources: list[tuple[str, str, str]], size: int = 40) -> list[Path]:
    """`size` distinct synthetic PDFs (built once; [] without fpdf2 or a CJK font)."""
    try:
        from fpdf import FPDF
    except ImportError:
        return []
    font = next((f for f in ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc") if Path(f).exists()), None)
    if font is None:
        return []
    pool.mkdir(parents=True, exist_ok=True)
    rng = random.Random(11)
    out = []
    for i in range(size):
        path = pool / f"{sources[i % len(sources)][1]}-pdf{i:02d}.pdf"
        if not path.exists():
            pdf = FPDF()
            pdf.add_font("cjk", "", font)
            pdf.add_page()
            pdf.set_font("cjk", size=14)
            for line in synthetic(rng, sources[i % len(sources)][2], i).splitlines():
                pdf.multi_cell(0, 8, line or " ", new_x="LMARGIN", new_y="NEXT")
            pdf.output(str(path))
        out.append(path)
    return out


def build_corpus(root: Path, n: int, seed: int = 7) -> dict[str, int]:
    """n files under root/<province>/; returns how many of each format."""
    rng = random.Random(seed)
    sources = [(p.parent.name, p.stem, p.read_text(encoding="utf-8")) for p in REPORTS]
    try:
        import docx  # noqa: F401
        have_docx = True
    except ImportError:
        have_docx = False
    pdfs = pdf_pool(root.parent / "pdf-pool", sources)
    counts = {"txt utf-8": 0, "txt gb18030": 0, "docx": 0, "pdf": 0}
    for i in range(n):
        province, stem, text = sources[i % len(sources)]
        body = synthetic(rng, text, i)
        folder = root / province
        folder.mkdir(parents=True, exist_ok=True)
        kind = rng.random()
        if pdfs and kind >= 0.85:
            pool_file = pdfs[i % len(pdfs)]
            (folder / f"{pool_file.stem}-{i:05d}.pdf").write_bytes(pool_file.read_bytes() + b"\n%% sample %d\n" % i)
            counts["pdf"] += 1
        elif have_docx and kind < 0.15:
            import docx

            d = docx.Document()
            for line in body.splitlines():
                d.add_paragraph(line)
            d.save(str(folder / f"{stem}-{i:05d}.docx"))
            counts["docx"] += 1
        elif kind < 0.40:
            (folder / f"{stem}-{i:05d}.txt").write_bytes(body.encode("gb18030"))
            counts["txt gb18030"] += 1
        else:
            (folder / f"{stem}-{i:05d}.txt").write_text(body, encoding="utf-8")
            counts["txt utf-8"] += 1
    return counts


CPU: dict[str, tuple[float, float]] = {}
"""label → CPU seconds (the batch process, its workers and their PDF children) of each timed run."""


def run_batch(corpus: Path, jobs: int, extra: list[str] = (),
              fmt: str = "jsonl", label: str = "") -> tuple[float, int, int, str]:
    """(seconds, peak RSS of the batch process in KB, of its largest worker in KB, its stderr).
    The CPU seconds of the batch process and of its children go to CPU[label]."""
    with tempfile.NamedTemporaryFile(suffix=".rss", delete=False) as tmp:
        rss_file = tmp.name
    env = dict(os.environ, BENCH_RSS_FILE=rss_file, PYTHONPATH=str(ROOT / "src"))
    cmd = [sys.executable, "-c", _WRAPPER, "batch", str(corpus), "--recursive", "--jobs", str(jobs),
           "--format", fmt, "--out", os.devnull, *extra]
    start = time.perf_counter()
    res = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if res.returncode not in (0, 1):
        raise SystemExit(f"batch failed ({res.returncode}):\n{res.stderr.decode('utf-8', 'replace')[-3000:]}")
    fields = Path(rss_file).read_text().split()
    main_kb, worker_kb = int(fields[0]), int(fields[1])
    CPU[label or f"{corpus.name} jobs {jobs} {fmt} {' '.join(extra)}"] = (float(fields[2]), float(fields[3]))
    os.unlink(rss_file)
    return elapsed, main_kb, worker_kb, res.stderr.decode("utf-8", "replace")


def time_grep(corpus: Path, phrase_file: Path, runs: int = 5) -> float:
    """Best of `runs` wall times of one grep over the corpus."""
    cmd = ["grep", "-r", "-c", "-F", "-f", str(phrase_file), str(corpus)]
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t)
    return best


def warm(corpus: Path) -> None:
    for p in corpus.rglob("*"):
        if p.is_file():
            p.read_bytes()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="corpus size N (4N is built too)")
    ap.add_argument("--quick", action="store_true", help="N=200 and no store runs: a smoke test")
    ap.add_argument("--keep", metavar="DIR", help="build the corpora in DIR and keep them")
    args = ap.parse_args()
    n = 200 if args.quick else args.n

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="dutycheck-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        small, big = base / f"n{n}", base / f"n{4 * n}"
        for d in (small, big):
            if d.exists():
                shutil.rmtree(d)
        counts = build_corpus(small, n)
        build_corpus(big, 4 * n)
        phrase_file = base / "phrases.txt"
        ph = phrases()
        phrase_file.write_text("\n".join(ph) + "\n", encoding="utf-8")
        size = sum(p.stat().st_size for p in small.rglob("*") if p.is_file())
        print(f"corpus N={n}: " + ", ".join(f"{k} {v}" for k, v in counts.items())
              + f"; {size / n / 1024:.1f} KB/report; 4N={4 * n}; built in {time.perf_counter() - t:.1f} s",
              flush=True)
        warm(small)
        warm(big)
        load_before = os.getloadavg()[0]

        grep_n = time_grep(small, phrase_file)
        t1, rss1_main, _, _ = run_batch(small, 1, label="batch --jobs 1, N")
        t2, rss2_main, rss2_worker, _ = run_batch(small, 2, label="batch --jobs 2, N")
        t4, rss4_main, rss4_worker, _ = run_batch(big, 2, label="batch --jobs 2, 4N")

        def row(label: str, secs: float, count: int, note: str = "") -> None:
            print(f"{label:<40} {secs:8.2f} s {count / secs:9.0f}/s   {note}")

        def verdict(ok: bool) -> str:
            return "met" if ok else "NOT met"

        print(f"\n{'':<40} {'time':>10} {'reports/s':>11}")
        row(f"grep -c -F -f phrases.txt ({len(ph)} phrases)", grep_n, n)
        row("batch --jobs 1, N", t1, n, f"{t1 / grep_n:6.0f}x grep")
        row("batch --jobs 2, N", t2, n, f"{t2 / grep_n:6.0f}x grep")
        row("batch --jobs 2, 4N", t4, 4 * n)
        growth = t4 / (4 * t2)
        mem_main, mem_worker = rss4_main / rss2_main, rss4_worker / rss2_worker
        print("\nratios")
        print(f"  speed-up --jobs 2 / --jobs 1 (N)        {t1 / t2:5.2f}x")
        print(f"  batch --jobs 2 / grep (N)               {t2 / grep_n:5.0f}x   target <= 20x     "
              f"{verdict(t2 / grep_n <= 20)}")
        print(f"  time 4N / (4 x time N)                  {growth:5.2f}    target 0.90-1.10  "
              f"{verdict(abs(growth - 1) <= 0.10)}")
        print(f"  peak RSS batch process 4N / N           {mem_main:5.2f}    target <= 1.20    "
              f"{verdict(mem_main <= 1.2)}   ({rss2_main / 1024:.0f} MB -> {rss4_main / 1024:.0f} MB)")
        print(f"  peak RSS largest worker 4N / N          {mem_worker:5.2f}    target <= 1.20    "
              f"{verdict(mem_worker <= 1.2)}   ({rss2_worker / 1024:.0f} MB -> {rss4_worker / 1024:.0f} MB)")
        print(f"  (--jobs 1, all in one process: peak RSS {rss1_main / 1024:.0f} MB at N)")
        _, csv2, _, _ = run_batch(small, 2, fmt="csv", label="batch --jobs 2 --format csv, N")
        _, csv4, _, _ = run_batch(big, 2, fmt="csv", label="batch --jobs 2 --format csv, 4N")
        print(f"  peak RSS batch process 4N / N, --format csv (keeps a ranking row per report)  "
              f"{csv4 / csv2:5.2f}   ({csv2 / 1024:.0f} MB -> {csv4 / 1024:.0f} MB)")

        if not args.quick:
            db = base / "bench.sqlite"
            if db.exists():
                db.unlink()
            tdb, _, _, _ = run_batch(small, 2, ["--db", str(db)], label="batch --jobs 2 --db, N (first run)")
            tcache, _, _, err = run_batch(small, 2, ["--db", str(db)], label="batch --jobs 2 --db, N (rerun)")
            hits = re.search(r"缓存命中 (\d+)", err)
            print(f"  first run with --db / without           {tdb / t2:5.2f}x   ({tdb:.2f} s)")
            print(f"  rerun served from the store / grep      {tcache / grep_n:5.0f}x   ({tcache:.2f} s, "
                  f"{n / tcache:.0f} reports/s, {hits.group(1) if hits else '?'} of {n} from the store)")
        counts_of = {label: 4 * n if label.endswith("4N") else n for label in CPU}
        cores = min(2, os.cpu_count() or 1)
        print("\nCPU time per report (what a loaded machine does not change much; start-up included)")
        print(f"  {'':<38} {'batch process':>14} {'workers':>10} {'total':>8}   idle {cores}-core estimate")
        for label, (own, kids) in CPU.items():
            count = counts_of[label]
            # the batch process is one serial stage; the rest shares the cores
            rate = count / max(own, (own + kids) / cores) if own + kids > 0 else 0.0
            print(f"  {label:<38} {own * 1000 / count:11.2f} ms {kids * 1000 / count:7.2f} ms "
                  f"{(own + kids) * 1000 / count:5.2f} ms   {rate:6.0f}/s")
        load_after = os.getloadavg()[0]
        print(f"\nload average before / after the timed runs: {load_before:.2f} / {load_after:.2f}"
              + ("   (the machine was busy before we started: figures are pessimistic)"
                 if load_before > 0.7 else ""))
        rate = n / t2
        print(f"\nat {rate:.0f} reports/s (--jobs 2): 100,000 reports take {100_000 / rate / 60:.0f} min")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
