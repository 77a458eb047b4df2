"""The batch's worker processes: forked once, each fed its tasks through one pipe and answering
through another, all driven from the batch process's one thread.

concurrent.futures.ProcessPoolExecutor did this before. Its handoff runs through three threads
of the batch process (a feeder pickling each call, a manager unpickling each answer, the caller
waiting on futures): ~0.5 ms of CPU per report there, a tenth of what a report costs in all.
Here the batch process writes each task to a worker's pipe without blocking, reads the answers
as `select` finds them, and knows which task a worker that died was working on. Where workers
are not forked (Windows, macOS: they start afresh), `SpawnedWorkers` gives the same interface
over the executor.

A task is marshalled (a 4-byte length, then the message). An answer is a marshalled object and
a run of raw bytes (the JSON line as UTF-8, which the jsonl and spool outputs write as they
are): two 4-byte lengths, then both. Marshal, not pickle: loading what a worker that read
hostile files wrote runs no code.
"""

from __future__ import annotations

import marshal
import os
import select
import signal
import struct
import time
from collections import deque
from collections.abc import Callable
from typing import Any

_TASK = struct.Struct("<I")          # a task: its length
_ANSWER = struct.Struct("<II")       # an answer: the marshalled object's length, the raw bytes' length

DEPTH = 2
"""Tasks a worker holds at once: the one it works on and the next, already in its pipe, so that
it never waits for the batch process between two files."""

_OURS: set[int] = set()
"""The batch process's ends of every live worker's pipes: a worker forked later closes them, or
a worker's death would not show as the end of its pipe while another process held a copy."""


class Worker:
    """One worker process, its two pipes, and the tasks it was given and has not answered
    (oldest first: the first is the one it works on)."""

    def __init__(self, pid: int, send: int, recv: int) -> None:
        self.pid = pid
        self.send = send            # tasks go in here (non-blocking)
        self.recv = recv            # answers come out here
        self.tasks: deque[tuple[Any, Any]] = deque()     # (key, task)
        self.unsent = bytearray()   # what the pipe did not take yet
        self.received = bytearray()


class Workers:
    """`count` forked processes, each running `start(*start_args)` once and then `handle(task) ->
    (object, bytes)` for every task it is sent. `submit(key, task)` hands a task to the least busy worker;
    `wait()` returns the answers that have come in, as (key, (object, bytes)), and (key, None) for
    the task a worker died on (its other tasks go to the other workers, and a new worker takes its
    place). Tasks and answers must be marshallable."""

    def __init__(self, count: int, start: Callable[..., None], start_args: tuple,
                 handle: Callable[[Any], tuple[Any, bytes]]) -> None:
        self._start = start
        self._start_args = start_args
        self._handle = handle
        self.workers: list[Worker] = []
        try:
            for _ in range(count):
                self.workers.append(self._fork())
        except BaseException:               # no more processes: the ones started stop again
            self.terminate()
            raise

    @property
    def busy(self) -> int:
        """Tasks given and not answered."""
        return sum(len(w.tasks) for w in self.workers)

    @property
    def capacity(self) -> int:
        return DEPTH * len(self.workers)

    def pids(self) -> list[int]:
        return [w.pid for w in self.workers]

    def _fork(self) -> Worker:
        task_r, task_w = os.pipe()
        answer_r, answer_w = os.pipe()
        pid = os.fork()
        if pid == 0:                                    # the worker
            code = 1
            try:
                for fd in (task_w, answer_r, *_OURS):
                    os.close(fd)
                _OURS.clear()
                self._start(*self._start_args)
                _serve(task_r, answer_w, self._handle)
                code = 0
            except Exception:  # noqa: BLE001 — said on stderr; the batch process sees the pipe end
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        os.close(task_r)
        os.close(answer_w)
        os.set_blocking(task_w, False)
        _OURS.update((task_w, answer_r))
        return Worker(pid, task_w, answer_r)

    def submit(self, key: Any, task: Any) -> None:
        worker = min(self.workers, key=lambda w: len(w.tasks))
        payload = marshal.dumps(task)
        worker.tasks.append((key, task))
        worker.unsent += _TASK.pack(len(payload))
        worker.unsent += payload
        self._send(worker)

    def _send(self, worker: Worker) -> None:
        try:
            sent = os.write(worker.send, worker.unsent)
        except BlockingIOError:
            return
        except BrokenPipeError:                         # the worker is gone: its pipe's end says so
            worker.unsent.clear()
            return
        del worker.unsent[:sent]

    def wait(self) -> list[tuple[Any, tuple[Any, bytes] | None]]:
        """Block until at least one answer (or death) is known; return them all."""
        readers = {w.recv: w for w in self.workers}
        writers = {w.send: w for w in self.workers if w.unsent}
        ready_r, ready_w, _ = select.select(list(readers), list(writers), [])
        for fd in ready_w:
            self._send(writers[fd])
        found: list[tuple[Any, tuple[Any, bytes] | None]] = []
        for fd in ready_r:
            worker = readers[fd]
            chunk = os.read(fd, 1 << 20)
            if chunk:
                worker.received += chunk
                found += self._answers(worker)
            else:
                found += self._died(worker)
        return found

    def _answers(self, worker: Worker) -> list[tuple[Any, tuple[Any, bytes]]]:
        out = []
        buf = worker.received
        while len(buf) >= _ANSWER.size:
            size, raw = _ANSWER.unpack_from(buf)
            end = _ANSWER.size + size + raw
            if len(buf) < end:
                break
            obj = marshal.loads(memoryview(buf)[_ANSWER.size:_ANSWER.size + size])
            data = bytes(memoryview(buf)[_ANSWER.size + size:end])
            del buf[:end]
            key, _ = worker.tasks.popleft()
            out.append((key, (obj, data)))
        return out

    def _died(self, worker: Worker) -> list[tuple[Any, None]]:
        """A worker's pipe ended: it died (a parser crash, the memory cap, the PDF watchdog). The
        task it worked on is answered None; the others go to the workers that stand."""
        self._reap(worker)
        self.workers.remove(worker)
        self.workers.append(self._fork())
        if not worker.tasks:
            return []
        key, _ = worker.tasks.popleft()
        for k, task in worker.tasks:
            self.submit(k, task)
        return [(key, None)]

    def _reap(self, worker: Worker) -> None:
        for fd in (worker.send, worker.recv):
            _OURS.discard(fd)
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.waitpid(worker.pid, 0)
        except ChildProcessError:
            pass

    def close(self) -> None:
        """After the last answer: the workers see their pipes end and leave; wait for them."""
        for worker in self.workers:
            self._reap(worker)
        self.workers = []

    def terminate(self, grace: float = 2.0) -> None:
        """Stop every worker now and wait for it to go (at most `grace` seconds in all, then
        SIGKILL), so no worker is still reading a report when the batch has said it stopped."""
        for worker in self.workers:
            try:
                os.kill(worker.pid, signal.SIGTERM)
            except OSError:
                pass
        end = time.monotonic() + grace
        for worker in self.workers:
            while time.monotonic() < end:
                try:
                    if os.waitpid(worker.pid, os.WNOHANG)[0]:
                        break
                except ChildProcessError:
                    break
                time.sleep(0.02)
            else:
                try:
                    os.kill(worker.pid, signal.SIGKILL)
                except OSError:
                    pass
        self.close()


def _serve(tasks: int, answers: int, handle: Callable[[Any], tuple[Any, bytes]]) -> None:
    """A worker's loop: read a task, answer it, until the batch process closes the pipe."""
    with os.fdopen(tasks, "rb") as inp, os.fdopen(answers, "wb") as out:
        while True:
            head = inp.read(_TASK.size)
            if len(head) < _TASK.size:
                return
            (size,) = _TASK.unpack(head)
            obj, data = handle(marshal.loads(inp.read(size)))
            meta = marshal.dumps(obj)
            out.write(_ANSWER.pack(len(meta), len(data)))
            out.write(meta)
            out.write(data)
            out.flush()


class SpawnedWorkers:
    """`Workers`' interface over concurrent.futures.ProcessPoolExecutor, for systems whose workers
    are started afresh rather than forked (`context`: the multiprocessing context, the system's
    default unless given). A worker's death breaks the whole executor, so every task in flight
    is answered None (the caller retries each alone) and a new executor takes over."""

    def __init__(self, count: int, start: Callable[..., None], start_args: tuple,
                 handle: Callable[[Any], tuple[Any, bytes]], context: Any = None) -> None:
        self._count = count
        self._start = start
        self._start_args = start_args
        self._handle = handle
        self._context = context
        self._futures: dict[Any, Any] = {}      # future → key
        self._pool = self._new()

    def _new(self) -> Any:
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(max_workers=self._count, mp_context=self._context, initializer=self._start,
                                   initargs=self._start_args)

    @property
    def busy(self) -> int:
        return len(self._futures)

    @property
    def capacity(self) -> int:
        return DEPTH * self._count

    def pids(self) -> list[int]:
        return list(getattr(self._pool, "_processes", None) or {})

    def submit(self, key: Any, task: Any) -> None:
        self._futures[self._pool.submit(self._handle, task)] = key

    def wait(self) -> list[tuple[Any, tuple[Any, bytes] | None]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        done, _ = wait(list(self._futures), return_when=FIRST_COMPLETED)
        found: list[tuple[Any, tuple[Any, bytes] | None]] = []
        broken = False
        for fut in done:
            key = self._futures.pop(fut)
            try:
                found.append((key, fut.result()))
            except BrokenProcessPool:
                broken = True
                found.append((key, None))
        if broken:              # every task in flight went with the executor
            found += [(key, None) for key in self._futures.values()]
            self._futures.clear()
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new()
        return found

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def terminate(self, grace: float = 2.0) -> None:
        """Stop every worker and wait for it to go (at most `grace` seconds in all, then SIGKILL)."""
        procs = list((getattr(self._pool, "_processes", None) or {}).values())
        for proc in procs:
            try:
                proc.terminate()
            except (OSError, ValueError, AttributeError):
                pass
        end = time.monotonic() + grace
        for proc in procs:
            try:
                proc.join(max(0.0, end - time.monotonic()))
                if proc.is_alive():
                    proc.kill()
                    proc.join(1.0)
            except (OSError, ValueError, AttributeError, AssertionError):
                pass
        self._pool.shutdown(wait=False, cancel_futures=True)
