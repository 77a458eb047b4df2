"""Time and peak memory of `dutycheck audit` on every hostile input of tests/fixtures/hostile.py.

    python bench/bench_hostile.py            # prints one row per input, then the worst of each

Each input runs in its own process under /usr/bin/time -v (wall seconds, max RSS), so the
figures are what one file can cost; the README's bounds ("no input takes more than …") come
from this script.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fixtures import hostile  # noqa: E402


def inputs(d: Path) -> dict[str, Path]:
    big_text = d / "text-20mb.txt"
    big_text.write_text(hostile.REPORT + "法治政府建设" * (20 * 2**20 // 18 - 10), encoding="utf-8")
    bad_byte = d / "utf8-bad-byte.txt"
    bad_byte.write_bytes(hostile.REPORT.encode() * 200 + b"\xff" + hostile.REPORT.encode())
    return {
        "docx numbering.xml → 64 MB": hostile.docx_numbering_bomb(d / "numbering.docx"),
        "docx document.xml → 200 MB": hostile.docx_body_bomb(d / "body.docx", mb=200),
        "docx document.xml 30 MB (under cap)": hostile.docx_body_bomb(d / "body30.docx", mb=30),
        "docx 5 M characters": hostile.docx_text_bomb(d / "text.docx", chars=5_000_000),
        "docx tables nested 80 deep": hostile.docx_nested_tables(d / "nested.docx", depth=80),
        "docx numbering start 10^8 Roman": hostile.docx_huge_roman_start(d / "roman.docx"),
        "docx malformed ilvl/start": hostile.docx_malformed_numbering(d / "malformed.docx"),
        "html nested 20000 deep (480 KB)": hostile.html_deeply_nested(d / "nested.html", depth=20000),
        "txt one bad byte": bad_byte,
        "txt 20 MB (size cap)": big_text,
    }


def measure(path: Path) -> tuple[float, float, int, str]:
    out = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "dutycheck", "audit", str(path),
                          "-f", "json", "--timeout", "120"], capture_output=True, text=True)
    err = out.stderr
    secs = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", err)
    wall = (int(secs.group(1) or 0) * 3600 + int(secs.group(2)) * 60 + float(secs.group(3))) if secs else -1
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    first = next((ln for ln in err.splitlines() if ln.startswith(("Error", "错误"))), "ok")
    return wall, rss, out.returncode, first[:70]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = [(name, path.stat().st_size / 1024, *measure(path)) for name, path in inputs(Path(tmp)).items()]
    print(f"{'input':38} {'KB':>8} {'s':>6} {'MB RSS':>7} exit  result")
    for name, kb, wall, rss, code, first in rows:
        print(f"{name:38} {kb:8.0f} {wall:6.2f} {rss:7.0f} {code:4}  {first}")
    print(f"worst: {max(r[2] for r in rows):.1f} s, {max(r[3] for r in rows):.0f} MB")


if __name__ == "__main__":
    main()
