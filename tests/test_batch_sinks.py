"""Batch as a library: run_batch hands every outcome to its sinks (a list, a jsonl stream, the
store), reports progress, and `exit_code` says what the CLI exits with."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest

from dutycheck.batch import (
    Batch,
    ErrorRow,
    JsonlSink,
    ListSink,
    Outcome,
    ReportRow,
    SpoolSink,
    StoreSink,
    exit_code,
    run_batch,
)
from dutycheck.batch import pool as pool_mod
from dutycheck.checklist.load import load_checklist
from dutycheck.errors import DutycheckError, ReportError
from dutycheck.schema import ErrorInfo

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def region(tmp_path: Path) -> Path:
    """Three bundled reports of two provinces and one Word file that is really a photo."""
    root = tmp_path / "region"
    for name in ("山西/晋城市教育局-2023.txt", "山西/曲沃县教育科技局-2021.txt", "河南/焦作市教育局-2024.txt"):
        dest = root / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "reports" / name, dest)
    (root / "河南" / "扫描件.docx").write_bytes(b"\xff\xd8\xff\xe0" + bytes(200))
    return root


def test_every_sink_sees_every_file_and_the_bad_one_as_an_error_row(region, tmp_path):
    listed = ListSink()
    db = tmp_path / "results.sqlite"
    batch = run_batch([region], recursive=True, jobs=1,
                      sinks=[StoreSink(db, [str(region)]), listed, JsonlSink(tmp_path / "audits.jsonl")])

    assert batch.counts()["audited"] == 3 and batch.counts()["failed"] == 1
    assert listed.opened and listed.closed is True
    bad = [o.row for o in listed.outcomes if not o.ok]
    assert len(listed.outcomes) == 4 and [Path(r.path).name for r in bad] == ["扫描件.docx"]

    lines = [json.loads(x) for x in (tmp_path / "audits.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(d["schema"] for d in lines) == ["dutycheck.audit/1"] * 3 + ["dutycheck.error/1"]

    with sqlite3.connect(db) as c:
        assert c.execute("SELECT COUNT(*) FROM run_reports").fetchone()[0] == 3
        assert c.execute("SELECT path FROM run_errors").fetchone()[0].endswith("扫描件.docx")
        assert c.execute("SELECT audited, failed, finished IS NOT NULL FROM runs").fetchone() == (3, 1, 1)
    assert batch.run_id == 1


def test_the_store_sink_serves_unchanged_files_without_auditing_them(region, tmp_path, monkeypatch):
    db = tmp_path / "results.sqlite"
    run_batch([region], recursive=True, jobs=1, sinks=[StoreSink(db)])

    def refuse(*args, **kwargs):
        raise AssertionError("audited a file the store holds")

    monkeypatch.setattr(pool_mod, "_audit_one", lambda path, *a, **k:
                        refuse() if not path.endswith(".docx") else ("error", ErrorInfo.of(ValueError(), path)))
    again = run_batch([region], recursive=True, jobs=1, sinks=[StoreSink(db)])
    assert again.counts()["cached"] == 3 and again.run_id == 2


def test_a_store_sink_adds_to_an_existing_run_and_leaves_a_given_store_open(region, tmp_path):
    # the workbench's way: a task is one run, its files come in several goes
    from dutycheck.store import Store

    store = Store(tmp_path / "results.sqlite")
    run_id = store.begin_run(load_checklist("default"))
    files = sorted(str(p) for p in region.rglob("*.txt"))
    for part in (files[:1], files[1:]):
        batch = run_batch(part, sinks=[StoreSink(store, run_id=run_id, corrections=False)], keep_rows=False)
        assert batch.run_id == run_id
    assert store.db.execute("SELECT COUNT(*) FROM run_reports WHERE run_id = ?", (run_id,)).fetchone()[0] == 3
    assert store.db.execute("SELECT COUNT(*), MAX(finished) FROM runs").fetchone() == (1, None)  # its owner finishes it
    store.close()


def test_progress_counts_up_once_the_workers_exist(region):
    seen: list[tuple[int, int]] = []
    run_batch([region], recursive=True, jobs=2, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]


def test_the_spool_sink_keeps_every_audit_for_the_exports(region):
    spool = SpoolSink()
    batch = run_batch([region], recursive=True, jobs=1, sinks=[spool])
    with spool.spool:
        recs = list(spool.spool.audits(r.path for _, r in batch.ranking()))
    assert [r.report.agency for r in recs][0] and len(recs) == 3


class _FailsOnSecond(ListSink):
    def __init__(self, exc: BaseException) -> None:
        super().__init__()
        self.exc = exc

    def add(self, outcome: Outcome) -> None:
        if self.outcomes:
            raise self.exc
        super().add(outcome)


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), ReportError("磁盘已满", "disk full", path="out.jsonl")])
def test_a_stop_closes_every_sink_with_what_had_finished(region, tmp_path, exc):
    db = tmp_path / "results.sqlite"
    kept = ListSink()
    with pytest.raises(type(exc)):
        run_batch([region], recursive=True, jobs=1,
                  sinks=[StoreSink(db), kept, _FailsOnSecond(exc), JsonlSink(tmp_path / "a.jsonl")])
    assert kept.closed is False and len(kept.outcomes) == 2
    assert len((tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    with sqlite3.connect(db) as c:         # committed although the run did not finish
        stored = c.execute("SELECT COUNT(*) FROM run_reports").fetchone()[0]
        stored += c.execute("SELECT COUNT(*) FROM run_errors").fetchone()[0]
        assert stored == 2
        assert c.execute("SELECT finished FROM runs").fetchone() == (None,)


# ----------------------------------------------------------------------------- exit codes

def _batch(scores: list[float], failures: int) -> Batch:
    b = Batch(load_checklist("default"), keep_rows=False)
    for n, score in enumerate(scores):
        b.add(Outcome(ReportRow(f"r{n}.txt", f"{n:064x}", "某局", 2024, "某地", score, 0, 1, "a", ()), ""))
    for n in range(failures):
        b.add(Outcome(ErrorRow(f"bad{n}.txt", None, ErrorInfo(f"bad{n}.txt", None, None, None, "文件为空",
                                                             "empty file", "ReportError")), ""))
    return b


@pytest.mark.parametrize("scores, failures, fail_under, stopped, code", [
    ([80.0, 70.0], 0, None, None, 0),                    # all audited
    ([80.0, 70.0], 0, 75, None, 1),                      # one report below --fail-under
    ([80.0, 70.0], 0, 60, None, 0),
    ([80.0], 1, None, None, 3),                          # some files failed
    ([50.0], 1, 75, None, 3),                            # failures outrank low scores
    ([], 2, None, None, 2),                              # nothing could be audited
    ([], 0, None, None, 2),
    ([80.0], 1, 90, signal.SIGINT, 130),                 # Ctrl-C outranks everything
    ([80.0], 0, None, signal.SIGTERM, 143),
])
def test_exit_code_of_a_batch(scores, failures, fail_under, stopped, code):
    assert exit_code(_batch(scores, failures), fail_under=fail_under, stopped=stopped) == code


def test_exit_code_of_a_run_stopped_before_its_batch_existed():
    assert exit_code(None, stopped=signal.SIGTERM) == 143     # the CLI's Ctrl-C while listing the inputs
    assert exit_code(None) == 2


def test_the_library_example_in_the_docs_runs(tmp_path, monkeypatch, region):
    import re

    import dutycheck.batch as batch_pkg

    example = re.search(r"Library use.*?::\n\n(.*?)\n\n", batch_pkg.__doc__, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").symlink_to(region)
    scope: dict = {}
    exec(compile("\n".join(line[4:] for line in example.splitlines()), "dutycheck/batch/__init__.py", "exec"),
         scope)
    assert scope["status"] == 3                       # the photo failed; the others are audited
    assert len((tmp_path / "audits.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    with sqlite3.connect(tmp_path / "results.sqlite") as c:
        assert c.execute("SELECT COUNT(*) FROM audits").fetchone()[0] == 3
    assert isinstance(scope["batch"], Batch)


def test_a_sink_error_is_typed_and_names_the_output(tmp_path, region):
    with pytest.raises(DutycheckError) as info:
        run_batch([region], recursive=True, jobs=1, sinks=[JsonlSink(tmp_path / "no-such-folder" / "a.jsonl")])
    assert "no-such-folder" in info.value.message() and "无法写入" in info.value.zh


# ----------------------------------------------------------------------------- read once

@pytest.mark.parametrize("jobs", [1, 2])
def test_each_file_is_read_once_and_hashed_once(region, tmp_path, monkeypatch, jobs):
    """The parent reads a file's bytes once (its hash is the store's cache key and the duplicate
    check); the audit gets those bytes instead of opening the file again."""
    import hashlib
    import os

    import dutycheck.read as read_mod

    opened: list[str] = []
    real_open = os.open

    def counting_open(path, flags, *args, **kwargs):
        if str(path).startswith(str(region)):
            opened.append(os.path.basename(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_open)         # forked workers inherit the patch
    monkeypatch.setattr(read_mod, "_read_bytes", lambda *a: pytest.fail("the reader opened the file again"))
    hashed: list[int] = []
    real_sha = hashlib.sha256

    def counting_sha(data=b""):
        hashed.append(len(data))
        return real_sha(data)

    monkeypatch.setattr(hashlib, "sha256", counting_sha)
    listed = ListSink()
    batch = run_batch([region], recursive=True, jobs=jobs, sinks=[listed])
    assert batch.counts()["audited"] == 3
    assert sorted(opened) == sorted(p.name for p in region.rglob("*.*"))      # once each
    sizes = sorted(p.stat().st_size for p in region.rglob("*.*"))
    if jobs == 1:                                          # the workers' hashes are not seen here
        assert sorted(n for n in hashed if n in sizes) == sizes
    assert {o.row.sha256 for o in listed.outcomes} == {real_sha(p.read_bytes()).hexdigest()
                                                        for p in region.rglob("*.*")}


# ----------------------------------------------------------------------------- worker extras

def test_what_a_worker_sends_beside_the_line_is_what_the_line_says(region):
    """The worker's Extras (copy-check fields, store rows) spare the parent parsing the line; they
    must say exactly what parsing the line would."""
    from dutycheck.batch import Extras, iter_outcomes
    from dutycheck.batch.inputs import Input
    from dutycheck.schema import AuditRecord
    from dutycheck.store import audit_rows

    inputs = [Input(str(p)) for p in sorted(region.rglob("*.txt"))]
    outs = list(iter_outcomes(inputs, load_checklist("default"), jobs=1, store_rows=True))
    assert len(outs) == 3
    for o in outs:
        parsed = AuditRecord.from_json(o.line)
        d = json.loads(o.line)
        assert o.extras is not None and o.extras.store is not None
        assert o.extras.store == audit_rows(parsed, o.line)
        assert o.extras == Extras(d["report"].get("date"), d.get("fingerprints"), tuple(d.get("formal") or ()),
                                  o.extras.store)


def test_the_readme_batch_example_runs(tmp_path, monkeypatch, region, capsys):
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "sinks=" in b)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").symlink_to(region)
    exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out.replace("\r", "\n").splitlines()
    assert out[0] == "0/4" and "4/4" in out
    assert out[-2].startswith("3 [") and "扫描件.docx" in out[-2]
    assert out[-1] == "3"                          # one file failed: EXIT_PARTIAL
    assert len((tmp_path / "audits.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    assert (tmp_path / "results.sqlite").is_file()


def test_a_full_disk_under_the_jsonl_stream_stops_the_run_with_a_message_naming_it(region, tmp_path):
    class FullDisk:
        name = str(tmp_path / "audits.jsonl")

        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

        def flush(self) -> None:
            pass

    db = tmp_path / "results.sqlite"
    with pytest.raises(DutycheckError) as info:
        run_batch([region], recursive=True, jobs=1, sinks=[StoreSink(db), JsonlSink(FullDisk())])
    assert info.value.path == str(tmp_path / "audits.jsonl") and "写入输出失败" in info.value.zh
    with sqlite3.connect(db) as c:          # the store kept the audit it had before the stream failed
        assert c.execute("SELECT COUNT(*) FROM run_reports").fetchone()[0] + \
            c.execute("SELECT COUNT(*) FROM run_errors").fetchone()[0] == 1
