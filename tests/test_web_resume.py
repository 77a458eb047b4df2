"""Killing `dutycheck serve` in the middle of an audit loses no finished result and no
correction; started again, the task carries on with the files not yet done."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from dutycheck.store import Store
from dutycheck.web import tasks as T

ROOT = Path(__file__).resolve().parent.parent
JIAOZUO = ROOT / "reports" / "河南" / "焦作市教育局-2024.txt"
COUNTIES = ["修武县", "博爱县", "武陟县", "温县", "沁阳市", "孟州市", "解放区", "中站区", "马村区", "山阳区"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(db: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "dutycheck", "serve", "--db", str(db), "--port", str(port),
                             "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    end = time.time() + 60
    while time.time() < end:
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=2)
            return proc
        except requests.ConnectionError:
            if proc.poll() is not None:
                raise AssertionError(proc.stdout.read() if proc.stdout else "serve exited")
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("serve did not start")


def _progress(s: requests.Session, base: str, task: int) -> dict:
    return s.get(f"{base}tasks/{task}/progress", timeout=10).json()


def test_kill_mid_audit_then_resume(tmp_path):
    db, port = tmp_path / "store.sqlite", _free_port()
    base = f"http://127.0.0.1:{port}/"
    text = JIAOZUO.read_text(encoding="utf-8")
    files = [(f"{c}教育局-2024-{n}.txt", (text.replace("焦作市教育局", f"焦作市{c}教育局") + f"\n（{n}）").encode("utf-8"))
             for n in range(4) for c in COUNTIES]
    proc = _start(db, port)
    try:
        s = requests.Session()
        token = re.search(r'data-csrf="([^"]+)"', s.get(base, timeout=10).text).group(1)
        r = s.post(base + "tasks", data={"csrf_token": token, "region": "焦作市", "year": "2024"},
                   allow_redirects=False, timeout=10)
        task = int(r.headers["Location"].rstrip("/").split("/")[-1])
        r = s.post(f"{base}tasks/{task}/upload", files=[("files", f) for f in files[:1]],
                   data={"csrf_token": token}, headers={"Accept": "application/json"}, timeout=30)
        while _progress(s, base, task)["auditing"]:
            time.sleep(0.1)
        # a correction of the first report, then the other 39 reports
        page = s.get(f"{base}tasks/{task}/reports/1", timeout=30).text
        action = re.search(r'action="([^"]+/items/legal-counsel\.retained)"', page).group(1)
        r = s.post(base.rstrip("/") + action, data={"csrf_token": token, "status": "absent", "version": "0",
                                                    "reviewer": "张三"}, timeout=30)
        assert r.status_code == 200
        s.post(f"{base}tasks/{task}/upload", files=[("files", f) for f in files[1:]],
               data={"csrf_token": token}, headers={"Accept": "application/json"}, timeout=60)
        end = time.time() + 120
        while _progress(s, base, task)["done"] < 4 and time.time() < end:
            time.sleep(0.02)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)

    with Store(db) as store:
        done = T.task_files(store, task, ["done"])
        queued = T.task_files(store, task, ["queued"])
        assert len(done) >= 4 and queued, (len(done), len(queued))
        for f in done:      # every finished file has its audit and its link in the task's run
            assert store.db.execute("SELECT 1 FROM audits WHERE id = ?", (f.audit_id,)).fetchone()
            assert store.db.execute("SELECT 1 FROM run_reports WHERE audit_id = ? AND path = ?",
                                    (f.audit_id, f.display)).fetchone()
        assert store.db.execute("SELECT item_id, status, reviewer FROM reviews").fetchall() == [
            ("legal-counsel.retained", "absent", "张三")]
        audited_before = store.db.execute("SELECT COUNT(*) FROM audits").fetchone()[0]

    proc = _start(db, port)
    try:
        s = requests.Session()
        end = time.time() + 180
        while _progress(s, base, task)["auditing"] and time.time() < end:
            time.sleep(0.2)
        p = _progress(s, base, task)
        assert (p["done"], p["queued"], p["failed"]) == (40, 0, 0)
    finally:
        proc.terminate()
        proc.wait(20)
    with Store(db) as store:
        assert store.db.execute("SELECT COUNT(*) FROM audits").fetchone()[0] == 40
        assert audited_before <= 40
        assert store.db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 1
