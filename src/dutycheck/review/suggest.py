"""Checklist suggestions learned from the reviewer's corrections (`dutycheck checklist suggest`).

From every correction in force that changed the machine's status:

- a **miss** (the machine said absent/planned/shortfall, the reviewer done, with the quote
  they pointed at): candidate phrases are jieba keywords of the quote and the runs of one to
  three words around them, each tried as a new rule `any: [PHRASE]`, and the two strongest
  keywords as `all: [[A], [B]]` within 20 characters;
- a **false alarm** (the machine said done, the reviewer absent): candidate exclusions are
  the keywords of the machine's evidence sentence that the matched rule does not contain,
  each tried as one more `exclude` term of that rule.

Every candidate is checked against every reviewed report whose file is still where the run
saw it (same sha256): the item is matched again with the candidate, and the result compared
with the final status of every reviewed report — `fixed` (was wrong, now right) and `broken`
(was right, now wrong). Only candidates that fix more than they break are kept, the best per
item and kind. The output is a list of `dutycheck checklist set` commands (with an `examples`
sentence, as the house rules ask) or a unified diff of the checklist file with them applied.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..normalize import match_key
from .apply import apply_reviews
from .log import Reviews
from .model import ReportRef

if TYPE_CHECKING:  # pragma: no cover
    from ..checklist.compile import CompiledChecklist
    from ..checklist.model import Checklist, Item, Rule
    from ..store import Store
    from ..structure import Document

MAX_CANDIDATES = 12


@dataclass(frozen=True)
class Suggestion:
    """One checklist change with its net effect on the reviewed reports."""

    item_id: str
    kind: str                 # "phrase" | "pair" | "exclude"
    key: str                  # the `checklist set` key (match+, match.N.exclude+)
    value: str                # the YAML value
    text: str                 # the phrase or term, for people
    example: str              # the report sentence it is learned from
    fixed: int
    broken: int
    fixes: tuple[str, ...] = ()     # "agency year" of each report it fixes
    breaks: tuple[str, ...] = ()

    @property
    def net(self) -> int:
        return self.fixed - self.broken

    def command(self, target: str) -> str:
        return f"dutycheck checklist set {_sh(target)} {self.item_id} {self.key} {_sh(self.value)}"

    def example_command(self, target: str) -> str:
        key = "examples.no_match+" if self.kind == "exclude" else "examples.match+"
        return f"dutycheck checklist set {_sh(target)} {self.item_id} {key} {_sh(self.example)}"

    def to_dict(self) -> dict:
        return {"item": self.item_id, "kind": self.kind, "key": self.key, "value": self.value, "text": self.text,
                "example": self.example, "fixed": self.fixed, "broken": self.broken, "net": self.net,
                "fixes": list(self.fixes), "breaks": list(self.breaks)}


@dataclass
class SuggestResult:
    suggestions: list[Suggestion] = field(default_factory=list)
    reports: int = 0                                   # reviewed reports checked against
    corrections: int = 0                               # corrections that changed a status
    missing_files: list[str] = field(default_factory=list)
    unlearnable: list[str] = field(default_factory=list)   # corrections with nothing to learn from

    def to_dict(self) -> dict:
        return {"schema": "dutycheck.suggest/1", "reports": self.reports, "corrections": self.corrections,
                "suggestions": [s.to_dict() for s in self.suggestions], "missing_files": self.missing_files,
                "unlearnable": self.unlearnable}


def _sh(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class _Report:
    ref: ReportRef
    doc: Document
    final: dict[str, str]       # item id → final status
    machine: dict[str, str]


def _documents(refs: list[ReportRef], checklist: Checklist, result: SuggestResult) -> list[_Report]:
    from ..checklist.load import compiled_checklist
    from ..normalize import normalize
    from ..read import read_source
    from ..structure import parse

    out = []
    for ref in refs:
        path = ref.path
        try:
            data = Path(path).read_bytes()
        except OSError:
            result.missing_files.append(path)
            continue
        if hashlib.sha256(data).hexdigest() != ref.sha256:
            result.missing_files.append(path)
            continue
        source = read_source(path)
        doc = parse(normalize(source), compiled_checklist(checklist))
        out.append(_Report(ref, doc, {}, {}))
    return out


def _one_item(item: Item, checklist: Checklist) -> CompiledChecklist:
    """The checklist reduced to one (trial) item, compiled: what `_status` matches with."""
    from ..checklist.compile import compile_checklist

    return compile_checklist(dataclasses.replace(checklist, items=(item,)))


def _status(one: CompiledChecklist, doc: Document) -> str:
    from ..match import match_document

    return match_document(doc, one.bind(doc.meta.year))[0].status.value


def _jieba():
    """jieba as `checklist build` sets it up: domain terms added, cache per user, quiet."""
    from ..checklist.build import _jieba as build_jieba
    from ..checklist.build import load_terms

    return build_jieba(load_terms())


def _keywords(text: str, k: int = 6) -> list[str]:
    import jieba.analyse

    _jieba()
    return [w for w in jieba.analyse.extract_tags(text, topK=k) if len(w) >= 2 and not w.isdigit()]


def _phrases(quote: str) -> list[str]:
    """Candidate phrases of a quote: keywords, and runs of 1–3 words holding one (3–12 characters)."""
    key = match_key(quote)
    if not key:
        return []
    words = _jieba().lcut(key)
    rank = {w: n for n, w in enumerate(_keywords(key, 8))}   # most characteristic first
    runs: dict[str, tuple[int, int]] = {}
    for n in (1, 2, 3):
        for i in range(len(words) - n + 1):
            part = words[i:i + n]
            run = "".join(part)
            held = [rank[w] for w in part if w in rank]
            ends = len(part[0]) >= 2 and len(part[-1]) >= 2    # no 及/和/的 dangling at an end
            if 3 <= len(run) <= 12 and held and ends and not run.isdigit() and run not in runs:
                runs[run] = (min(held), abs(len(run) - 5))
    seen = dict.fromkeys(sorted(runs, key=lambda r: runs[r]))
    return list(seen)[:MAX_CANDIDATES]     # the preferred first: ties in net effect go to them


def _other_evidence(reports: list[_Report], item_id: str, quote: str) -> list[str]:
    """Match keys of other items' evidence in the reviewed reports, the quote itself cut out: a
    phrase found there names another duty's work (行政规范性 in a filing sentence)."""
    cut = match_key(quote)
    out = []
    for rep in reports:
        for it in rep.ref.record["items"]:
            if it["id"] == item_id:
                continue
            for e in it["evidence"]:
                out.append(match_key(e["text"]).replace(cut, "|") if cut else match_key(e["text"]))
    return out


def _generic(phrase: str, item_id: str, terms_of: dict[str, set[str]]) -> bool:
    """A phrase that is part of a checklist term (行政规范性 of 行政规范性文件) says nothing the
    term does not; one holding another item's term would read that item's wording as this one."""
    for other, terms in terms_of.items():
        for t in terms:
            if len(t) >= 2 and (phrase in t or (other != item_id and t in phrase)):
                return True
    return False


def _rule_index(item: Item, phrase: str) -> int:
    for n, rule in enumerate(item.rules):
        if rule.label == phrase:
            return n
    key = match_key(phrase)
    for n, rule in enumerate(item.rules):
        if any(key == t or key in t or t in key for g in rule.groups for t in g):
            return n
    return 0


def suggest(store: Store, checklist: Checklist | str = "default") -> SuggestResult:
    """Phrases and exclusions that the corrections teach, each with its net effect."""
    from ..checklist.load import load_checklist
    from ..checklist.model import Checklist, Rule

    cl = checklist if isinstance(checklist, Checklist) else load_checklist(checklist)
    rv = Reviews(store)
    current = rv.current()
    result = SuggestResult()
    refs = [r for r in rv.reports() if current.for_record(r.record)]
    reports = _documents(refs, cl, result)
    for rep in reports:
        final = apply_reviews(rep.ref.record, current)
        rep.final = {it["id"]: it["status"] for it in final["items"]}
        rep.machine = {it["id"]: it["status"] for it in rep.ref.record["items"]}
    result.reports = len(reports)
    by_id = {it.id: it for it in cl.items}

    tasks: list[tuple[str, str, Item, str, str]] = []     # (kind, label, item, text, example)
    for rep in reports:
        for item_id, c in current.for_record(rep.ref.record).items():
            machine = rep.machine.get(item_id)
            if machine is None or c.status == machine or (c.status == "na" and machine != "done"):
                continue     # confirmed, or 不适用: the duty does not apply, the reading was right
            result.corrections += 1
            item = by_id.get(item_id)
            label = f"{rep.ref.label} · {item_id}"
            if item is None or item.kind != "mention":
                result.unlearnable.append(f"{label}：条目不在清单中或按报告结构判定")
                continue
            if c.status == "done" and machine != "done":
                if not c.evidence:
                    result.unlearnable.append(f"{label}：改定为已开展但没有给出引文（--evidence）")
                    continue
                tasks.append(("miss", label, item, c.evidence, c.evidence))
            elif machine == "done" and c.status in ("absent", "na"):
                if not c.machine_evidence:
                    result.unlearnable.append(f"{label}：机器证据为空")
                    continue
                tasks.append(("alarm", label, item, c.machine_evidence, c.machine_evidence))
            else:
                result.unlearnable.append(f"{label}：{machine} → {c.status} 由上下文判定，需改上下文规则")

    best: dict[tuple[str, str], tuple[Suggestion, int]] = {}
    terms_of = {it.id: {t for r in it.rules for g in r.groups for t in g if not t.startswith("re:")}
                for it in cl.items}
    for kind, _label, item, text, example in tasks:
        candidates: list[tuple[str, str, str, str, Rule, int | None]] = []   # (kind, key, value, text, rule, index)
        if kind == "miss":
            elsewhere = _other_evidence(reports, item.id, text)
            for p in _phrases(text):
                if _generic(p, item.id, terms_of) or any(p in e for e in elsewhere):
                    continue
                candidates.append(("phrase", "match+", f"{{any: [{_yaml_str(p)}]}}", p,
                                   Rule(groups=((p,),), label=p), None))
            kws = _keywords(match_key(text), 2)
            if len(kws) == 2:
                a, b = kws
                candidates.append(("pair", "match+", f"{{all: [[{_yaml_str(a)}], [{_yaml_str(b)}]], within: 20}}",
                                   f"{a} + {b}", Rule(groups=((a,), (b,)), within=20, label=f"{a}+{b}"), None))
        else:
            evidence = next((e for r in reports for e in _machine_evidence(r, item.id, text)), None)
            at = _rule_index(item, evidence.get("phrase", "") if evidence else "")
            if not item.rules:
                continue
            rule = item.rules[at]
            inside = {t for g in rule.groups for t in g}
            for term in _keywords(match_key(text), 8):
                if any(term in t or t in term for t in inside):
                    continue
                candidates.append(("exclude", f"match.{at}.exclude+", term, term,
                                   dataclasses.replace(rule, exclude=rule.exclude + (term,)), at))
        for pref, (ckind, key, value, shown, rule, n) in enumerate(candidates):
            rules = list(item.rules)
            if n is None:
                rules.append(rule)
            else:
                rules[n] = rule
            trial = _one_item(dataclasses.replace(item, rules=tuple(rules)), cl)
            fixes, breaks = [], []
            for rep in reports:
                if item.id not in rep.final:
                    continue
                before, want = rep.machine[item.id], rep.final[item.id]
                if want == "na":
                    continue
                after = _status(trial, rep.doc)
                if before != want and after == want:
                    fixes.append(rep.ref.label)
                elif before == want and after != want:
                    breaks.append(rep.ref.label)
            s = Suggestion(item.id, ckind, key, value, shown, example, len(fixes), len(breaks),
                           tuple(fixes), tuple(breaks))
            if s.net <= 0:
                continue
            slot = (item.id, "exclude" if ckind == "exclude" else "phrase")
            old = best.get(slot)
            if old is None or (s.net, -s.broken) > (old[0].net, -old[0].broken):
                best[slot] = (s, pref)
    result.suggestions = sorted((s for s, _ in best.values()), key=lambda s: (-s.net, s.item_id, s.kind))
    return result


def _machine_evidence(rep: _Report, item_id: str, text: str) -> list[dict]:
    for it in rep.ref.record["items"]:
        if it["id"] == item_id:
            return [e for e in it["evidence"] if e["text"] == text][:1]
    return []


def as_diff(result: SuggestResult, target: str | os.PathLike | None, extends: str = "default") -> str:
    """A unified diff of the checklist file with every suggestion (and its example) applied.

    Without a target file, the diff is against a new checklist extending `extends`."""
    from ..checklist.edit import new_checklist, set_value

    with tempfile.TemporaryDirectory() as tmp:
        if target is not None and Path(target).is_file():
            work = Path(tmp) / Path(target).name
            shutil.copyfile(target, work)
            shown = str(target)
        else:
            work = Path(tmp) / (Path(target).name if target else "my-checklist.yaml")
            new_checklist(work, work.stem, extends=extends)
            shown = str(target or work.name)
        before = work.read_text(encoding="utf-8")
        for s in result.suggestions:
            set_value(work, s.item_id, s.key, s.value)
            set_value(work, s.item_id, "examples.no_match+" if s.kind == "exclude" else "examples.match+",
                      _yaml_str(s.example))
        after = work.read_text(encoding="utf-8")
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{shown}", tofile=f"b/{shown}"))
