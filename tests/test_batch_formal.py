"""形式审查 across a batch: copied reports, revisions of one report, listed in every output."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dutycheck.batch import run_batch
from dutycheck.cli import main
from dutycheck.copies import Entry, copied_pairs

ROOT = Path(__file__).resolve().parent.parent
JINCHENG = ROOT / "reports/山西/晋城市教育局-2023.txt"
YUTIAN = ROOT / "reports/新疆/于田县教育局-2023.txt"


def run(*args):
    return CliRunner().invoke(main, ["batch", *map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def region(tmp_path_factory) -> Path:
    """晋城's report copied by another bureau (名称 changed), and 于田's report twice: the first
    version and a corrected one signed later."""
    root = tmp_path_factory.mktemp("formal") / "region"
    (root / "甲县").mkdir(parents=True)
    (root / "乙县").mkdir()
    text = JINCHENG.read_text(encoding="utf-8")
    (root / "甲县/晋城市教育局-2023.txt").write_text(text, encoding="utf-8")
    (root / "乙县/阳城县教育局-2023.txt").write_text(text.replace("晋城市教育局", "阳城县教育局"), encoding="utf-8")
    yt = YUTIAN.read_text(encoding="utf-8")
    (root / "乙县/于田县教育局-2023.txt").write_text(yt, encoding="utf-8")
    (root / "乙县/于田县教育局-2023-修订.txt").write_text(
        yt.replace("2024年3月5日", "2024年3月20日").replace("聘请", "特聘"), encoding="utf-8")
    return root


def digests(root: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*.txt"))}


def test_copied_pair_and_revision_in_the_batch_record(region):
    batch = run_batch([region], recursive=True, jobs=1)
    d = batch.to_dict()
    copies = d["formal"]["copies"]
    assert len(copies) == 1 and copies[0]["code"] == "copied"
    assert {Path(copies[0]["a"]).name, Path(copies[0]["b"]).name} == {"晋城市教育局-2023.txt", "阳城县教育局-2023.txt"}
    assert copies[0]["share"] > 0.9
    assert any("青少年法治教育大纲" in p for p in copies[0]["passages"])
    rev = d["formal"]["revisions"]
    assert len(rev) == 1 and Path(rev[0]["kept"]).name == "于田县教育局-2023-修订.txt"
    # the ranking counts 于田 once, the newer version
    names = [Path(r["path"]).name for r in d["ranking"]]
    assert "于田县教育局-2023.txt" not in names and "于田县教育局-2023-修订.txt" in names
    assert d["summary"]["unique"] == 3 and d["summary"]["superseded"] == 1
    assert sum(c["reports"] for c in d["structure"][:1]) == 3


def test_a_sentence_every_report_quotes_is_not_a_sign_of_copying():
    nums = "一二三四五六七八九十壹贰"   # fingerprints leave digits out: a copy with new figures still matches
    slogans = [f"深入学习贯彻习近平法治思想第{n}条要求全面推进依法治教" for n in nums]
    own = [f"开展宪法晨读活动覆盖全体师生共计活动第{n}项" for n in nums[:10]]

    def entry(n: int, body: list[str]) -> Entry:
        return Entry.of(f"r{n}.txt", f"{'甲乙丙丁戊己庚辛'[n]}县教育局", 2023, None,
                        sorted({_fp(s) for s in slogans + body}))

    entries = [entry(n, [s + "甲乙丙丁戊己庚辛"[n] for s in own]) for n in range(8)]
    assert copied_pairs(entries) == []              # 12 of 22 sentences shared, but by all eight
    entries[7] = entry(7, [s + "甲" for s in own])  # 辛县 copies 甲县's own sentences
    pairs = copied_pairs(entries)
    assert [(p.a, p.b, p.shared) for p in pairs] == [("r0.txt", "r7.txt", 10)]


def _fp(s: str) -> str:
    from dutycheck.formal import sentence_fingerprint

    fp = sentence_fingerprint(s)
    assert fp
    return fp


def test_every_batch_output_lists_the_formal_findings(region, tmp_path):
    before = digests(region)
    table = run(region, "-r", "--jobs", "1")
    assert "形式审查" in table.stdout and "大量雷同" in table.stdout and "新版本" in table.stdout

    out = tmp_path / "b.csv"
    run(region, "-r", "--jobs", "1", "-f", "csv", "-o", out)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    by = {Path(r["文件"]).name: r for r in rows if r["文件"]}
    assert "的句子相同" in by["阳城县教育局-2023.txt"]["形式问题"]
    assert "于田县教育局-2023.txt" not in by                       # superseded: not ranked

    out = tmp_path / "b.xlsx"
    run(region, "-r", "--jobs", "1", "-f", "xlsx", "-o", out)
    from openpyxl import load_workbook

    wb = load_workbook(out)
    formal = [r for r in wb["形式审查"].iter_rows(min_row=2, values_only=True)]
    assert {r[3] for r in formal} >= {"与其他单位报告大量雷同", "已被同一单位同年度的新版本取代", "缺少必备部分"}
    ws = wb["明细"]
    assert ws.auto_filter.ref.startswith("A1:") and ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    head = [c.value for c in ws[1]]
    assert "依据（缺项）" in head
    assert ws.cell(row=2, column=head.index("证据（第一条）") + 1).alignment.wrap_text

    out = tmp_path / "b.json"
    run(region, "-r", "--jobs", "1", "-f", "json", "-o", out)
    assert json.loads(out.read_text(encoding="utf-8"))["formal"]["copies"]

    assert digests(region) == before                              # no output ever touches an input


def test_batch_docx_writes_one_memo_per_report_and_the_region_summary(region, tmp_path):
    from docx import Document
    from test_documents import ink_share, render_first_page, text_of

    out = tmp_path / "memos"
    res = run(region, "-r", "--jobs", "1", "--format", "docx", "--out", out)
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["于田县教育局-2023-审查意见.docx", "区域汇总.docx", "晋城市教育局-2023-审查意见.docx",
                     "阳城县教育局-2023-审查意见.docx"]              # the superseded version gets none
    memo = text_of(Document(str(out / "阳城县教育局-2023-审查意见.docx")))
    assert "晋城市教育局-2023.txt 有" in memo and "疑似相互抄袭" in memo and "雷同段落" in memo
    yutian = text_of(Document(str(out / "于田县教育局-2023-审查意见.docx")))
    assert "取代同一单位同一年度的旧版本" in yutian and "2024年3月20日" in yutian
    summary = Document(str(out / "区域汇总.docx"))
    body = text_of(summary)
    heads = [p.text for p in summary.paragraphs if p.style.name == "Heading 1"]
    assert heads == ["一、总体情况", "二、得分排名", "三、职责覆盖情况", "四、最常缺失的职责", "五、报告结构完整性",
                     "六、各地区情况", "七、形式审查"]
    assert "审查法治政府建设年度报告 4 份" in body and "旧版本 1 份不计入排名" in body
    chart = summary.tables[1]                                   # coverage by duty, as a table-bar
    assert chart.rows[0].cells[1].text == "已开展比例"
    full = [r for r in chart.rows[1:] if r.cells[2].text == "100%"]
    assert full and all(r.cells[1].text == "█" * 20 for r in full)
    assert ink_share(render_first_page(out / "区域汇总.docx", tmp_path)) > 0.01


def test_batch_docx_needs_an_out_folder(region):
    res = run(region, "-r", "--format", "docx")
    assert res.exit_code == 2 and "--out" in res.output


def test_batch_html_links_each_report_to_its_printable_page(region, tmp_path):
    out = tmp_path / "审查结果.html"
    res = run(region, "-r", "--jobs", "1", "--format", "html", "--out", out)
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    data = json.loads(page.split('id="dc-data">')[1].split("</script>")[0])
    links = {Path(r["path"]).name: r["link"] for r in data["reports"]}
    assert links["晋城市教育局-2023.txt"].startswith("审查结果-报告/")
    target = out.parent / links["晋城市教育局-2023.txt"]
    single = target.read_text(encoding="utf-8")
    assert "晋城市教育局" in single and "<mark>" in single and "../审查结果.html" in single
    assert "疑似相互抄袭" in single                                # the batch's finding on the report's page
    assert 'id="formal"' in page and "已被同一单位同年度的新版本取代" in page
    ev = next(r for r in data["reports"] if Path(r["path"]).name == "晋城市教育局-2023.txt")["ev"]
    assert all(e[5] for e in ev)                                   # every quote says which part it is in


def test_history_compares_the_two_versions_of_one_year(region, tmp_path):
    db = tmp_path / "r.sqlite"
    assert run(region, "-r", "--jobs", "1", "--db", db, "-f", "json", "-o", tmp_path / "b.json").exit_code == 0
    res = CliRunner().invoke(main, ["history", "于田县教育局", "--db", str(db), "-f", "json"])
    entries = json.loads(res.output)["entries"]
    assert [e["year"] for e in entries] == [2023, 2023]
    first, revised = entries
    assert Path(revised["path"]).name == "于田县教育局-2023-修订.txt"        # the later date is the newer version
    assert revised["revision_of"] == first["audit_id"] and revised["score_change"] is not None
    table = CliRunner().invoke(main, ["history", "于田县教育局", "--db", str(db)]).output
    assert "2023 修订" in table and "2023 年度两个版本" in table


def test_a_revision_and_a_not_applicable_correction_together(region, tmp_path):
    """A superseded version makes the batch count its totals again; an item the reviewer marked
    不适用 (status code n) must be counted there as well, not crash the batch."""
    db = tmp_path / "r.sqlite"
    assert run(region, "-r", "--db", db, "--format", "json", "--out", tmp_path / "first.json").exit_code == 0
    res = CliRunner().invoke(main, ["review", "set", "于田县教育局", "2023", "legal-counsel.retained", "na",
                                    "--db", str(db)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    res = run(region, "-r", "--db", db, "--format", "json", "--out", tmp_path / "again.json")
    assert res.exit_code == 0, res.output
    d = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    assert d["summary"]["superseded"] == 1
    counsel = next(c for c in d["coverage"] if c["id"] == "legal-counsel.retained")
    assert (counsel["reports"], counsel["done"], counsel["done_share"]) == (3, 2, 1.0), counsel  # na: out


def test_the_copy_check_memory_grows_with_the_sentences_not_with_the_candidate_pairs():
    # five texts, 150 near-copies of each (a bureau's reports without a year: not copies of each
    # other, but every two of a text share most sentences): 56,000 candidate pairs
    import random
    import tracemalloc

    rng = random.Random(5)
    texts = [[f"00{g:04x}{k:06x}" for k in range(40)] for g in range(5)]
    entries = [Entry.of(f"{g}-{n}.txt", f"第{g}县教育局", None, None, rng.sample(texts[g], 36))
               for g in range(5) for n in range(150)]
    tracemalloc.start()
    try:
        pairs = copied_pairs(entries)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert pairs == []                  # the same agency and year: revisions, not copies
    assert peak < 2 * 2**20, peak       # a counter of the pairs took 7.7 MB here
    entries[0] = Entry.of("copy.txt", "别的县教育局", None, None, texts[1][:36])   # another bureau's copy
    copied = [p for p in copied_pairs(entries) if "copy.txt" in (p.a, p.b)]
    assert len(copied) == 150 and {p.code for p in copied} == {"copied"}


def test_passages_of_a_pair_named_for_the_reviewer_are_read_from_where_the_files_are(region):
    """The workbench names a report as the reviewer uploaded it (甲县/晋城市教育局-2023.txt) and
    keeps the file elsewhere: `locate` says where, and the shared text is found there."""
    from dutycheck.copies import CopyPair, with_passages

    files = {"甲县/晋城市教育局-2023.txt": str(region / "甲县/晋城市教育局-2023.txt"),
             "乙县/阳城县教育局-2023.txt": str(region / "乙县/阳城县教育局-2023.txt")}
    pair = CopyPair(*files, shared=40, share=0.95, code="copied")
    assert with_passages(pair).passages == ()                 # no file by those names here
    found = with_passages(pair, files.__getitem__)
    assert any("青少年法治教育大纲" in p for p in found.passages)
    assert (found.a, found.b) == (pair.a, pair.b)             # still named as the reviewer named them


def test_a_batch_reads_the_passages_again_in_a_child_that_may_die(region, monkeypatch):
    """`passages_of` reads the pairs' files in a forked child (the batch process keeps no reader
    loaded): the same passages as `with_passages` in this process; a child that dies, or a
    reader that never returns, costs the passages only."""
    import os
    import sys

    from dutycheck import copies
    from dutycheck.copies import CopyPair, passages_of, with_passages

    files = {"甲县/晋城市教育局-2023.txt": str(region / "甲县/晋城市教育局-2023.txt"),
             "乙县/阳城县教育局-2023.txt": str(region / "乙县/阳城县教育局-2023.txt")}
    pairs = [CopyPair(*files, shared=40, share=0.95, code="copied"),
             CopyPair("无此文件.txt", "乙县/阳城县教育局-2023.txt", shared=9, share=0.6, code="copied")]
    if not sys.platform.startswith("linux"):
        assert passages_of(pairs, files.get) == [with_passages(p, files.get) for p in pairs]
        return
    monkeypatch.setattr(copies, "_may_fork", lambda: True)      # whatever threads pytest runs
    readers: set[int] = set()

    def where(path: str) -> str | None:
        readers.add(os.getpid())
        return files.get(path)

    found = passages_of(pairs, where)
    assert found == [with_passages(p, files.get) for p in pairs] and found[0].passages and not found[1].passages
    assert readers == set()                 # read in the child: nothing ran here
    assert passages_of(pairs, lambda path: os._exit(3)) == pairs          # the child died

    def hang(path: str) -> str:
        import time

        time.sleep(60)
        return path

    monkeypatch.setattr(copies, "PASSAGES_SECONDS", 0.5)
    assert passages_of(pairs, hang) == pairs                              # killed after the deadline


def test_with_other_threads_alive_the_passages_are_read_in_this_process(region):
    """The workbench's server runs threads: a lock one of them held at a fork would hang the
    child until its deadline, so the files are read in the process itself."""
    import os
    import threading

    from dutycheck.copies import CopyPair, _may_fork, passages_of, with_passages

    files = {"甲县/晋城市教育局-2023.txt": str(region / "甲县/晋城市教育局-2023.txt"),
             "乙县/阳城县教育局-2023.txt": str(region / "乙县/阳城县教育局-2023.txt")}
    pairs = [CopyPair(*files, shared=40, share=0.95, code="copied")]
    readers: set[int] = set()

    def where(path: str) -> str:
        readers.add(os.getpid())
        return files[path]

    stop = threading.Event()
    server = threading.Thread(target=stop.wait, name="a waitress thread", daemon=True)
    server.start()
    try:
        assert not _may_fork()
        found = passages_of(pairs, where)
    finally:
        stop.set()
        server.join()
    assert found == [with_passages(p, files.get) for p in pairs] and found[0].passages
    assert readers == {os.getpid()}


def test_a_pool_batch_has_no_thread_left_when_it_reads_the_passages(region, monkeypatch):
    """`batch --jobs 2` waits for its pool's threads before the copy check, so the passages are
    read in a child (the batch process stays without the readers' memory)."""
    import threading

    from dutycheck import copies

    threads: list[int] = []
    real = copies.passages_of

    def counting(pairs, locate=None):
        threads.append(threading.active_count())
        return real(pairs, locate)

    monkeypatch.setattr(copies, "passages_of", counting)
    before = threading.active_count()
    batch = run_batch([region], recursive=True, jobs=2)
    assert len(batch.cross.copies) == 1 and batch.cross.copies[0].passages
    assert threads == [before]              # the pool's threads are gone (pytest's own may run)
