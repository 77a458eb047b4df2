"""Hostile situations for batch mode and the store (issue 14): nothing lost, nothing hangs.

Each test failed before the fix; fixtures are built here (small copies of the bundled reports).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from dutycheck import store as store_mod
from dutycheck.cli import main
from dutycheck.store import Store

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "reports").rglob("*.txt"))


def run(*args):
    return CliRunner(env={"COLUMNS": "300"}).invoke(main, [str(a) for a in args])


def folder(tmp_path: Path, n: int = 3, name: str = "in") -> Path:
    d = tmp_path / name
    d.mkdir()
    for i, src in enumerate((REPORTS * (n // len(REPORTS) + 1))[:n]):
        text = src.read_text(encoding="utf-8")
        (d / f"{i:03d}-{src.name}").write_text(text + f"\n{i}\n", encoding="utf-8")   # distinct bytes
    return d


def runs(db: Path) -> int:
    with sqlite3.connect(db) as c:
        return c.execute("SELECT COUNT(*) FROM runs").fetchone()[0]


# ---------------------------------------------------------------- outputs that would destroy data

def test_out_naming_the_store_is_refused_and_the_store_kept(tmp_path):
    d = folder(tmp_path)
    db = tmp_path / "r.sqlite"
    assert run("batch", d, "--db", db, "-j", "1", "-f", "jsonl", "-o", tmp_path / "a.jsonl").exit_code == 0
    before = db.read_bytes()
    r = run("batch", d, "--db", db, "-j", "1", "-f", "json", "--out", db)
    assert r.exit_code == 2
    assert "--out 与 --db 是同一个文件" in r.output
    assert db.read_bytes() == before and runs(db) == 1


@pytest.mark.parametrize("fmt", ["jsonl", "html", "csv"])
def test_out_naming_an_input_report_is_refused_before_it_is_read(tmp_path, fmt):
    d = folder(tmp_path)
    victim = sorted(d.iterdir())[0]
    before = victim.read_bytes()
    r = run("batch", d, "-j", "1", "-f", fmt, "--out", victim)
    assert r.exit_code == 2 and "待审查的报告" in r.output
    assert victim.read_bytes() == before
    link = tmp_path / "link.txt"             # the same file through another name
    link.symlink_to(victim)
    assert run("batch", d, "-j", "1", "-f", fmt, "--out", link).exit_code == 2
    assert victim.read_bytes() == before


@pytest.mark.parametrize("fmt", ["html", "json", "csv", "table", "xlsx"])
def test_an_output_that_cannot_be_written_stops_the_batch_before_any_audit(tmp_path, fmt):
    d = folder(tmp_path)
    db = tmp_path / "r.sqlite"
    for out in (tmp_path / "missing" / "out.x", tmp_path):      # no such folder; a folder
        r = run("batch", d, "-j", "1", "-f", fmt, "--out", out, "--db", db)
        assert r.exit_code == 2, r.output
        assert any(w in r.output for w in ("未开始审查", "不存在", "文件夹", "is a directory")), r.output
        assert isinstance(r.exception, SystemExit)      # a message, not a traceback
        assert not db.exists()               # nothing was audited, no run recorded


# ---------------------------------------------------------------- signals, workers, commits

def batch_process(args: list, tmp_path: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "dutycheck", "batch", *map(str, args)], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_lines(proc: subprocess.Popen, n: int, timeout: float = 60) -> list[str]:
    lines, end = [], time.time() + timeout
    while len(lines) < n and time.time() < end:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.decode())
    return lines


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_die_with_a_killed_parent(tmp_path):
    d = folder(tmp_path, 300)
    proc = batch_process([d, "-j", "2", "-f", "jsonl"], tmp_path)
    assert wait_lines(proc, 3)
    workers = children(proc.pid)
    assert workers
    proc.kill()                                       # kill -9: no handler runs in the parent
    proc.wait()
    end = time.time() + 5
    while any(alive(w) for w in workers) and time.time() < end:
        time.sleep(0.1)
    assert not any(alive(w) for w in workers)


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_and_ctrl_c_stop_cleanly_with_their_own_exit_code_and_the_store_keeps_the_work(
        tmp_path, sig, code):
    d = folder(tmp_path, 300)
    db = tmp_path / "r.sqlite"
    proc = batch_process([d, "-j", "2", "-f", "jsonl", "--db", db], tmp_path)
    seen = wait_lines(proc, 20)
    assert len(seen) == 20
    workers = children(proc.pid)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=90)
    assert proc.returncode == code, err.decode()
    assert "已中断" in err.decode() and "Traceback" not in err.decode()
    assert not any(alive(w) for w in workers)
    with sqlite3.connect(db) as c:
        stored = c.execute("SELECT COUNT(*) FROM run_reports").fetchone()[0]
    assert stored >= len(seen)                   # every line written out is in the store
    again = run("batch", d, "-j", "2", "-f", "json", "--db", db, "-o", tmp_path / "b.json")
    assert again.exit_code == 0
    assert json.loads((tmp_path / "b.json").read_text())["summary"]["cached"] >= len(seen)


def test_the_store_commits_every_two_seconds_not_every_500_files(tmp_path, monkeypatch):
    from dutycheck.batch import iter_outcomes
    from dutycheck.batch.inputs import Input
    from dutycheck.checklist.load import load_checklist

    cl = load_checklist("default")
    d = folder(tmp_path, 2)
    outcomes = list(iter_outcomes([Input(str(p)) for p in sorted(d.iterdir())], cl, jobs=1))
    clock = [1000.0]
    monkeypatch.setattr(store_mod.time, "monotonic", lambda: clock[0])
    s = Store(tmp_path / "r.sqlite")
    s.begin_run(cl, [str(d)])
    s.add(outcomes[0])
    clock[0] += store_mod.COMMIT_EVERY + 0.1
    s.add(outcomes[1])
    with sqlite3.connect(tmp_path / "r.sqlite") as other:      # what a kill -9 now would leave
        assert other.execute("SELECT COUNT(*) FROM run_reports").fetchone()[0] == 2
    s.close()


# ---------------------------------------------------------------- locks and damage

def hold_write_lock(db: Path) -> sqlite3.Connection:
    other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_long_write_lock_ends_in_a_clear_message_naming_the_store(tmp_path, monkeypatch):
    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT", 0.1)
    monkeypatch.setattr(store_mod, "LOCK_RETRIES", 2)
    d = folder(tmp_path)
    db = tmp_path / "r.sqlite"
    Store(db).close()
    other = hold_write_lock(db)
    try:
        r = run("batch", d, "-j", "1", "-f", "jsonl", "--db", db, "-o", tmp_path / "o.jsonl")
    finally:
        other.rollback()
        other.close()
    assert r.exit_code == 2, r.output
    assert f"{db}: 数据库被另一个进程锁定" in r.output
    assert not isinstance(r.exception, sqlite3.OperationalError)


def test_a_lock_released_while_waiting_is_retried(tmp_path, monkeypatch):
    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT", 0.2)
    d = folder(tmp_path)
    db = tmp_path / "r.sqlite"
    Store(db).close()
    other = hold_write_lock(db)
    threading.Timer(0.6, lambda: (other.rollback(), other.close())).start()
    r = run("batch", d, "-j", "1", "-f", "jsonl", "--db", db, "-o", tmp_path / "o.jsonl")
    assert r.exit_code == 0, r.output
    assert runs(db) == 1


def test_a_damaged_store_gives_a_message_naming_the_file(tmp_path):
    d = folder(tmp_path, 6)
    db = tmp_path / "r.sqlite"
    assert run("batch", d, "-j", "1", "-f", "jsonl", "--db", db, "-o", tmp_path / "o.jsonl").exit_code == 0
    with sqlite3.connect(db) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db.read_bytes())
    page = 4096
    for off in range(2 * page, len(data), page):            # every page but the first two
        data[off:off + 64] = b"\xff" * 64
    db.write_bytes(bytes(data))
    for args in (("history", "晋城市教育局", "--db", db), ("compare", "1", "1", "--db", db),
                 ("batch", d, "-j", "1", "-f", "jsonl", "--db", db, "-o", tmp_path / "p.jsonl")):
        r = run(*args)
        assert r.exit_code == 2, (args, r.output, r.exception)
        assert f"{db}:" in r.output and "损坏" in r.output, r.output
        assert r.exception is None or isinstance(r.exception, SystemExit)


# ---------------------------------------------------------------- names

GBK_NAME = "法治报告.txt".encode("gbk")        # what a Chinese Windows zip unpacks to on Linux


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv", "xlsx", "html", "table"])
def test_a_gbk_file_name_is_shown_decoded_in_every_output(tmp_path, fmt):
    d = folder(tmp_path, 2)
    os.rename(sorted(d.iterdir())[0], os.path.join(os.fsencode(d), GBK_NAME))
    db = tmp_path / "r.sqlite"
    out = tmp_path / f"o.{fmt}"
    r = run("batch", d, "-j", "1", "-f", fmt, "-o", out, "--db", db)
    assert r.exit_code == 0, (r.output, r.exception)
    if fmt == "table":
        text = out.read_text(encoding="utf-8")     # the ranking names agencies; the file must not crash it
        assert "已审查 2 份" in text
        return
    if fmt == "xlsx":
        import openpyxl

        text = " ".join(str(c.value) for ws in openpyxl.load_workbook(out) for row in ws.iter_rows()
                        for c in row if c.value is not None)
    else:
        text = out.read_text(encoding="utf-8-sig")
    assert "法治报告.txt" in text
    with sqlite3.connect(db) as c:
        assert any("法治报告.txt" in p for (p,) in c.execute("SELECT path FROM run_reports"))


def test_rich_markup_in_folder_names_and_titles_is_shown_literally(tmp_path):
    base = tmp_path / "in"
    base.mkdir()
    # "甲[" holding "]": the region is the folder path below PATH, "甲[/]" (a rich closing tag)
    for i, name in enumerate(["甲[/]", "[link=mailto:x@example.com]乙", "[bold]丙"]):
        sub = base / name
        sub.mkdir(parents=True)
        text = REPORTS[i].read_text(encoding="utf-8")
        (sub / "r.txt").write_text(text, encoding="utf-8")
    db = tmp_path / "r.sqlite"
    r = run("batch", base, "-r", "-j", "1", "--db", db)
    assert r.exit_code == 0, (r.output, r.exception)
    assert "甲[/]" in r.output and "[link=mailto:x@example.com]乙" in r.output and "[bold]丙" in r.output
    r2 = run("batch", base, "-r", "-j", "1", "--db", db)       # once stored, every later run too
    assert r2.exit_code == 0, (r2.output, r2.exception)
    with Store(db) as s:
        agency = s.db.execute("SELECT agency FROM audits WHERE agency IS NOT NULL LIMIT 1").fetchone()[0]
    h = run("history", agency, "--db", db)
    assert h.exit_code == 0, (h.output, h.exception)
    c = run("compare", "1", "2", "--db", db)
    assert c.exit_code == 0, (c.output, c.exception)
    assert "\x1b]8;" not in r.output + h.output + c.output     # no terminal hyperlink


# ---------------------------------------------------------------- hangs while expanding and hashing

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_and_a_link_to_dev_zero_become_error_rows_without_hanging(tmp_path):
    d = folder(tmp_path, 2)
    os.mkfifo(d / "pipe.txt")
    (d / "zero.txt").symlink_to("/dev/zero")
    t0 = time.perf_counter()
    r = run("batch", d, "-j", "2", "-f", "json", "-o", tmp_path / "o.json")
    assert time.perf_counter() - t0 < 30
    assert r.exit_code == 3, r.output
    errors = {Path(e["path"]).name: e for e in json.loads((tmp_path / "o.json").read_text())["errors"]}
    assert set(errors) == {"pipe.txt", "zero.txt"}
    assert all("不是普通文件" in e["error"]["zh"] for e in errors.values())
    a = run("audit", d / "pipe.txt")
    assert a.exit_code == 2 and "不是普通文件" in a.output


def test_a_glob_through_a_symlink_loop_ends(tmp_path):
    d = folder(tmp_path, 2)
    (d / "up").symlink_to("..")
    (d / "self").symlink_to(".")
    t0 = time.perf_counter()
    r = run("batch", str(d) + "/**/*.txt", "-r", "-j", "1", "-f", "json", "-o", tmp_path / "o.json")
    assert time.perf_counter() - t0 < 30
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "o.json").read_text())["summary"]["audited"] == 2


def test_an_unreadable_subfolder_is_listed_as_skipped(tmp_path, monkeypatch):
    d = folder(tmp_path, 2)
    locked = d / "锁住的"
    locked.mkdir()
    (locked / "r.txt").write_text(REPORTS[0].read_text(encoding="utf-8"), encoding="utf-8")
    locked.chmod(0)
    if os.access(locked, os.R_OK):                 # root reads anything: refuse as a user would see
        real = os.scandir

        def scandir(path="."):
            if os.fspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(locked))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        r = run("batch", d, "-r", "-j", "1", "-f", "json", "-o", tmp_path / "o.json")
    finally:
        locked.chmod(0o755)
    assert r.exit_code == 0, r.output
    skipped = json.loads((tmp_path / "o.json").read_text())["skipped"]
    assert any(s["path"].endswith("锁住的") and "无法读取文件夹" in s["zh"] for s in skipped), skipped
