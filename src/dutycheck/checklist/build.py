"""Turn an outline of duties into a checklist skeleton (`dutycheck checklist build`).

Legal officers start a checklist from a document they already have: a 年度法治工作要点,
a chapter of the 纲要, a provincial list of duties. Its headings become groups, each
bullet (or numbered paragraph without children) becomes one item, and jieba proposes
candidate phrases: the domain terms the duty names (kept whole by a domain dictionary,
`domain_terms.txt`) and, when it names none, a co-occurrence rule from its top keywords.
The result validates, so `dutycheck audit --checklist` runs on it at once; a person then
refines phrases, weights, legal basis and examples.

jieba is imported here only, on first use: it costs about a second to load.
"""

from __future__ import annotations

import io
import logging
import os
import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ChecklistError

DOMAIN_TERMS = Path(__file__).with_name("domain_terms.txt")
DEFAULT_WEIGHT = 2
MAX_TITLE = 30
KEYWORD_POS = ("n", "nz", "vn", "nt", "l", "i", "j", "v", "t")

_CN_NUM = "一二三四五六七八九十百零〇"
# (pattern, level): markdown headings rank above numbered lines, numbered lines above bullets
_LINE_PATTERNS: tuple[tuple[re.Pattern, int], ...] = (
    (re.compile(rf"^[{_CN_NUM}]{{1,3}}\s*[、.．]\s*"), 7),
    (re.compile(rf"^[（(]\s*[{_CN_NUM}]{{1,3}}\s*[)）]\s*"), 8),
    (re.compile(r"^\d{1,2}\s*[、.．](?!\d)\s*"), 9),
    (re.compile(r"^[（(]\s*\d{1,2}\s*[)）]\s*"), 10),
    (re.compile(r"^[①-⑳]\s*"), 11),
)
_BULLET = re.compile(r"^([ \t]*)[-*+•·●○▪■◆]\s+")
_MD_HEADING = re.compile(r"^(#{1,6})\s+")
_SLUG_IN_HEADING = re.compile(r"\s*(?:\{#([a-z0-9][a-z0-9-]*)\}|[（(]([a-z0-9][a-z0-9-]*)[)）])\s*$")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


@dataclass
class Node:
    """A heading or a bullet of the outline, with the lines that follow it."""

    level: int
    text: str
    line: int
    slug: str | None = None
    body: list[str] = field(default_factory=list)
    children: list["Node"] = field(default_factory=list)


@dataclass
class Outline:
    title: str
    roots: list[Node]
    path: str


# ----------------------------------------------------------------------------- reading

def _docx_lines(path: Path) -> list[str]:
    """Word paragraphs as Markdown-ish lines: heading styles become #, list styles bullets."""
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - python-docx is a core dependency
        raise ChecklistError("读取 .docx 需要 python-docx", "python-docx is needed for .docx") from exc
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a broken file
        raise ChecklistError(f"无法读取 Word 文件：{exc}", "cannot read the .docx outline",
                             path=str(path)) from exc
    lines = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        m = re.match(r"^(?:Heading|标题)\s*(\d)$", style)
        numbered = para._p.pPr is not None and para._p.pPr.numPr is not None
        if style in ("Title", "标题"):
            lines.append(f"# {text}")
        elif m:
            lines.append("#" * (int(m.group(1)) + 1) + " " + text)
        elif style.startswith(("List", "列表")) or numbered:
            lines.append(f"- {text}")
        else:
            lines.append(text)
    return lines


def _text_lines(path: Path) -> list[str]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc).splitlines()
        except UnicodeDecodeError:
            continue
    raise ChecklistError("提纲文件编码无法识别（应为 UTF-8 或 GB18030）",
                         "outline is neither UTF-8 nor GB18030", path=str(path))


def _clean(text: str) -> str:
    return _EMPHASIS.sub("", text).strip()


def _classify(line: str) -> tuple[int | None, str]:
    """(level, text without its marker); level None for a plain paragraph."""
    m = _MD_HEADING.match(line)
    if m:
        return len(m.group(1)), line[m.end():].strip()
    m = _BULLET.match(line)
    if m:
        indent = len(m.group(1).expandtabs(4))
        return 12 + indent // 2, line[m.end():].strip()
    stripped = _clean(line.strip())
    for pat, level in _LINE_PATTERNS:
        m = pat.match(stripped)
        if m:
            return level, stripped[m.end():].strip()
    return None, line.strip()


def parse_outline(path: str | os.PathLike) -> Outline:
    """Headings and bullets of a Markdown, text or .docx outline, as a tree."""
    path = Path(path)
    if not path.is_file():
        raise ChecklistError("提纲文件不存在", "outline file not found", path=str(path))
    lines = _docx_lines(path) if path.suffix.lower() == ".docx" else _text_lines(path)
    title = ""
    roots: list[Node] = []
    stack: list[Node] = []
    last: Node | None = None
    for number, raw in enumerate(lines, 1):
        if not raw.strip() or raw.strip().startswith(("<!--", "---", "```")):
            continue
        level, text = _classify(raw)
        if level is None:
            if last is None:
                title = title or _clean(text)
            else:
                last.body.append(_clean(text))
            continue
        text = _clean(text)
        slug = None
        m = _SLUG_IN_HEADING.search(text)
        if m:
            slug = m.group(1) or m.group(2)
            text = text[:m.start()].strip()
        if not text:
            continue
        node = Node(level, text, number, slug)
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
        last = node
    # a single top heading over everything is the document's title
    if len(roots) == 1 and roots[0].children and any(c.children for c in roots[0].children):
        title = roots[0].text
        roots = roots[0].children
    return Outline(title or path.stem, roots, str(path))


# ----------------------------------------------------------------------------- terms

@dataclass(frozen=True)
class DomainTerms:
    terms: tuple[str, ...]                # longest first
    slugs: dict[str, str]
    stop: frozenset[str]


@lru_cache(maxsize=4)
def load_terms(path: str = str(DOMAIN_TERMS)) -> DomainTerms:
    """The domain dictionary: terms (with optional group slugs) and generic stop words."""
    terms, slugs, stop = [], {}, set()
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("!") else raw.strip()
        if not line:
            continue
        if line.startswith("!"):
            stop.add(line[1:].strip())
            continue
        parts = line.split()
        terms.append(parts[0])
        if len(parts) > 1:
            slugs[parts[0]] = parts[1]
    terms.sort(key=len, reverse=True)
    return DomainTerms(tuple(terms), slugs, frozenset(stop))


def _key(text: str) -> str:
    from ..normalize import match_key

    return match_key(text)


def _jieba(terms: DomainTerms) -> Any:
    """jieba with the domain terms added, loaded once, its cache in a per-user directory."""
    global _JIEBA
    if _JIEBA is not None:
        return _JIEBA
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # jieba 0.42 imports pkg_resources
        import jieba
        import jieba.analyse
    jieba.setLogLevel(logging.WARNING)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dutycheck"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        jieba.dt.tmp_dir = str(cache)
    except OSError:
        pass                                      # jieba falls back to the system temp dir
    for term in terms.terms:
        word = _key(term)
        if len(word) >= 2:
            jieba.add_word(word, freq=200000)
    _JIEBA = jieba
    return jieba


_JIEBA: Any = None


def domain_terms_in(text: str, terms: DomainTerms) -> list[str]:
    """Domain terms the text names, longest first, without those inside a longer one."""
    key = _key(text)
    found: list[str] = []
    for term in terms.terms:
        tk = _key(term)
        if term in terms.stop or not tk or tk not in key:
            continue
        if any(tk in _key(f) for f in found):
            continue
        found.append(term)
    return found


def keywords(text: str, terms: DomainTerms, *, top: int = 8) -> list[str]:
    """jieba's TF-IDF keywords of a duty: nouns and verbs, no generic words or numbers."""
    jieba = _jieba(terms)
    out = []
    for word in jieba.analyse.extract_tags(_key(text), topK=top * 2, allowPOS=KEYWORD_POS):
        if len(word) < 2 or word in terms.stop or not all("\u4e00" <= ch <= "\u9fff" for ch in word):
            continue
        out.append(word)
        if len(out) == top:
            break
    return out


# ----------------------------------------------------------------------------- building

def _title(node: Node) -> str:
    """A short title: the first clause (up to ，；：。) of at least 4 characters."""
    text = _strip_number(node.text)
    for m in re.finditer(r"[：:。，,；;]", text):
        if m.start() >= 4:
            return text[:m.start()].strip()[:MAX_TITLE]
    return text.rstrip("。；;，, ")[:MAX_TITLE]


def _group_slug(node: Node, index: int, terms: DomainTerms, used: set[str]) -> str:
    slug = node.slug
    if not slug:
        for term in domain_terms_in(node.text, terms):
            if term in terms.slugs:
                slug = terms.slugs[term]
                break
    slug = slug or f"group-{index}"
    base, n = slug, 2
    while slug in used:
        slug = f"{base}-{n}"
        n += 1
    used.add(slug)
    return slug


def _leaves(node: Node) -> list[Node]:
    if not node.children:
        return [node]
    return [leaf for child in node.children for leaf in _leaves(child)]


def _rules(node: Node, heading: str, terms: DomainTerms) -> tuple[list[dict], list[str]]:
    """Match rules for one duty, and the other candidate words (left for a person).

    A domain term the group heading already names (法治副校长 under “落实法治副校长制度”)
    does not tell the group's duties apart, so it is paired with the duty's own keywords
    (`all`); terms only this duty names stand alone (`any`).
    """
    text = " ".join([node.text] + node.body)
    found = domain_terms_in(node.text, terms) or domain_terms_in(text, terms)
    words = [w for w in keywords(text, terms) if not any(w in _key(f) for f in found)]
    head = _key(heading)
    shared = [t for t in found if _key(t) in head]
    specific = [t for t in found if t not in shared]
    rules: list[dict] = []
    if specific:
        rules.append({"any": specific})
    if shared and words:
        rules.append({"all": [shared, words[:4]], "within": 20})
        words = words[4:]
    elif shared and not specific:
        rules.append({"any": shared})
    if not rules and len(words) >= 2:
        rules.append({"all": [words[:1], words[1:5]], "within": 20})
        words = words[5:]
    elif not rules and words:
        rules.append({"any": words[:1]})
        words = words[1:]
    if not rules:
        rules.append({"any": [_key(_title(node)) or node.text]})
    return rules, words


def build_checklist(outline_path: str | os.PathLike, *, checklist_id: str | None = None,
                    extends: str | None = None) -> str:
    """The checklist skeleton for an outline, as YAML text (validated by the caller)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from .edit import _ruamel

    outline = parse_outline(outline_path)
    terms = load_terms()
    name = Path(outline_path).name
    cid = checklist_id or _ascii_slug(Path(outline_path).stem) or "outline"

    def flow(values: list) -> CommentedSeq:
        seq = CommentedSeq(values)
        seq.fa.set_flow_style()
        return seq

    groups = CommentedSeq()
    items = CommentedSeq()
    used: set[str] = set()
    loose: list[Node] = []
    sections: list[tuple[Node | None, list[Node]]] = []
    for root in outline.roots:
        if root.children:
            sections.append((root, _leaves(root)))
        else:
            loose.append(root)
    if loose:
        sections.append((None, loose))
    for gi, (head, leaves) in enumerate(sections, 1):
        if head is None:
            slug = "duties" if "duties" not in used else f"group-{gi}"
            used.add(slug)
            gtitle = outline.title
        else:
            slug = _group_slug(head, gi, terms, used)
            gtitle = _strip_number(head.text)
        groups.append(CommentedMap([("id", slug), ("title", gtitle)]))
        for n, leaf in enumerate(leaves, 1):
            rules, others = _rules(leaf, head.text if head is not None else "", terms)
            match = CommentedSeq()
            for r in rules:
                rule = CommentedMap()
                if "any" in r:
                    rule["any"] = flow(r["any"])
                else:
                    rule["all"] = flow([flow(g) for g in r["all"]])
                    rule["within"] = r["within"]
                match.append(rule)
            title = _title(leaf)
            full = " ".join([leaf.text] + leaf.body).strip()
            item = CommentedMap([
                ("id", f"{slug}.{n}"), ("title", title), ("group", slug), ("weight", DEFAULT_WEIGHT),
                ("match", match),
                ("basis", f"《{outline.title}》" + (f"{gtitle}" if head is not None else "")),
                ("guidance", f"写明落实情况：{full}" if full != title else f"写明{title}的具体做法和数据。"),
                ("notes", f"{name} 第{leaf.line}行"),
            ])
            if others:
                item.yaml_add_eol_comment("其他候选词 (other candidates): " + "、".join(others), "match")
            items.append(item)
            if len(items) > 1:
                items.yaml_set_comment_before_after_key(len(items) - 1, before="\n", indent=2)
    doc = CommentedMap()
    doc["id"] = cid
    if extends:
        doc["extends"] = extends
    doc["version"] = "0.1"
    doc["title"] = outline.title
    doc["groups"] = groups
    doc["items"] = items
    header = (f"由 dutycheck checklist build 从 {name} 生成：每条要点一项职责，候选短语由 jieba 提取，\n"
              f"请逐项核对短语、权重和法律依据，并从真实报告中补充 examples。\n"
              f"Generated by `dutycheck checklist build` from {name}: one item per duty; the phrases\n"
              f"are jieba's candidates. Review phrases, weights and legal basis; add real `examples`.")
    doc.yaml_set_start_comment(header)
    if not items:
        raise ChecklistError("提纲中没有找到职责要点（标题或项目符号）",
                             "no duties (headings or bullets) found in the outline", path=str(outline_path))
    buf = io.StringIO()
    _ruamel().dump(doc, buf)
    return buf.getvalue()


def _strip_number(text: str) -> str:
    for pat, _level in _LINE_PATTERNS:
        m = pat.match(text)
        if m:
            return text[m.end():].strip()
    return text


def _ascii_slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug if slug and re.match(r"^[a-z0-9]", slug) else ""
