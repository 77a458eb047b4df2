"""The WSGI server (waitress) around the app: one for `dutycheck serve`, one in a thread for
tests, the benchmark and the screenshot script."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

THREADS = 8


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 0):
    """A waitress server bound to host:port (0: a free port; see `.effective_port`)."""
    from waitress import create_server

    return create_server(app, host=host, port=port, threads=THREADS, ident="dutycheck",
                         max_request_body_size=app.config["MAX_CONTENT_LENGTH"])


def url_of(server, host: str = "127.0.0.1") -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://{'[' + shown + ']' if ':' in shown else shown}:{server.effective_port}/"


@contextmanager
def running(app: Flask, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve the app in a background thread; yields its base URL; stops server and auditor.

    The thread runs waitress's loop in short turns so that it, not the caller, closes the
    sockets (waitress's objects are not safe to close from another thread)."""
    server = make_server(app, host, port)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, use_poll=True, count=1)
        server.task_dispatcher.shutdown()
        for channel in list(server._map.values()):
            channel.close()

    thread = threading.Thread(target=loop, name="dutycheck-web", daemon=True)
    thread.start()
    try:
        yield url_of(server, host)
    finally:
        app.extensions["dutycheck"]["auditor"].stop()
        stop.set()
        thread.join(10)
