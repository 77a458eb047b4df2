"""Corrections out of and into the store: gold-format YAML (a correction is a label) and CSV.

Export lists every report with a correction in force, in the shape of `shared/gold/seeds.yaml`:
per file, `agency`, `year`, `sha256` and `labels` {id: {status, evidence}} of the final
statuses (an id not listed is absent, as in every gold file); a corrected label also has
`reviewed: true`, `machine_status`, `note`, `by`, `at`. So `dutycheck eval --gold` reads it.

Import takes such a file back, or any gold file: a file with `reviewed` marks imports only
those labels; a plain gold file imports every label (and the implied absents) that differs
from the current final status. CSV (UTF-8 with BOM for Excel) has one row per correction.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..errors import ReviewError
from ..messages import STALE_MARK, STATUS_ZH
from ..models import Status
from .apply import apply_reviews
from .log import Reviews
from .model import ReportRef, first_evidence, parse_status

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store

CSV_HEAD = ["单位", "年度", "文件", "sha256", "职责编号", "职责", "机器状态", "复核状态", "待复核", "说明", "复核人",
            "时间", "引文"]


def _zh(value: str | None) -> str:
    return STATUS_ZH[Status(value)] if value else ""


def _names(refs: list[ReportRef]) -> dict[str, str]:
    """File name per report key (the folder only where two names coincide)."""
    base = [Path(r.path).name for r in refs]
    return {r.key: (b if base.count(b) == 1 else r.path) for r, b in zip(refs, base)}


def export_corrections(store: Store, out: str | os.PathLike) -> dict:
    """Write the reviewed reports to `out` (.yaml/.yml or .csv). Returns {reports, corrections}."""
    rv = Reviews(store)
    current = rv.current()
    refs = [r for r in rv.reports() if current.for_record(r.record)]
    names = _names(refs)
    suffix = Path(out).suffix.lower()
    n = 0
    try:
        if suffix == ".csv":
            with open(out, "w", encoding="utf-8-sig", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(CSV_HEAD)
                for ref in refs:
                    final = apply_reviews(ref.record, current)
                    for it in final["items"]:
                        r = it.get("review")
                        if not r:
                            continue
                        n += 1
                        w.writerow([ref.agency or "", ref.year or "", names[ref.key], ref.sha256, it["id"],
                                    it["title"], _zh(it.get("machine_status")), _zh(it["status"]),
                                    STALE_MARK if r["stale"] else "", r["note"], r["by"], r["at"],
                                    r["evidence"]])
        elif suffix in (".yaml", ".yml"):
            reports: dict = {}
            for ref in refs:
                final = apply_reviews(ref.record, current)
                labels: dict = {}
                for it in final["items"]:
                    r = it.get("review")
                    if it["status"] == "absent" and not r:
                        continue
                    label: dict = {"status": it["status"]}
                    quote = (r or {}).get("evidence") or (first_evidence(it) if it["status"] == "done" else "")
                    if quote:
                        label["evidence"] = quote
                    if r:
                        n += 1
                        label.update({"reviewed": True, "machine_status": it.get("machine_status")})
                        if r["stale"]:
                            label["stale"] = True
                        label.update({k: r[k] for k in ("note", "by", "at") if r[k]})
                    labels[it["id"]] = label
                reports[names[ref.key]] = {"agency": ref.agency, "year": ref.year, "sha256": ref.sha256,
                                           "labels": labels}
            head = ("# dutycheck review export: final statuses of the reviewed reports (gold-label format).\n"
                    "# Labels with `reviewed: true` are the reviewer's; the others are the machine's.\n"
                    "# Ids not listed are absent. Read back with `dutycheck review import`, or use with\n"
                    "# `dutycheck eval --gold THIS --reports DIR`.\n")
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(head)
                yaml.safe_dump({"reports": reports}, fh, allow_unicode=True, sort_keys=False, width=200)
        else:
            raise ReviewError("导出文件须为 .yaml/.yml 或 .csv", "export to a .yaml/.yml or .csv file", path=str(out))
    except OSError as exc:
        raise ReviewError(f"无法写入导出文件：{exc.strerror}", "cannot write the export file", path=str(out)) from None
    return {"reports": len(refs), "corrections": n}


@dataclass
class ImportResult:
    added: int = 0
    same: int = 0
    unknown: list[str] = field(default_factory=list)


def _find(rv: Reviews, refs: list[ReportRef], name: str, agency, year, sha: str | None) -> ReportRef | None:
    if sha:
        for r in refs:
            if r.sha256 == sha:
                return r
    if agency and year:
        try:
            return rv.resolve(str(agency), int(year))
        except ReviewError:
            pass
    base = Path(name).name
    for r in refs:
        if r.path == name or Path(r.path).name == base:
            return r
    return None


def import_corrections(store: Store, path: str | os.PathLike, *, by: str | None = None) -> ImportResult:
    """Append the labels of a gold/export YAML or an export CSV that differ from the final statuses."""
    rv = Reviews(store)
    refs = rv.reports()
    source = f"import:{Path(path).name}"
    res = ImportResult()
    wanted: list[tuple[ReportRef, str, str, dict]] = []   # (report, item, status, label)
    if Path(path).suffix.lower() == ".csv":
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError) as exc:
            raise ReviewError(f"无法读取 CSV：{exc}", "cannot read the CSV file", path=str(path)) from None
        for n, row in enumerate(rows, 2):
            ref = _find(rv, refs, row.get("文件") or "", row.get("单位"), row.get("年度"), row.get("sha256"))
            if ref is None:
                res.unknown.append(row.get("文件") or f"{row.get('单位')} {row.get('年度')}")
                continue
            try:
                status = parse_status(row.get("复核状态") or "")
            except ReviewError as exc:
                raise ReviewError(exc.zh, exc.en, path=str(path), line=n) from None
            wanted.append((ref, row.get("职责编号") or "", status,
                           {"note": row.get("说明") or "", "by": row.get("复核人") or "",
                            "evidence": row.get("引文") or ""}))
    else:
        from ..evaluate import load_gold

        try:
            gold = load_gold(path)
        except Exception as exc:  # GoldError carries the message
            from ..errors import DutycheckError

            if isinstance(exc, DutycheckError):
                raise ReviewError(exc.zh, exc.en, path=exc.path, line=exc.line) from None
            raise
        for name, rep in gold.items():
            rep = rep or {}
            ref = _find(rv, refs, name, rep.get("agency"), rep.get("year"), rep.get("sha256"))
            if ref is None:
                res.unknown.append(name)
                continue
            labels = rep.get("labels") or {}
            marked = any(isinstance(lb, dict) and lb.get("reviewed") for lb in labels.values())
            ids = [it["id"] for it in ref.record["items"]]
            for item_id in (labels if marked else dict.fromkeys([*ids, *labels])):
                label = labels.get(item_id, {"status": "absent"})
                if label.get("doubtful") or (marked and not label.get("reviewed")):
                    continue
                if item_id not in ids:
                    continue
                wanted.append((ref, item_id, label["status"], label))
    current = rv.current()
    finals: dict[str, dict] = {}
    for ref, item_id, status, label in wanted:
        final = finals.get(ref.key)
        if final is None:
            final = finals[ref.key] = {it["id"]: it for it in apply_reviews(ref.record, current)["items"]}
        it = final.get(item_id)
        if it is None:
            it = rv.item(ref, item_id)   # raises the unknown-item error
        if it["status"] == status:
            res.same += 1
            continue
        rv.set(ref, item_id, status, note=str(label.get("note") or ""), evidence=str(label.get("evidence") or ""),
               by=str(label.get("by") or "") or by, source=source)
        res.added += 1
    return res
