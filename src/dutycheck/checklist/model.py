"""The checklist as data: items, rules, cue words and structure patterns as written (placeholders
such as {next_year} unfilled). Built by `load.py` from YAML; frozen. What the matcher runs on is
its compiled form, `compile.CompiledChecklist`, and that bound to a report's year."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from ..models import Role
from ..structure import StructureRules

KINDS = ("mention", "section")


@dataclass(frozen=True)
class Rule:
    """One way a sentence can evidence an item: a term from each group, in one sentence.

    `groups` hold match keys (punctuation removed); a term starting with `re:` is a
    regular expression over the match key. `within` bounds the gap between the groups'
    hits; `clause` requires every hit in one clause (no comma, colon or semicolon between);
    `exclude` terms found within `exclude_within` characters of a hit (anywhere in
    the sentence when None) discard that hit.
    """

    groups: tuple[tuple[str, ...], ...]
    within: int | None = None
    exclude: tuple[str, ...] = ()
    exclude_within: int | None = None
    label: str = ""              # the rule as written, for explain
    clause: bool = False
    modifiers_before: bool = False


@dataclass(frozen=True)
class ContextRules:
    """Cue words that turn a mention into a plan or a weakness (see docs/checklist-format.md)."""

    planned: tuple[str, ...] = ()
    shortfall: tuple[str, ...] = ()
    done: tuple[str, ...] = ()
    not_shortfall: tuple[str, ...] = ()
    rectified: tuple[str, ...] = ()
    tentative: tuple[str, ...] = ()      # plan cues a figure of work done outweighs (将, 要)
    done_figures: tuple[str, ...] = ()   # a figure of work done (全年开展…12场)
    topic_before: tuple[str, ...] = ()   # the mention is the subject of a talk: 就…, 内容包括…
    topic_after: tuple[str, ...] = ()    # …专题讲座, …知识竞赛, …培训

    def merged(self, other: "ContextRules | None") -> "ContextRules":
        if other is None:
            return self
        return ContextRules(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


@dataclass(frozen=True)
class CompiledContext:
    """The cue words of one item (the checklist's, plus the item's own) compiled for one year:
    built by `compile.BoundChecklist`, read by context.py."""

    planned: re.Pattern | None
    shortfall: re.Pattern | None
    done: re.Pattern | None
    not_shortfall: re.Pattern | None
    rectified: re.Pattern | None = None
    tentative: re.Pattern | None = None
    done_figures: re.Pattern | None = None
    topic_before: re.Pattern | None = None
    topic_after: re.Pattern | None = None
    # cue kind (a field above) → a class of the characters every match of its pattern begins
    # with, where that is known (`compile.lead_chars`): where none occurs, the cue is not there
    leads: Mapping[str, re.Pattern] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Item:
    """A duty of the checklist: its wording rules, weight, legal basis and what to add when absent."""

    id: str
    title: str
    group: str
    weight: float
    basis: str
    guidance: str
    kind: str = "mention"
    rules: tuple[Rule, ...] = ()
    roles: tuple[Role, ...] = ()          # kind=section: a part with one of these roles
    ignore_in_titles: bool = False        # hits inside 《》 cite a document, they are not acts
    ignore_as_topic: bool = False         # a lecture, training or contest on the duty is not doing it
    fuzzy: bool = True
    context: ContextRules | None = None
    examples: dict = field(default_factory=dict)
    source: str = ""                      # file:line where the item is defined


@dataclass(frozen=True)
class Group:
    """A group of items (报告结构, 第一责任人职责 …): one table of the terminal view, one subtotal."""

    id: str
    title: str
    basis: str = ""


@dataclass(frozen=True)
class FuzzySettings:
    """When a phrase may match with a typo: its length from which it does, and the score it needs."""

    min_length: int = 6                   # shorter phrases match exactly only
    cutoffs: tuple[tuple[int, float], ...] = ((6, 90.0), (8, 86.0), (10, 82.0))

    def cutoff(self, length: int) -> float | None:
        if length < self.min_length:
            return None
        best = None
        for min_len, cut in self.cutoffs:
            if length >= min_len:
                best = cut
        return best


@dataclass(frozen=True)
class Checklist:
    """A validated, merged checklist (the `extends` chain applied). Frozen: to change one, build
    another (`dataclasses.replace`); its compiled form is `load.compiled_checklist(checklist)`."""

    id: str
    version: str
    title: str
    path: str
    groups: dict[str, Group]
    items: tuple[Item, ...]
    structure: StructureRules
    context: ContextRules
    fuzzy: FuzzySettings = field(default_factory=FuzzySettings)
    evidence_limit: int = 5
    chain: tuple[str, ...] = ()           # files in the extends chain, base first

    def __post_init__(self) -> None:
        if not isinstance(self.items, tuple):     # Checklist(items=[…]) from Python code
            object.__setattr__(self, "items", tuple(self.items))

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)
