"""Read stage: a file on disk → SourceText (logical lines, each with its place in the file).

Reports come as whatever a government site offered, so the file's content decides how it
is read, not only its suffix (a .txt that is really a Word file, a .docx that is a renamed
zip). Every failure is a ReportError naming the file and the reason: never a traceback,
never a silent empty report that would score 0.

Heavy libraries (pypdfium2, bs4, lxml, charset-normalizer) are imported only for the
format that needs them: a cold `dutycheck audit x.txt` must stay fast.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import shutil
import tempfile
import threading
import zipfile
import zlib
from pathlib import Path

from .errors import ReportError
from .models import Location, SourceText
from .safetext import display_path, visible_controls

MAX_BYTES = 20 * 1024 * 1024
"""Files larger than this are refused before they are read (documented in the README)."""

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
LEGACY_WORD_SUFFIXES = {".doc", ".wps"}
SUPPORTED_SUFFIXES = frozenset(TEXT_SUFFIXES | HTML_SUFFIXES | LEGACY_WORD_SUFFIXES | {".docx", ".pdf"})

MIN_CJK = 20
"""A report needs at least this many Chinese characters to be audited."""

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffd]")

# The most frequent characters of modern Chinese prose; used to choose between two
# encodings that both decode a byte string without error (GBK bytes vs Big5 bytes).
_COMMON = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
    "子说产种面而方后多定行学法所民得经十三之进着等部度家力里如水化高自二理起小物现实加量都两体制"
    "机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数"
    "正心反明看原又么利比或但质气第向道命此变条只没结解问意建月公无系很情者最立代想已通并提直题党"
    "程展五果料象员革位入常文总次品式活设及管特件长求头基资边流路级少图山统接知较将组见计别手角期"
    "根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压"
    "志世金增争济阶思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万"
    "每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉"
    "林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支"
    "般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候亲快效斯院查江型眼王按格养易置"
    "派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞校依督责")


def read_source(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES, data: bytes | None = None,
                sha256: str | None = None) -> SourceText:
    """Read a report file of any supported format into lines with their locations.

    `data` (and its `sha256`, if known): the file's bytes read by the caller already, so that a
    batch reads and hashes each file once; the same checks (empty, too large) apply to them.
    """
    return start_source(path, max_bytes=max_bytes, data=data, sha256=sha256).finish()


def start_source(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES, data: bytes | None = None,
                 sha256: str | None = None, parse_ahead: bool = False) -> PendingSource:
    """Begin reading a report: its bytes are read and checked now, and a PDF's text extraction
    starts in its bounded child process, so the caller can do other work (the CLI imports the
    audit pipeline) while the child works; `finish()` gives the SourceText `read_source` gives.
    A file that cannot be opened raises here; whatever is wrong with its content, in `finish()`.

    `parse_ahead`: a web page or a .docx is parsed in a child process begun now too (bs4's or
    lxml's import and the parse overlap the caller's work); when that child has no answer, the
    file is read in this process as it would have been without it. For a single audit on a
    machine with a free core (the CLI); a batch worker reads in-process (`read_pdfs_in_process`).
    """
    p = Path(path)
    name = display_path(path)      # what outputs show; `p` keeps the bytes that open the file
    data = _read_bytes(p, name, max_bytes) if data is None else _given_bytes(data, name, max_bytes)
    kind = sniff(data, p.suffix.lower(), name)
    work: _Child | _Later | None = None
    if kind == "pdf":
        work = _start_pdf(data, name)
    elif parse_ahead and kind in _AHEAD and hasattr(os, "fork") and not _Worker.enabled:
        work = _Child(_AHEAD[kind], data, name, bounded=False)
    return PendingSource(p, name, data, sha256, kind, work)


class PendingSource:
    """A report whose reading `start_source` began. `finish()` once; `close()` stops a child
    still working if the caller gives up before finishing (an error, a timeout): it is safe to
    call after `finish()` too."""

    def __init__(self, p: Path, name: str, data: bytes, sha256: str | None, kind: str,
                 work: _Child | _Later | None) -> None:
        self._p, self._name, self._data, self._sha256, self.kind = p, name, data, sha256, kind
        self._work = work

    def close(self) -> None:
        if self._work is not None:
            self._work.close()

    def _ahead(self):
        """The answer of the parse-ahead child, or None (none started, or it had no answer)."""
        if self._work is None:
            return None
        try:
            return self._work.result()
        finally:
            self._work.close()

    def finish(self) -> SourceText:
        p, name, data = self._p, self._name, self._data
        digest = self._sha256 or hashlib.sha256(data).hexdigest()
        kind = self.kind
        if kind == "docx":
            ahead = self._ahead()
            if ahead is None:
                lines, locs, meta = _docx_lines(data, name)
            else:
                lines, numbers, meta = ahead
                locs = [Location(n) for n in numbers]
            src = _source(name, lines, locs, "docx", digest, len(data), None, "paragraph", meta)
        elif kind == "pdf":
            assert self._work is not None
            try:
                lines, locs, meta = _pdf_lines(p, data, name, self._work)
            finally:
                self._work.close()
            src = _source(name, lines, locs, "pdf", digest, len(data), None, "line", meta)
        elif kind == "html":
            ahead = self._ahead()
            if ahead is None:
                lines, locs, encoding, replaced = _html_page(data, name)
            else:
                lines, numbers, encoding, replaced = ahead
                locs = [Location(n) for n in numbers]
            src = _source(name, lines, locs, "html", digest, len(data), encoding, "line",
                          {"replaced_chars": replaced} if replaced else {})
        elif kind == "doc":
            lines, locs, meta = _legacy_word_lines(p, data, name)
            src = _source(name, lines, locs, p.suffix.lower().lstrip(".") or "doc", digest, len(data), None,
                          "paragraph", meta)
        else:
            text, encoding, replaced = decode_counted(data, name)
            lines = _LINE_BREAK.split(text)
            locs = [Location(i + 1) for i in range(len(lines))]
            fmt = "md" if p.suffix.lower() in {".md", ".markdown"} else "txt"
            src = _source(name, lines, locs, fmt, digest, len(data), encoding, "line",
                          {"replaced_chars": replaced} if replaced else {})
        _check_has_chinese(src)
        return src


def _read_bytes(p: Path, name: str, max_bytes: int) -> bytes:
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ReportError("文件不存在", "no such file", path=name) from None
    except PermissionError:
        raise ReportError("没有读取权限", "permission denied", path=name) from None
    except OSError as exc:
        raise ReportError(f"无法访问文件：{exc.strerror}", f"cannot access file: {exc.strerror}", path=name) from None
    import stat

    if stat.S_ISDIR(st.st_mode):
        raise ReportError("这是一个目录，不是报告文件（批量审查请用 dutycheck batch）",
                          "is a directory, not a report (use `dutycheck batch` for folders)", path=name)
    if not stat.S_ISREG(st.st_mode):     # a FIFO blocks until a writer comes, /dev/zero never ends
        raise ReportError("不是普通文件（管道、设备或套接字），未读取",
                          "not a regular file (FIFO, device or socket); not read", path=name)
    _check_size(st.st_size, name, max_bytes)
    try:
        with open(p, "rb", opener=_nonblocking) as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ReportError("不是普通文件（管道、设备或套接字），未读取",
                                  "not a regular file (FIFO, device or socket); not read", path=name)
            return fh.read(max_bytes + 1)
    except PermissionError:
        raise ReportError("没有读取权限", "permission denied", path=name) from None
    except OSError as exc:
        raise ReportError(f"读取失败：{exc.strerror}", f"read failed: {exc.strerror}", path=name) from None


def _check_size(size: int, name: str, max_bytes: int) -> None:
    """Refuse a file too large to read, or an empty one (of its stat, or of bytes the caller read)."""
    if size > max_bytes:
        mb, limit = size / 2**20, max_bytes / 2**20
        raise ReportError(f"文件过大（{mb:.1f} MB，上限 {limit:g} MB），未读取",
                          f"file too large ({mb:.1f} MB, limit {limit:g} MB); not read", path=name)
    if size == 0:
        raise ReportError("文件为空", "empty file", path=name)


def _given_bytes(data: bytes, name: str, max_bytes: int) -> bytes:
    """The checks `_read_bytes` makes of a file's size, on bytes the caller read."""
    _check_size(len(data), name, max_bytes)
    return data


def _nonblocking(path: str, flags: int) -> int:
    """Open without waiting: a FIFO swapped in after the stat must not block the reader."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def sniff(data: bytes, suffix: str, name: str = "") -> str:
    """The format of a file from its first bytes, falling back to its suffix.

    Returns one of txt, docx, pdf, html, doc. A suffix that promises a container the
    bytes do not hold (a .docx that is not a Word zip) is an error, not a guess.
    """
    head = data[:8]
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "docx" if _is_word_zip(data) else _bad_zip(suffix, name)
    if data.lstrip()[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if suffix == ".docx":
        raise ReportError("不是有效的 .docx 文件（可能已损坏，或扩展名有误）",
                          "not a valid .docx file (damaged, or wrongly named)", path=name)
    if suffix == ".pdf":
        raise ReportError("不是有效的 PDF 文件（缺少 %PDF 文件头，可能已损坏或扩展名有误）",
                          "not a valid PDF (no %PDF header; damaged or wrongly named)", path=name)
    if suffix in LEGACY_WORD_SUFFIXES:
        raise ReportError(f"不是有效的 {suffix} 文件", f"not a valid {suffix} file", path=name)
    if suffix in HTML_SUFFIXES or _looks_like_html(data):
        return "html"
    if suffix and suffix not in SUPPORTED_SUFFIXES and _looks_binary(data):
        raise ReportError(f"不支持的文件类型 {suffix}（支持 .txt .md .docx .doc .wps .pdf .html）",
                          f"unsupported file type {suffix}", path=name)
    return "txt"


def _is_word_zip(data: bytes) -> bool:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _bad_zip(suffix: str, name: str) -> str:
    raise ReportError("这是一个压缩包（zip），不是 Word 文档；请解压后再审查，或确认文件是否损坏",
                      f"a zip archive, not a Word document (suffix {suffix or 'none'}); unpack it or check the file",
                      path=name)


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in data[:4096].lower()


def _looks_binary(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" in sample and not _utf16_without_bom(sample)


# ---------------------------------------------------------------------------- text

def decode_text(data: bytes, name: str = "") -> tuple[str, str]:
    """Bytes of a text file → (text, encoding name); see `decode_counted`."""
    text, encoding, _ = decode_counted(data, name)
    return text, encoding


REPLACED_SHARE = 0.01
"""A decoding may replace at most this share of the characters (a damaged byte here and
there); more, and the file is in some other encoding or not text at all."""


def decode_counted(data: bytes, name: str = "") -> tuple[str, str, int]:
    """Bytes of a text file → (text, encoding name, characters replaced by U+FFFD).

    Strict decodings before any guesser: a BOM, then UTF-8, then GB18030 (a superset
    of GBK and GB2312), then Big5. When none decodes cleanly (one damaged byte in a
    download, UTF-16 without a BOM cut at an odd byte), the decoding that reads most like
    Chinese prose with at most 1 % of its characters (or 8) replaced wins, and the count is
    returned so the outputs can say so. charset-normalizer only when all that fails,
    because it mistakes short GBK text for Korean.
    """
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                     (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            text, replaced = _replacing(data[len(bom):], enc)
            if replaced > _allowed(text):
                _strict(data[len(bom):], enc, name)     # raises, naming the first bad byte
            return (*_checked(text, enc.replace("-sig", "-bom"), name), replaced)
    utf16 = _utf16_without_bom(data)
    if utf16:
        text, replaced = _replacing(data, utf16)
        if replaced <= _allowed(text):
            return (*_checked(text, utf16, name), replaced)
    if b"\x00" in data[:4096]:
        # UTF-16 without a BOM whose text is nearly all Chinese has few NUL bytes to show it:
        # it is UTF-16 when one byte order reads as common Chinese prose
        best = None
        for enc in ("utf-16-le", "utf-16-be"):
            text, replaced = _replacing(data, enc)
            share = _common_share(text[:20000])
            if (replaced <= _allowed(text) and share >= 0.3 and len(_CJK.findall(text[:20000])) >= MIN_CJK
                    and (best is None or share > best[0])):
                best = (share, text, enc, replaced)
        if best is None:
            raise _binary(name)
        return (*_checked(best[1], best[2], name), best[3])
    utf8 = _try(data, "utf-8")
    if utf8 is not None:
        return (*_checked(utf8, "utf-8", name), 0)
    candidates = []
    for enc in ("gb18030", "big5", "utf-8"):
        text, replaced = _replacing(data, enc)
        if replaced <= _allowed(text):
            candidates.append((-replaced, enc, text))
    if candidates:
        # the one that reads most like Chinese prose (a GBK file decodes as Big5 too); a sole
        # candidate needs no score
        scored = max((_common_share(t), neg, enc, t) for neg, enc, t in candidates) if len(candidates) > 1 else \
            (0.0, *candidates[0])
        _, neg, enc, text = scored
        return (*_checked(text, enc, name), -neg)
    from charset_normalizer import from_bytes

    guess = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_8", "utf_16"]).best()
    if guess is None:
        raise ReportError("无法识别文件编码，或不是文本文件（二进制内容）",
                          "cannot detect the text encoding, or not a text file (binary content)", path=name)
    return (*_checked(str(guess), guess.encoding, name), 0)


def _allowed(text: str) -> int:
    return max(8, int(len(text) * REPLACED_SHARE))


def _replacing(data: bytes, enc: str) -> tuple[str, int]:
    """Decode with U+FFFD for each undecodable sequence; the number of replacements.

    A decoding past max(8, 1 % of the bytes) replacements is refused by every caller (the
    text has at most as many characters as the file bytes), so counting stops there: GBK
    bytes tried as UTF-8 fail at nearly every byte, and a Python error handler per byte made
    reading a GBK report slower than auditing it. Past the limit the count returned is
    limit + 1 with the text decoded in C; below it, exact.
    """
    _REPLACED.n = 0
    _REPLACED.limit = max(8, int(len(data) * REPLACED_SHARE))
    try:
        return data.decode(enc, "dutycheck-count"), _REPLACED.n
    except _TooManyReplacements:
        return data.decode(enc, "replace"), _REPLACED.limit + 1


class _TooManyReplacements(Exception):
    pass


def _count_replacement(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _REPLACED.n += 1
    if _REPLACED.n > _REPLACED.limit:
        raise _TooManyReplacements
    return "\ufffd", exc.end


_REPLACED = threading.local()
codecs.register_error("dutycheck-count", _count_replacement)


def _strict(data: bytes, enc: str, name: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        raise ReportError(f"文件声明为 {enc} 编码但无法按此解码（第 {exc.start} 字节）",
                          f"file has a {enc} byte-order mark but does not decode (byte {exc.start})",
                          path=name) from None


def _try(data: bytes, enc: str) -> str | None:
    try:
        return data.decode(enc)
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM shows as NUL bytes in every other position of ASCII/CJK text."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.3 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.3 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return None


def _common_share(text: str) -> float:
    cjk = _CJK.findall(text)
    return sum(c in _COMMON for c in cjk) / len(cjk) if cjk else 0.0


def _binary(name: str) -> ReportError:
    return ReportError("不是文本文件（含有二进制内容），也不是支持的文档格式",
                       "not a text file (binary content) nor a supported document format", path=name)


def _checked(text: str, encoding: str, name: str) -> tuple[str, str]:
    """Refuse text that decoded but is really binary junk (control characters everywhere)."""
    sample = text[:20000]
    if sample and len(_CONTROL.findall(sample)) > max(8, len(sample) * 0.01):
        raise _binary(name)
    return text, encoding


def _source(name: str, lines, locs, fmt: str, sha256: str, size: int, encoding: str | None, unit: str,
            meta: dict) -> SourceText:
    lines = tuple(lines)
    if _has_controls("\n".join(lines)):          # ESC[2J must not reach a terminal
        lines = tuple(visible_controls(ln) for ln in lines)
    lines = lines or ("",)
    locs = tuple(locs) or (Location(1),)
    return SourceText(path=name, lines=lines, locations=locs, format=fmt,
                      sha256=sha256, size=size, encoding=encoding,
                      unit=unit, meta=meta)


_CONTROLS: list[re.Pattern] = []


def _has_controls(text: str) -> bool:
    """Whether `visible_controls` would change the text (most reports: no, and the translation
    per line costs ~0.4 ms a report). The pattern is built on first use from safetext's map."""
    if not _CONTROLS:
        from .safetext import _PICTURES

        _CONTROLS.append(re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_PICTURES)) + "]"))
    return _CONTROLS[0].search(text) is not None


def _has_cjk(text: str, n: int = MIN_CJK) -> bool:
    """At least n Chinese characters (stops counting at n: a report has tens of thousands)."""
    from itertools import islice

    return sum(1 for _ in islice(_CJK.finditer(text), n)) >= n


def _check_has_chinese(src: SourceText) -> None:
    text = src.text
    if not text.strip():
        raise ReportError("文件只有空白，没有正文", "the file holds only whitespace", path=src.path)
    if not _has_cjk(text):
        raise ReportError(f"文件中没有中文正文（少于 {MIN_CJK} 个汉字）；dutycheck 审查中文报告",
                          f"no Chinese text (fewer than {MIN_CJK} Chinese characters); "
                          "dutycheck audits Chinese reports",
                          path=src.path)


# ---------------------------------------------------------------------------- docx

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MAX_DOCX_BODY = 32 * 1024 * 1024
"""word/document.xml may inflate to this many bytes (a 300-page report is about 10 MB); more is
a zip bomb. Parsed, it costs lxml about 6 times that in memory."""
MAX_DOCX_PART = 4 * 1024 * 1024
"""numbering.xml and styles.xml: real ones are below 1 MB."""
MAX_TEXT_CHARS = 4_000_000
"""Characters a document may produce (a 20 MB text file holds about 7 M, a real report < 200 k)."""
MAX_TABLE_DEPTH = 12
"""Tables nested deeper than this are refused (real reports nest two or three)."""


def _too_big(what: str, limit: int, name: str) -> ReportError:
    mb = limit / 2**20
    return ReportError(f"Word 文档的 {what} 过大（解压后超过 {mb:g} MB，可能是压缩炸弹），未读取",
                       f"{what} inflates beyond {mb:g} MB (zip bomb?); not read", path=name)


def _read_part(z: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, name: str) -> bytes:
    """A zip member, refused before inflating when its size says it is too large, and cut off
    while inflating if the header lied (zipfile reads at most the declared size)."""
    if info.file_size > limit or info.compress_size > limit:
        raise _too_big(info.filename, limit, name)
    with z.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise _too_big(info.filename, limit, name)
    return data


def _docx_lines(data: bytes, name: str) -> tuple[list[str], list[Location], dict]:
    """Body paragraphs and table rows in document order; headers, footers, deletions left out.

    The XML is walked directly (not python-docx's `paragraphs`, which misses tables,
    content controls and runs inside revision marks). Automatic numbering (一、 （一）)
    is rebuilt from numbering.xml because it carries the heading structure.
    """
    import io

    from lxml import etree

    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        info = z.getinfo("word/document.xml")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
        body_xml = _read_part(z, info, MAX_DOCX_BODY, name)
        root = etree.fromstring(body_xml, parser)
        # styles.xml only gives the numbering of a paragraph that names its style (w:pStyle);
        # a body that names none does not need it (python-docx's template: 350 KB, ~7 ms)
        numbering = _Numbering(z, parser, name, styles=b"pStyle" in body_xml)
        del body_xml
    except ReportError:
        raise
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, EOFError, OSError, ValueError,
            zlib.error, NotImplementedError, RuntimeError) as exc:   # unknown compression, encrypted part
        raise ReportError(f"Word 文档已损坏，无法读取（{type(exc).__name__}）",
                          f"damaged .docx, cannot be read ({type(exc).__name__})", path=name) from None
    body = root.find(f"{{{_W}}}body")
    lines: list[str] = []
    locs: list[Location] = []
    row_lines: list[int] = []     # indices in `lines` of table rows
    para_no = 0
    chars = 0

    def emit(text: str, loc: Location) -> None:
        nonlocal chars
        chars += len(text)
        if chars > MAX_TEXT_CHARS:
            raise ReportError(f"Word 文档文字过多（超过 {MAX_TEXT_CHARS:,} 字），未审查",
                              f"the document produces more than {MAX_TEXT_CHARS:,} characters; not audited",
                              path=name)
        for part in text.split("\n"):
            lines.append(part)
            locs.append(loc)

    def cell_text(el, depth: int) -> list[str]:
        """Texts of a cell's paragraphs, a nested table's rows once each (not once per level)."""
        out: list[str] = []
        nonlocal para_no
        for child in el:
            tag = child.tag
            if tag == f"{{{_W}}}p":
                para_no += 1
                out.append(_para_text(child).strip())
            elif tag == f"{{{_W}}}tbl":
                out.extend(text for text, _ in table_rows(child, depth + 1))
            elif tag in (f"{{{_W}}}sdt", f"{{{_W}}}sdtContent", f"{{{_W}}}customXml"):
                out.extend(cell_text(child, depth))
        return out

    def direct(el, tag: str):
        """Children with this tag, looking through content controls, not into nested tables."""
        for child in el:
            if child.tag == tag:
                yield child
            elif child.tag in (f"{{{_W}}}sdt", f"{{{_W}}}sdtContent", f"{{{_W}}}customXml"):
                yield from direct(child, tag)

    def table_rows(tbl, depth: int) -> list[tuple[str, int]]:
        """(text, first paragraph number) of each row; a nested table's rows are read by its cell."""
        if depth > MAX_TABLE_DEPTH:
            raise ReportError(f"Word 文档中的表格嵌套超过 {MAX_TABLE_DEPTH} 层，未读取",
                              f"tables nested more than {MAX_TABLE_DEPTH} deep; not read", path=name)
        rows = []
        for row in direct(tbl, f"{{{_W}}}tr"):
            first = para_no + 1
            cells = [" ".join(t for t in cell_text(cell, depth) if t) for cell in direct(row, f"{{{_W}}}tc")]
            if any(cells):
                rows.append(("；".join(c for c in cells if c), first))
        return rows

    def walk(el) -> None:
        nonlocal para_no
        for child in el:
            tag = child.tag
            if tag == f"{{{_W}}}p":
                para_no += 1
                emit(numbering.label(child) + _para_text(child), Location(para_no))
            elif tag == f"{{{_W}}}tbl":
                for row, first in table_rows(child, 1):
                    # a row is a paragraph of its own (normalize keeps it apart from its
                    # neighbours); its cells are clauses, so no phrase spans two cells
                    before = len(lines)
                    emit(row, Location(first))
                    row_lines.extend(range(before, len(lines)))
            elif tag in (f"{{{_W}}}sdt", f"{{{_W}}}sdtContent", f"{{{_W}}}customXml"):
                walk(child)

    if body is not None:
        walk(body)
    return lines, locs, {"paragraphs": para_no, "table_rows": row_lines}


def _para_text(p) -> str:
    """Text of one paragraph: runs, insertions and text boxes; not deletions or fallbacks."""
    out: list[str] = []

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag in (f"{{{_W}}}del", f"{{{_W}}}moveFrom", f"{{{_MC}}}Fallback", f"{{{_W}}}delText",
                       f"{{{_W}}}instrText", f"{{{_W}}}pPr", f"{{{_W}}}rPr"):
                continue
            if tag == f"{{{_W}}}t":
                out.append(child.text or "")
            elif tag == f"{{{_W}}}tab":
                out.append("\t")
            elif tag in (f"{{{_W}}}br", f"{{{_W}}}cr"):
                out.append("\n")
            elif tag == f"{{{_W}}}p":     # paragraphs inside text boxes
                if out and out[-1] != "\n":
                    out.append("\n")
                walk(child)
            else:
                walk(child)

    walk(p)
    return "".join(out)


_CN_DIGITS = "零一二三四五六七八九"


def _chinese_number(n: int) -> str:
    if n < 0:
        return str(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _format_number(n: int, fmt: str) -> str:
    if fmt in {"chineseCounting", "chineseCountingThousand", "ideographTraditional", "chineseLegalSimplified",
               "ideographDigital", "taiwaneseCounting", "taiwaneseCountingThousand"}:
        return _chinese_number(n)
    if fmt == "decimalEnclosedCircleChinese" or fmt == "decimalEnclosedCircle":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt in {"upperLetter", "lowerLetter"}:
        s = chr(ord("A") + (n - 1) % 26)
        return s if fmt == "upperLetter" else s.lower()
    if fmt in {"upperRoman", "lowerRoman"}:
        if not 1 <= n <= 3999:      # no Roman numeral (Word shows digits too)
            return str(n)
        vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        parts, k = [], n
        for v, r in vals:
            q, k = divmod(k, v)
            parts.append(r * q)
        s = "".join(parts)
        return s if fmt == "upperRoman" else s.lower()
    if fmt in {"bullet", "none"}:
        return ""
    return str(n)


class _Numbering:
    """Rebuilds the visible labels of Word's automatic numbering (一、 （一） 1.)."""

    def __init__(self, z: zipfile.ZipFile, parser, name: str = "", styles: bool = True) -> None:
        """`styles`: read word/styles.xml (the numbering a paragraph style carries); when the
        body names no style it is not read, so a damaged one cannot stop a document that
        does not use it."""
        from lxml import etree

        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.style_num: dict[str, tuple[str, int]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        names = set(z.namelist())
        if "word/numbering.xml" in names:
            root = etree.fromstring(_read_part(z, z.getinfo("word/numbering.xml"), MAX_DOCX_PART, name), parser)
            abstract = {}
            for a in root.findall(f"{{{_W}}}abstractNum"):
                lv = {}
                for lvl in a.findall(f"{{{_W}}}lvl"):
                    ilvl = _level(lvl.get(f"{{{_W}}}ilvl"))
                    fmt = _val(lvl.find(f"{{{_W}}}numFmt")) or "decimal"
                    text = (_val(lvl.find(f"{{{_W}}}lvlText")) or "")[:40]
                    start = _int(_val(lvl.find(f"{{{_W}}}start")), 1, 0, _MAX_START)
                    if ilvl is not None:
                        lv[ilvl] = (fmt, text, start)
                abstract[a.get(f"{{{_W}}}abstractNumId")] = lv
            for num in root.findall(f"{{{_W}}}num"):
                aid = _val(num.find(f"{{{_W}}}abstractNumId"))
                self.levels[num.get(f"{{{_W}}}numId")] = abstract.get(aid, {})
        if styles and "word/styles.xml" in names:
            root = etree.fromstring(_read_part(z, z.getinfo("word/styles.xml"), MAX_DOCX_PART, name), parser)
            for st in root.findall(f"{{{_W}}}style"):
                npr = st.find(f"{{{_W}}}pPr/{{{_W}}}numPr")
                if npr is not None:
                    num_id = _val(npr.find(f"{{{_W}}}numId"))
                    ilvl = _level(_val(npr.find(f"{{{_W}}}ilvl")) or "0")
                    if num_id and ilvl is not None:
                        self.style_num[st.get(f"{{{_W}}}styleId")] = (num_id, ilvl)

    def label(self, p) -> str:
        ppr = p.find(f"{{{_W}}}pPr")
        if ppr is None:
            return ""
        npr = ppr.find(f"{{{_W}}}numPr")
        if npr is not None:
            num_id = _val(npr.find(f"{{{_W}}}numId"))
            ilvl = _level(_val(npr.find(f"{{{_W}}}ilvl")) or "0")
            if ilvl is None:
                return ""
        else:
            style = _val(ppr.find(f"{{{_W}}}pStyle"))
            if style not in self.style_num:
                return ""
            num_id, ilvl = self.style_num[style]
        levels = self.levels.get(num_id or "")
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id or "", {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl][2] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        fmt, text, _ = levels[ilvl]
        if fmt == "bullet":
            return ""

        def sub(m: re.Match) -> str:
            lv = int(m.group(1)) - 1
            if lv not in levels:
                return ""
            n = counters.get(lv, levels[lv][2])
            return _format_number(n, levels[lv][0] if lv != ilvl else fmt)

        return re.sub(r"%(\d)", sub, text)


def _val(el) -> str | None:
    return None if el is None else el.get(f"{{{_W}}}val")


_MAX_START = 32767
"""Word's own upper bound for a numbering start value."""


def _int(text: str | None, default: int, lo: int, hi: int) -> int:
    """An integer attribute of damaged or hostile XML, clamped into [lo, hi]."""
    try:
        n = int(text) if text is not None else default
    except ValueError:
        n = default
    return min(max(n, lo), hi)


def _level(text: str | None) -> int | None:
    """A numbering level 0–8, or None when the attribute is not one."""
    try:
        n = int(text or "0")
    except ValueError:
        return None
    return n if 0 <= n <= 8 else None


# ---------------------------------------------------------------------------- pdf

_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]\s*\d+\s*[-—–－]|第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?"
                          r"|\d+\s*/\s*\d+|\d{1,3})\s*$")
_PDF_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")   # pdfium's markers (\x02 = hyphen at a break)
_PDF_BAD = re.compile(r"\(cid:\d+\)|[\ufffd\ue000-\uf8ff]")          # unmapped glyphs, private-use codes

PDF_MAX_INFLATED = 128 * 2**20
"""Bytes the compressed streams of one PDF may inflate to in all (checked before any parser sees
them: a 4 MB file can inflate to 4 GB)."""
PDF_MEMORY = 1024 * 2**20
"""Memory the text extraction of one PDF may add; it runs in a child process with this limit."""
PDF_TIMEOUT = 60.0
"""Seconds the text extraction of one PDF may take before it is stopped."""
PDF_MAX_PAGES = 2000
PDF_MAX_CHARS = 5_000_000


def _pdf_lines(p: Path, data: bytes, name: str, first: _Child | _Later | None = None
               ) -> tuple[list[str], list[Location], dict]:
    """Text layer in reading order, one entry per PDF line, located by page and line.

    pdfium reads the text in the order the page was written (a two-column page column by
    column), 30× faster than pdfminer; Poppler's pdftotext, then pdfplumber, only when its
    text is poor (fonts without a character map, where Poppler knows the Adobe-GB1 fonts).
    `first`: pdfium's pages as `_start_pdf` began them (started here when not given).
    """
    pages = (first or _start_pdf(data, name)).result()
    engine = "pdfium"
    if _poor_extraction(pages):
        for alt_engine in ("pdftotext", "pdfplumber"):
            try:
                alt = (_pdftotext_pages(p, name) if alt_engine == "pdftotext"
                       else _bounded(_pdfplumber_pages, data, name))
            except ReportError:
                alt = None
            if alt and not _poor_extraction(alt):
                pages, engine = alt, alt_engine
                break
    text = "".join("".join(pg) for pg in pages)
    if not _has_cjk(text):
        if _PDF_BAD.search(text):
            raise ReportError("PDF 字体缺少字符映射，文字无法提取（请用 WPS/Word 另存为 .docx，或做 OCR）",
                              "PDF fonts have no character map; text cannot be extracted (save as .docx or OCR it)",
                              path=name)
        raise ReportError("PDF 没有文字层（可能是扫描件），需要先做文字识别（OCR）",
                          "PDF has no text layer (scanned?); run OCR first", path=name)
    kept = _strip_running_lines(pages)
    lines: list[str] = []
    locs: list[Location] = []
    for page_no, page in enumerate(kept, 1):
        for line_no, line in enumerate(page, 1):
            if line is None:
                continue
            lines.append(line)
            locs.append(Location(line_no, page_no))
    return lines, locs, {"pages": len(pages), "engine": engine}


def _pdf_error(kind: str, name: str) -> ReportError:
    return ReportError(f"PDF 文件损坏或不完整，无法读取（{kind}）",
                       f"damaged or truncated PDF, cannot be read ({kind})", path=name)


def _too_much_text(name: str) -> ReportError:
    return ReportError(f"PDF 页数或文字过多（上限 {PDF_MAX_PAGES} 页、{PDF_MAX_CHARS:,} 字），未读取",
                       f"PDF has too many pages or too much text (limit {PDF_MAX_PAGES} pages, "
                       f"{PDF_MAX_CHARS:,} characters); not read", path=name)


_PDFIUM_READY = False


def _pdfium():
    """pypdfium2's raw bindings (`pypdfium2_raw`), pdfium initialised as pypdfium2 does it.

    Not `import pypdfium2`: its helper classes are half of its import (~20 ms of a cold PDF
    audit), and this reader needs only the eleven calls of `_pdfium_pages`.
    """
    global _PDFIUM_READY
    try:
        import pypdfium2_raw as pdfium_c
    except ImportError:                     # a pypdfium2 that ships its bindings elsewhere
        from pypdfium2 import raw as pdfium_c
    if not _PDFIUM_READY:
        # a no-op when pypdfium2 itself initialised the library already
        pdfium_c.FPDF_InitLibraryWithConfig(pdfium_c.FPDF_LIBRARY_CONFIG(
            version=2, m_pUserFontPaths=None, m_pIsolate=None, m_v8EmbedderSlot=0))
        _PDFIUM_READY = True
    return pdfium_c


def _pdfium_pages(data: bytes, name: str, deadline: float | None = None) -> list[list[str]]:
    """Text of each page, split into lines. `deadline` (time.monotonic()): raise the PDF timeout
    between pages past it (in a batch worker, where no child process stops the extraction)."""
    import time

    pdfium_c = _pdfium()
    doc = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if pdfium_c.FPDF_GetPageCount(doc) < 1:             # as pypdfium2's PdfDocument decides
        err = pdfium_c.FPDF_GetLastError()
        if doc:
            pdfium_c.FPDF_CloseDocument(doc)
        if err == pdfium_c.FPDF_ERR_PASSWORD:
            raise ReportError("PDF 设有打开密码，需要密码才能读取（请向发布单位索取无密码版本，或输入密码打开后另存）",
                              "the PDF needs a password to open (ask for a copy without one, or save it "
                              "again after opening it with the password)", path=name)
        if err == pdfium_c.FPDF_ERR_SECURITY:
            raise ReportError("PDF 使用了不支持的加密方式，无法读取", "the PDF uses an unsupported encryption; "
                              "cannot be read", path=name)
        raise _pdf_error("PdfiumError", name)
    try:
        count = pdfium_c.FPDF_GetPageCount(doc)
        if count > PDF_MAX_PAGES:
            raise _too_much_text(name)
        pages: list[list[str]] = []
        total = 0
        for i in range(count):
            if deadline is not None and time.monotonic() > deadline:
                raise _pdf_timeout(name)
            text = _PDF_JUNK.sub("", _pdfium_page_text(pdfium_c, doc, i, name))
            total += len(text)
            if total > PDF_MAX_CHARS:
                raise _too_much_text(name)
            pages.append(_LINE_BREAK.split(text))
        return pages
    finally:
        pdfium_c.FPDF_CloseDocument(doc)


def _pdfium_page_text(pdfium_c, doc, index: int, name: str) -> str:
    """The text of one page, as pypdfium2's `get_textpage().get_text_range()` gives it."""
    import ctypes

    page = pdfium_c.FPDF_LoadPage(doc, index)
    if not page:
        raise _pdf_error("PdfiumError", name)
    try:
        textpage = pdfium_c.FPDFText_LoadPage(page)
        if not textpage:
            raise _pdf_error("PdfiumError", name)
        try:
            chars = pdfium_c.FPDFText_CountChars(textpage)
            if chars == -1:
                raise _pdf_error("PdfiumError", name)
            # characters pdfium leaves out of the text at either end are left out of the range
            # (pypdfium2 issue 261, crbug.com/pdfium/2079)
            first, last, skipped_left, skipped_right = 0, chars - 1, 0, 0
            while True:
                if first > last:
                    return ""
                t_start = pdfium_c.FPDFText_GetTextIndexFromCharIndex(textpage, first)
                if t_start == -1:
                    first, skipped_left = first + 1, skipped_left + 1
                    continue
                t_end = pdfium_c.FPDFText_GetTextIndexFromCharIndex(textpage, last)
                if t_end == -1:
                    last, skipped_right = last - 1, skipped_right + 1
                    continue
                break
            size = t_end + 2 - t_start                   # with the NUL terminator
            buffer = (ctypes.c_ushort * size)()
            written = pdfium_c.FPDFText_GetText(textpage, skipped_left, chars - skipped_left - skipped_right, buffer)
            if written > size:
                raise _pdf_error("PdfiumError", name)
            return codecs.decode(memoryview(buffer)[:written - 1], "utf-16-le", "ignore")
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)
    finally:
        pdfium_c.FPDF_ClosePage(page)


def _pdfplumber_pages(data: bytes, name: str) -> list[list[str]]:
    import io
    import logging

    try:
        import pdfplumber
    except ImportError:
        return []
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > PDF_MAX_PAGES:
                raise _too_much_text(name)
            return [(page.extract_text(x_tolerance=1.5, y_tolerance=3) or "").split("\n") for page in pdf.pages]
    except ReportError:
        raise
    except Exception as exc:  # noqa: BLE001  (pdfminer raises many unrelated types for damaged files)
        raise _pdf_error(type(exc).__name__, name) from None


def _pdftotext_pages(p: Path, name: str) -> list[list[str]] | None:
    """Poppler's extractor knows the Adobe-GB1 fonts Chinese typesetting systems use.

    The path is absolute and follows `--`: a report named `-layout` is a file, not an option.
    """
    exe = shutil.which("pdftotext")
    if not exe:
        return None
    import subprocess  # only for the fallbacks: not on the path of a cold audit

    try:
        out = subprocess.run([exe, "-enc", "UTF-8", "-l", str(PDF_MAX_PAGES), "--", os.path.abspath(p), "-"],
                             capture_output=True, timeout=PDF_TIMEOUT, preexec_fn=_limit_memory, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0 or len(out.stdout) > 4 * PDF_MAX_CHARS:
        return None
    pages = out.stdout.decode("utf-8", "replace").split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [pg.split("\n") for pg in pages]


def _poor_extraction(pages: list[list[str]]) -> bool:
    text = "".join("".join(pg) for pg in pages)
    return not _has_cjk(text) or len(_PDF_BAD.findall(text)) > len(text) * 0.02


# ------------------------------------------------------------ pdf: bounds on hostile files

_STREAM = re.compile(rb"stream\r?\n")


def _check_inflation(data: bytes, name: str) -> None:
    """Refuse a PDF whose compressed streams inflate past PDF_MAX_INFLATED (a "PDF bomb").

    Every FlateDecode stream is inflated in steps and thrown away, so this costs nothing in
    memory and at most the limit in time; a stream past 16 MB that inflates more than 100-fold
    is refused at once (text and fonts compress 3-10-fold, a bomb 1000-fold). Image streams are
    left out: text extraction never decodes them, and a scan's pages are large.
    """
    budget = PDF_MAX_INFLATED
    for m in _STREAM.finditer(data):
        head = data[max(0, m.start() - 1024):m.start()]
        head = head[head.rfind(b"obj") + 1:]
        if b"Fl" not in head or b"/Image" in head:   # /FlateDecode, or its abbreviation /Fl
            continue
        inflater = zlib.decompressobj()
        pos = start = m.end()
        pending = b""
        out = 0
        try:
            while not inflater.eof:
                if not pending:
                    if pos >= len(data):
                        break
                    pending, pos = data[pos:pos + 262144], pos + 262144
                n = len(inflater.decompress(pending, 4 << 20))
                pending = inflater.unconsumed_tail
                out += n
                budget -= n
                if budget < 0 or (out > 16 << 20 and out > 100 * (pos - start - len(pending))):
                    raise ReportError(f"PDF 压缩数据解压后过大（可能是“压缩炸弹”，"
                                      f"上限 {PDF_MAX_INFLATED / 2**20:g} MB），"
                                      "未读取", "the PDF's compressed streams inflate too far (a decompression "
                                      f"bomb? limit {PDF_MAX_INFLATED / 2**20:g} MB); not read", path=name)
        except zlib.error:
            continue        # a damaged stream: pdfium decides what it can read


def _limit_memory() -> None:
    """In a child process: cap its address space at what it uses now plus PDF_MEMORY."""
    import resource

    vm = _vm_size()
    if vm is None:
        return
    resource.setrlimit(resource.RLIMIT_AS, (vm + PDF_MEMORY, vm + PDF_MEMORY))


def _start_pdf(data: bytes, name: str) -> _Child | _Later:
    """pdfium's pages of a PDF, begun: the inflation check, then the extraction, in a child
    process started now (`_Child`); in this process, when asked for, in a batch worker
    (`read_pdfs_in_process`) or without fork."""
    if _Worker.enabled or not hasattr(os, "fork"):
        def now() -> list[list[str]]:
            _check_inflation(data, name)
            return _bounded(_pdfium_pages, data, name)

        return _Later(now)
    return _Child(_checked_pdfium_pages, data, name, pdfium=True)


def _checked_pdfium_pages(data: bytes, name: str) -> list[list[str]]:
    """In the child: refuse a PDF bomb before pdfium sees the bytes, then pdfium's pages."""
    _check_inflation(data, name)
    return _pdfium_pages(data, name)


def _bounded(fn, data: bytes, name: str) -> list[list[str]]:
    """fn(data, name) in a forked child with PDF_MEMORY and PDF_TIMEOUT as limits (`_Child`).

    Without fork (Windows) it runs in-process; pdfium in a batch worker, under the worker's
    bounds (`read_pdfs_in_process`).
    """
    if not hasattr(os, "fork"):
        return fn(data, name)
    if _Worker.enabled and fn is _pdfium_pages:
        return _in_this_process(data, name)
    return _Child(fn, data, name, pdfium=fn is _pdfium_pages).result()


class _Later:
    """Work done in this process when its result is asked for (no child to start it in)."""

    def __init__(self, fn) -> None:
        self._fn = fn

    def result(self) -> list[list[str]]:
        return self._fn()

    def close(self) -> None:
        pass


class _Child:
    """fn(data, name) running in a forked child from the moment this is made; `result()` waits
    for its answer, `close()` kills a child still running.

    `bounded` (a PDF): the child has PDF_MEMORY and PDF_TIMEOUT as limits. A PDF parser is a
    large C library fed hostile bytes: a child process is the only place a memory cap and a
    deadline can be enforced on it. The deadline runs from the fork; a child that dies without
    an answer was out of memory. Not `bounded` (`start_source(parse_ahead=True)`): the child
    only gets ahead of this process, with no limits of its own, and `result()` gives None when
    it has no answer (whatever went wrong), so the caller reads the file itself and meets
    exactly what it would have met without the child.

    The answer comes back marshalled (plain lists, numbers and strings: unlike pickle,
    loading it cannot run code); a ReportError as its texts and place. A caller may ask late
    (past the deadline, for a start long before): the answer is still read as long as each
    part of it comes within `_LATE_GRACE` (a child done working only waits for the pipe); only
    a child still working is stopped.

    `pdfium`: fn uses pdfium (`_pdfium`). A process's first PDF child imports it itself (a single
    `dutycheck audit x.pdf` never imports it in the parent, and the import overlaps the
    parent's own); from the second on the parent imports it once, so that every later child
    is forked with it loaded.
    """

    pdfium_children = 0

    def __init__(self, fn, data: bytes, name: str, pdfium: bool = False, bounded: bool = True) -> None:
        import time

        if pdfium:
            _Child.pdfium_children += 1
            if _Child.pdfium_children > 1:
                _pdfium()                          # loaded once in the parent, not in every child
        self._name = name
        self._bounded = bounded
        rfd, wfd = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(rfd)
            os.close(wfd)
            raise
        if pid == 0:                               # the child: never returns
            _child_main(fn, data, name, rfd, wfd, pdfium, bounded)
        os.close(wfd)
        self._pid: int | None = pid
        self._rfd = rfd
        self._deadline = time.monotonic() + PDF_TIMEOUT if bounded else None

    def result(self):
        import marshal
        import select
        import time

        if self._pid is None:
            raise RuntimeError("the child's result was asked for twice")
        chunks: list[bytes] = []
        done = False
        try:
            while True:
                left = None if self._deadline is None else self._deadline - time.monotonic()
                late = left is not None and left <= 0
                ready, _, _ = select.select([self._rfd], [], [], _LATE_GRACE if late else left)
                if not ready:
                    if late:
                        break       # past the deadline, and nothing came: the child is still working
                    continue
                chunk = os.read(self._rfd, 1 << 20)
                if not chunk:
                    done = True
                    break
                chunks.append(chunk)
        finally:
            self._end(kill=not done)
        if not done:
            raise _pdf_timeout(self._name)
        try:
            answer = marshal.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001  (a truncated answer: the child died, out of memory)
            answer = ("memory",)
        if not isinstance(answer, tuple) or not answer:
            answer = ("memory",)
        if answer[0] == "ok":
            return answer[1]
        if answer[0] == "error":
            zh, en, path, line, column, key = answer[1:]
            raise ReportError(zh, en, path=path, line=line, column=column, key=key)
        if not self._bounded:
            return None
        raise _pdf_memory(self._name)

    def close(self) -> None:
        """Kill and reap the child if it is still running (the caller gave up on it)."""
        if self._pid is not None:
            self._end(kill=True)

    def _end(self, kill: bool) -> None:
        import signal

        pid, self._pid = self._pid, None
        if pid is None:
            return
        os.close(self._rfd)
        if kill:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)


_LATE_GRACE = 0.5
"""Seconds `_Child.result()` waits for each further part of an answer once past the deadline."""


def _child_main(fn, data: bytes, name: str, rfd: int, wfd: int, pdfium: bool, bounded: bool) -> None:
    """The forked child of `_Child`: run fn (under the memory cap when bounded), write the answer, exit."""
    code = 0
    try:
        import faulthandler
        import marshal
        import signal

        os.close(rfd)
        if bounded:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)                # a C library's dying words are not the user's
        faulthandler.disable()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        if pdfium:
            _pdfium()                          # before the cap: the limit is for the extraction
        if bounded:
            _limit_memory()
        try:
            answer: tuple = ("ok", fn(data, name))
        except ReportError as exc:
            answer = ("error", exc.zh, exc.en, exc.path, exc.line, exc.column, exc.key)
        except MemoryError:
            answer = ("memory",)
        payload = marshal.dumps(answer)
        view = memoryview(payload)
        while view:
            view = view[os.write(wfd, view):]
    except BaseException:  # noqa: BLE001  (the child must reach os._exit, whatever happened)
        code = 1
    finally:
        os._exit(code)


def _pdf_timeout(name: str) -> ReportError:
    return ReportError(f"PDF 文字提取超过 {PDF_TIMEOUT:g} 秒，已停止（文件可能构造异常）",
                       f"PDF text extraction took more than {PDF_TIMEOUT:g} s and was stopped", path=name)


def _pdf_memory(name: str) -> ReportError:
    return ReportError(f"PDF 文字提取超出内存上限（{PDF_MEMORY / 2**20:g} MB），已停止（文件可能构造异常）",
                       f"PDF text extraction needed more than {PDF_MEMORY / 2**20:g} MB and was stopped",
                       path=name)


# ------------------------------------------------- pdf: in a batch worker, without a child

class _Worker:
    """State of a process that reads PDFs itself (`read_pdfs_in_process`)."""

    enabled = False
    devnull = -1
    saved_stderr = -1
    watchdog: _Watchdog | None = None


class _Watchdog:
    """A thread that kills this process when one call into the PDF library outlasts its deadline.

    The alarm of `timelimit` and the check between pages are Python code: they cannot stop a
    C call that never returns. pypdfium2 calls pdfium through ctypes, which releases the GIL,
    so this thread runs meanwhile. SIGKILL: nothing of a process in that state can be trusted.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._deadline: float | None = None
        threading.Thread(target=self._run, name="dutycheck-pdf-watchdog", daemon=True).start()

    def arm(self, seconds: float) -> None:
        import time

        with self._cond:
            self._deadline = time.monotonic() + seconds
            self._cond.notify()

    def disarm(self) -> None:
        with self._cond:
            self._deadline = None

    def _run(self) -> None:
        import signal
        import time

        with self._cond:
            while True:
                if self._deadline is None:
                    self._cond.wait()
                    continue
                left = self._deadline - time.monotonic()
                if left <= 0:
                    os.kill(os.getpid(), signal.SIGKILL)
                self._cond.wait(left)


_WATCHDOG_GRACE = 1.0
"""Seconds past a deadline the watchdog waits for the Python-level stop before it kills."""


def read_pdfs_in_process(enabled: bool = True) -> None:
    """Read PDFs in this process instead of a forked child per file: for a batch worker only.

    A batch worker is itself a bounded, replaceable process: the pool gives each file a
    deadline, and a worker that dies costs only the files in flight, which the pool retries
    one by one in a fresh worker that reads PDFs the careful way (a child per file) and so
    gives the message a child would. Here pdfium runs with the same bounds as in the child:
    the address space capped at its size now + PDF_MEMORY for the call (pdfium aborts when an
    allocation fails, the worker dies, the retry names the memory limit), PDF_TIMEOUT checked
    between pages, and a watchdog that kills the worker when one page outlasts it or the
    file's own deadline; the library's stderr goes to /dev/null as the child's does. This saves
    the fork (about 10 ms CPU per PDF, twice what pdfium takes for a 10-page report).
    A fault handler would print the dying worker's stack: it is switched off, as in the child.
    """
    if enabled:
        import faulthandler

        faulthandler.disable()
    _Worker.enabled = enabled


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status", "rb") as fh:
            return next(int(line.split()[1]) * 1024 for line in fh if line.startswith(b"VmSize:"))
    except (OSError, StopIteration, ValueError):
        return None


def _in_this_process(data: bytes, name: str) -> list[list[str]]:
    """_pdfium_pages(data, name) in this process, bounded as `read_pdfs_in_process` says."""
    import resource
    import signal
    import time

    _pdfium()                          # loaded before the address space is capped

    if _Worker.watchdog is None:
        _Worker.watchdog = _Watchdog()
        _Worker.devnull = os.open(os.devnull, os.O_WRONLY)
        _Worker.saved_stderr = os.dup(2)
    file_left = signal.getitimer(signal.ITIMER_REAL)[0]     # the file's own deadline, if armed
    seconds = min(PDF_TIMEOUT, file_left) if file_left > 0 else PDF_TIMEOUT
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    vm = _vm_size()
    _Worker.watchdog.arm(seconds + _WATCHDOG_GRACE)
    os.dup2(_Worker.devnull, 2)
    try:
        if vm is not None:
            cap = vm + PDF_MEMORY
            if soft != resource.RLIM_INFINITY:
                cap = min(cap, soft)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        return _pdfium_pages(data, name, time.monotonic() + PDF_TIMEOUT)
    except MemoryError:
        raise _pdf_memory(name) from None
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        os.dup2(_Worker.saved_stderr, 2)
        _Worker.watchdog.disarm()


def _strip_running_lines(pages: list[list[str]]) -> list[list[str | None]]:
    """Blank out page numbers and the header/footer lines that repeat on most pages.

    Kept as None so the line numbers of the remaining lines stay those of the page.
    """
    def key(s: str) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", s))

    def edges(pg: list[str]) -> list[int]:
        idx = [i for i, s in enumerate(pg) if s.strip()]
        return idx[:2] + idx[-2:]

    counts: dict[str, int] = {}
    for pg in pages:
        for k in {key(pg[i]) for i in edges(pg)}:
            counts[k] = counts.get(k, 0) + 1
    repeated = {k for k, c in counts.items() if len(pages) >= 3 and c >= max(3, len(pages) * 0.6)}
    out: list[list[str | None]] = []
    for pg in pages:
        edge = set(edges(pg))
        out.append([None if i in edge and (_PAGE_NUMBER.match(s) or key(s) in repeated) else s
                    for i, s in enumerate(pg)])
    return out


# ---------------------------------------------------------------------------- html

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_BLOCK_TAGS = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article",
               "blockquote", "pre", "ul", "ol", "dd", "dt", "td", "th", "center", "body"}
_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
              "select", "button", "svg", "template", "head"]
_BOILERPLATE = re.compile(
    r"nav|menu|footer|header|breadcrumb|crumb|share|related|xgxx|xglj|links?\b|sidebar|copyright|banner|"
    r"toolbar|search|login|position|location|dqwz|bottom|top-?bar|foot|qrcode|print", re.I)
_CONTENT_HINT = re.compile(r"zoom|trs_?editor|article|content|detail|text|main|ucap|view|zw|wzzw|pages_content", re.I)


def _decode_html(data: bytes, name: str) -> tuple[str, str, int]:
    """Decode in the page's declared charset when it decodes cleanly, else as text."""
    m = _META_CHARSET.search(data[:4096])
    if m and not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        declared = m.group(1).decode("ascii", "ignore").lower()
        declared = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}.get(declared, declared)
        try:
            return (*_checked(data.decode(declared), declared, name), 0)
        except (UnicodeDecodeError, LookupError):
            pass
    return decode_counted(data, name)


# What bs4 imports at once but this reader never uses: CSS selectors (soupsieve), encoding
# detection (we hand it decoded text), the lxml and html5lib tree builders (we ask for
# html.parser). Two thirds of bs4's import time, so of the gap between an .html and a .txt audit.
_BS4_UNUSED = frozenset({"soupsieve", "cchardet", "chardet", "charset_normalizer", "html5lib",
                         "bs4.builder._lxml", "bs4.builder._html5lib"})


class _SkipForBs4:
    """A meta-path finder that, while bs4 is imported in this thread, reports `_BS4_UNUSED`
    as not installed (bs4 imports each in `try: … except ImportError`)."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name in _BS4_UNUSED and threading.get_ident() == self.thread:
            raise ImportError(f"{name} is not needed to read a web page", name=name)
        return None


_LEAN_IMPORTS = False


def lean_imports() -> None:
    """Let the reader import bs4 without `_BS4_UNUSED` in this process: for dutycheck's own
    processes (the CLI calls it), never for a program using dutycheck as a library, since bs4
    then stays without CSS selectors, encoding detection and the lxml builder for the rest of
    the process (soupsieve alone is ~70 ms of import, most of an .html audit's extra time)."""
    global _LEAN_IMPORTS
    _LEAN_IMPORTS = True


def _import_bs4() -> None:
    """Import bs4 without the optional modules of `_BS4_UNUSED` (tree building unchanged),
    in a process that asked for it (`lean_imports`)."""
    import sys

    if not _LEAN_IMPORTS or "bs4" in sys.modules:
        return
    import warnings

    finder = _SkipForBs4()
    sys.meta_path.insert(0, finder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # "soupsieve is not installed": no CSS selectors here
            import bs4  # noqa: F401
    finally:
        sys.meta_path.remove(finder)


def _html_lines(text: str, name: str) -> tuple[list[str], list[Location]]:
    """The article body of a saved government page, one line per block, at its source line."""
    _import_bs4()
    from bs4 import BeautifulSoup, NavigableString
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    soup = BeautifulSoup(text, "html.parser")
    title = _html_title(soup)
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        # not `tag.decomposed`: on a live tag bs4 looks the missing attribute up as a child tag
        # named "_decomposed", a walk of the whole subtree for every tag (quadratic: a 437 KB page
        # of nested tags took 152 s)
        if vars(tag).get("_decomposed") or not tag.attrs or tag.name in {"body", "html"}:
            continue
        ident = " ".join([str(tag.get("id") or "")] + [str(c) for c in tag.get("class") or []])
        if ident.strip() and _BOILERPLATE.search(ident) and not _CONTENT_HINT.search(ident):
            tag.decompose()
    content = _main_block(soup)
    lines: list[str] = []
    locs: list[Location] = []
    current: list[str] = []
    current_block = None
    current_line = 1

    def flush() -> None:
        if current:
            s = "".join(current).strip()
            if s:
                lines.append(s)
                locs.append(Location(current_line))
            current.clear()

    # the nearest block ancestor of every tag, top-down in one pass (not a walk up per string)
    block_of: dict[int, object] = {
        id(content): content if content.name in _BLOCK_TAGS
        else next((a for a in content.parents if a.name in _BLOCK_TAGS), None)}
    for node in content.descendants:
        tag_name = getattr(node, "name", None)
        if tag_name is not None:
            block_of[id(node)] = node if tag_name in _BLOCK_TAGS else block_of.get(id(node.parent))
        if tag_name == "br":
            flush()
            continue
        if not isinstance(node, NavigableString) or isinstance(node, (Comment, Declaration, Doctype,
                                                                          ProcessingInstruction)):
            continue
        block = block_of.get(id(node.parent))
        if block is not current_block:
            flush()
            current_block = block
        if not current:
            current_line = getattr(node.parent, "sourceline", None) or current_line
        current.append(re.sub(r"[ \t\r\n\xa0]+", " ", str(node)))
    flush()
    if title and not any(title[0] in s and len(s) <= 1.5 * len(title[0]) for s in lines[:3]):
        # the page title sits outside the article body on most sites; it names the agency and year
        lines.insert(0, title[0])
        locs.insert(0, Location(title[1] or 1))
    return lines, locs


def _html_page(data: bytes, name: str) -> tuple[list[str], list[Location], str, int]:
    """A saved web page's article lines, their locations, its encoding and replaced characters."""
    text, encoding, replaced = _decode_html(data, name)
    lines, locs = _html_lines(text, name)
    _checked("\n".join(lines), encoding, name)   # control characters written as &#x1b; count too
    return lines, locs, encoding, replaced


def _html_ahead(data: bytes, name: str) -> tuple[list[str], list[int], str, int]:
    """`_html_page` in a parse-ahead child: the locations as line numbers, for marshal."""
    lines, locs, encoding, replaced = _html_page(data, name)
    return lines, [loc.line for loc in locs], encoding, replaced


def _docx_ahead(data: bytes, name: str) -> tuple[list[str], list[int], dict]:
    """`_docx_lines` in a parse-ahead child: the locations as paragraph numbers, for marshal."""
    lines, locs, meta = _docx_lines(data, name)
    return lines, [loc.line for loc in locs], meta


_AHEAD = {"html": _html_ahead, "docx": _docx_ahead}


def _html_title(soup) -> tuple[str, int | None] | None:
    for sel in ("h1", "h2"):
        h = soup.find(sel)
        if h and len(_CJK.findall(h.get_text())) >= 4:
            return h.get_text(" ", strip=True), getattr(h, "sourceline", None)
    t = soup.find("title")
    if t and t.get_text(strip=True):
        first = re.split(r"\s*[-_|｜—]+\s*", t.get_text(strip=True))[0]
        return first, getattr(t, "sourceline", None)
    return None


def _main_block(soup):
    """The element holding most of the page's Chinese prose outside links.

    Score each element that directly contains paragraphs or text by the Chinese characters
    of that text, minus those inside links (menus and related-link lists are all links).
    """
    from bs4 import CData, NavigableString

    body = soup.body or soup
    # Chinese characters of every tag's text and of the links in it, bottom-up in one pass:
    # asking each candidate's children for get_text() is quadratic in the nesting depth
    total: dict[int, int] = {}
    link: dict[int, int] = {}
    nodes = list(body.descendants)
    for node in reversed(nodes):        # children before their parents
        parent = id(node.parent)
        if getattr(node, "name", None) is None:
            n = len(_CJK.findall(str(node))) if type(node) in (NavigableString, CData) else 0
            total[parent] = total.get(parent, 0) + n
        else:
            key = id(node)
            if node.name == "a":
                link[key] = total.get(key, 0)
            total[parent] = total.get(parent, 0) + total.get(key, 0)
            link[parent] = link.get(parent, 0) + link.get(key, 0)
    del nodes
    best, best_score = None, 0
    for el in [body, *body.find_all(["div", "article", "section", "td", "main", "center"])]:
        own = 0
        for child in el.children:
            name = getattr(child, "name", None)
            if name is None:
                own += len(_CJK.findall(str(child)))
            elif name in {"p", "span", "font", "strong", "b", "h1", "h2", "h3", "h4", "li", "table", "ul", "ol",
                          "blockquote", "pre"}:
                own += total.get(id(child), 0) - 2 * link.get(id(child), 0)
        if own > best_score:
            best, best_score = el, own
    return best if best is not None else body


# ---------------------------------------------------------------------------- .doc / .wps

OFFICE_TIMEOUT = 180.0   # seconds for one LibreOffice conversion


def _legacy_word_lines(p: Path, data: bytes, name: str) -> tuple[list[str], list[Location], dict]:
    """Legacy Word and WPS files go through LibreOffice, when it is installed."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        raise ReportError("读取 .doc/.wps 需要安装 LibreOffice；或在 Word/WPS 中“另存为” .docx 后再审查",
                          "reading .doc/.wps needs LibreOffice installed; or save the file as .docx in Word/WPS",
                          path=name)
    import signal
    import subprocess

    # The profile lives in our temp folder; soffice forks soffice.bin, so it runs in its own
    # process group and a timeout kills the whole group before the folder is removed (else the
    # survivors keep writing the profile back and folders pile up in /tmp).
    tmp = tempfile.mkdtemp(prefix="dutycheck-")
    try:
        src = Path(tmp) / ("input" + (p.suffix.lower() or ".doc"))
        src.write_bytes(data)       # the bytes already read, not a second read of the file
        proc = subprocess.Popen([office, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
                                 "--convert-to", "docx", "--outdir", tmp, str(src)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            proc.wait(timeout=OFFICE_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise ReportError(f"LibreOffice 转换超时（{OFFICE_TIMEOUT:g} 秒）",
                              f"LibreOffice conversion timed out ({OFFICE_TIMEOUT:g} s)", path=name) from None
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)   # the group: soffice.bin and any helper
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
        out = Path(tmp) / "input.docx"
        if not out.exists():
            raise ReportError("LibreOffice 无法转换此文件（可能已损坏）",
                              "LibreOffice could not convert this file (damaged?)", path=name)
        lines, locs, meta = _docx_lines(out.read_bytes(), name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    meta["converted_by"] = "libreoffice"
    return lines, locs, meta
