"""Every Chinese label the renderers show, in one place."""

from dataclasses import dataclass
from typing import Any

from .models import Reason, Role, Status

STATUS_ZH = {
    Status.DONE: "已开展",
    Status.PLANNED: "仅有计划",
    Status.SHORTFALL: "仅列为不足",
    Status.ABSENT: "未提及",
    Status.NA: "不适用",
}
STATUS_MARK = {Status.DONE: "✔", Status.PLANNED: "◐", Status.SHORTFALL: "✖", Status.ABSENT: "○",
               Status.NA: "⊘"}
STATUS_STYLE = {Status.DONE: "green", Status.PLANNED: "yellow", Status.SHORTFALL: "red",
                Status.ABSENT: "bright_black", Status.NA: "blue"}
REVIEW_MARK = "人工复核"      # an item whose status a reviewer set (dutycheck review)
STALE_MARK = "待复核"         # a correction carried over to a revised report whose machine result changed


# ----------------------------------------------------------------------------- roles

@dataclass(frozen=True)
class RoleLabel:
    """How outputs name one part of a report (the one role → label table)."""

    short: str       # a tag beside a quote: [举措和成效]
    part: str        # in a reason: 位于“举措和成效”部分（…）
    formal: str      # the part's full name, in a reason of a required part: 报告有“主要举措和成效”部分


ROLE_LABELS: dict[Role, RoleLabel] = {
    Role.PREAMBLE: RoleLabel("导语", "导语", "导语"),
    Role.ACHIEVEMENTS: RoleLabel("举措和成效", "“举措和成效”部分", "“主要举措和成效”部分"),
    Role.FIRST_RESPONSIBLE: RoleLabel("第一责任人履职", "“第一责任人履职”部分", "“第一责任人履职情况”部分"),
    Role.SHORTFALLS: RoleLabel("存在的不足", "“存在的不足”部分", "“存在的不足”部分"),
    Role.PLANS: RoleLabel("下一年度安排", "“下一年度安排”部分", "“下一年度安排”部分"),
    Role.OTHER: RoleLabel("其他", "其他部分", "其他部分"),
}


def role_label(role: Role | str, column: str = "short") -> str:
    """The label of a role (`short`, `part` or `formal`), '' for an unknown one."""
    try:
        return getattr(ROLE_LABELS[Role(role)], column)
    except (KeyError, ValueError):
        return ""


# ----------------------------------------------------------------------------- reasons

# Why the pipeline decided something (models.Reason: code + parameters) in words. A code is a
# stable English id, written in the JSON as `reason_code` beside the `reason` text; the text is
# `str.format` of the template with the parameters (a Reason parameter in its own words, a role
# as its `part` label, `{role_formal}` for its full name).
REASON_TEXT: dict[str, str] = {
    # structure.py: why a sentence has its role
    "heading_cue": "标题含“{cue}”",
    "paragraph_cue": "段首“{cue:.12}”",
    "parent_heading": "继承上级标题“{heading:.20}”",
    "after_part": "位于上一部分之后，沿用其角色",
    "body_before_parts": "正文部分（不足与计划之前）",
    "title_and_opening": "标题与导语",
    "title_block": "标题区",
    "sign_off": "落款与抄送",
    "opening": "导语",
    "untitled_body": "无标题的正文",
    # context.py: why a mention has its status
    "in_part": "位于{role}（{role_reason}）",
    "rectified": "“存在的不足”部分中的整改完成（“{cue}”）",
    "rectified_before": "“存在的不足”部分中的整改完成（“{cue}”之后）",
    "shortfall_cue": "同一分句有不足提示词“{cue}”",
    "plan_cue": "句中有计划提示词“{cue}”",
    "tentative_cue": "句中有计划提示词“{cue}”",
    "tentative_with_figure": "“{cue}”之外同句有已做工作的数字“{figure}”",
    # match.py: a required part of the report is there
    "has_part": "报告有{role_formal}（{role_reason}）",
    # match.py: why a mention is no evidence (explain's near misses)
    "excluded": "排除词“{term}”",
    "in_cited_title": "出现在书名号《》内：引用文件名，不是工作举措",
    "talk_topic": "讲座、培训、竞赛的主题（“{cue}”），不是履行职责",
    "heading_only": "只出现在标题中，其下正文没有相关内容",
    "near_other_groups": "其他组的词未在同一句出现",
    "near_low_score": "相似度低于阈值",
    "near_excluded": "同句已被排除",
    # evaluate.py, review/apply.py: why the tool and a human label disagree
    "quote_elsewhere": "状态一致，但引文与人工标注不重合",
    "no_evidence": "未找到证据",
    "not_in_checklist": "清单中没有这个条目",
    "reviewer_note": "{text}",
    "reviewer_corrected": "人工复核改定",
    # review/queue.py: why an item is high in the review queue (its signals)
    "low_confidence": "置信度低（{confidence:.2f}）",
    "absent_in_full": "其他职责大多已写到（未提及仅 {share:.0%}），此项未找到",
    "context_status": "状态由上下文（计划/不足）判定",
    "done_in_sparse": "报告多数职责未提及（{share:.0%}），此项判为已开展",
    "single_evidence": "只有一处证据",
    "heading_evidence": "证据只是标题",
    "opening_evidence": "证据只在导语/开头",
    "fuzzy_only": "只有近似匹配",
    "mixed_statuses": "同一职责既有已开展又有计划/不足的表述",
    "structure_missing": "报告缺少必备部分，分段可能有误",
    "changed_since_last_year": "与上一年度不同（上年 {previous}）",
    "often_corrected": "其他报告中此项常被改判（{share:.0%}）",
    "stale_after_revision": "待复核：报告修订后机器结果有变化",
    # schema.py: a record from before reason codes keeps its words
    "recorded": "{text}",
}


def reason_text(reason: Reason | str, memo: dict[int, str] | None = None) -> str:
    """A reason (models.Reason) in the words every output shows; a str is already words (a
    record from before reason codes). A Role parameter reads as its `part` label (`{role}`) or
    its `formal` one (`{role_formal}`); an unknown code as its `text` parameter, or the code.

    `memo` (id of a Reason → its words): the caller's, while the Reasons it holds are alive (one
    record: the sentences of a part share their part's Reason); without one the words are
    worked out afresh, so a label table changed at run time is always seen."""
    if isinstance(reason, str):
        return reason
    if memo is not None:
        words = memo.get(id(reason))
        if words is not None:
            return words
    template = REASON_TEXT.get(reason.code)
    if template is None:
        words = str(reason.params.get("text", reason.code))
    elif not reason.params:
        words = template
    else:
        values: dict[str, Any] = {}
        for k, v in reason.params.items():
            if isinstance(v, Reason):
                values[k] = reason_text(v, memo)
            elif isinstance(v, Role):
                label = ROLE_LABELS.get(v)
                values[k] = label.part if label else str(v)
                values[k + "_formal"] = label.formal if label else str(v)
            else:
                values[k] = v
        words = template.format(**values)
    if memo is not None:
        memo[id(reason)] = words
    return words


def score_style(score: float) -> str:
    """Lighthouse bands: ≥90 green, ≥50 orange, below red."""
    return "green" if score >= 90 else "yellow" if score >= 50 else "red"


def find_match(text: str, matched: str) -> tuple[int, int] | None:
    """Where the matched words (normalised: simplified, half-width, no line breaks) are in the
    original quote, as a (start, end) span of `text`, or None when they cannot be found."""
    if not matched or not text:
        return None
    pos = text.find(matched)
    if pos >= 0:
        return pos, pos + len(matched)
    from .normalize import translation_table

    table = translation_table()
    keep = [i for i, c in enumerate(text) if not c.isspace()]
    folded = "".join(text[i].translate(table) for i in keep)
    want = "".join(c for c in matched.translate(table) if not c.isspace())
    pos = folded.find(want) if want else -1
    if pos < 0:
        pos = folded.find(want[:4]) if len(want) >= 4 else -1
        if pos < 0:
            return None
        want = want[:4]
    return keep[pos], keep[pos + len(want) - 1] + 1


def shorten(text: str, around: str = "", width: int = 80) -> str:
    """A quote cut to `width` characters, centred on the matched words when given."""
    if len(text) <= width:
        return text
    span = find_match(text, around) if around else None
    if span is None:
        return text[:width - 1] + "…"
    centre = (span[0] + span[1]) // 2
    start = max(0, min(centre - width // 2, len(text) - width))
    start = min(start, span[0])
    out = text[start:start + width]
    return ("…" if start else "") + out + ("…" if start + width < len(text) else "")


def shorten_cells(text: str, around: str = "", cells: int = 80) -> str:
    """A quote cut to fit `cells` terminal cells (a CJK character takes two), the window
    centred on the matched words when they are found."""
    from rich.cells import cell_len

    if cell_len(text) <= cells:
        return text
    span = find_match(text, around) if around else None
    if span is None:
        span = (0, 0)
    centre = (span[0] + span[1]) // 2
    # grow a window around the centre until it fills the cells (one cell kept for each …)
    lo = hi = centre
    used = 0
    budget = cells - 2
    while True:
        grew = False
        if hi < len(text) and used + cell_len(text[hi]) <= budget:
            used += cell_len(text[hi])
            hi += 1
            grew = True
        if lo > 0 and used + cell_len(text[lo - 1]) <= budget:
            lo -= 1
            used += cell_len(text[lo])
            grew = True
        if not grew:
            break
    return ("…" if lo > 0 else "") + text[lo:hi] + ("…" if hi < len(text) else "")


# ----------------------------------------------------------------------------- places

UNIT_ZH = {"line": "行", "paragraph": "段"}


def where_label(line: int | None, page: int | None = None, unit: str = "line") -> str:
    """Where a quote is, as a reviewer says it: 第15行, 第3段, 第2页第12行."""
    if line is None:
        return ""
    word = UNIT_ZH.get(unit, "行")
    return (f"第{page}页" if page else "") + f"第{line}{word}"


# ----------------------------------------------------------------------------- scores

def score_meaning(score: float) -> str:
    """What a score says about a report, in the memo's words (bands of `score_style`)."""
    if score >= 90:
        return "法定职责报告较完整"
    if score >= 50:
        return "部分法定职责未报告或仅有计划，需要补写"
    return "多数法定职责未报告，需要重点补写"


SCORE_EXPLAINED = ("得分为报告中已开展的职责占清单全部职责的权重比例（满分 100 分；仅有计划、"
                   "仅列为不足或未提及的职责不得分）。90 分以上为较完整，50 至 90 分为部分缺项，"
                   "50 分以下为缺项较多。")


# ----------------------------------------------------------------------------- 形式审查

FORMAL_TITLE = {
    "missing_part": "缺少必备部分",
    "no_title": "未识别到标题",
    "title_no_topic": "标题未写明“法治政府建设”",
    "title_no_year": "标题未写明年度",
    "late_report": "报告日期晚于报送期限",
    "late_publication": "公开日期晚于公开期限",
    "template_text": "残留模板占位文字",
    "copied": "与其他单位报告大量雷同",
    "repeats_last_year": "与上一年度报告大量重复",
    "superseded": "已被同一单位同年度的新版本取代",
    "supersedes": "取代同一单位同年度的旧版本",
}


def _zh_date(iso: str | None) -> str:
    if not iso:
        return "—"
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def formal_message(f, unit: str = "line") -> str:
    """One 形式审查 finding (formal.Finding) as a sentence."""
    where = where_label(f.line, f.page, unit)
    at = f"（{where}）" if where else ""
    code = f.code
    if code == "missing_part":
        return f"报告缺少“{f.text}”部分，不符合《法治政府建设与责任落实督察工作规定》对年度报告内容的要求。"
    if code == "no_title":
        return "未识别到报告标题，标题应写明单位、年度和“法治政府建设情况报告”。"
    if code == "title_no_topic":
        return f"标题“{f.text}”未写明“法治政府建设”，应使用“××年度法治政府建设情况报告”的规范名称。"
    if code == "title_no_year":
        return f"标题“{f.text}”未写明报告年度。"
    if code == "late_report":
        return (f"报告落款日期为{_zh_date(f.value)}，晚于报送期限{_zh_date(f.limit)}"
                "（《法治政府建设与责任落实督察工作规定》：每年3月1日前报送上一年度情况）。")
    if code == "late_publication":
        return (f"报告公开日期为{_zh_date(f.value)}{at}，晚于公开期限{_zh_date(f.limit)}"
                "（《法治政府建设与责任落实督察工作规定》第二十四条：每年4月1日前向社会公开）。")
    if code == "template_text":
        return f"{where or '正文'}残留模板占位文字“{f.text}”，疑似套用模板未填写完整。"
    share = f"{(f.share or 0) * 100:.0f}%"
    if code == "copied":
        return f"与 {f.other} 有 {share} 的句子相同，疑似相互抄袭或套用同一模板。"
    if code == "repeats_last_year":
        return f"与本单位上一年度报告（{f.other}）有 {share} 的句子相同，疑似照搬上年报告。"
    if code == "superseded":
        return f"同一单位同一年度另有较新的版本 {f.other}，本版本不计入排名。"
    if code == "supersedes":
        return f"取代同一单位同一年度的旧版本 {f.other}。"
    return FORMAL_TITLE.get(code, code)


def replaced_warning(n: int) -> str:
    """The warning shown when decoding replaced damaged bytes (U+FFFD)."""
    return (f"注意：文件中有 {n} 处无法解码的字节（文件可能损坏），已替换为“\ufffd”后审查"
            f" ({n} undecodable characters replaced)")


# ----------------------------------------------------------------------------- batch outputs

class Col:
    """Column names: the batch outputs (terminal table, csv, xlsx, HTML page, 区域汇总), the
    single-report views, the review listings and the workbench's pages call one field by one name."""

    RANK = "名次"
    RANKING = "排名"                  # csv's rank column (and the ranking's title)
    AGENCY = "单位"
    YEAR = "年度"
    REGION = "地区"
    SCORE = "得分"
    DONE = "已开展"
    TOTAL = "职责总数"
    TOP_GAPS = "最重要的缺项（前三）"
    GAPS = "最重要的缺项"
    DUPLICATE_OF = "重复于"
    CACHED = "缓存"
    FILE = "文件"
    FORMAT = "格式"
    ERROR = "错误"
    DUTY = "职责"
    DUTY_ID = "职责编号"
    ID = "编号"
    GROUP = "分组"
    WEIGHT = "权重"
    STATUS = "状态"
    REPORTS = "报告数"
    SHARE = "比例"
    DONE_SHARE = "已开展比例"
    PART = "必备部分"
    HAVE = "具备"
    MISSING = "缺少"
    MEAN = "平均分"
    MIN = "最低分"
    MAX = "最高分"
    RANGE = "最低–最高"
    LOWEST = "最低分单位"
    NEGLECTED = "最常缺失的职责"
    NEGLECTED_DONE_SHARE = "该职责已开展比例"
    PROBLEM = "问题"
    EXPLANATION = "说明"
    RESULT = "结果"
    REASON = "原因"
    LINE = "行号"
    PAGE = "页码"
    FORMAL = "形式问题"
    CHANGE = "变化"
    REPORT = "报告"
    EVIDENCE = "证据"
    MACHINE = "机器"
    MACHINE_STATUS = "机器判定"
    REVIEW = "复核"
    REVIEWER = "复核人"
    TIME = "时间"
    RISK = "风险"


class Title:
    """Titles of the parts of a batch output (xlsx sheet names, table and section titles)."""

    RANKING = "排名"
    COVERAGE = "职责覆盖情况"
    COVERAGE_SHEET = "覆盖矩阵"
    STATUS_SHEET = "状态矩阵"
    STRUCTURE = "报告结构完整性"
    STRUCTURE_SHEET = "报告结构"
    REGIONS = "地区分组"
    REGIONS_SHEET = "地区"
    DETAIL_SHEET = "明细"
    FORMAL = "形式审查"
    ERRORS_SHEET = "错误"
    UNAUDITED = "未审查的文件"
    SUMMARY_DOC = "法治政府建设年度报告审查情况汇总"


FAILED = "失败"     # a file that could not be audited, in a result column
SKIPPED = "跳过"    # a file skipped (not a report, unsupported…)


def pct(share: float) -> str:
    """A share as the batch outputs print it: 0.375 → 38%."""
    return f"{share * 100:.0f}%"


def neglected_label(title: str, done_share: float) -> str:
    """A region's most neglected duty with its done share: 法律顾问（已开展 40%）."""
    return f"{title}（已开展 {pct(done_share)}）"


def duplicate_note(other: str) -> str:
    """A report whose bytes equal an earlier file's."""
    return f"重复：与 {other} 内容相同"


# ----------------------------------------------------------------------------- one report's documents

class Field:
    """The 基本情况 rows of a report's documents (审查意见 memo, printable report page)."""

    AGENCY = "报送单位"
    YEAR = "报告年度"
    DATE = "报告日期"
    FILE = "报告文件"
    CHECKLIST = "审查清单"
    SCORE = "审查得分"


UNKNOWN = "未识别"                          # a field the title block did not give
UNKNOWN_AGENCY = "（未识别单位）"            # a report whose title block names no agency
MACHINE_LEAD = "机器："                     # before the machine's status of a corrected duty
REVIEW_QUOTE_LEAD = "复核引文："             # before the quote a reviewer chose
REVIEW_NOTE_LEAD = "复核说明："              # before a reviewer's note
BASIS_LEAD = "依据："                       # before an item's legal basis
GUIDANCE_LEAD = "应补写："                  # before what the report should add
NO_FORMAL = "未发现形式问题。"
NO_STRUCTURE = "本清单未列报告结构要求。"


def report_year(year: int | None) -> str:
    """2023 → 2023年度; 未识别 without a year."""
    return f"{year}年度" if year else UNKNOWN


def checklist_label(checklist_id: str, version: str) -> str:
    """default（版本 2026.11）."""
    return f"{checklist_id}（版本 {version}）"


def review_change(machine: str, final: str) -> str:
    """A reviewer's correction of one duty: 自动判定为“未提及”，复核为“已开展”."""
    return f"自动判定为“{machine}”，复核为“{final}”"
