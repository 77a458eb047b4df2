"""Compare two snapshot folders (tools/snapshot_outputs.py) allowing only additive JSON keys.

    python tools/additive_diff.py /tmp/snap/before /tmp/snap/after --keys unit,reason_code,reason_params

Every file must be byte-identical, except that a JSON document (a .json file, a jsonl line, a
line of a text dump holding one JSON object) may have gained the named keys in any object. The
keys are dropped from both sides, the rest compared; the script prints each file that differs
otherwise and the count of added keys it saw, and exits 1 when anything but those keys changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def strip(value: Any, keys: frozenset[str], seen: Counter) -> Any:
    """`value` without the named keys in any object (counted in `seen`)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in keys:
                seen[k] += 1
            else:
                out[k] = strip(v, keys, seen)
        return out
    if isinstance(value, list):
        return [strip(v, keys, seen) for v in value]
    return value


def _stripped_equal(before: Any, after: Any, keys: frozenset[str], seen: Counter) -> bool:
    """Equal without the keys; `seen` counts the keys the after side has more of."""
    gone: Counter = Counter()
    found: Counter = Counter()
    if strip(before, keys, gone) != strip(after, keys, found):
        return False
    seen.update(found)
    seen.subtract(gone)
    return True


def _as_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _json_tail(text: str) -> tuple[str, Any]:
    """The text before the first line that opens a JSON document running to the end, and the document."""
    pos = 0
    for line in text.splitlines(keepends=True):
        if line[:1] in "{[":
            doc = _as_json(text[pos:])
            if doc is not None:
                return text[:pos], doc
        pos += len(line)
    return text, None


def same(before: str, after: str, keys: frozenset[str], seen: Counter) -> bool:
    """Whether two texts are equal once the added keys are dropped: as one JSON document, as a
head of text and a JSON document, or line by line (jsonl, a dump with JSON lines)."""
    if before == after:
        return True
    whole_b, whole_a = _as_json(before), _as_json(after)
    if whole_b is not None and whole_a is not None:
        return _stripped_equal(whole_b, whole_a, keys, seen)
    if _same_lines(before, after, keys, seen):
        return True
    # a command's output: a head of text, then one JSON document (`exit=0 … ---- {`)
    head_b, doc_b = _json_tail(before)
    head_a, doc_a = _json_tail(after)
    return (doc_b is not None and doc_a is not None and head_b == head_a
            and _stripped_equal(doc_b, doc_a, keys, seen))


def _same_lines(before: str, after: str, keys: frozenset[str], seen: Counter) -> bool:
    lines_b, lines_a = before.splitlines(), after.splitlines()
    if len(lines_b) != len(lines_a):
        return False
    found: Counter = Counter()
    gone: Counter = Counter()
    for b, a in zip(lines_b, lines_a):
        if b == a:
            continue
        jb, ja = _as_json(b), _as_json(a)
        if jb is None or ja is None or strip(jb, keys, gone) != strip(ja, keys, found):
            return False
    seen.update(found)
    seen.subtract(gone)
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("before", type=Path)
    ap.add_argument("after", type=Path)
    ap.add_argument("--keys", default="", help="comma-separated JSON keys that may have been added")
    args = ap.parse_args()
    keys = frozenset(k for k in args.keys.split(",") if k)
    names_b = {p.relative_to(args.before) for p in args.before.rglob("*") if p.is_file()}
    names_a = {p.relative_to(args.after) for p in args.after.rglob("*") if p.is_file()}
    bad = [f"only in before: {n}" for n in sorted(names_b - names_a)]
    bad += [f"only in after: {n}" for n in sorted(names_a - names_b)]
    seen: Counter = Counter()
    changed = 0
    for name in sorted(names_b & names_a):
        b, a = (args.before / name).read_bytes(), (args.after / name).read_bytes()
        if b == a:
            continue
        changed += 1
        try:
            ok = same(b.decode("utf-8"), a.decode("utf-8"), keys, seen)
        except UnicodeDecodeError:
            ok = False
        if not ok:
            bad.append(f"differs beyond {sorted(keys)}: {name}")
    for line in bad:
        print(line)
    total = len(names_b | names_a)
    print(f"{total} files, {total - changed} byte-identical, {changed} differ only by added keys"
          f" {dict(+seen)}" if not bad else f"{len(bad)} files differ", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
