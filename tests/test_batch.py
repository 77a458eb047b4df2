"""Batch mode as a library: expansion, parallel streaming audits, error rows, duplicates, regions."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from dutycheck.audit import audit_path
from dutycheck.batch import Input, expand_paths, iter_outcomes, places, region_of, run_batch, summary_fields
from dutycheck.batch import pool as batch_mod
from dutycheck.checklist.load import load_checklist
from dutycheck.render.json import audit_dict
from dutycheck.schema import AuditRecord

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"


def make_mixed(root: Path) -> dict[str, Path]:
    """A region folder as reviewers get them: five reports in three province folders (one of them
    GB18030-encoded), a byte-identical copy, a zip renamed .docx, an empty .txt and a photo."""
    files: dict[str, Path] = {}
    for src in sorted(REPORTS.rglob("*.txt")):
        dest = root / src.parent.name / src.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.name == "焦作市教育局-2024.txt":
            dest.write_bytes(src.read_text(encoding="utf-8").encode("gb18030"))
            files["gb18030"] = dest
        else:
            shutil.copyfile(src, dest)
        files[src.stem] = dest
    dup = root / "河南" / "焦作市山阳区教育局-2024（副本）.txt"
    shutil.copyfile(files["焦作市山阳区教育局-2024"], dup)
    files["duplicate"] = dup
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("照片/1.txt", "这不是 Word 文档")
    files["zip"] = root / "山西" / "损坏.docx"
    files["zip"].write_bytes(buf.getvalue())
    files["empty"] = root / "新疆" / "空白.txt"
    files["empty"].write_bytes(b"")
    files["photo"] = root / "新疆" / "照片.jpg"
    files["photo"].write_bytes(b"\xff\xd8\xff\xe0" + bytes(64))
    return files


@pytest.fixture
def mixed(tmp_path: Path) -> tuple[Path, dict[str, Path]]:
    root = tmp_path / "region"
    return root, make_mixed(root)


# ----------------------------------------------------------------------------- expansion

def test_expand_lists_what_it_skips(mixed):
    root, files = mixed
    flat = expand_paths([root])
    assert flat.inputs == []
    assert {Path(s.path).name for s in flat.skipped} == {"山西", "新疆", "河南"}
    assert all("--recursive" in s.zh for s in flat.skipped)

    deep = expand_paths([root], recursive=True)
    names = [Path(i.path).name for i in deep.inputs]
    assert len(names) == 8 and "照片.jpg" not in names
    assert [Path(s.path).name for s in deep.skipped] == ["照片.jpg"]
    assert ".jpg" in deep.skipped[0].zh
    assert {i.folder for i in deep.inputs} == {"山西", "新疆", "河南"}


def test_expand_globs_files_and_missing(mixed, tmp_path):
    root, files = mixed
    exp = expand_paths([str(root / "*" / "*.txt"), str(files["zip"]), str(files["zip"]),
                        str(root / "nothing-*.pdf"), str(root / "不存在.txt")])
    paths = [i.path for i in exp.inputs]
    assert paths.count(str(files["zip"])) == 1          # the same file named twice counts once
    assert str(root / "不存在.txt") in paths             # kept: it becomes an error row
    assert any("没有匹配" in s.zh for s in exp.skipped)
    assert all(p.endswith((".txt", ".docx")) for p in paths)


# ----------------------------------------------------------------------------- regions

@pytest.mark.parametrize("agency, expected", [
    ("焦作市山阳区教育局", ["焦作市", "山阳区"]),
    ("山西省晋城市教育局", ["山西省", "晋城市"]),
    ("新疆维吾尔自治区教育厅", ["新疆维吾尔自治区"]),
    ("曲沃县教育科技局", ["曲沃县"]),
    ("市教育局", []),
    ("教育局", []),
    (None, []),
])
def test_places_in_agency_names(agency, expected):
    assert places(agency) == expected


def test_region_from_folder_else_name():
    assert region_of(Input("x/河南/a.txt", "河南"), "焦作市教育局") == "河南"
    assert region_of(Input("a.txt", None), "焦作市山阳区教育局") == "焦作市"
    assert region_of(Input("x/河南/a.txt", "河南"), "焦作市教育局", "name") == "焦作市"
    assert region_of(Input("a.txt", None), "教育局", "folder") == "（未知地区）"


# ----------------------------------------------------------------------------- running

def _by_name(batch):
    return {Path(r.path).name: r for r in batch.rows}


def test_mixed_folder_in_parallel(mixed):
    root, files = mixed
    b = run_batch([root], recursive=True, jobs=2)
    c = b.counts()
    assert (c["audited"], c["failed"], c["duplicates"], c["skipped"], c["unique"]) == (6, 2, 1, 1, 5)

    errors = {Path(e.path).name: e for e in b.errors}
    assert set(errors) == {"损坏.docx", "空白.txt"}
    assert "zip" in errors["损坏.docx"].message and errors["损坏.docx"].error.kind == "ReportError"
    assert "为空" in errors["空白.txt"].message
    assert all(e.error.path == e.path for e in b.errors)

    rows = _by_name(b)
    gb = rows["焦作市教育局-2024.txt"]
    assert gb.agency == "焦作市教育局" and gb.year == 2024 and gb.region == "河南"
    # the GB18030 file is audited exactly like its UTF-8 original
    original = audit_dict(audit_path(REPORTS / "河南" / "焦作市教育局-2024.txt"))
    assert gb.score == original["score"]

    dup = rows["焦作市山阳区教育局-2024（副本）.txt"]
    first = rows["焦作市山阳区教育局-2024.txt"]
    assert dup.duplicate_of == first.path and first.duplicate_of is None
    assert dup.sha256 == first.sha256 and dup.statuses == first.statuses

    # aggregates count each distinct report once
    assert all(cov.reports == 5 for cov in b.coverage())
    assert sum(s.reports for s in b.regions()) == 5
    assert {s.region: s.reports for s in b.regions()} == {"山西": 2, "新疆": 1, "河南": 2}


def test_rows_match_single_audits(mixed):
    root, files = mixed
    cl = load_checklist("default")
    b = run_batch([root], recursive=True, jobs=2)
    ids = [it.id for it in cl.items]
    for r in b.rows:
        d = audit_dict(audit_path(r.path, cl))
        assert r.score == d["score"] and r.agency == d["report"]["agency"]
        assert r.statuses == "".join(
            {"done": "d", "planned": "p", "shortfall": "s", "absent": "a"}[it["status"]]
            for it in sorted(d["items"], key=lambda it: ids.index(it["id"])))
        weights = {it["id"]: it["weight"] for it in d["items"]}
        heaviest = max(weights[g] for g in d["gaps"])
        assert r.gaps and weights[r.gaps[0]] == heaviest
        assert all(g in d["gaps"] for g in r.gaps) and len(r.gaps) == min(3, len(d["gaps"]))
        assert r.done == r.statuses.count("d") == len(d["items"]) - len(d["gaps"])


def test_in_process_and_parallel_agree(mixed):
    root, _ = mixed
    one = run_batch([root], recursive=True, jobs=1)
    two = run_batch([root], recursive=True, jobs=2)
    def key(b):
        return sorted((r.path, r.score, r.statuses, r.gaps, r.duplicate_of, r.region) for r in b.rows)

    assert key(one) == key(two)
    assert sorted(e.path for e in one.errors) == sorted(e.path for e in two.errors)
    assert [r.path for _, r in one.ranking()] == [r.path for _, r in two.ranking()]


def test_ranking_and_coverage_order(mixed):
    root, _ = mixed
    b = run_batch([root], recursive=True, jobs=2)
    ranking = b.ranking()
    scores = [r.score for _, r in ranking]
    assert scores == sorted(scores, reverse=True)
    for (ra, a), (rb, bb) in zip(ranking, ranking[1:]):
        assert (ra == rb) == (a.score == bb.score)     # ties share a rank
    done = [c.share("done") for c in b.coverage()]
    assert done == sorted(done)                         # most neglected first
    structure = b.structure()
    assert [c.item.group for c in structure] == ["structure"] * 4
    assert all(sum(c.counts.values()) == 5 for c in structure)


def test_aggregates_without_rows_match(mixed):
    root, _ = mixed
    full = run_batch([root], recursive=True, jobs=1)
    lean = run_batch([root], recursive=True, jobs=1, keep_rows=False)
    assert lean.rows == [] and len(full.rows) == 6
    assert [c.to_dict() for c in lean.coverage()] == [c.to_dict() for c in full.coverage()]
    assert [s.to_dict() for s in lean.regions()] == [s.to_dict() for s in full.regions()]
    strip = lambda c: {k: v for k, v in c.items() if k not in ("elapsed_s", "reports_per_s")}  # noqa: E731
    assert strip(lean.counts()) == strip(full.counts())
    assert lean.count_below(60) == sum(1 for r in full.rows if r.score < 60) > 0
    # the regions' figures are those of their rows
    for s in full.regions():
        rows = [r for r in full.rows if r.region == s.region and not r.duplicate_of]
        assert s.reports == len(rows) and s.min == min(r.score for r in rows)
        assert abs(s.mean - sum(r.score for r in rows) / len(rows)) < 1e-9
    with pytest.raises(RuntimeError):
        lean.ranking()


def _numbered(tmp_path: Path, n: int) -> list[Input]:
    """n distinct reports (a numbered line appended to a bundled one)."""
    text = (REPORTS / "山西" / "晋城市教育局-2023.txt").read_text(encoding="utf-8")
    out = []
    for i in range(n):
        p = tmp_path / f"r{i:03d}.txt"
        p.write_text(text + f"\n附：第{i}号\n", encoding="utf-8")
        out.append(Input(str(p)))
    return out


@pytest.mark.parametrize("jobs", [1, 2])
def test_results_stream_before_the_inputs_run_out(tmp_path, jobs):
    inputs = _numbered(tmp_path, 40)
    consumed = []

    def feed():
        for inp in inputs:
            consumed.append(inp)
            yield inp

    cl = load_checklist("default")
    gen = iter_outcomes(feed(), cl, jobs=jobs)
    first = next(gen)
    assert first.ok
    assert len(consumed) < 20, "the first result waited for the whole input list"
    rest = list(gen)
    assert len(rest) == 39 and len(consumed) == 40


def _dies_on_crash_file(path, *args):
    """A worker function that kills its process on one file, as a parser crash would."""
    if path.endswith("crash.txt"):
        os._exit(3)
    return _REAL_AUDIT_ONE(path, *args)


_REAL_AUDIT_ONE = batch_mod._audit_one


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="relies on fork to patch the worker")
def test_a_dying_worker_takes_only_its_file(tmp_path, monkeypatch):
    inputs = _numbered(tmp_path, 6)
    crash = tmp_path / "crash.txt"
    shutil.copyfile(inputs[0].path, crash)
    crash.write_text(crash.read_text(encoding="utf-8") + "\n崩溃\n", encoding="utf-8")
    inputs.insert(3, Input(str(crash)))
    monkeypatch.setattr(batch_mod, "_audit_one", _dies_on_crash_file)
    outs = list(iter_outcomes(inputs, load_checklist("default"), jobs=2))
    assert len(outs) == 7
    failed = [o for o in outs if not o.ok]
    assert [o.row.path for o in failed] == [str(crash)]
    assert failed[0].row.error.kind == "WorkerCrash"
    assert json.loads(failed[0].line)["schema"] == "dutycheck.error/1"


def test_unexpected_exception_becomes_an_error_row(tmp_path, monkeypatch):
    inputs = _numbered(tmp_path, 3)

    def boom(source, checklist, **kwargs):
        if source.path.endswith("r001.txt"):
            raise RuntimeError("解析器内部错误")
        return real(source, checklist, **kwargs)

    import dutycheck.audit as audit_mod

    real = audit_mod.audit_source
    monkeypatch.setattr(audit_mod, "audit_source", boom)
    outs = list(iter_outcomes(inputs, load_checklist("default"), jobs=1))
    bad = [o.row for o in outs if not o.ok]
    assert len(outs) == 3 and len(bad) == 1
    assert bad[0].path.endswith("r001.txt") and bad[0].error.kind == "RuntimeError"
    assert "解析器内部错误" in bad[0].message


def test_cache_lookup_replaces_the_audit(tmp_path):
    inputs = _numbered(tmp_path, 2)
    cl = load_checklist("default")
    stored = audit_dict(audit_path(inputs[0].path, cl))
    stored["score"] = 12.5                      # a marker: proves the stored line was used
    calls = []

    def lookup(sha):
        calls.append(sha)
        if sha != stored["sha256"]:
            return None
        return json.dumps(dict(stored, path="elsewhere.txt"), ensure_ascii=False)

    outs = {Path(o.row.path).name: o for o in iter_outcomes(inputs, cl, jobs=1, lookup=lookup)}
    hit, miss = outs["r000.txt"], outs["r001.txt"]
    assert hit.row.cached and hit.row.score == 12.5 and json.loads(hit.line)["path"] == inputs[0].path
    assert not miss.row.cached and miss.row.score != 12.5
    assert len(calls) == 2


def test_summary_fields_pads_unknown_items():
    def item(item_id, status):
        return {"id": item_id, "title": item_id, "group": "g", "weight": 1.0, "status": status,
                "confidence": 1.0, "evidence": []}

    rec = AuditRecord.from_dict({"path": "a.txt", "sha256": "0" * 64, "score": 50.0,
                                 "report": {"agency": "某县教育局", "year": 2024, "format": "txt"},
                                 "items": [item("b", "planned"), item("zzz", "done")]})
    ids = ("a", "b", "c")
    fields = summary_fields(rec, {i: n for n, i in enumerate(ids)}, (1.0, 3.0, 2.0), ids)
    assert fields == ("某县教育局", 2024, 50.0, 0, 3, "apa", ("b", "c", "a"), "txt")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_that_hangs_becomes_a_timeout_row_and_the_rest_complete(tmp_path, monkeypatch, jobs):
    import time

    import dutycheck.audit as audit_mod

    real = audit_mod.audit_source

    def hangs_on_one(source, checklist="default", **kw):
        if Path(source.path).name == "hang.txt":
            time.sleep(30)          # a parser stuck on a damaged file
        return real(source, checklist, **kw)

    bundled = sorted((Path(__file__).parent.parent / "reports").rglob("*.txt"))
    for p in bundled[:2]:
        shutil.copy(p, tmp_path / p.name)
    shutil.copy(bundled[2], tmp_path / "hang.txt")
    monkeypatch.setattr(audit_mod, "audit_source", hangs_on_one)
    start = time.perf_counter()
    b = run_batch([tmp_path], jobs=jobs, timeout=0.5)
    assert time.perf_counter() - start < 20
    assert [Path(e.path).name for e in b.errors] == ["hang.txt"]
    assert b.errors[0].error.kind == "Timeout" and "超时" in b.errors[0].error.zh
    assert len(b.rows) == 2


def test_what_a_ranking_batch_keeps_per_report_is_small():
    """`batch -f csv/json/table` keeps a row and the copy check's entry per report until the end:
    a few hundred bytes beside the path, not the fingerprints as hex strings (~70 bytes each)."""
    import hashlib
    import tracemalloc

    from dutycheck.batch import Batch, Extras, Outcome, ReportRow

    cl = load_checklist("default")
    statuses = "d" * len(cl.items)

    def outcome(n: int) -> Outcome:      # every string built afresh, as unpickled from a worker
        fps = " ".join(hashlib.blake2b(f"{n}-{k}".encode(), digest_size=6).hexdigest() for k in range(40))
        formal = ({"code": "missing_part", "item": "structure.next-year-plan", "text": "下一年度安排"},
                  {"code": "no_title"})
        row = ReportRow(f"河南/第{n}县教育局-2023.txt", hashlib.sha256(b"%d" % n).hexdigest(), f"第{n}县教育局", 2023,
                        "河南", 80.0 + n % 7, 30, 36, statuses[:-1] + "ad"[n % 2], ("a", "b"), "txt")
        return Outcome(row, "{}", Extras(f"2024-01-{n % 28 + 1:02d}", fps, tuple(dict(f) for f in formal)))

    batch = Batch(cl)
    for n in range(500):
        batch.add(outcome(n))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for n in range(500, 2500):
            batch.add(outcome(n))
        per_report = (tracemalloc.get_traced_memory()[0] - before) / 2000
    finally:
        tracemalloc.stop()
    assert per_report < 1500, per_report          # 4,060 bytes with the fingerprints as hex strings
