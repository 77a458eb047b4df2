"""`dutycheck serve` in a real browser: Debian's chromium driven by Playwright (no browser
download; `.ci/run` installs the package). The reviewer's whole flow: create a task, upload
three reports (one broken) through the page's own file control, wait for the results, open a
report, click a duty to jump to its sentence, correct a status, see the score change, download
the memo and open it with python-docx — and a hostile report and file name run nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dutycheck.web.app import create_app
from dutycheck.web.server import running

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
HOSTILE = '"><img src=x onerror="window.pwned=1"><script>window.pwned=2'

try:
    import playwright.sync_api  # noqa: F401
    HAVE_PLAYWRIGHT = True
except ImportError:  # pragma: no cover
    HAVE_PLAYWRIGHT = False

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed: the workbench was NOT checked in a "
                                                "browser (apt-get install -y chromium, as .ci/run does)"),
    pytest.mark.skipif(not HAVE_PLAYWRIGHT, reason="playwright is not installed (pip install -e '.[test]')"),
]


@pytest.fixture
def browser_page(tmp_path):
    from playwright.sync_api import sync_playwright

    app = create_app(tmp_path / "store.sqlite", jobs=2)
    with running(app) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        # bypass_csp: Playwright's waits evaluate strings, which the pages' CSP forbids; it also
        # means escaping alone must keep the hostile names inert here (CSP is a second wall)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True,
                                      bypass_csp=True)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        yield page, url, tmp_path, dialogs
        browser.close()


def _new_task(page, url: str, region: str = "焦作市") -> None:
    page.goto(url)
    page.fill("input[name=region]", region)
    page.fill("input[name=year]", "2024")
    page.click("#new-task button[type=submit]")
    page.wait_for_selector("#dropzone")


def _score(page) -> float:
    return float(page.inner_text("#score"))


def test_reviewer_flow_in_chromium(browser_page, tmp_path):
    page, url, _tmp, dialogs = browser_page
    broken = tmp_path / "损坏的报告.docx"
    broken.write_bytes(b"this is not a Word file")
    reports = [REPORTS / "河南" / "焦作市教育局-2024.txt", REPORTS / "山西" / "晋城市教育局-2023.txt"]
    _new_task(page, url)
    page.set_input_files("#file-input", [str(p) for p in reports] + [str(broken)])
    page.wait_for_function("document.querySelectorAll('#files-table tr.file-row').length === 3")
    page.wait_for_selector("#progress-state.idle", timeout=120_000)
    page.wait_for_function("document.querySelectorAll('#files-table tr.row-done').length === 2")
    bad = page.locator("#files-table tr.row-rejected")
    assert bad.count() == 1 and "损坏的报告.docx" in bad.inner_text() and "不是有效的 .docx" in bad.inner_text()
    assert "已审查 2" in page.inner_text("#progress-text")

    page.click(".tabs a:has-text('地区汇总')")
    assert page.locator("#ranking-table tbody tr").count() == 2
    assert page.locator("#heatmap-table td.cell").count() == 2 * 36
    page.click("#ranking-table a:has-text('晋城市教育局')")
    page.wait_for_selector(".duty")

    # click a duty's quote: the text pane scrolls to its sentence and marks it
    duty = page.locator("#item-legal-counsel\\.retained")
    target = duty.locator("a.jump").first.get_attribute("href").lstrip("#")
    duty.locator("a.jump").first.click()
    line = page.locator(f"[id='{target}']")
    page.wait_for_function(f"document.getElementById('{target}').classList.contains('flash-target')")
    pane, box = page.locator("#text").bounding_box(), line.bounding_box()
    assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"]
    assert "律师" in line.inner_text()
    # and a marked sentence in the text leads back to its duty
    assert page.locator(f"[id='{target}'] a.ev[href='#item-legal-counsel.retained']").count() >= 1

    # correct the status in place: saved at once, the score drops, the correction is shown
    before = _score(page)
    with page.expect_navigation():
        duty.locator("label.choice:has-text('未提及')").click()
    page.wait_for_selector("#item-legal-counsel\\.retained .reviewed")
    assert _score(page) < before
    assert "未提及" in page.inner_text("#item-legal-counsel\\.retained .badge")
    assert page.evaluate("location.hash") == "#item-legal-counsel.retained"

    # keyboard: j moves to the next duty
    page.keyboard.press("j")
    assert page.locator(".duty.current").count() == 1

    # the memo, as the CLI writes it, with the correction in it
    with page.expect_download() as dl:
        page.click("#memo-link")
    path = tmp_path / "memo.docx"
    dl.value.save_as(path)
    import docx

    doc = docx.Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "晋城市教育局" in text and "审查意见" in text
    assert dl.value.suggested_filename.endswith("审查意见.docx")
    assert not dialogs


def test_hostile_report_and_file_name_run_nothing(browser_page, tmp_path):
    page, url, _tmp, dialogs = browser_page
    text = (REPORTS / "山西" / "晋城市教育局-2023.txt").read_text(encoding="utf-8")
    text = text.replace("聘请宇星律师事务所", "聘请<script>window.pwned=3</script><img src=x onerror=window.pwned=4>"
                                          "宇星律师事务所")
    evil = tmp_path / f"{HOSTILE}.txt"
    evil.write_text(text, encoding="utf-8")
    bad = tmp_path / f"{HOSTILE}.pdf"
    bad.write_bytes(b"not a pdf")
    _new_task(page, url)
    page.set_input_files("#file-input", [str(evil), str(bad)])
    page.wait_for_function("document.querySelectorAll('#files-table tr.file-row').length === 2")
    page.wait_for_selector("#progress-state.idle", timeout=120_000)
    page.wait_for_function("document.querySelectorAll('#files-table tr.row-done').length === 1")
    visited = [page.url]
    assert HOSTILE + ".pdf" in page.inner_text("#files-table")
    page.click(".tabs a:has-text('地区汇总')")
    visited.append(page.url)
    page.click("#ranking-table tbody a")
    page.wait_for_selector(".duty")
    visited.append(page.url)
    assert "<script>window.pwned=3</script>" in page.inner_text("#text")
    for u in visited:
        page.goto(u)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.pwned") == "undefined", u
        assert page.locator("img[src=x]").count() == 0
    assert not dialogs
