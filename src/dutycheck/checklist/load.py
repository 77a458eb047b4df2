"""Read checklist YAML, resolve `extends`, validate once, build a `Checklist`, compile it.

A checklist is data owned by legal officers: every problem is reported at once with
`file:line:column`, the key, and what was expected, before any report is read.
`load_checklist` gives the data (model.py), `compiled_checklist` its compiled form
(compile.py), built once per loaded checklist: what `audit_*`, batch, web and eval run on.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ChecklistError
from ..models import Role
from ..normalize import match_key, translation_table
from ..structure import StructureRules, fill_placeholders, unknown_placeholders
from .compile import CompiledChecklist, compile_checklist
from .model import KINDS, Checklist, ContextRules, FuzzySettings, Group, Item, Rule

_MERGE_TAG = "tag:yaml.org,2002:merge"


@lru_cache(maxsize=None)
def _loaders() -> tuple[Any, Any]:
    """libyaml's safe loader (the pure-Python one without libyaml), and the same noting
    whether any mapping repeats a key (PyYAML lets the last win).

    yaml is imported here, on first use: a cold `dutycheck audit` whose checklist comes from
    the cache (`_resolve_cached`) never parses YAML, so it does not import it either.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class DuplicateFlaggingLoader(base):  # type: ignore[valid-type, misc]
        duplicated = False

        def construct_mapping(self, node, deep=False):
            if not self.duplicated and isinstance(node, yaml.MappingNode):
                keys = [(k.tag, k.value) for k, _v in node.value
                        if isinstance(k, yaml.ScalarNode) and k.tag != _MERGE_TAG]
                self.duplicated = len(keys) != len(set(keys))
            return super().construct_mapping(node, deep=deep)

    return base, DuplicateFlaggingLoader


TOP_KEYS = {"id", "version", "title", "description", "extends", "settings", "structure",
            "context", "groups", "items", "overrides", "disable"}
ITEM_KEYS = {"id", "title", "group", "weight", "basis", "guidance", "kind", "match", "roles",
             "ignore_in_titles", "ignore_as_topic", "fuzzy", "context", "examples", "notes"}
OVERRIDE_KEYS = ITEM_KEYS - {"id"}
RULE_KEYS = {"any", "all", "within", "clause", "modifiers_before", "exclude", "exclude_within", "note"}
CONTEXT_KEYS = {"planned", "shortfall", "done", "not_shortfall", "rectified", "tentative",
                "done_figures", "topic_before", "topic_after"}
GROUP_KEYS = {"id", "title", "basis"}
EXAMPLE_KEYS = {"match", "no_match"}
ROLE_NAMES = {r.value for r in Role}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$")
MAX_WEIGHT = 10


def bundled_dir() -> Path:
    """Where the bundled checklists live: inside the wheel, or the repo's `checklists/`."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "checklists"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "checklists"


def bundled_names() -> list[str]:
    return sorted(p.stem for p in bundled_dir().glob("*.yaml"))


def resolve_path(name_or_path: str | os.PathLike, relative_to: Path | None = None) -> Path:
    """The one name resolution of `--checklist`, `extends` and every `checklist …` command.

    A file that exists (relative to `relative_to`, the extending file's folder, else the
    working directory) is itself. A bare name (`default`, `shanxi`) is then looked up as a
    bundled checklist, `checklists/NAME.yaml` and `NAME.yaml` in that folder, and a bundled
    example (`checklists/examples/NAME.yaml`), in that order.
    """
    text = str(name_or_path)
    folder = relative_to if relative_to is not None else Path()
    path = Path(text)
    if not path.is_absolute():
        path = folder / path
    if path.is_file():
        return path
    if "/" not in text and "\\" not in text and not text.endswith((".yaml", ".yml")):
        for candidate in (bundled_dir() / f"{text}.yaml", folder / "checklists" / f"{text}.yaml",
                          folder / f"{text}.yaml", bundled_dir() / "examples" / f"{text}.yaml"):
            if candidate.is_file():
                return candidate
        raise ChecklistError(
            f"找不到内置清单“{text}”，可用：{', '.join(bundled_names())}",
            f"no bundled checklist named {text!r}", path=text)
    raise ChecklistError("清单文件不存在", "checklist file not found", path=str(path))


@dataclass
class Problem:
    """One error found validating a checklist file, at its YAML path."""

    path: tuple            # YAML path: ("items", 3, "weight")
    zh: str
    en: str
    at_key: bool = False   # point at the key itself (an unknown id in overrides), not its value


def _read_yaml(path: Path) -> tuple[Any, list[ChecklistError]]:
    """The file's data, and a problem for every repeated mapping key (which YAML would
    otherwise resolve silently by keeping the last: a second `items:` drops the first)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ChecklistError("清单文件不是 UTF-8 编码", "checklist is not UTF-8",
                             path=str(path)) from exc
    except OSError as exc:
        raise ChecklistError(f"无法读取清单：{exc.strerror}", "cannot read checklist",
                             path=str(path)) from exc
    import yaml

    _refuse_aliases(path, text)
    safe_loader, flagging_loader = _loaders()
    loader = flagging_loader(text)
    try:
        data = loader.get_single_data()
        duplicated = loader.duplicated
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ChecklistError(f"YAML 语法错误：{problem}", "invalid YAML", path=str(path),
                             line=mark.line + 1 if mark else None,
                             column=mark.column + 1 if mark else None) from exc
    finally:
        loader.dispose()
    if not (isinstance(data, dict) and TOP_KEYS & {k for k in data if isinstance(k, str)}):
        # Not a checklist at all (`extends: /etc/shadow`, a report, a config file): one message
        # naming the file, never its keys or lines, which "unknown key" problems would quote.
        raise ChecklistError("不是清单文件：顶层应为含 id、title、items 等键的映射",
                             "not a checklist: the top level must be a mapping with checklist "
                             "keys (id, title, items, …)", path=str(path))
    return data, (_duplicate_keys(path, yaml.compose(text, Loader=safe_loader)) if duplicated else [])


def _refuse_aliases(path: Path, text: str) -> None:
    """Refuse YAML aliases (`*name`) before anything is constructed: checklists need none, and a
    10 KB file of aliases of aliases ("billion laughs") would expand to gigabytes."""
    import yaml

    try:
        for event in yaml.parse(text, Loader=_loaders()[0]):
            if isinstance(event, yaml.AliasEvent):
                mark = event.start_mark
                raise ChecklistError("清单不支持 YAML 别名（*名称），请直接写出内容",
                                     "YAML aliases (*name) are not allowed in a checklist",
                                     path=str(path), line=mark.line + 1, column=mark.column + 1)
    except yaml.YAMLError:
        return  # reported with its line by the loader below


def _duplicate_keys(path: Path, root: Any) -> list[ChecklistError]:
    """Every mapping key that repeats an earlier key of the same mapping, at the repeat."""
    import yaml

    out: list[ChecklistError] = []
    visited: set[int] = set()          # aliases share nodes (and may form cycles)

    def walk(node: Any, where: tuple) -> None:
        if id(node) in visited:
            return
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], Any] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != _MERGE_TAG:
                    earlier = first.setdefault((k.tag, k.value), k)
                    if earlier is not k:
                        seen = earlier.start_mark.line + 1
                        out.append(ChecklistError(
                            f"键“{k.value}”重复（第 {seen} 行已有），YAML 只会保留后一个",
                            f"duplicate key {k.value!r} (first at line {seen}); "
                            "YAML keeps only the last",
                            path=str(path), key=".".join(str(s) for s in (*where, k.value)),
                            line=k.start_mark.line + 1, column=k.start_mark.column + 1))
                walk(v, (*where, k.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*where, i))

    walk(root, ())
    return out


def _locate(path: Path, problems: list[Problem]) -> list[ChecklistError]:
    """Turn YAML paths into file:line:column by composing the file's node tree."""
    import yaml

    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_loaders()[0])
    except yaml.YAMLError:
        root = None
    out = []
    for p in problems:
        node, key_node = root, None
        for step in p.path:
            if node is None:
                break
            if isinstance(node, yaml.MappingNode):
                nxt = None
                for k, v in node.value:
                    if k.value == step:
                        key_node, nxt = k, v
                        break
                if nxt is None:
                    break
                node = nxt
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                    and step < len(node.value):
                node, key_node = node.value[step], None
            else:
                break
        mark_node = key_node if (key_node is not None and p.path and isinstance(p.path[-1], str)
                                 and (p.at_key or p.zh.startswith("未知"))) else node
        mark = mark_node.start_mark if mark_node is not None else None
        key = ".".join(str(s) for s in p.path)
        out.append(ChecklistError(p.zh, p.en, path=str(path), key=key or None,
                                  line=mark.line + 1 if mark else None,
                                  column=mark.column + 1 if mark else None))
    return out


# ----------------------------------------------------------------------------- validation

def _check_keys(data: dict, allowed: set, where: tuple, problems: list[Problem]) -> None:
    for k in data:
        if k not in allowed:
            problems.append(Problem(where + (k,), f"未知的键“{k}”，可用：{', '.join(sorted(allowed))}",
                                    f"unknown key {k!r}"))


def nested_repeat(pattern: str) -> bool:
    """Whether a repeat (`+`, `*`, `{2,}`) contains another repeat, as in `(a+)+$`: the form
    whose backtracking is exponential, so one report line can hang every audit."""
    from re import _parser  # type: ignore[attr-defined]

    def walk(items: Any, inside: bool) -> bool:
        for op, av in items:
            if op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.POSSESSIVE_REPEAT):
                lo, hi, sub = av
                repeats = hi is _parser.MAXREPEAT or hi > max(lo, 1)
                if repeats and inside and _has_width(sub):
                    return True
                if walk(sub, inside or repeats):
                    return True
            elif op is _parser.SUBPATTERN:
                if walk(av[-1], inside):
                    return True
            elif op is _parser.BRANCH:
                if any(walk(b, inside) for b in av[1]):
                    return True
            elif op in (_parser.ASSERT, _parser.ASSERT_NOT):
                if walk(av[1], inside):
                    return True
            elif op is _parser.GROUPREF_EXISTS:
                if any(b is not None and walk(b, inside) for b in av[1:]):
                    return True
            elif op is _parser.ATOMIC_GROUP:
                continue  # no backtracking into it
        return False

    def _has_width(sub: Any) -> bool:
        return sub.getwidth()[1] > 0

    try:
        return walk(_parser.parse(pattern), False)
    except (re.error, RecursionError):
        return False


def _nested_problem(where: tuple) -> Problem:
    return Problem(where, "正则表达式含嵌套的重复（如 (a+)+），匹配时间可能呈指数增长，请改写",
                   "nested repetition in a regular expression (like (a+)+) can take exponential "
                   "time: rewrite it")


def _check_terms(terms: Any, where: tuple, problems: list[Problem]) -> None:
    if not isinstance(terms, list) or not terms:
        problems.append(Problem(where, "短语列表不能为空", "expected a non-empty list of phrases"))
        return
    for i, t in enumerate(terms):
        if not isinstance(t, (str, int)) or not str(t).strip():
            problems.append(Problem(where + (i,), "短语必须是非空字符串", "phrase must be a non-empty string"))
        elif str(t).startswith("re:"):
            if _placeholder_problem(str(t)[3:], where + (i,), problems):
                continue
            try:
                re.compile(fill_placeholders(str(t)[3:], 2024))
            except re.error as exc:
                problems.append(Problem(where + (i,), f"正则表达式有误：{exc}", "bad regular expression"))
                continue
            if nested_repeat(fill_placeholders(str(t)[3:], 2024)):
                problems.append(_nested_problem(where + (i,)))
        elif not match_key(str(t)):
            problems.append(Problem(where + (i,), "短语去掉标点后为空", "phrase is only punctuation"))
        elif fill_placeholders(str(t), 2024) != str(t):
            problems.append(Problem(where + (i,), "年度占位符（{year} 等）只能用在 re: 正则中",
                                    "year placeholders ({year}, …) work in `re:` terms only"))


def _placeholder_problem(pattern: str, where: tuple, problems: list[Problem], *, allowed: bool = True) -> bool:
    """Note a `{name}` that is no placeholder (or any placeholder where none is `allowed`)."""
    unknown = unknown_placeholders(pattern)
    if unknown:
        problems.append(Problem(where,
                                f"未知的占位符“{{{unknown[0]}}}”（可用 {{year}}、{{next_year}}、{{last_year}}）",
                                f"unknown placeholder {{{unknown[0]}}} "
                                "(known: {year}, {next_year}, {last_year})"))
        return True
    if not allowed and fill_placeholders(pattern, 2024) != pattern:
        problems.append(Problem(where, "网页杂项（furniture）在读出报告年度之前删除，不能用年度占位符",
                                "furniture is removed before the report's year is known: no year "
                                "placeholders there"))
        return True
    return False


def _check_patterns(pats: Any, where: tuple, problems: list[Problem], *, placeholders: bool = True) -> None:
    if not isinstance(pats, list):
        problems.append(Problem(where, "应为正则表达式列表", "expected a list of regular expressions"))
        return
    for i, p in enumerate(pats):
        if not isinstance(p, str):
            problems.append(Problem(where + (i,), "正则表达式应为文字", "a pattern must be a string"))
            continue
        if _placeholder_problem(p, where + (i,), problems, allowed=placeholders):
            continue
        try:
            re.compile(fill_placeholders(p, 2024))
        except re.error as exc:
            problems.append(Problem(where + (i,), f"正则表达式有误：{exc}", "bad regular expression"))
            continue
        if nested_repeat(fill_placeholders(p, 2024)):
            problems.append(_nested_problem(where + (i,)))


def _check_context(ctx: Any, where: tuple, problems: list[Problem]) -> None:
    if not isinstance(ctx, dict):
        problems.append(Problem(where, "context 应为映射", "context must be a mapping"))
        return
    _check_keys(ctx, CONTEXT_KEYS, where, problems)
    for k in CONTEXT_KEYS & set(ctx):
        _check_patterns(ctx[k], where + (k,), problems)


def _check_rule(rule: Any, where: tuple, problems: list[Problem]) -> None:
    if not isinstance(rule, dict):
        problems.append(Problem(where, "匹配规则应为映射（any/all）", "rule must be a mapping with any/all"))
        return
    _check_keys(rule, RULE_KEYS, where, problems)
    if "any" not in rule and "all" not in rule:
        problems.append(Problem(where, "匹配规则需要 any 或 all", "rule needs `any` or `all`"))
    if "any" in rule:
        _check_terms(rule["any"], where + ("any",), problems)
    if "all" in rule:
        groups = rule["all"]
        if not isinstance(groups, list) or len(groups) < 2:
            problems.append(Problem(where + ("all",), "all 至少需要两组短语", "`all` needs at least two phrase lists"))
        else:
            for i, g in enumerate(groups):
                _check_terms(g, where + ("all", i), problems)
    for k in ("within", "exclude_within"):
        if k in rule and (not isinstance(rule[k], int) or isinstance(rule[k], bool) or rule[k] < 0):
            problems.append(Problem(where + (k,), f"{k} 应为非负整数（字数）", f"{k} must be a non-negative integer"))
    for k in ("clause", "modifiers_before"):
        if k in rule and not isinstance(rule[k], bool):
            problems.append(Problem(where + (k,), f"{k} 应为 true 或 false", f"{k} must be true or false"))
    if "exclude" in rule:
        _check_terms(rule["exclude"], where + ("exclude",), problems)


def _check_item_fields(item: dict, where: tuple, problems: list[Problem], *, partial: bool) -> None:
    if not partial:
        for k in ("id", "title", "group", "weight"):
            if k not in item:
                problems.append(Problem(where, f"缺少必需的键“{k}”", f"missing required key {k!r}"))
    if "weight" in item:
        w = item["weight"]
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not 0 <= w <= MAX_WEIGHT:
            problems.append(Problem(where + ("weight",), f"权重应为 0 到 {MAX_WEIGHT} 之间的数",
                                    f"weight must be a number from 0 to {MAX_WEIGHT}"))
    for k in ("title", "basis", "guidance", "group"):
        if k in item and not isinstance(item[k], str):
            problems.append(Problem(where + (k,), f"{k} 应为文字", f"{k} must be a string"))
    kind = item.get("kind", "mention")
    if kind not in KINDS:
        problems.append(Problem(where + ("kind",), f"kind 应为 {' / '.join(KINDS)} 之一",
                                f"kind must be one of {', '.join(KINDS)}"))
    if "roles" in item:
        roles = item["roles"]
        if not isinstance(roles, list) or not roles:
            problems.append(Problem(where + ("roles",), "roles 应为非空列表", "roles must be a non-empty list"))
        else:
            for i, r in enumerate(roles):
                if not isinstance(r, str) or r not in ROLE_NAMES:
                    problems.append(Problem(where + ("roles", i),
                                            f"未知的角色“{r}”，可用：{', '.join(sorted(ROLE_NAMES))}",
                                            f"unknown role {r!r}"))
    if "match" in item:
        rules = item["match"]
        if not isinstance(rules, list) or not rules:
            problems.append(Problem(where + ("match",), "match 应为非空的规则列表",
                                    "match must be a non-empty list of rules"))
        else:
            for i, r in enumerate(rules):
                _check_rule(r, where + ("match", i), problems)
    elif not partial and kind == "mention":
        problems.append(Problem(where, "mention 类条目需要 match 规则", "a mention item needs `match` rules"))
    if not partial and kind == "section" and "roles" not in item:
        problems.append(Problem(where, "section 类条目需要 roles", "a section item needs `roles`"))
    if "context" in item:
        _check_context(item["context"], where + ("context",), problems)
    for k in ("ignore_in_titles", "ignore_as_topic", "fuzzy"):
        if k in item and not isinstance(item[k], bool):
            problems.append(Problem(where + (k,), f"{k} 应为 true 或 false", f"{k} must be true or false"))
    if "examples" in item:
        ex = item["examples"]
        if not isinstance(ex, dict):
            problems.append(Problem(where + ("examples",), "examples 应为映射（match/no_match）",
                                    "examples must be a mapping"))
        else:
            _check_keys(ex, EXAMPLE_KEYS, where + ("examples",), problems)
            for k in EXAMPLE_KEYS & set(ex):
                if not isinstance(ex[k], list) or not all(isinstance(s, str) for s in ex[k]):
                    problems.append(Problem(where + ("examples", k), "示例应为句子列表",
                                            "examples must be a list of sentences"))


def _check_count(block: dict, key: str, where: tuple, problems: list[Problem]) -> None:
    if key in block:
        v = block[key]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            problems.append(Problem(where + (key,), f"{key} 应为正整数", f"{key} must be a positive integer"))


def validate_data(data: Any, base_ids: set[str], base_groups: set[str]) -> list[Problem]:
    """Every problem in one checklist file, given the ids its `extends` base defines."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        return [Problem((), "清单顶层应为映射", "top level must be a mapping")]
    _check_keys(data, TOP_KEYS, (), problems)
    if "id" in data and not (isinstance(data["id"], str) and ID_RE.match(data["id"])):
        problems.append(Problem(("id",), "id 只能用小写字母、数字、-、_ 和 .", "id must be lower-case ascii"))
    groups = set(base_groups)
    raw_groups = data.get("groups") or []
    if not isinstance(raw_groups, list):
        problems.append(Problem(("groups",), "groups 应为列表", "groups must be a list"))
        raw_groups = []
    for i, g in enumerate(raw_groups):
        if not isinstance(g, dict) or not isinstance(g.get("id"), str):
            problems.append(Problem(("groups", i), "分组需要 id 和 title", "group needs id and title"))
            continue
        _check_keys(g, GROUP_KEYS, ("groups", i), problems)
        groups.add(g["id"])
    ids = set(base_ids)
    items = data.get("items") or []
    if not isinstance(items, list):
        problems.append(Problem(("items",), "items 应为列表", "items must be a list"))
        items = []
    for i, item in enumerate(items):
        where = ("items", i)
        if not isinstance(item, dict):
            problems.append(Problem(where, "条目应为映射", "item must be a mapping"))
            continue
        _check_keys(item, ITEM_KEYS, where, problems)
        _check_item_fields(item, where, problems, partial=False)
        iid = item.get("id")
        if isinstance(iid, str):
            if not ID_RE.match(iid):
                problems.append(Problem(where + ("id",), "id 只能用小写字母、数字、-、_ 和 .", "bad id"))
            if iid in ids:
                hint = "（要修改继承的条目请用 overrides）" if iid in base_ids else ""
                problems.append(Problem(where + ("id",), f"重复的条目 id“{iid}”{hint}", f"duplicate item id {iid!r}"))
            ids.add(iid)
        if isinstance(item.get("group"), str) and item["group"] not in groups:
            problems.append(Problem(where + ("group",), f"未定义的分组“{item['group']}”",
                                    f"undefined group {item['group']!r}"))
    overrides = data.get("overrides") or {}
    if not isinstance(overrides, dict):
        problems.append(Problem(("overrides",), "overrides 应为“条目 id: 字段”映射",
                                "overrides must map ids to fields"))
        overrides = {}
    for iid, fields in overrides.items():
        where = ("overrides", iid)
        if iid not in base_ids:
            problems.append(Problem(where, f"overrides 引用了不存在的条目“{iid}”", f"override of unknown item {iid!r}",
                                    at_key=True))
        if not isinstance(fields, dict):
            problems.append(Problem(where, "覆盖内容应为映射", "override must be a mapping"))
            continue
        _check_keys(fields, OVERRIDE_KEYS, where, problems)
        _check_item_fields(fields, where, problems, partial=True)
    disable = data.get("disable") or []
    if not isinstance(disable, list):
        problems.append(Problem(("disable",), "disable 应为条目 id 列表", "disable must be a list of ids"))
        disable = []
    for i, iid in enumerate(disable):
        if not isinstance(iid, str) or iid not in base_ids:
            problems.append(Problem(("disable", i), f"disable 引用了不存在的条目“{iid}”",
                                    f"disable of unknown item {iid!r}"))
    if "context" in data:
        _check_context(data["context"], ("context",), problems)
    structure = data.get("structure")
    if structure is not None:
        if not isinstance(structure, dict):
            problems.append(Problem(("structure",), "structure 应为映射", "structure must be a mapping"))
        else:
            _check_keys(structure, {"headings", "paragraphs", "furniture"}, ("structure",), problems)
            if "furniture" in structure:
                _check_patterns(structure["furniture"], ("structure", "furniture"), problems,
                                placeholders=False)
            for part in ("headings", "paragraphs"):
                block = structure.get(part) or {}
                if not isinstance(block, dict):
                    problems.append(Problem(("structure", part), f"{part} 应为“角色: 正则列表”映射",
                                            f"{part} must map roles to lists of patterns"))
                    continue
                for role, pats in block.items():
                    if role not in ROLE_NAMES:
                        problems.append(Problem(("structure", part, role), f"未知的角色“{role}”",
                                                f"unknown role {role!r}"))
                    _check_patterns(pats, ("structure", part, role), problems)
    settings = data.get("settings") or {}
    if not isinstance(settings, dict):
        problems.append(Problem(("settings",), "settings 应为映射", "settings must be a mapping"))
        settings = {}
    if settings:
        _check_keys(settings, {"fuzzy", "evidence_limit"}, ("settings",), problems)
        _check_count(settings, "evidence_limit", ("settings",), problems)
        fz = settings.get("fuzzy") or {}
        if not isinstance(fz, dict):
            problems.append(Problem(("settings", "fuzzy"), "fuzzy 应为映射", "fuzzy must be a mapping"))
            fz = {}
        _check_keys(fz, {"min_length", "cutoffs"}, ("settings", "fuzzy"), problems)
        _check_count(fz, "min_length", ("settings", "fuzzy"), problems)
        cutoffs = fz.get("cutoffs") or {}
        if not isinstance(cutoffs, dict):
            problems.append(Problem(("settings", "fuzzy", "cutoffs"), "cutoffs 应为“长度: 分数”映射",
                                    "cutoffs must map a phrase length to a score"))
            cutoffs = {}
        for length, cut in cutoffs.items():
            if not isinstance(length, int) or not isinstance(cut, (int, float)) or not 0 < cut <= 100:
                problems.append(Problem(("settings", "fuzzy", "cutoffs", length), "阈值应为“长度: 0–100 分”",
                                        "cutoffs map a phrase length to a score from 0 to 100"))
    if not data.get("extends"):
        for k in ("id", "version", "title"):
            if k not in data:
                problems.append(Problem((), f"缺少必需的键“{k}”", f"missing required key {k!r}"))
    return problems


# ----------------------------------------------------------------------------- compile

def _term(t: Any) -> str:
    text = str(t)
    if text.startswith("re:"):
        return text
    return match_key(text.translate(translation_table()))


def _rule(raw: dict) -> Rule:
    if "all" in raw:
        groups = tuple(tuple(_term(t) for t in g) for g in raw["all"])
    else:
        groups = (tuple(_term(t) for t in raw["any"]),)
    label = " + ".join("|".join(str(t) for t in g) for g in (raw.get("all") or [raw.get("any")]))
    return Rule(groups=groups, within=raw.get("within"),
                exclude=tuple(_term(t) for t in raw.get("exclude") or ()),
                exclude_within=raw.get("exclude_within"), label=label,
                clause=bool(raw.get("clause", False)),
                modifiers_before=bool(raw.get("modifiers_before", False)))


def _context(raw: dict | None) -> ContextRules | None:
    if not raw:
        return None
    return ContextRules(**{f.name: tuple(str(p) for p in raw.get(f.name) or ())
                           for f in dataclass_fields(ContextRules)})


def _item(raw: dict, source: str) -> Item:
    return Item(
        id=raw["id"], title=raw["title"], group=raw["group"], weight=float(raw["weight"]),
        basis=raw.get("basis", ""), guidance=raw.get("guidance", ""),
        kind=raw.get("kind", "mention"),
        rules=tuple(_rule(r) for r in raw.get("match") or ()),
        roles=tuple(Role(r) for r in raw.get("roles") or ()),
        ignore_in_titles=bool(raw.get("ignore_in_titles", False)),
        ignore_as_topic=bool(raw.get("ignore_as_topic", False)),
        fuzzy=bool(raw.get("fuzzy", True)),
        context=_context(raw.get("context")),
        examples=dict(raw.get("examples") or {}),
        source=source,
    )


def _merge(base: dict, child: dict, child_path: Path) -> dict:
    """Apply a child checklist to its resolved base (both raw dicts)."""
    out = dict(base)
    for k in ("id", "version", "title", "description"):
        if k in child:
            out[k] = child[k]
    for block in ("settings", "context"):
        if child.get(block):
            merged = dict(base.get(block) or {})
            merged.update(child[block])
            out[block] = merged
    if child.get("structure"):
        st: dict[str, Any] = {k: (list(v) if isinstance(v, list) else dict(v or {}))
                              for k, v in (base.get("structure") or {}).items()}
        for part, roles in child["structure"].items():
            if part == "furniture":   # a list of patterns: the child's add to the base's
                st[part] = list(st.get(part) or []) + list(roles or [])
                continue
            st.setdefault(part, {}).update(roles or {})
        out["structure"] = st
    groups = {g["id"]: dict(g) for g in base.get("groups") or []}
    for g in child.get("groups") or []:
        groups.setdefault(g["id"], {}).update(g)
    out["groups"] = list(groups.values())
    disabled = set(child.get("disable") or [])
    overrides = child.get("overrides") or {}
    items = []
    for it in base.get("_items") or []:
        if it["id"] in disabled:
            continue
        if it["id"] in overrides:
            it = {**it, **overrides[it["id"]], "_source": it["_source"]}
        items.append(it)
    for i, it in enumerate(child.get("items") or []):
        items.append({**it, "_source": f"{child_path}#items[{i}]"})
    out["_items"] = items
    return out


def _resolve(path: Path, seen: tuple[Path, ...]) -> tuple[dict, tuple[str, ...]]:
    if path in seen:
        raise ChecklistError("extends 形成了循环引用：" + " → ".join(str(p) for p in seen + (path,)),
                             "circular extends", path=str(path))
    data, duplicates = _read_yaml(path)
    base: dict = {"_items": []}
    chain: tuple[str, ...] = ()
    if isinstance(data, dict) and data.get("extends"):
        try:
            base_path = resolve_path(data["extends"], relative_to=path.parent).resolve()
        except ChecklistError as exc:
            line = _locate(path, [Problem(("extends",), exc.zh, exc.en)])[0]
            raise ChecklistError(f"extends 无法解析：{exc.zh}", f"broken extends: {exc.en}",
                                 path=str(path), line=line.line, column=line.column,
                                 key="extends") from exc
        base, chain = _resolve(base_path, seen + (path,))
    base_ids = {it["id"] for it in base["_items"]}
    base_groups = {g["id"] for g in base.get("groups") or []}
    problems = validate_data(data, base_ids, base_groups)
    if problems or duplicates:
        located = sorted(_locate(path, problems) + duplicates,
                         key=lambda e: (e.line or 0, e.column or 0))
        raise ChecklistError(f"清单有 {len(located)} 处错误", f"{len(located)} problems in checklist",
                             path=str(path), problems=located)
    return _merge(base, data, path), chain + (str(path),)


def load_checklist(name_or_path: str | os.PathLike = "default") -> Checklist:
    """Load a bundled checklist by name or a checklist file by path, resolving `extends`."""
    return _load_compiled(name_or_path).checklist


_COMPILED: dict[int, CompiledChecklist] = {}     # id(Checklist) → its compiled form (holds both alive)
_COMPILED_MAX = 32


def compiled_checklist(checklist: Checklist | CompiledChecklist | str | os.PathLike = "default"
                       ) -> CompiledChecklist:
    """The compiled form of a checklist given by name, path, `Checklist` or already compiled.

    Built once: a name or path is loaded and compiled once per process (while its file is
    unchanged); a `Checklist` object (one `load_checklist` returned, or one built in Python)
    is compiled on first use and the result reused for that same object.
    """
    if isinstance(checklist, CompiledChecklist):
        return checklist
    if not isinstance(checklist, Checklist):
        return _load_compiled(checklist)
    found = _COMPILED.get(id(checklist))
    if found is not None and found.checklist is checklist:
        return found
    return _remember(compile_checklist(checklist))


def _remember(compiled: CompiledChecklist) -> CompiledChecklist:
    if _COMPILED.get(id(compiled.checklist)) is not compiled:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[id(compiled.checklist)] = compiled
    return compiled


_LOADED: dict[str, tuple[tuple, CompiledChecklist]] = {}   # path → (chain stamps, compiled)
_LOADED_MAX = 16


def _stamps(files: tuple[str, ...]) -> tuple:
    """What tells a changed file in the chain: (mtime, size) of each, None for a missing one."""
    out: list[tuple[int, int] | None] = []
    for f in files:
        try:
            st = os.stat(f)
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def _load_compiled(name_or_path: str | os.PathLike) -> CompiledChecklist:
    """Loaded and compiled once per process while no file of its `extends` chain changes."""
    path = str(resolve_path(name_or_path).resolve())
    entry = _LOADED.get(path)
    if entry is not None and _stamps(entry[1].checklist.chain) == entry[0]:
        return entry[1]
    compiled = _load_fresh(path)
    if path not in _LOADED and len(_LOADED) >= _LOADED_MAX:
        _LOADED.pop(next(iter(_LOADED)))
    _LOADED[path] = (_stamps(compiled.checklist.chain), compiled)
    return _remember(compiled)


def load_checklist_uncached(path: str | os.PathLike) -> Checklist:
    """Load a checklist file afresh, bypassing the cache: `checklist validate` and edits
    must see the bytes on disk now (a cache keyed on mtime can miss a same-tick rewrite)."""
    resolved = str(Path(path).resolve())
    return _build(resolved, *_resolve(Path(resolved), ()))


def _cache_file(path: str) -> Path | None:
    if os.environ.get("DUTYCHECK_NO_CACHE"):
        return None
    import hashlib

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dutycheck" / "checklists" / (hashlib.sha1(path.encode()).hexdigest() + ".marshal")


def _file_digest(path: str) -> str | None:
    import hashlib

    try:
        return hashlib.sha1(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _resolve_cached(path: str) -> tuple[dict, tuple[str, ...]]:
    """`_resolve`, served from a per-user cache while every file of the `extends` chain has
    the same bytes: parsing and validating the YAML is a third of a cold `dutycheck audit`.

    The cache is keyed on file contents, not times (this module's own source among them, so
    a change to validation or merging is never served an old result), and any failure to
    read or write it only means the YAML is parsed again.
    """
    import marshal

    from .. import __version__

    cache = _cache_file(path)
    if cache is not None:
        try:
            version, digests, merged, chain = marshal.loads(cache.read_bytes())
            if version == __version__ and all(_file_digest(f) == d for f, d in digests):
                return merged, tuple(chain)
        except (OSError, ValueError, EOFError, TypeError):
            pass
    merged, chain = _resolve(Path(path), ())
    if cache is not None:
        try:
            digests = [(f, _file_digest(f)) for f in (*chain, __file__)]
            data = marshal.dumps((__version__, digests, merged, list(chain)))
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, cache)
        except (OSError, ValueError):
            pass
    return merged, chain


def _load_fresh(path: str) -> CompiledChecklist:
    return compile_checklist(_build(path, *_resolve_cached(path)))


def _build(path: str, merged: dict, chain: tuple[str, ...]) -> Checklist:
    """The model objects of a resolved (validated and merged) checklist."""
    groups = {g["id"]: Group(g["id"], g.get("title", g["id"]), g.get("basis", ""))
              for g in merged.get("groups") or []}
    items = tuple(_item(raw, raw.get("_source", path)) for raw in merged["_items"])
    settings = merged.get("settings") or {}
    fz = settings.get("fuzzy") or {}
    fuzzy = FuzzySettings(
        min_length=int(fz.get("min_length", 6)),
        cutoffs=tuple(sorted((int(k), float(v)) for k, v in (fz.get("cutoffs") or {6: 90, 8: 86, 10: 82}).items())),
    )
    return Checklist(
        id=str(merged.get("id", Path(path).stem)), version=str(merged.get("version", "")),
        title=str(merged.get("title", "")), path=path, groups=groups, items=items,
        structure=StructureRules.from_config(merged.get("structure") or {}),
        context=_context(merged.get("context")) or ContextRules(),
        fuzzy=fuzzy, evidence_limit=int(settings.get("evidence_limit", 5)), chain=chain,
    )
