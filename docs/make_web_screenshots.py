"""Screenshots of every page of `dutycheck serve`, for the README: a real Chromium (Debian's
package, driven by Playwright) at 1280×800 against a server on a free port with a fresh
store, fed the bundled reports through the page's own upload control.

    python docs/make_web_screenshots.py            # writes docs/screenshots/web-*.png
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


def main() -> int:
    from playwright.sync_api import sync_playwright

    from dutycheck.web.app import create_app
    from dutycheck.web.server import running

    OUT.mkdir(parents=True, exist_ok=True)
    reports = sorted((ROOT / "reports").rglob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        broken = Path(tmp) / "损坏的报告.docx"
        broken.write_bytes(b"this is not a Word file")
        app = create_app(Path(tmp) / "store.sqlite", jobs=2)
        with running(app) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url)
            page.fill("input[name=region]", "河南省")
            page.fill("input[name=year]", "2024")
            page.screenshot(path=str(OUT / "web-home.png"))
            page.click("#new-task button[type=submit]")
            page.set_input_files("#file-input", [str(r) for r in reports] + [str(broken)])
            page.wait_for_selector("#progress-state.idle", timeout=120_000)
            page.wait_for_function("document.querySelectorAll('#files-table tr.file-row').length >= 6")
            page.screenshot(path=str(OUT / "web-task.png"))
            page.click(".tabs a:has-text('地区汇总')")
            page.screenshot(path=str(OUT / "web-region.png"))
            page.click("#ranking-table tbody tr:nth-child(3) td:nth-child(2) a")
            page.wait_for_selector(".duty")
            duty = page.locator(".duty:has(a.jump)").nth(6)
            duty.locator("a.jump").first.click()
            page.screenshot(path=str(OUT / "web-report.png"))
            page.goto(page.url.split("/reports/")[0] + "/queue")
            page.screenshot(path=str(OUT / "web-queue.png"))
            page.click("#queue-start")
            page.wait_for_selector("#queue-bar")
            page.screenshot(path=str(OUT / "web-review.png"))
            browser.close()
    for png in sorted(OUT.glob("web-*.png")):
        print(png.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
