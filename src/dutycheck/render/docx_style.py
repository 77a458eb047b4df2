"""Official document style for the Word outputs (GB/T 9704 公文格式, as reviewers' offices use it).

A4; margins 37/35/28/26 mm; title in 方正小标宋简体 二号; body 仿宋_GB2312 三号 at a fixed
28 pt line; 一、 headings in 黑体, （一） headings in 楷体_GB2312; page numbers `— 1 —` in the
footer. The East Asian font is set on every run (`w:eastAsia`), and each font is declared in
the font table with an `altName` Windows always has (宋体, 仿宋, 黑体, 楷体), so Word and WPS
substitute a close face on a machine without the 方正/GB2312 fonts, and LibreOffice falls back
through fontconfig (WenQuanYi, Noto CJK).
"""

from __future__ import annotations

from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
LATIN_FONT = "Times New Roman"
# font → the face Word/WPS use when it is missing (w:altName), and its font-table family
ALT_NAMES = {TITLE_FONT: ("宋体", "roman"), BODY_FONT: ("仿宋", "modern"), H1_FONT: ("SimHei", "modern"),
             H2_FONT: ("楷体", "modern")}

SIZE_TITLE = Pt(22)     # 二号
SIZE_BODY = Pt(16)      # 三号
SIZE_SMALL = Pt(12)     # 小四: tables
SIZE_FOOTER = Pt(14)    # 四号
LINE = Pt(28)
GREY = RGBColor(0x59, 0x59, 0x59)


def set_fonts(run_or_style: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Latin and East Asian font of a run or style (python-docx sets only the Latin one)."""
    run_or_style.font.name = latin
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _declare_fonts(doc: Any) -> None:
    """Font-table entries with an altName, so a missing 方正/GB2312 font falls back sensibly."""
    from lxml import etree

    part = next((r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")), None)
    if part is None:
        return
    root = etree.fromstring(part.blob)
    have = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, (alt, family) in ALT_NAMES.items():
        if name in have:
            continue
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, val in (("w:altName", alt), ("w:charset", "86"), ("w:family", family),
                         ("w:pitch", "variable")):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), val)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def new_document(*, landscape: bool = False) -> Any:
    """An empty A4 document with the official styles set up and page numbers in the footer."""
    doc = Document()
    sec = doc.sections[0]
    if landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = Mm(297), Mm(210)
        sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(25), Mm(25), Mm(25), Mm(25)
    else:
        sec.page_width, sec.page_height = Mm(210), Mm(297)
        sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
        sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.footer_distance = Mm(20)

    normal = doc.styles["Normal"]
    set_fonts(normal, BODY_FONT)
    normal.font.size = SIZE_BODY
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE
    pf.space_before = pf.space_after = Pt(0)
    for name, font, size in (("Heading 1", H1_FONT, SIZE_BODY), ("Heading 2", H2_FONT, SIZE_BODY),
                             ("Title", TITLE_FONT, SIZE_TITLE)):
        st = doc.styles[name]
        set_fonts(st, font)
        st.font.size = size
        st.font.bold = False
        st.font.color.rgb = RGBColor(0, 0, 0)
        st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        st.paragraph_format.line_spacing = Pt(36) if name == "Title" else LINE
        st.paragraph_format.space_before = Pt(0)
        st.paragraph_format.space_after = Pt(0)
        st.paragraph_format.keep_with_next = True
        # no theme fonts or the Title style's bottom border
        ppr = st.element.get_or_add_pPr()
        for border in ppr.findall(qn("w:pBdr")):
            ppr.remove(border)
        if name != "Title":
            st.paragraph_format.first_line_indent = Pt(32)
    _declare_fonts(doc)
    _page_numbers(sec)
    return doc


def _field(paragraph: Any, code: str) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == code:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {code} "
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._r.append(el)
    set_fonts(run, "宋体")
    run.font.size = SIZE_FOOTER


def _page_numbers(sec: Any) -> None:
    p = sec.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    left = p.add_run("— ")
    _field(p, "PAGE")
    right = p.add_run(" —")
    for r in (left, right):
        set_fonts(r, "宋体")
        r.font.size = SIZE_FOOTER


def title(doc: Any, text: str) -> Any:
    p = doc.add_paragraph(style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    set_fonts(run, TITLE_FONT)
    run.font.size = SIZE_TITLE
    doc.add_paragraph()
    return p


def heading(doc: Any, text: str, level: int = 1) -> Any:
    p = doc.add_paragraph(style="Heading 1" if level == 1 else "Heading 2")
    run = p.add_run(text)
    set_fonts(run, H1_FONT if level == 1 else H2_FONT)
    run.font.size = SIZE_BODY
    run.font.color.rgb = RGBColor(0, 0, 0)
    return p


def para(doc: Any, text: str = "", *, indent: bool = True, align: str | None = None,
         bold_lead: str = "", small: bool = False, grey: bool = False) -> Any:
    """A body paragraph; `bold_lead` is a label printed first in bold (依据：)."""
    p = doc.add_paragraph()
    if not indent:
        p.paragraph_format.first_line_indent = Pt(0)
    else:
        p.paragraph_format.first_line_indent = Pt(32)
    if align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if bold_lead:
        r = p.add_run(bold_lead)
        r.bold = True
        set_fonts(r, BODY_FONT)
    r = p.add_run(text)
    set_fonts(r, BODY_FONT)
    if small:
        r.font.size = SIZE_SMALL
        p.paragraph_format.line_spacing = Pt(20)
    if grey:
        r.font.color.rgb = GREY
    return p


def run(p: Any, text: str, *, bold: bool = False, font: str = BODY_FONT, size: Any = None,
        color: RGBColor | None = None) -> Any:
    r = p.add_run(text)
    set_fonts(r, font)
    r.bold = bold
    if size is not None:
        r.font.size = size
    if color is not None:
        r.font.color.rgb = color
    return r


def shade(cell: Any, fill: str) -> None:
    """Background colour of a table cell (hex, no #)."""
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def table(doc: Any, head: list[str], rows: list[list[str]], *, widths: list[float] | None = None,
          size: Any = SIZE_SMALL) -> Any:
    """A bordered table in 小四 with a shaded, repeated header row; widths in mm."""
    t = doc.add_table(rows=1, cols=len(head))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, head):
        _cell_text(cell, text, size, bold=True)
        shade(cell, "E7ECF2")
    trpr = t.rows[0]._tr.get_or_add_trPr()
    hdr = OxmlElement("w:tblHeader")
    hdr.set(qn("w:val"), "true")
    trpr.append(hdr)
    for values in rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, values):
            _cell_text(cell, text, size)
    if widths:
        set_widths(t, widths)
    return t


def set_widths(t: Any, widths: list[float]) -> None:
    """Fixed column widths in mm, in the grid (LibreOffice reads it) and on every cell (Word)."""
    t.autofit = False
    grid = t._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(Mm(w).twips)))
    tblpr = t._tbl.tblPr
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), str(int(Mm(sum(widths)).twips)))
    for row in t.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = Mm(w)


def _cell_text(cell: Any, text: str, size: Any, *, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    r = p.add_run(text)
    set_fonts(r, BODY_FONT)
    r.font.size = size
    r.bold = bold
