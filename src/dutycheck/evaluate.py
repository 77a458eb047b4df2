"""Agreement with human labels: how well the checklist reads reports like a careful person.

Gold files have the shape of `shared/gold/seeds.yaml`: per report file, labels
`{id: {status, evidence, doubtful}}`; an id not listed is `absent`; doubtful labels are
left out of the headline figures.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .audit import audit_path
from .checklist.model import Checklist
from .errors import GoldError, ReportError
from .models import STATUS_ORDER, AuditResult, Reason
from .normalize import match_key, translation_table

STATUSES = [s.value for s in STATUS_ORDER]
NA = "na"   # 不适用: a reviewer's label (exported by `dutycheck review export`); not compared


# why the tool and a label disagree when the tool gave no reason (words: messages.REASON_TEXT)
_QUOTE_ELSEWHERE = Reason("quote_elsewhere")
_NO_EVIDENCE = Reason("no_evidence")
_NOT_IN_CHECKLIST = Reason("not_in_checklist")


@dataclass
class Disagreement:
    report: str
    item: str
    gold: str
    predicted: str
    gold_evidence: str
    evidence: str
    line: int | None
    reason: Reason              # why they disagree: the tool's own reason, or what is missing

    def to_dict(self) -> dict:
        """The JSON object of `eval --format json`: `reason` in words, `reason_code` and
        `reason_params` beside it (as audit/1 evidence has them)."""
        from .messages import reason_text
        from .schema import reason_params_dict

        d = dict(self.__dict__)
        d["reason"] = reason_text(self.reason)
        d["reason_code"] = self.reason.code
        d["reason_params"] = reason_params_dict(self.reason)
        return d


@dataclass
class EvalResult:
    labels: int = 0
    agree: int = 0
    doubtful_skipped: int = 0
    confusion: dict = field(default_factory=lambda: {g: {p: 0 for p in STATUSES} for g in STATUSES})
    disagreements: list[Disagreement] = field(default_factory=list)
    done_correct: int = 0
    done_quote_overlap: int = 0
    errors: list[str] = field(default_factory=list)
    reports: int = 0

    @property
    def agreement(self) -> float:
        return self.agree / self.labels if self.labels else 0.0

    def _count(self, gold: str | None, pred: str | None) -> int:
        return sum(self.confusion[g][p] for g in STATUSES for p in STATUSES
                   if (gold is None or g == gold) and (pred is None or p == pred))

    @property
    def done_precision(self) -> float:
        predicted = self._count(None, "done")
        return self.confusion["done"]["done"] / predicted if predicted else 0.0

    @property
    def done_recall(self) -> float:
        actual = self._count("done", None)
        return self.confusion["done"]["done"] / actual if actual else 0.0

    @property
    def quote_overlap(self) -> float:
        return self.done_quote_overlap / self.done_correct if self.done_correct else 0.0

    def to_dict(self) -> dict:
        return {
            "schema": "dutycheck.eval/1", "reports": self.reports, "labels": self.labels,
            "agreement": round(self.agreement, 4), "doubtful_skipped": self.doubtful_skipped,
            "done_precision": round(self.done_precision, 4), "done_recall": round(self.done_recall, 4),
            "quote_overlap": round(self.quote_overlap, 4), "confusion": self.confusion,
            "disagreements": [d.to_dict() for d in self.disagreements], "errors": self.errors,
        }


def _comparable(text: str) -> str:
    return match_key(text.translate(translation_table()))


def quotes_overlap(gold: str, quote: str) -> bool:
    """Whether a tool quote points where the human pointed (punctuation and spaces ignored)."""
    g, q = _comparable(gold), _comparable(quote)
    if not g or not q:
        return False
    if g in q or q in g:
        return True
    # a shared run of at least 8 characters (or most of a short gold quote)
    need = min(8, max(4, int(len(g) * 0.6)))
    for i in range(len(g) - need + 1):
        if g[i:i + need] in q:
            return True
    return False


def load_gold(path: str | os.PathLike) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError("无法读取标注文件", "cannot read gold file", path=str(path)) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise GoldError("标注文件 YAML 语法错误", "invalid YAML in gold file", path=str(path),
                        line=mark.line + 1 if mark else None) from exc
    if not isinstance(data, dict) or not isinstance(data.get("reports"), dict):
        raise GoldError("标注文件需要顶层键 reports", "gold file needs a top-level `reports` mapping",
                        path=str(path))
    for name, rep in data["reports"].items():
        for item_id, label in ((rep or {}).get("labels") or {}).items():
            if not isinstance(label, dict) or label.get("status") not in (*STATUSES, NA):
                raise GoldError(f"{name} 的 {item_id} 状态无效，应为 {'/'.join(STATUSES)}",
                                "bad status in gold label", path=str(path))
    return data["reports"]


def evaluate(gold_path: str | os.PathLike, reports_dir: str | os.PathLike,
             checklist: Checklist | str = "default") -> EvalResult:
    """Audit every report named in the gold file and compare statuses and quotes."""
    gold = load_gold(gold_path)
    concepts = _concept_ids(Path(gold_path).parent / "concepts.yaml")
    result = EvalResult()
    for name, rep in gold.items():
        path = Path(reports_dir) / name
        try:
            audit = audit_path(path, checklist)
        except ReportError as exc:
            result.errors.append(exc.message())
            continue
        result.reports += 1
        _compare(name, rep.get("labels") or {}, audit, result, concepts)
    return result


def _concept_ids(path: Path) -> set[str] | None:
    """The reference ids the gold labels speak for; other checklist items are not compared."""
    if not path.is_file():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return {it["id"] for it in data.get("items") or [] if isinstance(it, dict) and "id" in it}
    except (OSError, yaml.YAMLError, TypeError):
        return None


def _compare(name: str, labels: dict, audit: AuditResult, result: EvalResult,
             concepts: set[str] | None = None) -> None:
    for item in audit.items:
        if concepts is not None and item.id not in concepts:
            continue
        label = labels.get(item.id, {"status": "absent"})
        if label.get("doubtful") or label.get("status") == NA:
            result.doubtful_skipped += 1
            continue
        gold, pred = label["status"], item.status.value
        result.labels += 1
        result.confusion[gold][pred] += 1
        best = item.evidence[0] if item.evidence else None
        if gold == pred:
            result.agree += 1
            if gold == "done" and label.get("evidence"):
                result.done_correct += 1
                if best and quotes_overlap(label["evidence"], best.text):
                    result.done_quote_overlap += 1
                else:
                    result.disagreements.append(Disagreement(
                        name, item.id, gold, pred, label.get("evidence", ""),
                        best.text if best else "", best.line if best else None,
                        _QUOTE_ELSEWHERE))
        else:
            result.disagreements.append(Disagreement(
                name, item.id, gold, pred, label.get("evidence", ""),
                best.text if best else "", best.line if best else None,
                best.reason if best else _NO_EVIDENCE))
    # labels for ids the checklist does not have are disagreements too
    ids = {i.id for i in audit.items}
    for item_id, label in labels.items():
        if item_id not in ids and not label.get("doubtful") and label.get("status") != NA:
            result.labels += 1
            result.confusion[label["status"]]["absent"] += 1
            if label["status"] == "absent":
                result.agree += 1
            else:
                result.disagreements.append(Disagreement(
                    name, item_id, label["status"], "absent", label.get("evidence", ""), "",
                    None, _NOT_IN_CHECKLIST))
