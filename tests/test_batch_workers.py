"""The batch's worker processes (batch/workers.py): what crosses the pipes, a worker's death, and
the jsonl sink writing a worker's bytes as they came."""

from __future__ import annotations

import io
import os
import signal
import sys
from pathlib import Path

import pytest
from test_batch import REPORTS, make_mixed

from dutycheck.batch import Input, JsonlSink, expand_paths, iter_outcomes, run_batch
from dutycheck.batch.workers import DEPTH, Workers
from dutycheck.checklist.load import load_checklist

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the workers are forked")


class Deadlock(Exception):
    """Not an OSError: nothing in the pool may take it for a pipe's error."""


@pytest.fixture
def alarm():
    """A test that would hang on a deadlock of the pipes fails after a minute instead."""
    def timeout(signum, frame):
        raise Deadlock("the pipes deadlocked")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(params=["forked", "executor"])
def workers(request, monkeypatch) -> str:
    """Each test of a batch runs with both kinds of workers: forked and fed through pipes (Linux),
    and the executor other systems use (started by fork here, so that patches reach them)."""
    import multiprocessing

    from dutycheck.batch import pool as pool_mod

    if request.param == "executor":
        monkeypatch.setattr(pool_mod, "_FORKED_WORKERS", False)
        monkeypatch.setattr(pool_mod, "_SPAWN_CONTEXT", multiprocessing.get_context("fork"))
    return request.param


def _nothing() -> None:
    """A worker that needs no start."""


def _outcomes(inputs: list[Input], jobs: int, store_rows: bool = False) -> dict[str, tuple]:
    """Every outcome by path: its row, its line as text and as bytes, and its Extras."""
    cl = load_checklist("default")
    return {o.row.path: (o.row, o.line, o.utf8, o.extras)
            for o in iter_outcomes(inputs, cl, jobs=jobs, store_rows=store_rows)}


@pytest.mark.parametrize("store_rows", [False, True])
def test_the_workers_send_what_an_in_process_batch_gives(tmp_path, alarm, store_rows, workers):
    """The oracle of the transport: rows, lines (as text and as UTF-8 bytes), the copy check's
    Extras and the store's rows from three workers equal what jobs=1 gives, for every kind of
    file of a region's folder, errors included, and a report larger than a pipe holds."""
    make_mixed(tmp_path / "region")
    text = (REPORTS / "山西" / "晋城市教育局-2023.txt").read_text(encoding="utf-8")
    big = tmp_path / "region" / "山西" / "长篇-2023.txt"
    big.write_text(text + "\n".join(f"附件{i}：{text[:400]}" for i in range(300)), encoding="utf-8")
    assert big.stat().st_size > 4 * 2**16                  # more than four pipes hold (64 KB each)
    inputs = expand_paths([tmp_path / "region"], recursive=True).inputs
    alone = _outcomes(inputs, 1, store_rows)
    pooled = _outcomes(inputs, 3, store_rows)
    assert alone.keys() == pooled.keys() and len(alone) == len(inputs) == 9
    for path, (row, line, utf8, extras) in alone.items():
        assert pooled[path] == (row, line, utf8, extras), path
    assert sum(1 for row, *_ in alone.values() if not hasattr(row, "score")) == 2      # the errors too
    assert alone[str(big)][3].store is not None if store_rows else alone[str(big)][3].store is None


def _doubled(task: int) -> tuple[object, bytes]:
    if task == 3:
        os._exit(7)                                 # a parser crash
    return {"task": task, "pid": os.getpid()}, bytes([task % 256]) * task


def test_a_worker_that_dies_is_named_by_its_task_and_replaced(alarm):
    pool = Workers(2, _nothing, (), _doubled)
    first = set(pool.pids())
    answers: dict[int, object] = {}
    sent = 0
    while len(answers) < 10:
        while sent < 10 and pool.busy < pool.capacity:
            pool.submit(sent, sent)
            sent += 1
        for key, answer in pool.wait():
            answers[key] = answer
    assert answers[3] is None                       # the task the worker died on, and only that one
    for n in set(range(10)) - {3}:
        obj, data = answers[n]
        assert obj["task"] == n and data == bytes([n]) * n
    assert len(pool.pids()) == 2 and len(set(pool.pids()) - first) == 1   # a new worker took its place
    pids = pool.pids()
    pool.close()
    for pid in pids:                                # reaped: no zombie left
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def _echo(task: bytes) -> tuple[object, bytes]:
    return len(task), task[::-1]


def test_tasks_and_answers_larger_than_a_pipe_holds_do_not_deadlock(alarm):
    """Every worker is given DEPTH tasks of 3 MB while it writes 3 MB answers: the batch process
    never blocks on a full pipe (its writes wait for select)."""
    pool = Workers(2, _nothing, (), _echo)
    tasks = {n: os.urandom(3 * 2**20) for n in range(3 * DEPTH)}
    found = {}
    todo = list(tasks)
    while len(found) < len(tasks):
        while todo and pool.busy < pool.capacity:
            n = todo.pop()
            pool.submit(n, tasks[n])
        for key, answer in pool.wait():
            found[key] = answer
    pool.close()
    assert all(found[n] == (len(t), t[::-1]) for n, t in tasks.items())


def test_files_that_kill_their_worker_are_their_own_rows_and_no_worker_is_left(tmp_path, monkeypatch, alarm, workers):
    """Two files that kill their worker: each is its own WorkerCrash row, the others are audited,
    and after the run every worker that ran (the dead ones, their replacements, the careful
    retries) is gone and reaped."""
    from dutycheck.batch import pool as pool_mod

    real = pool_mod._audit_one
    pids = tmp_path / "pids"

    def dies_on_crash(path, *args):
        with open(pids, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        if "crash" in path:
            os._exit(3)
        return real(path, *args)

    text = (REPORTS / "山西" / "晋城市教育局-2023.txt").read_text(encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    for i in range(8):
        name = f"crash{i}.txt" if i in (2, 5) else f"r{i}.txt"
        (reports / name).write_text(text + f"\n附：第{i}号\n", encoding="utf-8")
    monkeypatch.setattr(pool_mod, "_audit_one", dies_on_crash)       # inherited by the forked workers
    b = run_batch([reports], jobs=2, keep_rows=True)
    assert sorted(Path(e.path).name for e in b.errors) == ["crash2.txt", "crash5.txt"]
    assert {e.error.kind for e in b.errors} == {"WorkerCrash"} and len(b.rows) == 6
    ran = {int(p) for p in pids.read_text().split()}
    assert len(ran) >= 2 + 2 + 2            # two workers, two replacements, two careful retries
    for pid in ran:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)     # reaped: no zombie


def test_the_jsonl_sink_writes_a_workers_bytes_as_the_text_it_stands_for(tmp_path, workers):
    """To a UTF-8 file the sink writes the worker's bytes, which the batch process never decodes;
    to a text stream without a UTF-8 buffer (a StringIO, a GBK console) it writes the text: the
    same line either way."""
    make_mixed(tmp_path / "region")
    to_file = tmp_path / "out.jsonl"
    outcomes: list = []
    run_batch([tmp_path / "region"], recursive=True, jobs=2, keep_rows=False, sinks=[JsonlSink(to_file)],
              on_outcome=outcomes.append)
    audited = [o for o in outcomes if o.ok]
    assert audited and all(o._line is None for o in audited)        # written without being decoded
    assert to_file.read_bytes() == "".join(o.line + "\n" for o in outcomes).encode("utf-8")

    as_text = io.StringIO()
    gbk = io.TextIOWrapper(io.BytesIO(), encoding="gbk", newline="")
    run_batch([tmp_path / "region"], recursive=True, jobs=2, keep_rows=False,
              sinks=[JsonlSink(to_file), JsonlSink(as_text), JsonlSink(gbk)])
    assert to_file.read_bytes() == as_text.getvalue().encode("utf-8")
    gbk.flush()
    assert gbk.buffer.getvalue().decode("gbk") == as_text.getvalue()
