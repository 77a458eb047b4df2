"""Regions: the folder, or the first place in the agency name, a report is grouped under."""

from __future__ import annotations

import re

from .inputs import Input

UNKNOWN_REGION = "（未知地区）"


_PLACE = re.compile(r"[\u4e00-\u9fff]{1,9}?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|州|盟|县|区|旗)")
_NOT_PLACE = re.compile(r"教育|体育|科技|局|委|厅|政府|办公|中心|学校")


def places(agency: str | None) -> list[str]:
    """The administrative divisions an agency's name starts with: 焦作市山阳区教育局 → [焦作市, 山阳区]."""
    out: list[str] = []
    pos = 0
    while agency:
        m = _PLACE.match(agency, pos)
        if not m or _NOT_PLACE.search(m.group()):
            break
        out.append(m.group())
        pos = m.end()
    return out


def region_of(inp: Input, agency: str | None, mode: str = "auto") -> str:
    """The region a report is grouped under: its folder, or the first place in the agency name.

    `auto` uses the folder when the report sits in one (below the PATH given, or the parent
    of a named file), else the name; `folder` and `name` force one source.
    """
    named = places(agency)
    by_name = named[0] if named else None
    if mode == "name":
        return by_name or inp.folder or UNKNOWN_REGION
    if mode == "folder":
        return inp.folder or UNKNOWN_REGION
    return inp.folder or by_name or UNKNOWN_REGION
