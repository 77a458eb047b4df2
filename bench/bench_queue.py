"""How well the review queue puts the machine's errors first, on every labelled set.

For each set (gold YAML + report folder): audit every labelled report, order all its items
with the queue's ranking (`dutycheck.review.queue.rank_records`, no corrections yet), and count
which share of the machine's errors (status ≠ the human label; doubtful labels and ids outside
the set's concepts.yaml left out) sits in the first 10 %, 15 % and 20 % of the queue.

    python bench/bench_queue.py            # table
    python bench/bench_queue.py --json     # figures as JSON
    python bench/bench_queue.py --signals  # error rate per queue signal (to set the weights)
    python bench/bench_queue.py --unseen   # held-out sets audited by the code from before each was added

The held-out sets were fixed against once added, so today's code makes few errors on them.
`--unseen` audits each tests/evalN set with the dutycheck of the commit before the one that
added it (git archive of src/ and checklists/ into a temporary folder): the machine's errors
on reports it had not seen, which is what a reviewer meets. Seeds and the real openings have
no such point and are audited by today's code.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from dutycheck.audit import audit_path
from dutycheck.checklist.load import load_checklist
from dutycheck.evaluate import _concept_ids, load_gold
from dutycheck.render.json import audit_dict
from dutycheck.review.queue import rank_records

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def labelled_sets() -> list[tuple[str, Path, Path]]:
    sets = [("seeds", SHARED / "gold" / "seeds.yaml", SHARED / "seeds")]
    for gold in sorted(ROOT.glob("tests/eval*/gold.yaml")):
        sets.append((gold.parent.name, gold, gold.parent / "reports"))
    real = SHARED / "gold" / "real" / "gold.yaml"
    if real.is_file():
        sets.append(("real", real, real.parent / "reports"))
    return [s for s in sets if s[1].is_file() and s[2].is_dir()]


_AUDIT = ("import json, sys\nfrom dutycheck.audit import audit_path\nfrom dutycheck.render.json import audit_dict\n"
          "for p in sys.argv[1:]:\n    print(json.dumps(audit_dict(audit_path(p)), ensure_ascii=False))\n")


def unseen_revision(gold_path: Path) -> str | None:
    """The commit before the one that added this gold file (None when it is not in the repo)."""
    try:
        rel = gold_path.resolve().relative_to(ROOT)
    except ValueError:
        return None
    out = subprocess.run(["git", "-C", str(ROOT), "log", "--diff-filter=A", "--format=%H", "--", str(rel)],
                         capture_output=True, text=True, check=False).stdout.split()
    return f"{out[-1]}^" if out else None


def audits_at(revision: str, paths: list[Path]) -> list[dict]:
    """Audit these files with dutycheck as it was at `revision` (its own default checklist)."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision, "src", "checklists"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        env = dict(os.environ, PYTHONPATH=str(Path(tmp) / "src"), XDG_CACHE_HOME=str(Path(tmp) / "cache"))
        out = subprocess.run([sys.executable, "-c", _AUDIT, *map(str, paths)], capture_output=True, text=True,
                             env=env, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def errors_and_queue(gold_path: Path, reports: Path, checklist, revision: str | None = None) -> tuple[list, set]:
    gold = load_gold(gold_path)
    concepts = _concept_ids(gold_path.parent / "concepts.yaml")
    records, errors, counted = [], set(), set()
    names = [n for n in gold if (reports / n).is_file()]
    old = dict(zip(names, audits_at(revision, [reports / n for n in names]), strict=True)) if revision else {}
    for name, rep in gold.items():
        path = reports / name
        if not path.is_file():
            continue
        d = old[name] if revision else audit_dict(audit_path(path, checklist))
        labels = rep.get("labels") or {}
        for it in d["items"]:
            if concepts is not None and it["id"] not in concepts:
                continue
            label = labels.get(it["id"], {"status": "absent"})
            if label.get("doubtful") or label.get("status") == "na":
                continue
            counted.add((d["sha256"], it["id"]))
            if label["status"] != it["status"]:
                errors.add((d["sha256"], it["id"]))
        records.append((d, name))
    queue = [q for q in rank_records(records) if (q.sha256, q.item_id) in counted]
    return queue, errors


def shares(queue: list, errors: set, cuts=(0.10, 0.15, 0.20)) -> dict:
    out = {"items": len(queue), "errors": len(errors)}
    for cut in cuts:
        n = max(1, math.ceil(len(queue) * cut))
        found = sum(1 for q in queue[:n] if (q.sha256, q.item_id) in errors)
        out[f"top{round(cut * 100)}"] = round(found / len(errors), 3) if errors else None
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--signals", action="store_true")
    ap.add_argument("--checklist", default="default")
    ap.add_argument("--unseen", action="store_true", help="held-out sets as audited before they were added")
    args = ap.parse_args(argv)
    cl = load_checklist(args.checklist)
    results, all_q, all_e = {}, [], set()
    sig_n: Counter = Counter()
    sig_err: Counter = Counter()
    for name, gold, reports in labelled_sets():
        queue, errors = errors_and_queue(gold, reports, cl, unseen_revision(gold) if args.unseen else None)
        results[name] = shares(queue, errors)
        all_q += queue
        all_e |= errors
        for q in queue:
            for r in q.reasons or ("（无信号）",):
                key = str(r).split("（")[0]
                sig_n[key] += 1
                sig_err[key] += (q.sha256, q.item_id) in errors
    all_q.sort(key=lambda q: (-q.risk, q.report, q.item_id))
    results["all"] = shares(all_q, all_e)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        print(f"{'set':<8} {'items':>6} {'errors':>6} {'top10%':>7} {'top15%':>7} {'top20%':>7}")
        for name, r in results.items():
            def pct(v):
                return "—" if v is None else f"{v:.0%}"
            print(f"{name:<8} {r['items']:>6} {r['errors']:>6} {pct(r['top10']):>7} {pct(r['top15']):>7} "
                  f"{pct(r['top20']):>7}")
    if args.signals:
        print("\nsignal: items, errors, error rate")
        for key, n in sig_n.most_common():
            print(f"  {key}: {n}, {sig_err[key]}, {sig_err[key] / n:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
