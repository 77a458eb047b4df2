"""Changing only the form of a report must not change any status.

Each bundled report is rewritten the way real downloads differ — traditional
characters, PDF-style hard line breaks, full-width digits, spaced-out characters,
GB18030 bytes — and every item must keep the status it has in the original.
"""

import re
from importlib import resources

import pytest
from conftest import BUNDLED

from dutycheck.audit import audit_path, audit_text


def statuses(result):
    return {i.id: i.status.value for i in result.items}


def _s2t_table():
    table = {}
    data = resources.files("opencc").joinpath("dictionary/STCharacters.txt")
    for line in data.read_text(encoding="utf-8").splitlines():
        simp, _, trad = line.partition("\t")
        first = trad.split(" ")[0]
        if len(simp) == 1 and len(first) == 1:
            table[ord(simp)] = first
    return table


S2T = _s2t_table()


def to_traditional(text: str) -> str:
    return text.translate(S2T)


def hard_wrap(text: str, width: int = 34) -> str:
    """Break every paragraph at a fixed width, as PDF text extraction does."""
    out = []
    for para in text.split("\n"):
        out.extend(para[i:i + width] for i in range(0, len(para), width)) if para else out.append("")
    return "\n".join(out)


def full_width_digits(text: str) -> str:
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789%"})


def spaced(text: str) -> str:
    """Spaces between characters and around numbers, as in some PDF and Word exports."""
    text = re.sub(r"(\d+)", r" \1 ", text)
    return re.sub(r"([\u4e00-\u9fff])(?=[\u4e00-\u9fff])", r"\1 ", text)


FORMS = {"traditional": to_traditional, "hard-wrapped": hard_wrap,
         "full-width digits": full_width_digits, "spaced": spaced}


@pytest.fixture(scope="module")
def originals(checklist):
    return {p.name: statuses(audit_path(p, checklist)) for p in BUNDLED}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_form_does_not_change_statuses(originals, checklist, form, path):
    changed = FORMS[form](path.read_text(encoding="utf-8"))
    assert changed != path.read_text(encoding="utf-8")
    assert statuses(audit_text(changed, checklist)) == originals[path.name]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_gb18030_file_gives_the_same_statuses(originals, checklist, path, tmp_path):
    target = tmp_path / path.name
    target.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    result = audit_path(target, checklist)
    assert result.encoding and result.encoding.lower().replace("-", "") in ("gb18030", "gbk")
    assert statuses(result) == originals[path.name]
