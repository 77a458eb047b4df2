"""The compiled checklist: what the matcher and scorer read. Built by `load.py` from YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import Role
from ..structure import StructureRules, fill_placeholders

KINDS = ("mention", "section")


@dataclass(frozen=True)
class Rule:
    """One way a sentence can evidence an item: a term from each group, in one sentence.

    `groups` hold match keys (punctuation removed); a term starting with `re:` is a
    regular expression over the match key. `within` bounds the gap between the groups'
    hits; `exclude` terms found within `exclude_within` characters of a hit (anywhere in
    the sentence when None) discard that hit.
    """

    groups: tuple[tuple[str, ...], ...]
    within: int | None = None
    exclude: tuple[str, ...] = ()
    exclude_within: int | None = None
    label: str = ""              # the rule as written, for explain


@dataclass(frozen=True)
class ContextRules:
    """Cue words that turn a mention into a plan or a weakness (see docs/checklist-format.md)."""

    planned: tuple[str, ...] = ()
    shortfall: tuple[str, ...] = ()
    done: tuple[str, ...] = ()
    not_shortfall: tuple[str, ...] = ()
    rectified: tuple[str, ...] = ()

    def merged(self, other: "ContextRules | None") -> "ContextRules":
        if other is None:
            return self
        return ContextRules(self.planned + other.planned, self.shortfall + other.shortfall,
                            self.done + other.done, self.not_shortfall + other.not_shortfall,
                            self.rectified + other.rectified)

    def compiled(self, year: int | None) -> "CompiledContext":
        def join(pats: tuple[str, ...]) -> re.Pattern | None:
            if not pats:
                return None
            return re.compile("|".join(f"(?:{fill_placeholders(p, year)})" for p in pats))

        return CompiledContext(join(self.planned), join(self.shortfall), join(self.done),
                               join(self.not_shortfall), join(self.rectified))


@dataclass(frozen=True)
class CompiledContext:
    planned: re.Pattern | None
    shortfall: re.Pattern | None
    done: re.Pattern | None
    not_shortfall: re.Pattern | None
    rectified: re.Pattern | None = None


@dataclass(frozen=True)
class Item:
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
    fuzzy: bool = True
    context: ContextRules | None = None
    examples: dict = field(default_factory=dict)
    source: str = ""                      # file:line where the item is defined


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    basis: str = ""


@dataclass(frozen=True)
class FuzzySettings:
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


@dataclass
class Checklist:
    id: str
    version: str
    title: str
    path: str
    groups: dict[str, Group]
    items: list[Item]
    structure: StructureRules
    context: ContextRules
    fuzzy: FuzzySettings = field(default_factory=FuzzySettings)
    evidence_limit: int = 5
    chain: tuple[str, ...] = ()           # files in the extends chain, base first
    _compiled: object = field(default=None, repr=False, compare=False)

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)
