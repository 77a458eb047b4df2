"""The workbench's speed: server time of the region page over 500 reports and of one report
page, and auditing 100 uploaded reports against `dutycheck batch` on the same files.

    python bench/bench_web.py            # prints the figures; targets: region < 0.3 s, report < 0.1 s

Server time is the app's own `Server-Timing` header (request in, page out), one run after
one warm-up request; pages reuse the task's batch while its files and corrections are unchanged,
so the first page after a correction (which rebuilds it) is measured as well. The 500 reports
are the bundled ones under 100 agency names each (distinct bytes, so 500 distinct audits in
the store).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
REPORTS = sorted((ROOT / "reports").rglob("*.txt"))


CHARS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def variants(n: int) -> list[tuple[str, bytes]]:
    """n distinct reports: each sentence tagged with words of its own, so that no two are copies
    of each other (as real reports of different bureaus are not)."""
    out = []
    for i in range(n):
        tag = "".join(CHARS[int(d)] for d in f"{i:03d}") + "项"
        src = REPORTS[i % len(REPORTS)]
        text = src.read_text(encoding="utf-8")
        agency = f"测试{i:03d}县教育局"
        for old in ("晋城市教育局", "焦作市教育局", "焦作市山阳区教育局", "于田县教育局", "曲沃县教育科技局"):
            text = text.replace(old, agency)
        text = text.replace("。", f"（{tag}）。")
        out.append((f"{agency}-{src.stem[-4:]}.txt", text.encode("utf-8")))
    return out


def server_ms(s: requests.Session, url: str) -> float:
    r = s.get(url, timeout=120)
    r.raise_for_status()
    return float(re.search(r"dur=([\d.]+)", r.headers["Server-Timing"]).group(1))


def main() -> int:
    from dutycheck.web.app import create_app
    from dutycheck.web.server import running

    with tempfile.TemporaryDirectory() as tmp:
        tmp_p = Path(tmp)
        app = create_app(tmp_p / "store.sqlite")
        with running(app) as base:
            s = requests.Session()
            token = re.search(r'data-csrf="([^"]+)"', s.get(base).text).group(1)

            def task(name: str) -> int:
                r = s.post(base + "tasks", data={"csrf_token": token, "region": name, "year": "2024"},
                           allow_redirects=False)
                return int(r.headers["Location"].rstrip("/").split("/")[-1])

            def upload_and_wait(t: int, files: list[tuple[str, bytes]]) -> float:
                t0 = time.perf_counter()
                for k in range(0, len(files), 250):
                    s.post(f"{base}tasks/{t}/upload", files=[("files", f) for f in files[k:k + 250]],
                           data={"csrf_token": token}, headers={"Accept": "application/json"}).raise_for_status()
                while s.get(f"{base}tasks/{t}/progress").json()["auditing"]:
                    time.sleep(0.05)
                return time.perf_counter() - t0

            hundred = variants(100)
            web_s = upload_and_wait(task("百份"), hundred)
            folder = tmp_p / "cli"
            folder.mkdir()
            for name, data in hundred:
                (folder / name).write_bytes(data)
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "dutycheck", "batch", str(folder), "--format", "csv", "--out",
                            str(tmp_p / "cli.csv")], check=False, capture_output=True)
            cli_s = time.perf_counter() - t0

            big = task("五百份")
            upload_and_wait(big, variants(500))
            region = f"{base}tasks/{big}/region"
            server_ms(s, region)
            region_ms = server_ms(s, region)
            fid = int(re.findall(rf"/tasks/{big}/reports/(\d+)", s.get(region).text)[0])
            report = f"{base}tasks/{big}/reports/{fid}"
            server_ms(s, report)
            report_ms = server_ms(s, report)
            # after a correction the task's batch is rebuilt once: the first pages after it
            page = s.get(report).text
            action = re.search(r'<form class="correct" method="post" action="([^"]+)"', page).group(1)
            s.post(base.rstrip("/") + action, data={"csrf_token": token, "status": "na", "version": "0",
                                                   "reviewer": "bench"}, allow_redirects=False)
            report_fresh_ms = server_ms(s, report)
            s.post(base.rstrip("/") + action, data={"csrf_token": token, "status": "absent", "version": "-1",
                                                   "reviewer": "bench"}, allow_redirects=False)
            region_fresh_ms = server_ms(s, region)
    print(f"upload + audit of 100 reports: {web_s:.1f} s (serve)  vs  {cli_s:.1f} s (dutycheck batch, same files)")
    print(f"region page, 500 reports: {region_ms:.0f} ms server time (target < 300)")
    print(f"report page: {report_ms:.0f} ms server time (target < 100)")
    print(f"first page after a correction (the task's batch rebuilt): report {report_fresh_ms:.0f} ms, "
          f"region {region_fresh_ms:.0f} ms")
    return 0 if region_ms < 300 and report_ms < 100 else 1


if __name__ == "__main__":
    sys.exit(main())
