"""`dutycheck checklist …` through click's CliRunner: every command, and the exact
`file:line:column` of each kind of mistake a legal officer makes in a checklist."""

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dutycheck.checklist.load import bundled_dir, load_checklist_uncached
from dutycheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHANXI = ROOT / "checklists" / "examples" / "shanxi.yaml"
BUNDLED = sorted(bundled_dir().glob("*.yaml")) + sorted((bundled_dir() / "examples").glob("*.yaml"))

# A small provincial checklist. Line numbers matter: the broken variants below change
# one line and the tests assert the line and column of the message.
VALID = """\
id: province
version: "2026.11"
title: 某省教育局法治政府建设年度报告清单
groups:
  - id: counsel
    title: 法律顾问
items:
  - id: counsel.retained
    title: 法律顾问（公职律师）制度
    group: counsel
    weight: 3
    match:
      - any: [法律顾问, 公职律师]
    examples:
      match: ["聘请宇星律师事务所康宏春担任教育局法律顾问。"]
"""


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def write(tmp_path: Path, text: str, name: str = "province.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def broken(tmp_path: Path, line: int, replacement: str) -> Path:
    """VALID with one line (1-based) replaced."""
    lines = VALID.splitlines()
    lines[line - 1] = replacement
    return write(tmp_path, "\n".join(lines) + "\n")


# ----------------------------------------------------------------------------- validate

def test_validate_a_good_checklist(tmp_path):
    path = write(tmp_path, VALID)
    r = run("checklist", "validate", path)
    assert r.exit_code == 0, r.output
    assert f"✔ {path}: 有效，1 项 (valid, 1 items)" in r.output


def test_unknown_key_points_at_the_misspelt_key(tmp_path):
    path = broken(tmp_path, 11, "    wieght: 3")
    r = run("checklist", "validate", path)
    assert r.exit_code == 2
    assert f"{path}:11:5: items.0.wieght: 未知的键“wieght”" in r.output
    assert "(unknown key 'wieght')" in r.output
    # and the item now lacks its weight: reported at the item
    assert f"{path}:8:5: items.0: 缺少必需的键“weight” (missing required key 'weight')" in r.output


def test_duplicate_id_points_at_the_second_id(tmp_path):
    second = ("  - id: counsel.retained\n    title: 公职律师\n    group: counsel\n    weight: 1\n"
              "    match:\n      - any: [公职律师]\n")
    path = write(tmp_path, VALID + second)
    r = run("checklist", "validate", path)
    assert r.exit_code == 2
    assert (f"{path}:16:9: items.1.id: 重复的条目 id“counsel.retained” "
            f"(duplicate item id 'counsel.retained')") in r.output


def test_a_second_items_key_is_an_error_not_a_silent_replacement(tmp_path):
    # PyYAML keeps the last of two equal keys: the first items would vanish unnoticed
    path = write(tmp_path, VALID + "items:\n  - id: counsel.other\n    title: 公职律师\n"
                                   "    group: counsel\n    weight: 1\n"
                                   "    match:\n      - any: [公职律师]\n")
    r = run("checklist", "validate", path)
    assert r.exit_code == 2
    assert (f"{path}:16:1: items: 键“items”重复（第 7 行已有），YAML 只会保留后一个 "
            f"(duplicate key 'items' (first at line 7); YAML keeps only the last)") in r.output


def test_a_duplicate_key_inside_an_item_and_a_rule(tmp_path):
    text = (VALID.replace("    weight: 3\n", "    weight: 3\n    weight: 1\n")
                 .replace("      - any: [法律顾问, 公职律师]\n",
                          "      - any: [法律顾问, 公职律师]\n        any: [律师]\n"))
    path = write(tmp_path, text)
    r = run("checklist", "validate", path)
    assert r.exit_code == 2
    assert f"{path}:12:5: items.0.weight: 键“weight”重复（第 11 行已有）" in r.output
    assert f"{path}:15:9: items.0.match.0.any: 键“any”重复（第 14 行已有）" in r.output
    assert "2 处错误 (2 problems)" in r.output


def test_audit_refuses_a_checklist_with_a_duplicate_key(tmp_path):
    path = write(tmp_path, VALID.replace("title: 某省", "title: 甲\ntitle: 某省"), "dup.yaml")
    report = write(tmp_path, "一、主要举措\n聘请宇星律师事务所康宏春担任教育局法律顾问。\n", "r.txt")
    r = run("audit", report, "-c", path)
    assert r.exit_code == 2
    assert f"{path}:4:1: 键“title”重复（第 3 行已有）" in r.output


def test_empty_phrase_list(tmp_path):
    path = broken(tmp_path, 13, "      - any: []")
    r = run("checklist", "validate", path)
    assert r.exit_code == 2
    assert (f"{path}:13:14: items.0.match.0.any: 短语列表不能为空 "
            f"(expected a non-empty list of phrases)") in r.output


def test_bad_regex_points_at_the_phrase(tmp_path):
    path = broken(tmp_path, 13, '      - any: [法律顾问, "re:法律顾问(\\\\d+"]')
    r = run("checklist", "validate", path)
    assert r.exit_code == 2
    assert f"{path}:13:21: items.0.match.0.any.1: 正则表达式有误" in r.output
    assert "(bad regular expression)" in r.output


def test_weight_out_of_range(tmp_path):
    path = broken(tmp_path, 11, "    weight: 12")
    r = run("checklist", "validate", path)
    assert r.exit_code == 2
    assert (f"{path}:11:13: items.0.weight: 权重应为 0 到 10 之间的数 "
            f"(weight must be a number from 0 to 10)") in r.output


def test_broken_extends_points_at_the_name(tmp_path):
    path = write(tmp_path, "id: shanxi\nextends: defualt\nitems: []\n")
    r = run("checklist", "validate", path)
    assert r.exit_code == 2
    assert f"{path}:2:10: extends: extends 无法解析：找不到内置清单“defualt”" in r.output
    assert "(broken extends: no bundled checklist named 'defualt')" in r.output


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    # an ASCII colon inside a value: the commonest slip when pasting a legal basis
    path = broken(tmp_path, 9, "    title: 法律顾问制度: 公职律师")
    r = run("checklist", "validate", path)
    assert r.exit_code == 2
    assert f"{path}:9:18: YAML 语法错误：mapping values are not allowed" in r.output


def test_every_problem_is_reported_at_once(tmp_path):
    text = (VALID.replace("    weight: 3", "    weight: 12")
                 .replace("[法律顾问, 公职律师]", "[]")
                 .replace("    group: counsel", "    group: counsel\n    gruop: counsel"))
    path = write(tmp_path, text)
    r = run("checklist", "validate", path)
    assert r.exit_code == 2
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith(str(path))]
    assert len(lines) == 3, r.output
    assert "3 处错误 (3 problems)" in r.output


def test_validate_several_files_exits_2_if_any_is_invalid(tmp_path):
    good = write(tmp_path, VALID, "good.yaml")
    bad = write(tmp_path, VALID.replace("weight: 3", "weight: -1"), "bad.yaml")
    r = run("checklist", "validate", good, bad)
    assert r.exit_code == 2
    assert f"✔ {good}" in r.output and f"{bad}:11:13: items.0.weight" in r.output


def test_validate_accepts_bundled_names():
    r = run("checklist", "validate", "default", "general", SHANXI)
    assert r.exit_code == 0, r.output
    assert r.output.count("✔") == 3


# ----------------------------------------------------------------------------- list / show

def test_list_shows_bundled_examples_and_local_checklists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "checklists").mkdir()
    write(tmp_path / "checklists", VALID, "province.yaml")
    write(tmp_path, "reports: {}\n", "gold.yaml")          # not a checklist: not listed
    r = run("checklist", "list")
    assert r.exit_code == 0, r.output
    assert "default" in r.output and "教育局法治政府建设年度报告清单" in r.output
    assert "general" in r.output and "继承 general" in r.output
    assert "shanxi.yaml" in r.output
    assert "checklists/province.yaml" in r.output and "某省教育局" in r.output
    assert "gold.yaml" not in r.output


def test_one_name_resolution_for_audit_show_and_extends(tmp_path, monkeypatch):
    # the bundled example `shanxi` by name: audit -c, checklist show and extends agree
    monkeypatch.chdir(tmp_path)
    report = write(tmp_path, "一、主要举措\n聘请宇星律师事务所担任教育局法律顾问，开展执法案卷评查。\n", "r.txt")
    audited = run("audit", report, "-c", "shanxi", "--format", "json")
    assert audited.exit_code in (0, 1), audited.output
    assert '"id": "shanxi"' in audited.output
    shown = run("checklist", "show", "shanxi")
    assert shown.exit_code == 0, shown.output
    assert "山西省教育局" in shown.output and "行政执法案卷评查" in shown.output
    child = write(tmp_path, "id: jincheng\nextends: shanxi\nitems: []\n", "jincheng.yaml")
    chain = load_checklist_uncached(child).chain          # default → shanxi → jincheng
    assert chain[-2:] == (str(SHANXI.resolve()), str(child.resolve()))


def test_a_local_checklist_by_bare_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "checklists").mkdir()
    write(tmp_path / "checklists", VALID, "province.yaml")
    report = write(tmp_path, "一、主要举措\n聘请宇星律师事务所康宏春担任教育局法律顾问。\n", "r.txt")
    audited = run("audit", report, "-c", "province", "--format", "json")
    assert '"id": "province"' in audited.output, audited.output
    assert run("checklist", "validate", "province").exit_code == 0
    missing = run("audit", report, "-c", "provinse")
    assert missing.exit_code == 2 and "找不到内置清单“provinse”" in missing.output


def test_show_resolves_extends():
    r = run("checklist", "show", SHANXI)
    assert r.exit_code == 0, r.output
    assert "general → default → shanxi" in r.output
    assert "enforcement.case-review" in r.output           # added by the province
    assert "legal-counsel.retained" in r.output
    assert "school-governance.charter" not in r.output     # disabled by the province
    assert "school-governance.model-schools" in r.output   # inherited, still there


def test_show_by_bundled_name_and_unknown_name():
    assert "vice-principals.appointed" in run("checklist", "show", "default").output
    r = run("checklist", "show", "no-such-list")
    assert r.exit_code == 2
    assert "找不到内置清单“no-such-list”" in r.output


# ----------------------------------------------------------------------------- new / add / set / remove / rename

def test_new_child_checklist_validates_and_extends_default(tmp_path):
    out = tmp_path / "shanxi.yaml"
    r = run("checklist", "new", "shanxi", "--extends", "default", "--out", out, "--title", "山西省清单")
    assert r.exit_code == 0, r.output
    cl = load_checklist_uncached(out)
    assert cl.id == "shanxi" and cl.title == "山西省清单"
    assert [Path(p).stem for p in cl.chain] == ["general", "default", "shanxi"]
    assert "dutycheck checklist add" in out.read_text(encoding="utf-8")   # it explains itself
    again = run("checklist", "new", "shanxi", "--out", out)
    assert again.exit_code == 2 and "文件已存在" in again.output


def test_new_rejects_a_chinese_id(tmp_path):
    r = run("checklist", "new", "山西", "--out", tmp_path / "x.yaml")
    assert r.exit_code == 2
    assert "只能用小写字母" in r.output
    assert not (tmp_path / "x.yaml").exists()


def test_add_set_remove_rename_round_trip(tmp_path):
    path = write(tmp_path, "# 某省清单（注释应当保留）\n" + VALID)
    r = run("checklist", "add", path, "--id", "counsel.participation", "--title", "法律顾问参与重大决策",
            "--group", "counsel", "--weight", "2", "--phrase", "法律顾问参与", "--phrase", "法律顾问列席",
            "--basis", "《重大行政决策程序暂行条例》第二十八条",
            "--example", "重大行政决策均有法律顾问参与论证。",
            "--no-match", "聘请法律顾问1名。")
    assert r.exit_code == 0, r.output
    r = run("checklist", "set", path, "counsel.participation", "weight", "3")
    assert r.exit_code == 0, r.output
    r = run("checklist", "set", path, "counsel.participation", "match.0.any+", "法律顾问出具意见")
    assert r.exit_code == 0, r.output
    r = run("checklist", "rename", path, "counsel.participation", "counsel.decisions")
    assert r.exit_code == 0, r.output
    cl = load_checklist_uncached(path)
    item = cl.item("counsel.decisions")
    assert item.weight == 3
    assert item.rules[0].groups[0] == ("法律顾问参与", "法律顾问列席", "法律顾问出具意见")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 某省清单（注释应当保留）\n")
    assert "重大行政决策均有法律顾问参与论证。" in text
    assert run("checklist", "test", path).exit_code == 0
    r = run("checklist", "remove", path, "counsel.decisions")
    assert r.exit_code == 0 and "已删除 (removed)" in r.output
    assert path.read_text(encoding="utf-8") == "# 某省清单（注释应当保留）\n" + VALID


def test_a_failed_add_leaves_the_file_byte_identical(tmp_path):
    path = write(tmp_path, "# 注释\r\n" + VALID.replace("\n", "\r\n"))
    before = path.read_bytes()
    r = run("checklist", "add", path, "--id", "counsel.extra", "--title", "公职律师", "--group", "counsl",
            "--weight", "11", "--phrase", "公职律师")
    assert r.exit_code == 2
    assert "未定义的分组“counsl”" in r.output and "items.1.weight" in r.output
    assert "未保存，文件未改动 (not saved; the file is unchanged)" in r.output
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["province.yaml"]   # no temp file left


def test_set_on_an_inherited_item_writes_an_override(tmp_path):
    child = tmp_path / "shanxi.yaml"
    assert run("checklist", "new", "shanxi", "--extends", "default", "--out", child).exit_code == 0
    r = run("checklist", "set", child, "legal-counsel.retained", "weight", "4")
    assert r.exit_code == 0 and "写入 overrides" in r.output
    r = run("checklist", "set", child, "disputes.petitions", "examples.match+", "办理人民来信12件，办结率100%。")
    assert r.exit_code == 0, r.output
    cl = load_checklist_uncached(child)
    assert cl.item("legal-counsel.retained").weight == 4
    examples = cl.item("disputes.petitions").examples["match"]
    assert examples[-1] == "办理人民来信12件，办结率100%。" and len(examples) > 1   # inherited ones kept


def test_set_refuses_id_and_unknown_items(tmp_path):
    path = write(tmp_path, VALID)
    r = run("checklist", "set", path, "counsel.retained", "id", "counsel.x")
    assert r.exit_code == 2 and "rename" in r.output
    r = run("checklist", "set", path, "counsel.missing", "weight", "2")
    assert r.exit_code == 2 and "清单中没有条目“counsel.missing”" in r.output
    assert path.read_text(encoding="utf-8") == VALID


def test_remove_an_inherited_item_disables_it(tmp_path):
    child = tmp_path / "shanxi.yaml"
    run("checklist", "new", "shanxi", "--extends", "default", "--out", child)
    r = run("checklist", "remove", child, "school-governance.charter")
    assert r.exit_code == 0 and "已停用继承的条目" in r.output
    ids = [it.id for it in load_checklist_uncached(child).items]
    assert "school-governance.charter" not in ids and "school-governance.model-schools" in ids


def test_rename_an_inherited_id_is_refused(tmp_path):
    child = tmp_path / "shanxi.yaml"
    run("checklist", "new", "shanxi", "--extends", "default", "--out", child)
    before = child.read_bytes()
    r = run("checklist", "rename", child, "legal-counsel.retained", "legal-counsel.hired")
    assert r.exit_code == 2 and "来自被继承的清单" in r.output
    assert child.read_bytes() == before


def test_rename_rewrites_the_checklists_that_extend_the_file(tmp_path):
    base = write(tmp_path, VALID, "province.yaml")
    (tmp_path / "cities").mkdir()
    city = write(tmp_path / "cities", "id: city\nextends: ../province.yaml\n"
                 "overrides:\n  counsel.retained:   # 市里更看重法律顾问\n    weight: 4\n", "city.yaml")
    r = run("checklist", "rename", base, "counsel.retained", "counsel.hired")
    assert r.exit_code == 0, r.output
    assert "cities/city.yaml" in r.output
    assert "  counsel.hired:      # 市里更看重法律顾问\n" in city.read_text(encoding="utf-8")
    assert load_checklist_uncached(city).item("counsel.hired").weight == 4


# ----------------------------------------------------------------------------- edit

def test_edit_reopens_with_the_errors_then_saves(tmp_path, monkeypatch):
    path = write(tmp_path, VALID)
    seen = []
    answers = [VALID.replace("weight: 3", "weight: 30"), None]

    def fake_edit(text, **kwargs):
        seen.append(text)
        answer = answers.pop(0)
        if answer is None:                                   # second round: fix it
            return text.replace("weight: 30", "weight: 4")
        return answer

    monkeypatch.setattr(click, "edit", fake_edit)
    r = run("checklist", "edit", path)
    assert r.exit_code == 0, r.output
    assert "已保存 (saved)" in r.output
    # the reopened buffer starts with the error, at its line in the buffer (11 + 3 header lines)
    assert seen[1].startswith("# dutycheck: 清单有 1 处错误，尚未保存")
    assert "# dutycheck: 第 14 行第 13 列 items.0.weight: 权重应为 0 到 10 之间的数" in seen[1]
    assert path.read_text(encoding="utf-8") == VALID.replace("weight: 3", "weight: 4")


def test_edit_aborted_after_an_error_keeps_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, VALID)
    before = path.read_bytes()
    answers = [VALID.replace("    title: 法律顾问（公职律师）制度\n", ""), None]
    monkeypatch.setattr(click, "edit", lambda text, **kw: answers.pop(0))
    r = run("checklist", "edit", path)
    assert r.exit_code == 2
    assert "缺少必需的键“title”" in r.output and "已放弃修改，文件未改动" in r.output
    assert path.read_bytes() == before


def test_edit_closed_without_saving_changes_nothing(tmp_path, monkeypatch):
    path = write(tmp_path, VALID)
    monkeypatch.setattr(click, "edit", lambda text, **kw: None)
    r = run("checklist", "edit", path)
    assert r.exit_code == 0 and "未修改 (no changes)" in r.output
    assert path.read_text(encoding="utf-8") == VALID


# ----------------------------------------------------------------------------- test

@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_checklist_test_passes_on_every_bundled_checklist(path):
    r = run("checklist", "test", path)
    assert r.exit_code == 0, r.output
    assert "0 条失败 (" in r.output


def test_checklist_test_reports_a_failing_example(tmp_path):
    # "聘请律师" alone is not a phrase of this item, and "学习《律师法》" is not counsel
    text = VALID.replace('      match: ["聘请宇星律师事务所康宏春担任教育局法律顾问。"]',
                         '      match: ["聘请宇星律师事务所康宏春律师。"]\n'
                         '      no_match: ["组织学习《公职律师管理办法》。"]')
    path = write(tmp_path, text)
    r = run("checklist", "test", path)
    assert r.exit_code == 1
    assert "✖ counsel.retained  match: 应判为已开展，实际为 absent (expected done, got absent)" in r.output
    assert "「聘请宇星律师事务所康宏春律师。」" in r.output
    assert "✖ counsel.retained  no_match: 不应匹配，却匹配了“公职律师”" in r.output
    assert "2 条示例，0 条通过，2 条失败" in r.output


def test_checklist_test_with_gold_labels(tmp_path):
    pytest.importorskip("dutycheck.read")          # evaluate reads the report files
    gold = ROOT.parent / "shared" / "gold" / "seeds.yaml"
    reports = ROOT.parent / "shared" / "seeds"
    if not gold.is_file():
        pytest.skip("shared gold labels not present")
    r = run("checklist", "test", "default", "--gold", gold, "--reports", reports, "--min-agreement", 50)
    assert r.exit_code == 0, r.output
    assert "与人工标注一致率 (agreement with gold labels)" in r.output
    # a province that switches off legal counsel disagrees with every report that has one
    child = write(tmp_path, "id: no-counsel\nextends: default\ndisable: [legal-counsel.retained]\n")
    r = run("checklist", "test", child, "--gold", gold, "--reports", reports, "--min-agreement", 100)
    assert r.exit_code == 1 and "一致率低于 --min-agreement 100%" in r.output


def test_checklist_test_needs_both_gold_and_reports():
    r = run("checklist", "test", "default", "--gold", __file__)
    assert r.exit_code != 0 and "--gold 与 --reports 需同时给出" in r.output


# ----------------------------------------------------------------------------- build

def test_build_to_stdout_and_to_a_file(tmp_path):
    outline = ROOT / "tests" / "fixtures" / "outlines" / "六大职责.md"
    r = run("checklist", "build", outline, "--id", "six-duties")
    assert r.exit_code == 0, r.output
    assert r.output.startswith("# 由 dutycheck checklist build 从 六大职责.md 生成")
    assert "id: six-duties" in r.output
    out = tmp_path / "six.yaml"
    r = run("checklist", "build", outline, "--out", out)
    assert r.exit_code == 0, r.output
    assert "6 组 (groups)，17 项 (items)" in r.output
    assert run("checklist", "validate", out).exit_code == 0
    assert run("checklist", "build", outline, "--out", out).exit_code == 2   # never overwrites


def test_the_format_docs_show_real_validate_output(tmp_path, monkeypatch):
    """docs/checklist-format.md §10 shows a broken shanxi.yaml and what validate says."""
    import re

    docs = (ROOT / "docs" / "checklist-format.md").read_text(encoding="utf-8")
    section = docs[docs.index("## 10. 错误信息"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    shown = re.search(r"```\n\$ dutycheck checklist validate shanxi.yaml\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, example, "shanxi.yaml")
    r = run("checklist", "validate", "shanxi.yaml")
    assert r.exit_code == 2
    for expected, actual in zip(shown.splitlines(), r.output.splitlines()):
        if "…" in expected:          # the docs shorten the list of allowed keys
            head, tail = expected.split("…")
            assert actual.startswith(head.rstrip(" ,")) and actual.endswith(tail.strip()), actual
        else:
            assert actual == expected
    assert len(r.output.splitlines()) == len(shown.splitlines())


def test_remove_is_refused_while_a_child_still_overrides_the_item(tmp_path):
    base = write(tmp_path, VALID, "province.yaml")
    city = write(tmp_path, "id: city\nextends: province.yaml\noverrides:\n  counsel.retained:\n    weight: 4\n",
                 "city.yaml")
    before = base.read_bytes()
    r = run("checklist", "remove", base, "counsel.retained")
    assert r.exit_code == 2
    assert "继承本文件并引用了“counsel.retained”" in r.output and str(city) in r.output
    assert base.read_bytes() == before


@pytest.mark.parametrize("extra, key", [
    ("settings: {evidence_limit: ''}\n", "settings.evidence_limit"),
    ("settings: {fuzzy: {min_length: [7]}}\n", "settings.fuzzy.min_length"),
    ("settings: {fuzzy: {cutoffs: 90}}\n", "settings.fuzzy.cutoffs"),
    ("settings: 3\n", "settings"),
    ("structure: {headings: [下一步]}\n", "structure.headings"),
    ("structure: {headings: {plans: [[下一步]]}}\n", "structure.headings.plans.0"),
    ("structure: {headings: {plans: [2025]}}\n", "structure.headings.plans.0"),
], ids=["evidence-limit-text", "min-length-list", "cutoffs-number", "settings-number",
        "headings-list", "pattern-list", "pattern-number"])
def test_malformed_blocks_are_problems_not_crashes(tmp_path, extra, key):
    # each of these crashed the validator with a Python traceback before (found by fuzzing)
    path = write(tmp_path, VALID + extra)
    r = run("checklist", "validate", path)
    assert r.exit_code == 2, r.output
    assert isinstance(r.exception, SystemExit)             # a clean exit, not a traceback
    assert f": {key}: " in r.output
