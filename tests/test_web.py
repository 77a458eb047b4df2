"""`dutycheck serve` over HTTP: a real server on a free port (waitress in a thread), spoken to
with requests, as a reviewer's browser would — tasks, uploads and their limits, CSRF, escaping
of hostile names and texts, downloads, refusing other hosts without a password."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from dutycheck.cli import main
from dutycheck.store import Store
from dutycheck.web import tasks as T
from dutycheck.web.app import create_app
from dutycheck.web.server import running

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
JINCHENG = REPORTS / "山西" / "晋城市教育局-2023.txt"
JIAOZUO = REPORTS / "河南" / "焦作市教育局-2024.txt"
SHANYANG = REPORTS / "河南" / "焦作市山阳区教育局-2024.txt"
EVIL = '<script>window.pwned=1</script>"><img src=x onerror="window.pwned=2">'
EVIL_NAME = '"><img src=x onerror="window.pwned=3"><script>window.pwned=4'   # a file name has no "/"


class Browser:
    """A session with the page's CSRF token, like one browser profile."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        self.token = ""

    def get(self, path: str, **kw) -> requests.Response:
        return self._keep_token(self.http.get(self.url + path.lstrip("/"), timeout=60, **kw))

    def _keep_token(self, r: requests.Response) -> requests.Response:
        m = re.search(r'data-csrf="([^"]+)"', r.text)
        if m:
            self.token = m.group(1)
        return r

    def post(self, path: str, data: dict | None = None, files=None, token: bool = True, **kw) -> requests.Response:
        if not self.token:
            self.get("/")
        data = dict(data or {})
        if token:
            data["csrf_token"] = self.token
        return self._keep_token(self.http.post(self.url + path.lstrip("/"), data=data, files=files, timeout=60,
                                               allow_redirects=kw.pop("allow_redirects", True), **kw))

    def new_task(self, region: str = "焦作市", year: int = 2024) -> int:
        r = self.post("/tasks", {"region": region, "year": str(year), "checklist": "default"},
                      allow_redirects=False)
        assert r.status_code == 302, r.text
        return int(r.headers["Location"].rstrip("/").split("/")[-1])

    def upload(self, task: int, files: list[tuple[str, bytes]]) -> dict:
        r = self.post(f"/tasks/{task}/upload", files=[("files", (n, b)) for n, b in files],
                      headers={"Accept": "application/json"})
        assert r.status_code == 200, r.text
        return r.json()

    def wait(self, task: int, timeout: float = 120) -> dict:
        end = time.time() + timeout
        while time.time() < end:
            p = self.get(f"/tasks/{task}/progress").json()
            if not p["auditing"]:
                return p
            time.sleep(0.2)
        raise AssertionError(f"task {task} still auditing after {timeout} s: {p}")


@pytest.fixture
def server(tmp_path):
    app = create_app(tmp_path / "store.sqlite", jobs=2)
    with running(app) as url:
        yield Browser(url), app, tmp_path


def test_task_upload_audit_and_pages(server):
    b, _app, tmp = server
    task = b.new_task("焦作市", 2024)
    got = b.upload(task, [(JIAOZUO.name, JIAOZUO.read_bytes()), (SHANYANG.name, SHANYANG.read_bytes()),
                          ("坏的报告.docx", b"PK\x03\x04 not really a Word file")])
    assert got == {"queued": 2, "rejected": 1, "duplicates": 0}
    p = b.wait(task)
    assert (p["done"], p["failed"], p["rejected"]) == (2, 0, 1)

    page = b.get(f"/tasks/{task}").text
    assert "焦作市教育局" in page and "山阳区教育局" in page
    from dutycheck.errors import ReportError
    from dutycheck.read import sniff

    with pytest.raises(ReportError) as reader_says:            # refused on arrival, as the reader would
        sniff(b"PK\x03\x04 not really a Word file", ".docx", "坏的报告.docx")
    assert "坏的报告.docx" in page and "未接收" in page and reader_says.value.zh in page

    region = b.get(f"/tasks/{task}/region").text
    ranking = re.findall(r'<tr class="rank-row">(.*?)</tr>', region, re.DOTALL)
    assert len(ranking) == 2
    with Store(tmp / "store.sqlite") as s:
        scores = dict(s.db.execute("SELECT agency, score FROM audits"))
    assert f"{scores['焦作市教育局']:.1f}" in ranking[0] + ranking[1]
    assert len(re.findall(r'<td class="cell st-', region)) == 2 * 36     # heatmap: reports × duties
    assert 'id="structure"' in region and 'id="errors"' in region

    fid = int(re.search(rf'/tasks/{task}/reports/(\d+)">焦作市教育局', region).group(1))
    report = b.get(f"/tasks/{task}/reports/{fid}").text
    # every evidence quote links to a line of the text that exists on the page
    anchors = set(re.findall(r'<p id="([pl][\w-]*)" class="ln', report))
    jumps = re.findall(r'<a class="jump" href="#([^"]+)"', report)
    assert jumps and set(jumps) <= anchors
    assert re.search(r'<a class="ev st-done" href="#item-[\w.-]+"', report)


def test_adding_more_audits_only_the_new_ones(server):
    b, _app, tmp = server
    task = b.new_task()
    b.upload(task, [(JIAOZUO.name, JIAOZUO.read_bytes())])
    b.wait(task)
    got = b.upload(task, [(JIAOZUO.name, JIAOZUO.read_bytes()), (SHANYANG.name, SHANYANG.read_bytes())])
    assert got == {"queued": 1, "rejected": 0, "duplicates": 1}
    p = b.wait(task)
    assert (p["done"], p["duplicate"]) == (2, 1)
    with Store(tmp / "store.sqlite") as s:
        assert s.db.execute("SELECT COUNT(*) FROM audits").fetchone()[0] == 2
    # a second task with the same file is served from the store's cache, not audited again
    other = b.new_task("河南省", 2024)
    b.upload(other, [(JIAOZUO.name, JIAOZUO.read_bytes())])
    b.wait(other)
    with Store(tmp / "store.sqlite") as s:
        assert s.db.execute("SELECT COUNT(*) FROM audits").fetchone()[0] == 2
        cached = s.db.execute("SELECT cached FROM run_reports rr JOIN web_tasks t ON t.run_id = rr.run_id "
                              "WHERE t.id = ?", (other,)).fetchall()
    assert cached == [(1,)]


def test_every_change_needs_the_csrf_token(server):
    b, _app, tmp = server
    b.get("/")
    r = b.post("/tasks", {"region": "焦作市", "year": "2024"}, token=False)
    assert r.status_code == 403 and "安全校验失败" in r.text
    r = b.http.post(b.url + "tasks", data={"region": "焦作市", "csrf_token": "forged"}, timeout=30)
    assert r.status_code == 403
    # another site's page posting with the victim's cookie but no token, or with a foreign Origin
    r = b.post("/tasks", {"region": "焦作市"}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    task = b.new_task()
    r = b.http.post(b.url + f"tasks/{task}/upload", files=[("files", ("a.txt", JIAOZUO.read_bytes()))], timeout=30)
    assert r.status_code == 403
    with Store(tmp / "store.sqlite") as s:
        assert s.db.execute("SELECT COUNT(*) FROM web_tasks").fetchone()[0] == 1
        assert s.db.execute("SELECT COUNT(*) FROM web_files").fetchone()[0] == 0


def test_host_header_of_another_name_is_refused(server):
    """DNS rebinding: a page of evil.example resolving to 127.0.0.1 cannot read the workbench."""
    b, _app, _tmp = server
    r = requests.get(b.url, headers={"Host": "evil.example"}, timeout=30)
    assert r.status_code == 400
    assert requests.get(b.url, headers={"Host": "localhost"}, timeout=30).status_code == 200


def test_hostile_report_text_and_file_name_are_shown_as_text(server):
    b, _app, _tmp = server
    task = b.new_task()
    text = JINCHENG.read_text(encoding="utf-8").replace("晋城市教育局", f"晋城市教育局{EVIL}", 1)
    text = text.replace("聘请宇星律师事务所", f"聘请{EVIL}宇星律师事务所")
    b.upload(task, [(f"{EVIL_NAME}.txt", text.encode("utf-8")), (f"{EVIL_NAME}.docx", b"broken")])
    b.wait(task)
    pages = [b.get(f"/tasks/{task}").text, b.get(f"/tasks/{task}/files").text, b.get(f"/tasks/{task}/region").text]
    fid = int(re.findall(rf'/tasks/{task}/reports/(\d+)', pages[2])[0])
    pages.append(b.get(f"/tasks/{task}/reports/{fid}").text)
    for page in pages:
        assert "<script>window.pwned" not in page and "<img src=x" not in page
        assert "onerror=\"window" not in page
        assert "&lt;img src=x onerror=&#34;window.pwned=3&#34;&gt;&lt;script&gt;window.pwned=4" in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in pages[-1]        # the report's own text
    # and the pages forbid inline script outright
    csp = b.get(f"/tasks/{task}").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # downloads carry the names as data, the file name header is encoded
    r = b.get(f"/tasks/{task}/export.csv")
    assert r.headers["Content-Disposition"].startswith("attachment; filename*=UTF-8''")


def test_upload_limits_and_content_checks(server, monkeypatch):
    b, app, tmp = server
    task = b.new_task()
    report = JIAOZUO.read_bytes()
    monkeypatch.setattr(T, "MAX_FILE", len(report) - 1)
    got = b.upload(task, [("大文件.txt", report), ("假的.pdf", b"GIF89a not a pdf"), ("程序.exe", b"MZ\x90\x00"),
                          ("~$锁定文件.docx", b"x"), ("空.txt", b"")])
    assert got["queued"] == 0 and got["rejected"] == 5
    rows = {f.name: f for f in _files(tmp, task)}
    assert "文件过大" in rows["大文件.txt"].error_zh
    assert "不是有效的 PDF" in rows["假的.pdf"].error_zh
    assert "不支持的文件类型 .exe" in rows["程序.exe"].error_zh
    assert "Office 临时文件" in rows["~$锁定文件.docx"].error_zh
    assert rows["空.txt"].error_zh == "文件为空"
    assert not any(f.stored for f in rows.values())            # refused files are never kept
    monkeypatch.undo()

    monkeypatch.setattr(T, "MAX_FILES", 2)
    got = b.upload(task, [(f"{n}.txt", report + str(n).encode()) for n in range(4)])
    assert got["queued"] == 2 and got["rejected"] == 1
    monkeypatch.undo()

    app.config["MAX_CONTENT_LENGTH"] = 1000
    r = b.post(f"/tasks/{task}/upload", files=[("files", ("x.txt", report))])
    assert r.status_code == 413 and "请分批上传" in r.text


def test_uploads_are_stored_under_generated_names(server):
    b, _app, tmp = server
    task = b.new_task()
    b.upload(task, [("../../逃逸.txt", JIAOZUO.read_bytes()), ("/etc/passwd.txt", SHANYANG.read_bytes())])
    b.wait(task)
    files = _files(tmp, task)
    assert sorted(f.name for f in files) == ["passwd.txt", "逃逸.txt"]
    uploads = T.uploads_dir(tmp / "store.sqlite")
    for f in files:
        p = Path(f.stored)
        assert p.parent == uploads and re.fullmatch(r"[0-9a-f]{32}\.txt", p.name)
    assert not (tmp.parent / "逃逸.txt").exists() and not list(tmp.rglob("逃逸.txt"))


def test_zip_of_a_folder_names_the_regions(server):
    b, _app, tmp = server
    task = b.new_task("河南省", 2024)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("河南/焦作市/焦作市教育局-2024.txt", JIAOZUO.read_bytes())
        z.writestr("河南/山阳区/山阳.txt", SHANYANG.read_bytes())
        z.writestr("河南/__MACOSX/._山阳.txt", b"\0\0")
        z.writestr("河南/山阳区/炸弹.txt", b"0" * (30 * 1024 * 1024))    # compresses ~1000:1
        z.writestr("河南/说明.zip", b"PK\x05\x06" + b"\0" * 18)
    got = b.upload(task, [("河南.zip", buf.getvalue())])
    assert got["queued"] == 2 and got["rejected"] == 2
    b.wait(task)
    rows = {f.name: f for f in _files(tmp, task)}
    assert rows["焦作市教育局-2024.txt"].folder == "焦作市" and rows["山阳.txt"].folder == "山阳区"
    assert "压缩炸弹" in rows["炸弹.txt"].error_zh
    region = b.get(f"/tasks/{task}/region").text
    assert re.search(r'<option value="山阳区"', region) and re.search(r'<option value="焦作市"', region)
    shown = b.get(f"/tasks/{task}/region", params={"region": "山阳区"}).text
    assert len(re.findall(r'<tr class="rank-row">', shown)) == 1


def test_zip_made_on_chinese_windows_keeps_its_names(server):
    """Zips packed on Chinese Windows hold GBK names without the UTF-8 flag."""
    b, _app, tmp = server
    task = b.new_task()

    class GbkName(zipfile.ZipInfo):
        def _encodeFilenameFlags(self):   # what WinRAR / Windows' own zip write: GBK, no UTF-8 flag
            return self.filename.encode("gbk"), self.flag_bits & ~0x800

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(GbkName("焦作/焦作市教育局.txt"), JIAOZUO.read_bytes(), zipfile.ZIP_DEFLATED)
    raw = buf.getvalue()
    assert "焦作市教育局".encode("gbk") in raw and "焦作市教育局".encode() not in raw
    got = b.upload(task, [("焦作.zip", raw)])
    assert got["queued"] == 1
    assert _files(tmp, task)[0].name.startswith("焦作市教育局")


def test_local_folder_is_read_like_batch(server, tmp_path):
    b, _app, tmp = server
    folder = tmp_path / "reports"
    (folder / "山西").mkdir(parents=True)
    (folder / "山西" / JINCHENG.name).write_bytes(JINCHENG.read_bytes())
    (folder / "山西" / "notes.xyz").write_text("x")
    task = b.new_task("山西省", 2023)
    r = b.post(f"/tasks/{task}/folder", {"path": str(folder)})
    assert r.status_code == 200 and "已加入 1 份报告" in r.text
    b.wait(task)
    rows = {f.name: f for f in _files(tmp, task)}
    assert rows[JINCHENG.name].state == "done" and rows[JINCHENG.name].folder == "山西"
    assert rows["notes.xyz"].state == "rejected"
    r = b.post(f"/tasks/{task}/folder", {"path": str(tmp_path / "no-such-folder")})
    assert r.status_code == 400 and "不是本机上的文件夹" in r.text


def test_downloads_are_the_cli_outputs(server, tmp_path):
    b, _app, _tmp = server
    task = b.new_task()
    b.upload(task, [(p.name, p.read_bytes()) for p in (JIAOZUO, SHANYANG)] + [("坏.pdf", b"nope")])
    b.wait(task)
    folder = tmp_path / "same"
    folder.mkdir()
    for p in (JIAOZUO, SHANYANG):
        (folder / p.name).write_bytes(p.read_bytes())
    res = CliRunner().invoke(main, ["batch", str(folder), "--format", "csv", "--out", str(tmp_path / "cli.csv")])
    assert res.exit_code == 0, res.output
    cli_rows = list(csv.reader(io.StringIO((tmp_path / "cli.csv").read_text(encoding="utf-8-sig"))))
    web = b.get(f"/tasks/{task}/export.csv")
    assert web.headers["Content-Type"].startswith("text/csv")
    web_rows = list(csv.reader(io.StringIO(web.content.decode("utf-8-sig"))))
    assert web_rows[0] == cli_rows[0]
    path_col = cli_rows[0].index("文件")
    def without_path(rows):
        return [r[:path_col] + r[path_col + 1:] for r in rows[1:]]
    assert without_path(web_rows)[:2] == without_path(cli_rows)     # same rows, only the file names differ
    assert web_rows[3][path_col] == "坏.pdf" and "不是有效的 PDF" in web_rows[3][cli_rows[0].index("错误")]

    lines = b.get(f"/tasks/{task}/export.jsonl").text.splitlines()
    objs = [json.loads(x) for x in lines]
    assert [o["schema"] for o in objs] == ["dutycheck.audit/1"] * 2 + ["dutycheck.error/1"]
    assert {o["path"] for o in objs[:2]} == {JIAOZUO.name, SHANYANG.name}

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(b.get(f"/tasks/{task}/export.xlsx").content), read_only=True)
    assert wb.sheetnames == ["排名", "覆盖矩阵", "状态矩阵", "报告结构", "地区", "明细", "形式审查", "错误"]


def test_other_hosts_need_a_password(tmp_path):
    res = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "s.sqlite"), "--host", "0.0.0.0"])
    assert res.exit_code == 2 and "必须设置 --password" in res.output
    app = create_app(tmp_path / "s.sqlite", host="0.0.0.0", password="口令-42", auditor=False)
    with running(app) as url:
        b = Browser(url)
        r = b.get("/", allow_redirects=False)
        assert r.status_code == 302 and "/login" in r.headers["Location"]
        assert "可能涉密" in b.get("/login").text
        r = b.post("/login", {"password": "wrong"})
        assert "密码不正确" in r.text
        r = b.post("/tasks", {"region": "x"}, allow_redirects=False)
        assert r.status_code == 401
        r = b.post("/login", {"password": "口令-42"})
        assert r.status_code == 200 and "新建审查任务" in r.text
        task = b.new_task()
        r = b.post(f"/tasks/{task}/folder", {"path": "/etc"})
        assert r.status_code == 403 and "不能读取本机文件夹" in r.text


def _files(tmp: Path, task: int) -> list[T.TaskFile]:
    with Store(tmp / "store.sqlite") as s:
        return T.task_files(s, task)


def _report_form(page: str, item: str) -> dict:
    """The correction form of one duty on a report page: its action and hidden fields."""
    m = re.search(rf'<form class="correct" method="post" action="([^"]+/items/{re.escape(item)})">(.*?)</form>',
                  page, re.DOTALL)
    assert m, f"no correction form for {item}"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', m.group(2)))
    return {"action": m.group(1), **fields}


def _score(page: str) -> float:
    return float(re.search(r'<b id="score" class="[^"]*">([\d.]+)</b>', page).group(1))


def test_a_correction_is_saved_at_once_and_changes_the_score(server):
    b, _app, tmp = server
    task = b.new_task()
    b.upload(task, [(JINCHENG.name, JINCHENG.read_bytes())])
    b.wait(task)
    fid = _files(tmp, task)[0].id
    page = b.get(f"/tasks/{task}/reports/{fid}").text
    before = _score(page)
    form = _report_form(page, "legal-counsel.retained")
    assert form["version"] == "0"
    r = b.post(form["action"], {"status": "absent", "note": "只写了计划", "reviewer": "张三",
                                "version": form["version"]}, allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"].endswith("#item-legal-counsel.retained")
    page = b.get(f"/tasks/{task}/reports/{fid}").text
    assert _score(page) < before
    assert "张三" in page and "只写了计划" in page and "人工复核" in page
    # the correction is the review library's: the CLI sees it too
    res = CliRunner().invoke(main, ["review", "list", "--db", str(tmp / "store.sqlite")])
    assert res.exit_code == 0 and "legal-counsel.retained" in res.output and "张三" in res.output
    # and the region page and the downloads show the final score
    assert f"{_score(page):.1f}" in b.get(f"/tasks/{task}/region").text
    line = json.loads(b.get(f"/tasks/{task}/export.jsonl").text.splitlines()[0])
    item = next(it for it in line["items"] if it["id"] == "legal-counsel.retained")
    assert (item["status"], item["machine_status"], line["score"]) == ("absent", "done", _score(page))


def test_two_tabs_correcting_the_same_duty_do_not_overwrite_each_other(server):
    b, _app, tmp = server
    task = b.new_task()
    b.upload(task, [(JINCHENG.name, JINCHENG.read_bytes())])
    b.wait(task)
    fid = _files(tmp, task)[0].id
    tab1 = _report_form(b.get(f"/tasks/{task}/reports/{fid}").text, "legal-counsel.retained")
    tab2 = _report_form(b.get(f"/tasks/{task}/reports/{fid}").text, "legal-counsel.retained")
    other = _report_form(b.get(f"/tasks/{task}/reports/{fid}").text, "enforcement.publicity")
    r = b.post(tab1["action"], {"status": "absent", "reviewer": "张三", "version": tab1["version"]})
    assert r.status_code == 200
    r = b.post(tab2["action"], {"status": "planned", "reviewer": "李四", "version": tab2["version"]})
    assert r.status_code == 409
    assert "有冲突" in r.text and "张三" in r.text and "没有保存" in r.text
    # a different duty of the same report is no conflict
    r = b.post(other["action"], {"status": "shortfall", "reviewer": "李四", "version": other["version"]})
    assert r.status_code == 200
    with Store(tmp / "store.sqlite") as s:
        rows = s.db.execute("SELECT item_id, status, reviewer FROM reviews ORDER BY id").fetchall()
    assert rows == [("legal-counsel.retained", "absent", "张三"), ("enforcement.publicity", "shortfall", "李四")]
    # the second tab, reloaded, sees the first one's correction and may now change it
    tab2 = _report_form(b.get(f"/tasks/{task}/reports/{fid}").text, "legal-counsel.retained")
    r = b.post(tab2["action"], {"status": "planned", "reviewer": "李四", "version": tab2["version"]})
    assert r.status_code == 200 and "李四" in r.text


def test_review_queue_steps_through_the_riskiest_items(server):
    b, _app, _tmp = server
    task = b.new_task()
    b.upload(task, [(p.name, p.read_bytes()) for p in (JIAOZUO, SHANYANG)])
    b.wait(task)
    queue = b.get(f"/tasks/{task}/queue").text
    left = int(re.search(r"剩余 <b>(\d+)</b> 项", queue).group(1))
    assert left > 0
    r = b.get(f"/tasks/{task}/queue/next", allow_redirects=False)
    first = r.headers["Location"]
    item = first.split("#item-")[1]
    page = b.get(first).text
    assert 'id="queue-bar"' in page and f'<b id="queue-left">{left}</b>' in page
    form = _report_form(page, item)
    assert form["queue"] == "1"
    status = re.search(rf'id="item-{re.escape(item)}".*?<input type="radio" name="status" value="(\w+)" checked',
                       page, re.DOTALL).group(1)
    r = b.post(form["action"], {"status": status, "version": form["version"], "queue": "1", "reviewer": "王五"},
               allow_redirects=False)           # confirming the machine's status takes it off the queue
    assert r.headers["Location"].endswith(f"/tasks/{task}/queue/next")
    queue = b.get(f"/tasks/{task}/queue").text
    assert int(re.search(r"剩余 <b>(\d+)</b> 项", queue).group(1)) == left - 1
    assert b.get(f"/tasks/{task}/queue/next", allow_redirects=False).headers["Location"] != first


def test_memo_and_printable_page_downloads(server):
    b, _app, tmp = server
    task = b.new_task()
    b.upload(task, [(JINCHENG.name, JINCHENG.read_bytes())])
    b.wait(task)
    fid = _files(tmp, task)[0].id
    r = b.get(f"/tasks/{task}/reports/{fid}/memo.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
    import docx

    doc = docx.Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "审查意见" in text and "晋城市教育局" in text
    r = b.get(f"/tasks/{task}/reports/{fid}/report.html")
    assert r.status_code == 200 and "晋城市教育局" in r.text


def test_region_summary_download_is_the_cli_document(server):
    b, _app, _tmp = server
    task = b.new_task()
    b.upload(task, [(p.name, p.read_bytes()) for p in (JIAOZUO, SHANYANG)])
    b.wait(task)
    r = b.get(f"/tasks/{task}/export.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    import docx

    doc = docx.Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs) + "".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "焦作市教育局" in text and "山阳区教育局" in text


def test_copied_reports_and_formal_problems_on_the_region_page(server):
    b, _app, _tmp = server
    task = b.new_task()
    text = JIAOZUO.read_text(encoding="utf-8")
    copy = text.replace("焦作市教育局", "修武县教育局")    # another bureau's report, the same sentences
    b.upload(task, [(JIAOZUO.name, text.encode("utf-8")), ("修武县教育局-2024.txt", copy.encode("utf-8")),
                    (SHANYANG.name, SHANYANG.read_bytes())])
    b.wait(task)
    region = b.get(f"/tasks/{task}/region").text
    copies = re.findall(r'<tr class="copy-row">(.*?)</tr>', region, re.DOTALL)
    assert len(copies) == 1 and JIAOZUO.name in copies[0] and "修武县教育局-2024.txt" in copies[0]
    # the shared passages are read from the uploaded files, which are stored under other names
    passages = re.findall(r'<div class="quote">(.*?)</div>', copies[0], re.DOTALL)
    assert passages, "the copied pair shows no shared text"
    assert html.unescape(passages[0])[:12] in text.replace("\n", "")
    assert re.search(r'<tr class="formal-row">.*?与 修武县教育局-2024.txt 有 \d+% 的句子相同', region, re.DOTALL)
