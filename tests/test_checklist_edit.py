"""Round-trip edits (`checklist/edit.py`): comments, key order, quoting and Chinese text
survive; only the lines an edit is about change; a failed edit changes no byte."""

import difflib
import os
import shutil
import stat
from pathlib import Path

import pytest

from dutycheck.checklist import edit
from dutycheck.checklist.load import bundled_dir, load_checklist_uncached
from dutycheck.errors import ChecklistError

GENERAL = bundled_dir() / "general.yaml"
BUNDLED = sorted(bundled_dir().glob("*.yaml")) + sorted((bundled_dir() / "examples").glob("*.yaml"))


@pytest.fixture
def general(tmp_path) -> Path:
    """A private copy of the bundled general checklist (it has no `extends`)."""
    path = tmp_path / "general.yaml"
    shutil.copy(GENERAL, path)
    return path


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) between two texts."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return ([d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")])


def item_block(text: str, item_id: str) -> str:
    """The lines of one item (items in the bundled files are separated by a blank line)."""
    start = text.index(f"  - id: {item_id}\n")
    end = text.find("\n\n", start)
    return text[start:end + 1 if end > 0 else len(text)]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_checklists_round_trip_byte_for_byte(path):
    assert edit._render(edit._open(path)) == path.read_text(encoding="utf-8")


LIST_WITH_COMMENT = """\
id: province
version: "1"
title: 某省清单
groups:
  - id: disputes
    title: 矛盾纠纷化解
items:
  - id: disputes.petitions
    title: 信访与群众诉求处理
    group: disputes
    weight: 2
    match:
      - any: [信访, 12345, 来信来访,
              # hotlines named by other bureaus (市长热线转办件)
              市长热线, 民生热线]
    basis: 《信访工作条例》（2022）
"""


def test_comments_inside_a_list_survive_an_edit_elsewhere(tmp_path):
    # ruamel drops a comment inside a [...] list; the edit is applied to the text as written
    path = tmp_path / "province.yaml"
    path.write_text(LIST_WITH_COMMENT, encoding="utf-8")
    edit.set_value(path, "disputes.petitions", "weight", "3")
    assert path.read_text(encoding="utf-8") == LIST_WITH_COMMENT.replace("weight: 2", "weight: 3")


def test_an_edit_of_such_a_list_is_refused_rather_than_lose_the_comment(tmp_path):
    path = tmp_path / "province.yaml"
    path.write_text(LIST_WITH_COMMENT, encoding="utf-8")
    with pytest.raises(ChecklistError, match="无法自动保留"):
        edit.set_value(path, "disputes.petitions", "match.0.any+", "人民来信")
    assert path.read_text(encoding="utf-8") == LIST_WITH_COMMENT


def test_set_changes_one_line_and_keeps_every_comment(general):
    before = general.read_text(encoding="utf-8")
    assert edit.set_value(general, "enforcement.full-record", "weight", "3") == "items"
    after = general.read_text(encoding="utf-8")
    removed, added = changed_lines(before, after)
    assert removed == ["    weight: 2"] and added == ["    weight: 3"]
    assert after.count("#") == before.count("#")
    assert load_checklist_uncached(general).item("enforcement.full-record").weight == 3


def test_set_text_keeps_a_colon_and_quotes_only_when_needed(general):
    edit.set_value(general, "legal-counsel.retained", "basis", "《意见》: 党政机关普遍设立公职律师")
    edit.set_value(general, "legal-counsel.retained", "guidance", "写明聘请法律顾问的情况。")
    text = general.read_text(encoding="utf-8")
    assert "    basis: '《意见》: 党政机关普遍设立公职律师'\n" in text
    assert "    guidance: 写明聘请法律顾问的情况。\n" in text
    assert load_checklist_uncached(general).item("legal-counsel.retained").basis == "《意见》: 党政机关普遍设立公职律师"


def test_add_goes_after_its_group_and_above_the_next_group_header(general):
    before = general.read_text(encoding="utf-8")
    edit.add_item(general, {
        "id": "legal-counsel.participation", "title": "法律顾问参与重大决策", "group": "legal-counsel",
        "weight": 2, "match": [edit._map([("any", edit._flow_seq(["法律顾问参与", "法律顾问列席"]))])],
        "examples": edit._map([("match", edit._flow_seq(["重大行政决策均有法律顾问参与论证。"]))]),
    })
    after = general.read_text(encoding="utf-8")
    removed, added = changed_lines(before, after)
    assert removed == []
    assert added.count("") == 1                                  # one blank line, as between items
    assert "  - id: legal-counsel.participation" in added
    assert "      - any: [法律顾问参与, 法律顾问列席]" in added
    # order: the retained item, the new one, then the next group's header comment
    retained = after.index("  - id: legal-counsel.retained")
    new = after.index("  - id: legal-counsel.participation")
    header = after.index("  # ------------------------------------------------------------------ normative documents")
    assert retained < new < header
    assert "\n\n  # ------------------------------------------------------------------ normative documents" in after
    ids = [it.id for it in load_checklist_uncached(general).items]
    assert ids.index("legal-counsel.participation") == ids.index("legal-counsel.retained") + 1


def test_add_new_key_lands_inside_the_item_not_after_the_next_comment(general):
    # the last enforcement item is followed by the "legal counsel" header comment
    edit.set_value(general, "enforcement.qualification", "notes", "持证率写在成效部分")
    text = general.read_text(encoding="utf-8")
    block = item_block(text, "enforcement.qualification")
    assert block.rstrip().endswith("    notes: 持证率写在成效部分\n\n  # ------------------------------------------------------------------ legal counsel".rstrip()) \
        or "    notes: 持证率写在成效部分" in block.split("# ----")[0]
    assert text.index("notes: 持证率写在成效部分") < text.index("# ------------------------------------------------------------------ legal counsel")


def test_remove_deletes_only_the_item_and_keeps_comments(general):
    before = general.read_text(encoding="utf-8")
    block = item_block(before, "legal-counsel.retained")
    assert edit.remove_item(general, "legal-counsel.retained") == "removed"
    after = general.read_text(encoding="utf-8")
    removed, added = changed_lines(before, after)
    assert added == []
    assert [r for r in removed if r] == [ln for ln in block.splitlines() if ln]
    assert after.count("# ----") == before.count("# ----")       # every group header stays
    assert "legal-counsel.retained" not in after


def test_remove_the_last_item_of_the_file(general):
    before = general.read_text(encoding="utf-8")
    last = item_block(before, "disputes.review-litigation")
    edit.remove_item(general, "disputes.review-litigation")
    after = general.read_text(encoding="utf-8")
    assert after == before.replace("\n" + last, "") or after == before.replace(last, "")
    load_checklist_uncached(general)


def test_line_endings_bom_and_permissions_survive(tmp_path):
    path = tmp_path / "windows.yaml"
    text = GENERAL.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    os.chmod(path, 0o640)
    edit.set_value(path, "enforcement.full-record", "weight", "3")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert raw.decode("utf-8-sig") == text.replace("    weight: 2\r\n    match:\r\n      - any: [全过程记录",
                                                   "    weight: 3\r\n    match:\r\n      - any: [全过程记录")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


@pytest.mark.parametrize("call", [
    lambda p: edit.set_value(p, "enforcement.full-record", "weight", "11"),
    lambda p: edit.set_value(p, "enforcement.full-record", "match.0.any+", "re:执法(记录"),
    lambda p: edit.set_value(p, "enforcement.full-record", "group", "no-such-group"),
    lambda p: edit.add_item(p, {"id": "legal-counsel.retained", "title": "重复", "group": "legal-counsel",
                                "weight": 1, "match": [{"any": ["法律顾问"]}]}),
    lambda p: edit.rename_item(p, "enforcement.full-record", "enforcement.publicity"),
    lambda p: edit.remove_item(p, "no.such-item"),
], ids=["weight-out-of-range", "bad-regex", "undefined-group", "duplicate-id", "rename-onto-existing", "unknown-id"])
def test_a_failed_edit_leaves_the_file_byte_identical(general, call):
    before = general.read_bytes()
    with pytest.raises(ChecklistError) as err:
        call(general)
    assert general.read_bytes() == before
    assert [p.name for p in general.parent.iterdir()] == ["general.yaml"]       # no temp file left
    assert str(general) in err.value.message()


def test_errors_name_the_users_file_with_lines_of_the_new_text(general):
    with pytest.raises(ChecklistError) as err:
        edit.set_value(general, "legal-counsel.retained", "weight", "11")
    (problem,) = err.value.problems
    index = [it.id for it in load_checklist_uncached(general).items].index("legal-counsel.retained")
    assert problem.path == str(general) and problem.key == f"items.{index}.weight"
    assert general.read_text(encoding="utf-8").splitlines()[problem.line - 1] == "    weight: 3"


def test_a_child_is_validated_merged_with_its_base(tmp_path):
    child = tmp_path / "shanxi.yaml"
    edit.new_checklist(child, "shanxi", extends="default")
    before = child.read_bytes()
    with pytest.raises(ChecklistError) as err:
        edit.add_item(child, {"id": "legal-counsel.retained", "title": "法律顾问", "group": "legal-counsel",
                              "weight": 3, "match": [{"any": ["法律顾问"]}]})
    assert "重复的条目 id“legal-counsel.retained”（要修改继承的条目请用 overrides）" in err.value.message()
    assert child.read_bytes() == before
    # the same change as an override is fine, and lands in `overrides`
    assert edit.set_value(child, "legal-counsel.retained", "weight", "4") == "overrides"
    assert load_checklist_uncached(child).item("legal-counsel.retained").weight == 4


def test_new_child_with_a_path_extends_is_relative_to_the_new_file(tmp_path):
    base = tmp_path / "province.yaml"
    shutil.copy(GENERAL, base)
    (tmp_path / "cities").mkdir()
    city = tmp_path / "cities" / "city.yaml"
    edit.new_checklist(city, "city", extends=str(base))
    assert "extends: ../province.yaml\n" in city.read_text(encoding="utf-8")
    assert load_checklist_uncached(city).chain[0] == str(base.resolve())


def test_a_circular_extends_through_dot_dot_is_an_error(tmp_path):
    (tmp_path / "sub").mkdir()
    path = tmp_path / "loop.yaml"
    path.write_text("id: loop\nextends: ./sub/../loop.yaml\n", encoding="utf-8")
    with pytest.raises(ChecklistError, match="循环引用"):
        load_checklist_uncached(path)


@pytest.mark.parametrize("text, key, value", [
    ("3", "weight", 3),
    ("2.5", "weight", 2.5),
    ("true", "ignore_in_titles", True),
    ("[法律顾问, 公职律师]", "examples.match", ["法律顾问", "公职律师"]),
    ("{any: [述法]}", "match.0", {"any": ["述法"]}),
    ("《意见》: 第三条", "basis", "《意见》: 第三条"),
    ("2026.12", "title", "2026.12"),
])
def test_values_are_yaml_except_for_text_keys(text, key, value):
    assert edit.parse_value(text, key.split(".")[-1]) == value


CHILD = """\
# 某市清单：只写与省里不同的地方
id: city
extends: default
# 市里更看重法律顾问
overrides:
  legal-counsel.retained:
    weight: 4   # 2025年要点
"""


def test_adding_items_to_a_child_keeps_the_comment_above_overrides(tmp_path):
    path = tmp_path / "city.yaml"
    path.write_text(CHILD, encoding="utf-8")
    edit.add_item(path, {"id": "enforcement.case-review", "title": "行政执法案卷评查", "group": "enforcement",
                         "weight": 1, "match": [edit._map([("any", edit._flow_seq(["案卷评查"]))])]})
    text = path.read_text(encoding="utf-8")
    assert text.index("  - id: enforcement.case-review") < text.index("# 市里更看重法律顾问\noverrides:")
    assert "    weight: 4   # 2025年要点\n" in text
    assert text.count("#") == CHILD.count("#")


def test_removing_the_only_override_keeps_its_comments(tmp_path):
    path = tmp_path / "city.yaml"
    path.write_text(CHILD, encoding="utf-8")
    assert edit.remove_item(path, "legal-counsel.retained") == "disabled"
    text = path.read_text(encoding="utf-8")
    assert "overrides" not in text and "disable: [legal-counsel.retained]" in text
    assert "# 市里更看重法律顾问" in text and "# 某市清单" in text
    with pytest.raises(ChecklistError, match="已在本文件中停用"):
        edit.set_value(path, "legal-counsel.retained", "weight", "5")
