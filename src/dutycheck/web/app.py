"""The workbench's Flask app. Routes are thin: parse the request, call tasks/views or the
library, render a template (autoescaped) or send a file the CLI's renderers wrote.

Safe by default: bound to loopback with the Host header checked (no DNS rebinding); any
other host needs a password; every POST carries the session's CSRF token; the pages allow
no inline script and nothing from another origin (Content-Security-Policy), so a report
text that slipped past escaping still could not run.
"""

from __future__ import annotations

import hmac
import io
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import (
    Flask,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)

from ..errors import DutycheckError
from ..models import REVIEW_STATUSES
from ..store import Store
from . import tasks as T
from . import views as V

LOOPBACK = ("127.0.0.1", "localhost", "::1")
CSRF_FIELD = "csrf_token"


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def _secret(folder: Path) -> bytes:
    """The session key, kept in the data folder (owner-only) so a restart keeps the sessions."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".session-key"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return key


def create_app(db_path: str | os.PathLike, *, password: str | None = None, host: str = "127.0.0.1",
               auditor: bool = True, jobs: int | None = None) -> Flask:
    """The app over this store. `auditor=False` leaves the queue to the caller (tests, bench)."""
    db_path = str(Path(db_path).resolve())
    if not is_loopback(host) and not password:
        raise T.TaskError("监听非本机地址时必须设置 --password", "--host other than loopback needs --password")
    T.open_store(db_path).close()            # create the tables (and fail early on a bad file)
    files = T.uploads_dir(db_path)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret(files),
        MAX_CONTENT_LENGTH=T.MAX_REQUEST,
        MAX_FORM_PARTS=T.MAX_FILES + 20,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_NAME="dutycheck_session",
        JSON_AS_ASCII=False,
        TRUSTED_HOSTS=[h if ":" not in h else f"[{h}]" for h in LOOPBACK] if is_loopback(host) else None,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["dutycheck"] = {"db": db_path, "files": files, "password": password,
                                   "local_paths": is_loopback(host), "jobs": jobs}
    worker = T.Auditor(db_path, jobs=jobs)
    app.extensions["dutycheck"]["auditor"] = worker
    if auditor:
        worker.start()
    _routes(app)
    _filters(app)
    return app


# ----------------------------------------------------------------------------- per request

_local = threading.local()


def store() -> Store:
    """One store connection per server thread (waitress keeps a fixed pool of threads)."""
    db = g_conf()["db"]
    cached = getattr(_local, "stores", {})
    s = cached.get(db)
    if s is None:
        s = T.open_store(db)
        cached[db] = s
        _local.stores = cached
    return s


def g_conf() -> dict:
    from flask import current_app

    return current_app.extensions["dutycheck"]


def csrf_token() -> str:
    tok = session.get("csrf")
    if not tok:
        tok = session["csrf"] = secrets.token_urlsafe(32)
    return tok


def _check_csrf() -> None:
    sent = request.headers.get("X-CSRF-Token") or request.form.get(CSRF_FIELD, "")
    want = session.get("csrf", "")
    if not want or not sent or not hmac.compare_digest(str(sent), str(want)):
        abort(403, description="安全校验失败（页面已过期或来自其他网站），请刷新页面后重试")
    origin = request.headers.get("Origin")
    if origin and origin != "null" and origin.rstrip("/") != request.host_url.rstrip("/"):
        abort(403, description="请求来自其他网站，已拒绝")


def _routes(app: Flask) -> None:
    @app.before_request
    def guard() -> Any:
        conf = g_conf()
        g.t0 = time.perf_counter()
        if conf["password"] and not session.get("auth") and request.endpoint not in ("login", "static"):
            if request.method == "GET":
                return redirect(url_for("login", next=request.full_path if request.query_string else request.path))
            abort(401, description="请先登录")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            _check_csrf()
        return None

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Cache-Control"] = resp.headers.get("Cache-Control", "no-store")
        if "t0" in g:
            resp.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - g.t0) * 1000:.1f}"
        return resp

    @app.errorhandler(DutycheckError)
    def library_error(exc: DutycheckError) -> Any:
        status = 404 if isinstance(exc, T.TaskError) and "没有" in exc.zh else 400
        return render_template("error.html", title="出错了", message=exc.zh, detail=exc.en), status

    for code, title in ((400, "请求有误"), (401, "需要登录"), (403, "已拒绝"), (404, "找不到页面"),
                        (409, "有冲突"), (413, "上传过大")):
        def handler(exc: Any, title: str = title, code: int = code) -> Any:
            from werkzeug.exceptions import SecurityError

            if isinstance(exc, SecurityError):   # untrusted Host header: no URLs can be built
                return Response("请求的主机名不受信任 (untrusted Host header)", 400, mimetype="text/plain")
            message = getattr(exc, "description", "") or title
            if code == 413:
                message = (f"一次上传最多 {T.MAX_REQUEST // 2**20} MB、{T.MAX_FILES} 个文件；"
                           f"单个报告最大 {T.MAX_FILE // 2**20} MB。请分批上传。")
            if request.accept_mimetypes.best == "application/json":
                return jsonify({"error": message}), code
            return render_template("error.html", title=title, message=message, detail=""), code
        app.register_error_handler(code, handler)

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        if request.method == "POST":
            given = request.form.get("password", "")
            if hmac.compare_digest(given.encode(), (g_conf()["password"] or "").encode()):
                session.clear()
                session["auth"] = True
                nxt = request.args.get("next", "/")
                return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/")
            time.sleep(0.5)
            flash("密码不正确", "error")
        return render_template("login.html", title="登录")

    @app.get("/")
    def home() -> Any:
        from ..checklist.load import bundled_names

        return render_template("home.html", title="审查任务", tasks=T.list_tasks(store()),
                               checklists=bundled_names(), year=time.localtime().tm_year - 1)

    @app.post("/tasks")
    def task_create() -> Any:
        from ..checklist.load import bundled_names

        year_text = request.form.get("year", "").strip()
        try:
            year = int(year_text) if year_text else None
        except ValueError:
            raise T.TaskError(f"年度应为数字：{year_text}", "year must be a number") from None
        checklist = request.form.get("checklist", "default")
        if checklist not in bundled_names():
            raise T.TaskError(f"没有名为“{checklist}”的内置清单", "unknown checklist")
        task = T.create_task(store(), request.form.get("region", ""), year, checklist)
        return redirect(url_for("task_page", task_id=task.id))

    @app.get("/tasks/<int:task_id>")
    def task_page(task_id: int) -> Any:
        s = store()
        task = T.get_task(s, task_id)
        return render_template("task.html", title=task.title, task=task, files=T.task_files(s, task_id),
                               scores=T.file_scores(s, task_id),
                               progress=T.progress(s, task_id), local_paths=g_conf()["local_paths"],
                               limits={"files": T.MAX_FILES, "file_mb": T.MAX_FILE // 2**20,
                                       "request_mb": T.MAX_REQUEST // 2**20},
                               auditor_error=g_conf()["auditor"].error)

    @app.get("/tasks/<int:task_id>/progress")
    def task_progress(task_id: int) -> Any:
        s = store()
        T.get_task(s, task_id)
        return jsonify(T.progress(s, task_id))

    @app.get("/tasks/<int:task_id>/files")
    def task_files_fragment(task_id: int) -> Any:
        s = store()
        task = T.get_task(s, task_id)
        return render_template("_files.html", task=task, files=T.task_files(s, task_id),
                               scores=T.file_scores(s, task_id))

    @app.post("/tasks/<int:task_id>/upload")
    def task_upload(task_id: int) -> Any:
        s = store()
        task = T.get_task(s, task_id)
        uploads = request.files.getlist("files")
        rec = T.Receiver(s, task, g_conf()["files"])
        for up in uploads:
            if not up.filename:
                continue
            data = up.stream.read(T.MAX_ZIP_TOTAL if up.filename.lower().endswith(".zip") else T.MAX_FILE + 1)
            rec.offer(up.filename, data, T.clean_folder(os.path.dirname(up.filename.replace("\\", "/"))))
        result = rec.commit()
        g_conf()["auditor"].wake()
        return _intake_reply(task, result)

    @app.post("/tasks/<int:task_id>/folder")
    def task_folder(task_id: int) -> Any:
        if not g_conf()["local_paths"]:
            abort(403, description="服务器对外开放时不能读取本机文件夹，请上传文件")
        s = store()
        task = T.get_task(s, task_id)
        rec = T.Receiver(s, task, g_conf()["files"])
        rec.offer_folder(request.form.get("path", "").strip())
        result = rec.commit()
        g_conf()["auditor"].wake()
        return _intake_reply(task, result)

    def _intake_reply(task: T.Task, result: T.Intake) -> Any:
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"queued": len(result.queued), "rejected": len(result.rejected),
                            "duplicates": len(result.duplicates)})
        flash(f"已加入 {len(result.queued)} 份报告"
              + (f"，{len(result.rejected)} 个文件未接收" if result.rejected else "")
              + (f"，{len(result.duplicates)} 份与已有报告相同" if result.duplicates else ""),
              "ok" if not result.rejected else "warn")
        return redirect(url_for("task_page", task_id=task.id))

    @app.get("/tasks/<int:task_id>/region")
    def region_page(task_id: int) -> Any:
        s = store()
        task = T.get_task(s, task_id)
        view = V.region_view(s, task, region=request.args.get("region") or None,
                             item=request.args.get("item") or None, status=request.args.get("status") or None)
        return render_template("region.html", title=f"{task.title} · 地区汇总", task=task, v=view,
                               progress=T.progress(s, task_id))

    def _audited(task_id: int, file_id: int) -> tuple[Store, T.Task, T.TaskFile]:
        s = store()
        task = T.get_task(s, task_id)
        f = T.get_file(s, task_id, file_id)
        if f.state != "done" or f.audit_id is None:
            abort(404, description="这份文件还没有审查结果")
        return s, task, f

    @app.get("/tasks/<int:task_id>/reports/<int:file_id>")
    def report_page(task_id: int, file_id: int) -> Any:
        from ..review.log import load_current

        s, task, f = _audited(task_id, file_id)
        current = load_current(s)
        view = V.report_view(s, task, f, current)
        data = V.task_batch(s, task, reviews=current)
        prev, nxt, pos, count = V.neighbours(data, f.display)
        queue = None
        if request.args.get("queue"):
            entries = data.queue(s, current)
            queue = {"left": len(entries), "here": [e.item_id for e in entries if e.path == f.display],
                     "reasons": {e.item_id: e.reasons for e in entries if e.path == f.display},
                     "reviewed": sum(len(r.reviewed) for r in data.batch.rows)}
        return render_template("report.html", title=f"{view.audit['report'].get('agency') or f.name}",
                               task=task, v=view, prev=prev, next=nxt, pos=pos, count=count, queue=queue,
                               reviewer=session.get("reviewer") or _default_reviewer(),
                               statuses=REVIEW_STATUSES)

    @app.post("/tasks/<int:task_id>/reports/<int:file_id>/items/<item_id>")
    def correct(task_id: int, file_id: int, item_id: str) -> Any:
        """A reviewer's correction of one duty, appended to the review log, unless another tab
        changed this duty since the page was loaded (then 409 and what the other tab saved)."""
        from ..review import ReportRef, Reviews

        s, task, f = _audited(task_id, file_id)
        machine = V.audit_dict(s, f.audit_id or 0)
        rep = machine.get("report") or {}
        ref = ReportRef(rep.get("agency"), rep.get("year"), f.sha256 or machine.get("sha256", ""), f.audit_id or 0,
                        f.display, machine)
        reviewer = " ".join(request.form.get("reviewer", "").split())[:50]
        note = request.form.get("note", "").strip()[:2000]
        action = request.form.get("action", "set")
        try:
            seen = int(request.form.get("version", "-1"))
        except ValueError:
            seen = -1
        with _REVIEW_LOCK:
            reviews = Reviews(s)
            now = reviews.current().for_report(ref.agency, ref.year, ref.sha256).get(item_id)
            if (now.id if now else 0) != seen:
                return render_template("conflict.html", title="有冲突", task=task, f=f, item_id=item_id,
                                       now=now, wanted=request.form.get("status", ""), note=note), 409
            if action == "undo":
                reviews.undo(ref, item_id, by=reviewer or None, source="web")
            else:
                reviews.set(ref, item_id, request.form.get("status", ""), note=note, by=reviewer or None,
                            source="web")
        if reviewer:
            session["reviewer"] = reviewer
        if request.form.get("queue"):
            return redirect(url_for("queue_next", task_id=task_id))
        return redirect(url_for("report_page", task_id=task_id, file_id=file_id) + f"#item-{item_id}")

    def _task_queue(task_id: int) -> tuple[T.Task, V.TaskData, list]:
        from ..review.log import load_current

        s = store()
        task = T.get_task(s, task_id)
        current = load_current(s)
        data = V.task_batch(s, task, reviews=current)
        return task, data, data.queue(s, current)

    @app.get("/tasks/<int:task_id>/queue")
    def queue_page(task_id: int) -> Any:
        task, data, entries = _task_queue(task_id)
        return render_template("queue.html", title=f"{task.title} · 复核队列", task=task, entries=entries[:200],
                               left=len(entries), files=data.files,
                               reviewed=sum(len(r.reviewed) for r in data.batch.rows))

    @app.get("/tasks/<int:task_id>/queue/next")
    def queue_next(task_id: int) -> Any:
        _task, data, entries = _task_queue(task_id)
        if not entries:
            flash("复核队列已清空：每一项都已复核或确认。", "ok")
            return redirect(url_for("queue_page", task_id=task_id))
        e = entries[0]
        f = data.files[e.path]
        return redirect(url_for("report_page", task_id=task_id, file_id=f.id, queue=1) + f"#item-{e.item_id}")

    @app.get("/tasks/<int:task_id>/reports/<int:file_id>/memo.docx")
    def memo(task_id: int, file_id: int) -> Any:
        from ..render.docx_memo import write_memo

        s, task, f = _audited(task_id, file_id)
        result = _result(s, task, f)
        buf = io.BytesIO()
        write_memo(result, buf, reviewer=session.get("reviewer"))
        name = f"{result.report.agency or Path(f.name).stem}{result.report.year or ''}审查意见.docx"
        return _download(buf.getvalue(), name,
                         "application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    @app.get("/tasks/<int:task_id>/reports/<int:file_id>/report.html")
    def report_html(task_id: int, file_id: int) -> Any:
        from ..render.report_html import render_report_html

        s, task, f = _audited(task_id, file_id)
        result = _result(s, task, f)
        name = f"{result.report.agency or Path(f.name).stem}{result.report.year or ''}审查.html"
        return _download(render_report_html(result).encode("utf-8"), name, "text/html; charset=utf-8")

    @app.get("/tasks/<int:task_id>/export.<fmt>")
    def export(task_id: int, fmt: str) -> Any:
        s = store()
        task = T.get_task(s, task_id)
        data = V.task_batch(s, task)
        name = f"{task.region}{task.year or ''}审查结果"
        if fmt == "csv":
            from ..render.csv import write_csv

            buf = io.StringIO()
            write_csv(data.batch, buf)
            return _download(buf.getvalue().encode("utf-8-sig"), f"{name}.csv", "text/csv; charset=utf-8")
        if fmt == "jsonl":
            from ..render.batch_json import write_jsonl_line

            buf = io.StringIO()
            with V.fill_spool(s, data) as spool:
                for line in spool.lines(r.path for _, r in data.batch.ranking()):
                    write_jsonl_line(buf, line)
            import json

            for e in data.batch.errors:
                write_jsonl_line(buf, json.dumps(e.to_dict(), ensure_ascii=False))
            return _download(buf.getvalue().encode("utf-8"), f"{name}.jsonl", "application/x-ndjson")
        if fmt == "xlsx":
            import tempfile

            from ..render.xlsx import write_xlsx

            with V.fill_spool(s, data) as spool, tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "out.xlsx"
                write_xlsx(data.batch, spool, out)
                body = out.read_bytes()
            return _download(body, f"{name}.xlsx",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        if fmt == "docx":
            from ..render.docx_summary import write_region_summary

            out_doc = io.BytesIO()
            write_region_summary(data.batch, out_doc, title=f"{task.region}法治政府建设年度报告审查情况汇总")
            return _download(out_doc.getvalue(), f"{name}-区域汇总.docx",
                             "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        if fmt == "html":
            from ..render.html import write_html

            buf = io.StringIO()
            with V.fill_spool(s, data) as spool:
                write_html(data.batch, spool, buf)
            return _download(buf.getvalue().encode("utf-8"), f"{name}.html", "text/html; charset=utf-8")
        abort(404)


_REVIEW_LOCK = threading.Lock()      # the version check and the append are one step per server


def _default_reviewer() -> str:
    from ..review.log import default_reviewer

    return default_reviewer()


def _result(s: Store, task: T.Task, f: T.TaskFile) -> Any:
    """The report audited again as the CLI's `audit --db` does (the memo and the printable page
    take a typed AuditResult): same checklist, the agency and year the store has, corrections
    applied."""
    from ..audit import audit_path
    from ..review import apply_to_result
    from ..review.log import load_current

    if not f.stored or not os.path.isfile(f.stored):
        abort(404, description="原文件已不在数据文件夹中，无法生成审查意见")
    rep = V.audit_dict(s, f.audit_id or 0).get("report") or {}
    result = audit_path(f.stored, V.checklist_of(task), agency=rep.get("agency"), year=rep.get("year"))
    import dataclasses

    result = dataclasses.replace(result, path=f.display)
    return apply_to_result(result, load_current(s))


def _download(body: bytes, filename: str, mime: str) -> Response:
    resp = send_file(io.BytesIO(body), mimetype=mime, as_attachment=True, download_name=filename)
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


def _filters(app: Flask) -> None:
    app.jinja_env.globals.update(csrf_token=csrf_token, STATE_ZH=T.STATE_ZH, LABELS=V.LABELS, MARKS=V.MARKS,
                                 STATUSES=V.STATUS_VALUES, CODES={"d": "done", "p": "planned", "s": "shortfall",
                                                                  "a": "absent"})
    from ..messages import Col, Title, formal_message

    app.jinja_env.globals["formal_message"] = formal_message
    app.jinja_env.globals.update(COL=Col, TITLE=Title)   # column and part names shared with the files
    app.jinja_env.filters["score_class"] = V.score_class
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

