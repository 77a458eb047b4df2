"""The batch HTML page rendered in a real headless browser (Debian's chromium; `.ci/run` installs it).

Checks what the reviewer sees, not only that a file was written: the ranking rows and the
heatmap cells are built by the page's own script, the drill-down shows evidence quotes,
and a hostile file name is shown as text, not run.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from dutycheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
EVIL = "<img src=x onerror=document.title='pwned'>"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed: the HTML report was NOT checked in a browser "
           "(apt-get install -y chromium fonts-wqy-microhei, as .ci/run does)")


def dump_dom(page: Path, profile: Path, fragment: str = "") -> str:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--virtual-time-budget=5000", "--dump-dom",
           page.as_uri() + fragment]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("html")
    region = root / "region"
    for p in sorted(REPORTS.rglob("*.txt")):
        (region / p.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, region / p.parent.name / p.name)
    # a hostile file name, with content of its own so it is a sixth report
    text = (REPORTS / "山西" / "晋城市教育局-2023.txt").read_text(encoding="utf-8")
    (region / "山西" / f"{EVIL}.txt").write_text(text.replace("晋城市教育局", "阳城县教育局"), encoding="utf-8")
    out = root / "审查结果.html"
    res = CliRunner().invoke(main, ["batch", str(region), "-r", "--jobs", "2", "--format", "json",
                                    "--out", str(root / "r.json")])
    assert res.exit_code == 0, res.output
    expected = json.loads((root / "r.json").read_text(encoding="utf-8"))
    res = CliRunner().invoke(main, ["batch", str(region), "-r", "--jobs", "2", "--format", "html",
                                    "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out, expected


def _rows(dom: str, cls: str) -> list[str]:
    return re.findall(rf'<tr class="{cls}"[^>]*>(.*?)</tr>', dom, re.S)


def test_browser_shows_ranking_and_heatmap(page, tmp_path):
    out, expected = page
    dom = dump_dom(out, tmp_path / "profile")
    assert 'data-ready="1"' in dom, "the page script did not run to the end"
    ranking = _rows(dom, "rank-row")
    assert len(ranking) == len(expected["ranking"]) == 6
    for row, exp in zip(ranking, expected["ranking"]):
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c))
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        assert cells[0] == str(exp["rank"])
        assert cells[1].startswith(exp["agency"])
        assert cells[4] == f"{exp['score']:.1f}"
        assert cells[5] == f"{exp['done']}/{exp['total']}"
    heat = _rows(dom, "hm-row")
    assert len(heat) == 6
    n_items = len(expected["coverage"])
    by_status = {s: 0 for s in ("done", "planned", "shortfall", "absent")}
    for row in heat:
        cells = re.findall(r'<td class="cell st-(\w+)"', row)
        assert len(cells) == n_items
        for s in cells:
            by_status[s] += 1
    for s in by_status:       # the heatmap colours add up to the coverage counts
        assert by_status[s] == sum(c[s] for c in expected["coverage"]), s
    # the hostile name is text: no element was created from it, and it did not run
    markup = re.sub(r'="[^"]*"', '=""', dom)      # attribute values may hold the name verbatim
    assert "<img" not in markup and "pwned" not in re.search(r"<title>(.*?)</title>", dom).group(1)
    assert html.escape(EVIL, quote=False) in dom


def test_browser_drill_down_shows_evidence(page, tmp_path):
    out, expected = page
    top = expected["reports"][0]
    dom = dump_dom(out, tmp_path / "profile", "#report-0")
    detail = dom.split('id="detail-body"')[1]
    assert top["report"]["agency"] in detail
    assert len(re.findall(r'<tr class="detail-row"', detail)) == len(top["items"])
    quotes = [html.unescape(q) for q in re.findall(r'<span class="quote">(.*?)</span>', detail, re.S)]
    done = [it for it in top["items"] if it["evidence"]]
    assert len(quotes) == len(done) > 0
    for q, it in zip(quotes, done):
        text = it["evidence"][0]["text"]
        assert q == text or (q.endswith("…") and text.startswith(q[:-1]))
