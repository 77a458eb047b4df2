"""Comment surgery: ruamel attaches a comment line to the node before it; move trailing
comments to where they belong before an item or key is inserted."""

from __future__ import annotations

from typing import Any

from .document import TOP_ORDER, _Doc, _insert_key


def _is_block(node: Any) -> bool:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    return isinstance(node, (CommentedMap, CommentedSeq)) and len(node) > 0 \
        and not node.fa.flow_style()


def _spine(node: Any) -> list[tuple[Any, Any]]:
    """(container, last key) from `node` down to the deepest block container."""
    from ruamel.yaml.comments import CommentedMap

    out = []
    while _is_block(node):
        key = next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1
        out.append((node, key))
        node = node[key]
    return out


def _token(text: str, column: int) -> Any:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    return CommentToken(text, CommentMark(column), None)


def _outside(text: str, column: int, limit: int) -> bool:
    stripped = text.strip()
    return not stripped or (stripped.startswith("#") and column <= limit)


def _split_post(tok: Any, limit: int) -> list:
    """Cut the outside lines off a post-comment token; return them as one-line tokens.

    A post token holds the end of the value's line ("# eol comment\n" or "\n") and then
    every comment or blank line up to the next node, indentation included.
    """
    value = tok.value
    if value.startswith("#"):
        cut = value.index("\n") + 1 if "\n" in value else len(value)
    else:
        cut = 1 if value.startswith("\n") else 0
    head, lines = value[:cut], value[cut:].splitlines(keepends=True)
    n = len(lines)
    while n and _outside(lines[n - 1], len(lines[n - 1]) - len(lines[n - 1].lstrip(" ")), limit):
        n -= 1
    detached = []
    for line in lines[n:]:
        if line.strip():
            detached.append(_token(line.lstrip(" "), len(line) - len(line.lstrip(" "))))
        else:
            detached.append(_token("\n", 0))
    if detached:
        tok.value = head + "".join(lines[:n])
    return detached


def _detach_tail(node: Any, limit: int) -> list:
    """Remove the blank lines and comments that follow `node` at indent <= `limit`.

    Those lines introduce what comes next (a group header, the next top-level key), but
    ruamel stores them on the last value of `node`. Returns them as one-line comment
    tokens, in order; comments indented deeper (inside the item) stay where they are.
    """
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.tokens import CommentToken

    detached: list = []
    for container, key in reversed(_spine(node)):
        post = 2 if isinstance(container, CommentedMap) else 0
        entry = container.ca.items.get(key)
        tok = entry[post] if entry and len(entry) > post else None
        if isinstance(tok, CommentToken):
            detached.extend(_split_post(tok, limit))
        end = container.ca.end
        if end:
            n = len(end)
            while n and _outside(end[n - 1].value, end[n - 1].column or 0, limit):
                n -= 1
            detached.extend(end[n:])
            del end[n:]
    return detached


def _append_post(container: Any, key: Any, post: int, tokens: list) -> None:
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) <= post:
        entry.append(None)
    text = "".join(("\n" if not t.value.strip() else " " * (t.column or 0) + t.value) for t in tokens)
    old = entry[post]
    if old is not None and old.value:
        entry[post] = _token(old.value + text, old.column or 0)
    else:
        entry[post] = _token("\n" + text, 0)


def _attach_tail(node: Any, tokens: list) -> None:
    """Put comment lines after `node` at the end of the document (post comment of its
    deepest last value: where ruamel itself keeps a file's closing comments)."""
    from ruamel.yaml.comments import CommentedMap

    if not tokens:
        return
    spine = _spine(node)
    if not spine:
        return
    container, key = spine[-1]
    _append_post(container, key, 2 if isinstance(container, CommentedMap) else 0, tokens)


def _add_before(container: Any, key: Any, tokens: list) -> None:
    """Comment lines shown above element `key` (an index or a mapping key) of `container`."""
    if not tokens:
        return
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    entry[1] = list(tokens) + list(entry[1] or [])


def _keys(container: Any) -> list:
    return list(container) if isinstance(container, dict) else list(range(len(container)))


def _place_after(doc: "_Doc", container: Any, key: Any, tokens: list, top: str) -> None:
    """Put comment lines that must follow element `key` of `container` (the value of the
    top-level key `top`): above the next element, else above the next top-level key,
    else at the end of the document."""
    if not tokens:
        return
    keys = _keys(container)
    if key in keys and keys.index(key) + 1 < len(keys):
        _add_before(container, keys[keys.index(key) + 1], tokens)
        return
    top_keys = list(doc.data)
    if top in top_keys and top_keys.index(top) + 1 < len(top_keys):
        _add_before(doc.data, top_keys[top_keys.index(top) + 1], tokens)
        return
    if key in keys:
        _attach_tail(container[key], tokens) if _is_block(container[key]) else \
            _append_post(container, key, 2 if isinstance(container, dict) else 0, tokens)


def _detach_after_key(mapping: Any, key: str, limit: int) -> list:
    """The comment lines between `key`'s value and the next key, taken off."""
    from ruamel.yaml.tokens import CommentToken

    if _is_block(mapping[key]):
        return _detach_tail(mapping[key], limit)
    entry = mapping.ca.items.get(key)
    tok = entry[2] if entry and len(entry) > 2 else None
    return _split_post(tok, limit) if isinstance(tok, CommentToken) else []


def _add_top(doc: "_Doc", key: str, value: Any) -> Any:
    """Add a top-level key in the house order. Comment lines above the key that now
    follows it stay above that key (ruamel stores them on the previous key's value)."""
    data = doc.data
    keys = list(data)
    _insert_key(data, key, value, TOP_ORDER)
    pos = list(data).index(key)
    if 0 < pos < len(keys):
        _add_before(data, keys[pos], _detach_after_key(data, keys[pos - 1], 0))
    return value


def _drop_top(doc: "_Doc", key: str) -> None:
    """Delete a top-level key; the comments around it stay."""
    data = doc.data
    keys = list(data)
    pos = keys.index(key)
    moved = list((data.ca.items.get(key) or [None, None])[1] or []) + _detach_after_key(data, key, 0)
    data.ca.items.pop(key, None)
    del data[key]
    if pos + 1 < len(keys):
        _add_before(data, keys[pos + 1], moved)
    elif pos > 0:
        prev = keys[pos - 1]
        _attach_tail(data[prev], moved) if _is_block(data[prev]) else _append_post(data, prev, 2, moved)
