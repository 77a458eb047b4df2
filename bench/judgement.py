"""Judgement figures over labelled sets: agreement, done P/R/F1, first-responsible recall,
quote overlap, and what `confidence` is worth (issue 9).

    python bench/judgement.py                       # every labelled set found
    python bench/judgement.py --set real            # one set
    python bench/judgement.py --threshold 0.7 -v    # list the wrong statuses and their confidence

Sets: seeds (../shared/seeds), tests/eval … tests/eval5, and the real report openings
(../shared/gold/real, kept outside the repository). Doubtful labels are left out, as in
`dutycheck eval`. First-responsible recall is done-recall over the `first-responsible.*`
items (the duties a reviewer checks first).

Confidence: an item is *low* when its `confidence` is below the threshold. The target is
that the low items hold at least half of the wrong statuses while being at most 15% of all
compared items, on all sets together.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dutycheck.audit import audit_path
from dutycheck.checklist.load import load_checklist
from dutycheck.errors import ReportError
from dutycheck.evaluate import _concept_ids, load_gold, quotes_overlap

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def known_sets() -> dict[str, tuple[Path, Path]]:
    sets = {"seeds": (SHARED / "gold" / "seeds.yaml", SHARED / "seeds")}
    for d in sorted((ROOT / "tests").glob("eval*")):
        if (d / "gold.yaml").is_file():
            sets[d.name] = (d / "gold.yaml", d / "reports")
    sets["real"] = (SHARED / "gold" / "real" / "gold.yaml", SHARED / "gold" / "real" / "reports")
    return {k: v for k, v in sets.items() if v[0].is_file()}


def collect(gold_path: Path, reports: Path, checklist) -> list[dict]:
    """One row per compared (report, item): gold, predicted, confidence, quote agreement."""
    gold = load_gold(gold_path)
    concepts = _concept_ids(gold_path.parent / "concepts.yaml")
    rows = []
    for name, rep in gold.items():
        try:
            audit = audit_path(reports / name, checklist)
        except ReportError as exc:
            print(f"error: {exc.message()}", file=sys.stderr)
            continue
        labels = rep.get("labels") or {}
        for item in audit.items:
            if concepts is not None and item.id not in concepts:
                continue
            label = labels.get(item.id, {"status": "absent"})
            if label.get("doubtful"):
                continue
            best = item.evidence[0] if item.evidence else None
            quote_ok = None
            if label["status"] == "done" == item.status.value and label.get("evidence"):
                quote_ok = bool(best and quotes_overlap(label["evidence"], best.text))
            rows.append({"report": name, "item": item.id, "gold": label["status"],
                         "pred": item.status.value, "confidence": item.confidence,
                         "quote_ok": quote_ok, "evidence": best.text[:60] if best else "",
                         "reason": str(best.reason) if best else ""})
    return rows


def figures(rows: list[dict]) -> dict:
    n = len(rows)
    agree = sum(r["gold"] == r["pred"] for r in rows)
    tp = sum(r["gold"] == r["pred"] == "done" for r in rows)
    pred_done = sum(r["pred"] == "done" for r in rows)
    gold_done = sum(r["gold"] == "done" for r in rows)
    p = tp / pred_done if pred_done else 0.0
    rec = tp / gold_done if gold_done else 0.0
    fr = [r for r in rows if r["item"].startswith("first-responsible.") and r["gold"] == "done"]
    quotes = [r["quote_ok"] for r in rows if r["quote_ok"] is not None]
    return {"items": n, "agreement": round(agree / n, 4) if n else 0.0,
            "done_precision": round(p, 4), "done_recall": round(rec, 4),
            "done_f1": round(2 * p * rec / (p + rec), 4) if p + rec else 0.0,
            "first_responsible_recall": round(sum(r["pred"] == "done" for r in fr) / len(fr), 4) if fr else None,
            "quote_overlap": round(sum(quotes) / len(quotes), 4) if quotes else None}


def confidence_figures(rows: list[dict], threshold: float) -> dict:
    wrong = [r for r in rows if r["gold"] != r["pred"]]
    low = [r for r in rows if r["confidence"] < threshold]
    low_wrong = [r for r in wrong if r["confidence"] < threshold]
    return {"threshold": threshold, "items": len(rows), "wrong": len(wrong), "low": len(low),
            "low_share_of_items": round(len(low) / len(rows), 4) if rows else 0.0,
            "wrong_caught": len(low_wrong),
            "wrong_share_caught": round(len(low_wrong) / len(wrong), 4) if wrong else 1.0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", action="append", help="set name (default: all found)")
    ap.add_argument("--threshold", type=float, default=0.75)
    ap.add_argument("--checklist", default="default")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the wrong statuses")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--gold", type=Path, help="one more set: its gold.yaml (with --reports)")
    ap.add_argument("--reports", type=Path)
    args = ap.parse_args(argv)
    checklist = load_checklist(args.checklist)
    sets = known_sets()
    names = args.set or list(sets)
    if args.gold:
        sets["extra"] = (args.gold, args.reports or args.gold.parent / "reports")
        names = (args.set or []) + ["extra"]
    out, every = {}, []
    for name in names:
        gold, reports = sets[name]
        rows = collect(gold, reports, checklist)
        every += rows
        out[name] = figures(rows) | {"confidence": confidence_figures(rows, args.threshold)}
        if args.verbose:
            for r in rows:
                if r["gold"] != r["pred"]:
                    print(f"  {name}/{r['report']} {r['item']}: gold {r['gold']} pred {r['pred']} "
                          f"conf {r['confidence']:.2f}  {r['evidence']}  [{r['reason']}]")
    out["all"] = figures(every) | {"confidence": confidence_figures(every, args.threshold)}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        for name, f in out.items():
            c = f["confidence"]
            print(f"{name:6} n={f['items']:4} agree={f['agreement']:.4f} doneP={f['done_precision']:.4f} "
                  f"doneR={f['done_recall']:.4f} doneF1={f['done_f1']:.4f} "
                  f"frR={f['first_responsible_recall']} quote={f['quote_overlap']} | "
                  f"conf<{c['threshold']}: {c['low']} items ({c['low_share_of_items']:.1%}), "
                  f"{c['wrong_caught']}/{c['wrong']} wrong ({c['wrong_share_caught']:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
