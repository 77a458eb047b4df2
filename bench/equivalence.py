"""Dump every audit result of the bundled reports and the labelled sets as JSON, to diff
before/after a change that must not change behaviour (a speed-up, a refactor).

    python bench/equivalence.py /tmp/before.json     # on the old code
    python bench/equivalence.py /tmp/after.json      # on the new code
    diff /tmp/before.json /tmp/after.json            # must be empty

Sets: reports/ (bundled), tests/eval*/reports, ../shared/seeds, ../shared/gold/real/reports
(the last ones are read in place, never copied). With --explain the rejected candidates and
near misses of every item are dumped too (the `explain` view).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def report_files() -> list[Path]:
    dirs = [ROOT / "reports", *sorted(ROOT.glob("tests/eval*/reports")), SHARED / "seeds",
            SHARED / "gold" / "real" / "reports"]
    out: list[Path] = []
    for d in dirs:
        if d.is_dir():
            out.extend(p for p in sorted(d.rglob("*")) if p.is_file() and p.suffix.lower() in
                       {".txt", ".md", ".docx", ".pdf", ".html", ".htm"} and p.name != "INDEX.md")
    return out


def dump(result, explain: bool) -> dict:
    items = {}
    for it in result.items:
        d = {"status": it.status.value, "confidence": it.confidence,
             "evidence": [[e.text, e.line, e.page, e.status.value, e.phrase, e.matched, e.score, e.section,
                           str(e.role), str(e.reason)] for e in it.evidence]}
        if explain:
            d["candidates"] = [[c.phrase, c.text, c.line, c.score, str(c.why_rejected)] for c in it.candidates]
        items[it.id] = d
    return {"score": result.score, "agency": result.report.agency, "year": result.report.year,
            "title": result.report.title, "items": items,
            "formal": [repr(f) for f in getattr(result, "formal", None) or ()],
            "fingerprints": repr(getattr(result, "fingerprints", None))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--explain", action="store_true")
    ap.add_argument("--checklist", default="default")
    args = ap.parse_args()
    from dutycheck.audit import audit_path
    from dutycheck.checklist.load import load_checklist
    from dutycheck.errors import DutycheckError

    cl = load_checklist(args.checklist)
    out = {}
    for p in report_files():
        key = str(p.relative_to(ROOT.parent)) if p.is_relative_to(ROOT.parent) else str(p)
        key = key.replace(ROOT.name + "/", "", 1)
        try:
            out[key] = dump(audit_path(p, cl, explain=args.explain), args.explain)
        except DutycheckError as exc:
            out[key] = {"error": exc.message()}
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    print(f"{len(out)} reports -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
