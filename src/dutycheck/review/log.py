"""The review log in the store: append-only `reviews` rows, one short transaction per write."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import sqlite3
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ReviewError
from .model import STATUS_VALUES, Correction, ReportRef, ReviewSet, first_evidence, parse_status, report_key

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store


_COLS = ("id, report_key, agency, year, sha256, item_id, action, status, machine_status, machine_evidence, "
         "evidence, note, reviewer, created, undoes, source")
RETRIES = 8


def ensure_schema(db: sqlite3.Connection) -> None:
    """The review table is migration `0002_reviews` (migrations.py), applied when the Store opens."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='reviews'").fetchone():
        raise ReviewError("结果库没有复核表（请用当前版本的 dutycheck 打开）", "the store has no review table")


def _write(db: sqlite3.Connection, fn):
    """Run `fn` in one immediate transaction, retrying while another process holds the lock."""
    delay = 0.05
    for attempt in range(RETRIES):
        try:
            if db.in_transaction:
                db.commit()
            db.execute("BEGIN IMMEDIATE")
            try:
                out = fn()
            except BaseException:
                db.rollback()
                raise
            db.commit()
            return out
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or attempt == RETRIES - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    raise AssertionError("unreachable")


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def default_reviewer() -> str:
    """--by, else $DUTYCHECK_REVIEWER, else the login name."""
    name = os.environ.get("DUTYCHECK_REVIEWER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 — no login name in some containers
        return "unknown"


_AGENCY_YEAR = re.compile(r"^(?P<agency>.+?)[\s:：,，]+(?P<year>(?:19|20)\d\d)\s*年?(?:度)?$")


class Reviews:
    """The review log of one store: resolve reports and items, append corrections, read them back."""

    def __init__(self, store: Store):
        self.store = store
        self.db = store.db
        ensure_schema(self.db)

    # -- reports and items
    def resolve(self, report: str | os.PathLike, year: int | None = None) -> ReportRef:
        """A report by file path (matched by content, sha256) or by agency and year
        (`"晋城市教育局 2023"`, or `report="晋城市教育局", year=2023`)."""
        text = os.fspath(report)
        if year is None and os.path.isfile(text):
            try:
                sha = hashlib.sha256(Path(text).read_bytes()).hexdigest()
            except OSError as exc:
                raise ReviewError(f"无法读取报告文件：{exc.strerror}", "cannot read the report file",
                                  path=text) from None
            ref = self._latest("a.sha256 = ?", (sha,))
            if ref is None:
                raise ReviewError("数据库中没有这份报告的审查结果，请先运行 dutycheck batch … --db",
                                  "this report is not in the store: run dutycheck batch --db first", path=text)
            return ref
        agency = text.strip()
        if year is None:
            m = _AGENCY_YEAR.match(agency)
            if not m:
                if os.path.exists(text) or os.sep in text or "." in Path(text).name:
                    raise ReviewError("报告文件不存在", "no such report file", path=text)
                raise ReviewError(f"未知报告“{text}”：请给出文件路径或“单位 年度”（如 晋城市教育局 2023）",
                                  f"unknown report {text!r}: give a file path or 'AGENCY YEAR'")
            agency, year = m.group("agency").strip(), int(m.group("year"))
        ref = self._latest("a.agency = ? AND a.year = ?", (agency, year))
        if ref is None:
            like = [r[0] for r in self.db.execute(
                "SELECT DISTINCT agency || ' ' || year FROM audits WHERE agency LIKE ? ORDER BY 1 LIMIT 8",
                (f"%{agency}%",))]
            hint = f"；相近的有：{'、'.join(like)}" if like else ""
            raise ReviewError(f"数据库中没有“{agency} {year}”的审查结果{hint}",
                              f"unknown report: no audit of {agency} {year} in the store")
        return ref

    def _latest(self, where: str, args: tuple) -> ReportRef | None:
        """The audit of the report that the latest run saw (a revision supersedes the older file)."""
        row = self.db.execute(
            f"SELECT a.id, a.agency, a.year, a.sha256, a.audit_json, "
            f"(SELECT rr.path FROM run_reports rr WHERE rr.audit_id = a.id ORDER BY rr.run_id DESC LIMIT 1) "
            f"FROM audits a LEFT JOIN run_reports r2 ON r2.audit_id = a.id WHERE {where} "
            f"ORDER BY COALESCE(r2.run_id, 0) DESC, a.id DESC LIMIT 1", args).fetchone()
        if row is None:
            return None
        record = json.loads(zlib.decompress(row[4]).decode("utf-8"))
        return ReportRef(row[1], row[2], row[3], row[0], row[5] or record.get("path", ""), record)

    def reports(self) -> list[ReportRef]:
        """Every report of the latest run that saw it, one per report key (latest revision)."""
        out: dict[str, ReportRef] = {}
        rows = self.db.execute(
            "SELECT a.id, a.agency, a.year, a.sha256, a.audit_json, rr.path, rr.run_id FROM run_reports rr "
            "JOIN audits a ON a.id = rr.audit_id WHERE rr.duplicate_of IS NULL "
            "ORDER BY rr.run_id DESC, a.id DESC")
        for audit_id, agency, year, sha, blob, path, _ in rows:
            key = report_key(agency, year, sha)
            if key in out:
                continue
            record = json.loads(zlib.decompress(blob).decode("utf-8"))
            out[key] = ReportRef(agency, year, sha, audit_id, path, record)
        return list(out.values())

    @staticmethod
    def item(ref: ReportRef, text: str) -> dict:
        """An item of the report's audit by id, or by an unambiguous Chinese title (or part of one)."""
        items = ref.record.get("items") or []
        for it in items:
            if it["id"] == text:
                return it
        exact = [it for it in items if it["title"] == text]
        if len(exact) == 1:
            return exact[0]
        part = [it for it in items if text and (text in it["title"] or it["id"].endswith("." + text))]
        if len(part) == 1:
            return part[0]
        if len(part) > 1:
            names = "、".join(f"{it['title']}（{it['id']}）" for it in part[:6])
            raise ReviewError(f"“{text}”不唯一，可能是：{names}", f"ambiguous item {text!r}", key="item")
        sample = ", ".join(it["id"] for it in items[:8])
        raise ReviewError(f"{ref.label} 的审查结果中没有条目“{text}”；条目如：{sample}……"
                          "（dutycheck review list 或 explain 可查看全部）",
                          f"unknown item {text!r} in this report's checklist", key="item")

    # -- writes
    def set(self, ref: ReportRef, item: str, status: str, *, note: str = "", by: str | None = None,
            evidence: str = "", source: str = "cli") -> Correction:
        """Append a correction: the item's final status is `status` (a value or Chinese label)."""
        value = parse_status(status)
        it = self.item(ref, item)
        return self._append(ref, it, "set", value, None, note=note, by=by, evidence=evidence, source=source)

    def undo(self, ref: ReportRef, item: str, *, note: str = "", by: str | None = None,
             source: str = "cli") -> Correction:
        """Append an undo of the item's correction in force (the one before it, if any, returns)."""
        it = self.item(ref, item)
        current = self.current().for_report(ref.agency, ref.year, ref.sha256).get(it["id"])
        if current is None:
            raise ReviewError(f"{ref.label} 的“{it['title']}”没有可撤销的复核",
                              f"nothing to undo for {it['id']}", key="item")
        return self._append(ref, it, "undo", None, current.id, note=note, by=by, source=source)

    def _append(self, ref: ReportRef, it: dict, action: str, status: str | None, undoes: int | None, *,
                note: str, by: str | None, evidence: str = "", source: str = "cli") -> Correction:
        by = (by or "").strip() or default_reviewer()
        row = (ref.key, ref.agency, ref.year, ref.sha256, it["id"], action, status, undoes, it["status"],
               first_evidence(it), evidence or "", note or "", by, _now(), source)

        def insert() -> int:
            cur = self.db.execute(
                "INSERT INTO reviews (report_key, agency, year, sha256, item_id, action, status, undoes, "
                "machine_status, machine_evidence, evidence, note, reviewer, created, source) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", row)
            return int(cur.lastrowid or 0)

        new_id = _write(self.db, insert)
        return Correction(new_id, ref.key, ref.agency, ref.year, ref.sha256, it["id"], action, status,
                          it["status"], first_evidence(it), evidence or "", note or "", by, row[13], undoes,
                          source)

    # -- reads
    def log(self, ref: ReportRef | None = None) -> list[Correction]:
        """Every entry (of one report), oldest first: the accountable history."""
        sql = f"SELECT {_COLS} FROM reviews"
        args: tuple = ()
        if ref is not None:
            sql += " WHERE report_key = ?"
            args = (ref.key,)
        return [_row(r) for r in self.db.execute(sql + " ORDER BY id", args)]

    def current(self) -> ReviewSet:
        return ReviewSet(self.log())


def _row(r: tuple) -> Correction:
    (id_, key, agency, year, sha, item, action, status, mstatus, mev, ev, note, by, at, undoes, source) = r
    return Correction(id_, key, agency, year, sha, item, action, status, mstatus, mev or "", ev or "",
                      note or "", by, at, undoes, source or "cli")


def load_current(store: Store) -> ReviewSet:
    """The corrections in force in a store (an empty set when it has no review table yet)."""
    if not store.db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='reviews'").fetchone():
        return ReviewSet()
    return ReviewSet(_row(r) for r in store.db.execute(f"SELECT {_COLS} FROM reviews ORDER BY id"))


__all__ = ["STATUS_VALUES", "Reviews", "default_reviewer", "ensure_schema", "load_current"]
