"""checklists/schema.json describes what load.py accepts: every bundled checklist passes
it, the common mistakes fail it, and its key sets are the validator's key sets."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from dutycheck.checklist import load
from dutycheck.checklist.build import build_checklist
from dutycheck.checklist.model import KINDS
from dutycheck.errors import ChecklistError
from dutycheck.models import Role

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "checklists" / "schema.json").read_text(encoding="utf-8"))
BUNDLED = sorted((ROOT / "checklists").glob("*.yaml")) + sorted((ROOT / "checklists" / "examples").glob("*.yaml"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def as_json(data):
    """What an editor's YAML extension sees: mapping keys are strings ({7: 90} → {"7": 90})."""
    return json.loads(json.dumps(data, ensure_ascii=False))


def schema_errors(data) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(as_json(data))]


def test_the_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_there_are_bundled_checklists_and_an_example():
    names = {p.name for p in BUNDLED}
    assert {"default.yaml", "general.yaml", "shanxi.yaml"} <= names


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_checklist_passes_the_schema(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert schema_errors(data) == []


def test_a_built_skeleton_passes_the_schema():
    text = build_checklist(ROOT / "tests" / "fixtures" / "outlines" / "六大职责.md")
    assert schema_errors(yaml.safe_load(text)) == []


def test_the_schema_keys_are_the_validators_keys():
    defs = SCHEMA["$defs"]
    assert set(SCHEMA["properties"]) == load.TOP_KEYS
    assert set(defs["itemFields"]["properties"]) == load.OVERRIDE_KEYS
    assert set(defs["itemFields"]["properties"]) | set(defs["item"]["properties"]) == load.ITEM_KEYS
    assert set(defs["rule"]["properties"]) == load.RULE_KEYS
    assert set(defs["context"]["properties"]) == load.CONTEXT_KEYS
    assert set(defs["group"]["properties"]) == load.GROUP_KEYS
    assert set(defs["examples"]["properties"]) == load.EXAMPLE_KEYS
    assert set(defs["role"]["enum"]) == {r.value for r in Role}
    assert tuple(defs["itemFields"]["properties"]["kind"]["enum"]) == KINDS
    assert defs["id"]["pattern"] == load.ID_RE.pattern
    assert defs["itemFields"]["properties"]["weight"]["maximum"] == load.MAX_WEIGHT


ITEM = {"id": "legal-counsel.retained", "title": "法律顾问（公职律师）制度", "group": "legal-counsel",
        "weight": 3, "match": [{"any": ["法律顾问", "公职律师"]}]}


def checklist_with(**item_changes) -> dict:
    item = {**ITEM, **item_changes}
    item = {k: v for k, v in item.items() if v is not None}
    return {"id": "province", "version": "2026.11", "title": "某省清单",
            "groups": [{"id": "legal-counsel", "title": "法律顾问"}], "items": [item]}


@pytest.mark.parametrize("mistake, changes", [
    ("unknown key", {"wieght": 3}),
    ("weight out of range", {"weight": 12}),
    ("weight as text", {"weight": "三"}),
    ("empty phrase list", {"match": [{"any": []}]}),
    ("all with one list", {"match": [{"all": [["法律顾问"]]}]}),
    ("rule without any/all", {"match": [{"within": 10}]}),
    ("negative within", {"match": [{"all": [["聘请"], ["律师"]], "within": -1}]}),
    ("missing title", {"title": None}),
    ("mention without match", {"match": None}),
    ("section without roles", {"kind": "section", "match": None}),
    ("unknown role", {"kind": "section", "roles": ["summary"]}),
    ("upper-case id", {"id": "Legal-Counsel.Retained"}),
    ("examples not a list", {"examples": {"match": "聘请法律顾问。"}}),
])
def test_the_common_mistakes_fail_the_schema_and_the_validator(tmp_path, mistake, changes):
    data = checklist_with(**changes)
    assert schema_errors(data), f"schema accepted: {mistake}"
    path = tmp_path / "province.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ChecklistError):
        load.load_checklist_uncached(path)


def test_the_valid_variant_passes_both(tmp_path):
    data = checklist_with(examples={"match": ["聘请宇星律师事务所康宏春担任教育局法律顾问。"]})
    assert schema_errors(data) == []
    path = tmp_path / "province.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load.load_checklist_uncached(path).item("legal-counsel.retained").weight == 3


def test_a_child_needs_no_id_version_or_title_but_overrides_are_checked():
    assert schema_errors({"extends": "default", "disable": ["school-governance.charter"]}) == []
    assert schema_errors({"extends": "default", "overrides": {"legal-counsel.retained": {"weight": 4}}}) == []
    assert schema_errors({"extends": "default", "overrides": {"legal-counsel.retained": {"id": "x"}}})
    assert schema_errors({"extends": "default", "overrides": {"legal-counsel.retained": {"wieght": 4}}})
    assert schema_errors({"title": "no id, no version, no extends"})
