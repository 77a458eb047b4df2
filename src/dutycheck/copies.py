"""形式审查 across reports: copied reports, a report repeating last year's, and revisions.

Copied reports: two reports that share most of their sentences (sentence fingerprints from
formal.py: punctuation and figures left out, so a copy with new numbers still matches).
The test is exact, not estimated: every sentence hash goes into one sorted array of 64-bit
keys (hash << 24 | report number, 8 bytes a sentence), equal hashes are adjacent after the
sort, and each pair of reports sharing a sentence gets a count. Sentences that most of the
batch shares (the central slogans every report quotes) say nothing about copying and are
left out. Why not MinHash/LSH (datasketch): it estimates the Jaccard similarity to find
candidate pairs, but a reviewer needs the exact share and the shared passages, which need
the exact intersection anyway; at the size of a region's batch (hundreds to a few thousand
reports, ~200 sentences each) the sorted array is a few MB and a second, and datasketch
would bring numpy and scipy into a tool that installs on reviewers' Windows machines.

Revisions: the same bureau and year twice in one batch (the txt and the pdf of one report, or
a corrected version) is one report: the newer (later date in the report, else the newer
file) supersedes, the ranking counts it once.
"""

from __future__ import annotations

import os
import re
import sys
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain

from .formal import COPIED, REPEATS_LAST_YEAR, SUPERSEDED, SUPERSEDES, Finding, sentence_fingerprint

COPY_SHARE = 0.5           # share of the smaller report's sentences both have
MIN_SENTENCES = 10         # reports with fewer distinct sentences are too short to judge
MIN_SHARED = 6
COMMON_SHARE = 0.3         # a sentence in more than this share of the batch (and > 3 reports) is boilerplate
PASSAGES = 3
PASSAGE_CHARS = 200
_ID_BITS = 24
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")


_KEY_BITS = 40              # bits of a sentence hash the comparison keys keep (formal: 48-bit hashes)
_KEY_MASK = (1 << _KEY_BITS) - 1


@dataclass(frozen=True, slots=True)
class Entry:
    """One report as the copy check sees it. `hashes`: its sentence fingerprints as the 40-bit
    keys the comparison uses, 8 bytes each (as hex strings they took ~70 bytes each: a batch
    keeps one Entry per report until the end)."""

    path: str
    agency: str | None
    year: int | None
    date: str | None
    hashes: array

    @classmethod
    def of(cls, path: str, agency: str | None, year: int | None, date: str | None,
           fingerprints: str | Iterable[str] | None) -> Entry:
        """From the fingerprints as the JSON has them (one space-separated string) or as a list."""
        hexes = fingerprints.split() if isinstance(fingerprints, str) else (fingerprints or ())
        return cls(path, agency, year, date, array("Q", [int(h, 16) & _KEY_MASK for h in hexes]))


@dataclass(frozen=True)
class CopyPair:
    a: str
    b: str
    shared: int
    share: float                 # shared / the smaller report's distinct sentences
    passages: tuple[str, ...] = ()
    code: str = COPIED           # or REPEATS_LAST_YEAR (the same agency, another year)

    def to_dict(self) -> dict:
        return {"code": self.code, "a": self.a, "b": self.b, "shared": self.shared,
                "share": round(self.share, 4), "passages": list(self.passages)}


@dataclass(frozen=True)
class Revision:
    agency: str
    year: int
    kept: str
    superseded: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"agency": self.agency, "year": self.year, "kept": self.kept, "superseded": list(self.superseded)}


@dataclass
class CrossFindings:
    """What the batch-level checks found; `for_path` gives one report's findings."""

    copies: list[CopyPair] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)

    @property
    def superseded(self) -> set[str]:
        return {p for r in self.revisions for p in r.superseded}

    _by_path: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def _index(self) -> tuple[dict, dict]:
        """path → the revisions and the copies naming it (a Revision or CopyPair, a list when
        several), built once for the lists as they are: a batch asks `for_path` of every report."""
        state = (id(self.revisions), len(self.revisions), id(self.copies), len(self.copies))
        if self._by_path is None or self._by_path[0] != state:
            revs: dict[str, object] = {}
            copies: dict[str, object] = {}
            named: tuple[tuple[dict, Iterable[tuple[str, object]]], ...] = (
                (revs, ((p, r) for r in self.revisions for p in (r.kept, *r.superseded))),
                (copies, ((p, c) for c in self.copies for p in (c.a, c.b))))
            for index, things in named:
                for p, x in things:
                    had = index.get(p)
                    if had is None:
                        index[p] = x
                    elif isinstance(had, list):
                        had.append(x)
                    elif had is not x:
                        index[p] = [had, x]
            self._by_path = (state, revs, copies)
        return self._by_path[1], self._by_path[2]

    def for_path(self, path: str) -> list[Finding]:
        """This report's findings: its revisions', then its copies', each in the order listed."""
        revs, copies = self._index()
        out = []
        for r in _listed(revs.get(path)):
            if path in r.superseded:
                out.append(Finding(SUPERSEDED, other=r.kept))
            elif path == r.kept:
                out += [Finding(SUPERSEDES, other=p) for p in r.superseded]
        for c in _listed(copies.get(path)):
            out.append(Finding(c.code, other=c.b if path == c.a else c.a, share=round(c.share, 4),
                               passages=c.passages))
        return out

    def to_dict(self) -> dict:
        return {"copies": [c.to_dict() for c in self.copies],
                "revisions": [r.to_dict() for r in self.revisions]}


def _listed(found: object) -> list:
    return [] if found is None else found if isinstance(found, list) else [found]


class CrossIndex:
    """Collects each audited report's agency, year, date and fingerprints during a batch.

    `entries`: where they are kept, a list (the default) or any sequence of Entry that can be
    appended to; a batch's is on disk (batch/table.py: `paths()` and `groups()` let the checks
    read it without a list of every entry)."""

    def __init__(self, entries: Sequence[Entry] | None = None) -> None:
        self.entries: Sequence[Entry] = [] if entries is None else entries

    def add(self, path: str, agency: str | None, year: int | None, date: str | None,
            fingerprints: str | None) -> None:
        self.entries.append(Entry.of(path, agency, year, date, fingerprints))  # type: ignore[attr-defined]

    def check(self, *, passages: bool = True, previous: Iterable[Entry] = (),
              locate: Callable[[str], str] | None = None) -> CrossFindings:
        """Revisions, then copied pairs among the reports that stand (and, given `previous`,
        the stored reports of earlier years, matched to the same agency's next year).
        `locate` gives the file to read a report's passages from, where its path is a name
        shown to the reviewer rather than a file (the workbench's uploads)."""
        from .batch.table import View

        found = CrossFindings(revisions=revisions(self.entries))
        gone = found.superseded
        paths = getattr(self.entries, "paths", None)
        keep = array("l", (n for n, p in enumerate(paths() if paths else (e.path for e in self.entries))
                           if p not in gone))
        prev = [e for e in previous if e.agency]
        found.copies = copied_pairs(View(self.entries, keep, prev), n_current=len(keep))
        if passages:
            found.copies = passages_of(found.copies, locate)
        return found


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


def revisions(entries: Sequence[Entry]) -> list[Revision]:
    """Same agency and year more than once: the newest version stands."""
    out = []
    for group in _groups(entries):
        newest = max(group, key=lambda e: (e.date or "", _mtime(e.path), e.path))
        out.append(Revision(group[0].agency or "", group[0].year or 0, newest.path,
                            tuple(sorted(e.path for e in group if e is not newest))))
    return out


def _groups(entries: Sequence[Entry]) -> Iterable[list[Entry]]:
    """The entries of each (agency, year) that has more than one, by agency and year, each in
    the order given (a batch's table groups them itself, without every entry at once)."""
    grouped = getattr(entries, "groups", None)
    if grouped is not None:
        return grouped()
    groups: dict[tuple[str, int], list[Entry]] = {}
    for e in entries:
        if e.agency and e.year:
            groups.setdefault((e.agency, e.year), []).append(e)
    return [g for _, g in sorted(groups.items()) if len(g) > 1]


def copied_pairs(entries: Sequence[Entry], *, n_current: int | None = None) -> list[CopyPair]:
    """Pairs sharing at least COPY_SHARE of the smaller report's sentences, most similar first.

    Entries after `n_current` are earlier years' reports from the store: they are compared
    only with the current reports of the same agency (REPEATS_LAST_YEAR).
    """
    n_current = len(entries) if n_current is None else n_current
    if len(entries) >= 1 << _ID_BITS:
        raise ValueError("too many reports for one copy check")
    # every (sentence, report) as one 64-bit key, in 16 arrays by the hash's top bits: sorted one
    # array at a time, equal hashes come out adjacent without a list of all keys at once
    buckets = [array("Q") for _ in range(16)]
    shift = _KEY_BITS + _ID_BITS - 4
    # each report's agency and year as small numbers: a pair's test needs no Entry (entries may
    # be on disk; an Entry is read again only for a pair that is listed)
    numbers: dict[object, int] = {}
    agencies, years = array("l"), array("l")
    for i, e in enumerate(entries):
        agencies.append(numbers.setdefault(("agency", e.agency), len(numbers)) if e.agency else -1)
        years.append(numbers.setdefault(("year", e.year), len(numbers)))
        for key in e.hashes:
            k = key << _ID_BITS | i
            buckets[k >> shift].append(k)
    sizes = [0] * len(entries)       # distinct sentences that are not boilerplate, per report
    common = max(3, int(COMMON_SHARE * n_current))
    # the reports of each sentence two or more share (not boilerplate), and each report's
    # sentences among them: the pairs are counted report by report from these, so memory
    # grows with the sentences, not with the pairs (a batch of many near-copies of a few
    # texts has hundreds of thousands of candidate pairs)
    postings: list[array] = []
    mine = [array("I") for _ in range(len(entries))]     # 4 bytes a sentence: postings < 2**32
    mask = (1 << _ID_BITS) - 1
    run: list[int] = []
    prev_hash = -1
    for k in chain(_ascending(buckets), (-1,)):
        h = k >> _ID_BITS if k >= 0 else -2
        if h != prev_hash:
            if run and sum(1 for i in run if i < n_current) <= common:
                for i in run:
                    sizes[i] += 1
                if len(run) > 1:
                    for i in run:
                        mine[i].append(len(postings))
                    postings.append(array("I", run))       # report numbers < 2**24
            run = []
            prev_hash = h
        if k >= 0:
            run.append(k & mask)
    out = []
    for i in range(min(n_current, len(entries))):      # a pair (i < j) holds a current report
        if not mine[i]:
            continue
        # the reports after i in each of its sentences (a posting is in report order)
        counts = Counter(chain.from_iterable(postings[p][bisect_right(postings[p], i):] for p in mine[i]))
        for j, shared in counts.items():
            smaller = min(sizes[i], sizes[j])
            if smaller < MIN_SENTENCES or shared < MIN_SHARED or shared / smaller < COPY_SHARE:
                continue
            if agencies[i] >= 0 and agencies[i] == agencies[j]:
                if years[i] == years[j]:
                    continue                   # a revision, listed as such
                code = REPEATS_LAST_YEAR
            elif j >= n_current:
                continue                       # an earlier year of another agency
            else:
                code = COPIED
            out.append(CopyPair(entries[i].path, entries[j].path, shared, shared / smaller, code=code))
    return sorted(out, key=lambda c: (-c.share, c.a, c.b))


def _ascending(buckets: list[array]) -> Iterator[int]:
    """The keys of all buckets in order (bucket i's are all below bucket i + 1's), each bucket
    let go once sorted."""
    buckets.reverse()
    while buckets:
        yield from sorted(buckets.pop())


def _sentences(path: str) -> list[str]:
    from .read import read_source

    text = "\n".join(read_source(path).lines)
    return [m.group().strip() for m in _SENTENCE.finditer(text) if m.group().strip()]


def _may_fork() -> bool:
    """Whether a forked child can be trusted to run Python: Linux, and no other thread alive."""
    import threading

    return sys.platform.startswith("linux") and threading.active_count() == 1


PASSAGES_SECONDS = 300.0
"""How long the child reading the copied pairs' files again may take; after that the pairs are
listed without their passages."""


def passages_of(pairs: list[CopyPair], locate: Callable[[str], str] | None = None) -> list[CopyPair]:
    """Every pair with its shared text (`with_passages`). Where the system forks (Linux) and this
    process runs no other thread, the files are read again in a child process: the batch process
    never loads the readers (pdfium, python-docx, lxml and the decoders: 4-6 MB that it would keep
    to the end of the run), and a reader that crashes or hangs there costs only the passages.
    With other threads alive (the workbench's server, a progress bar) they are read here: a lock
    another thread held at the fork would hang the child until its deadline."""
    if not pairs:
        return pairs
    if not _may_fork():
        return [with_passages(c, locate) for c in pairs]
    import marshal
    import select
    import signal
    import time

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                                        # the child: read, send the passages, exit
        code = 1
        try:
            os.close(r)
            import logging
            import warnings

            # other threads of the parent (a progress bar, a web server) may have held a stream's
            # lock at the fork: nothing here writes to the parent's streams
            sys.stdout = sys.stderr = open(os.devnull, "w")
            warnings.simplefilter("ignore")
            logging.disable(logging.CRITICAL)
            # marshal, not pickle: loading what a child that read hostile files wrote runs no code
            data = marshal.dumps([with_passages(c, locate).passages for c in pairs])
            with os.fdopen(w, "wb") as fh:
                fh.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    chunks: list[bytes] = []
    done = False
    deadline = time.monotonic() + PASSAGES_SECONDS
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                break
            chunk = os.read(r, 1 << 16)
            if not chunk:
                done = True
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        if not done:                                    # too slow, or the parent was interrupted
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        _, status = os.waitpid(pid, 0)
    try:
        found = marshal.loads(b"".join(chunks)) if done and status == 0 else None
    except Exception:  # noqa: BLE001 — a child that died while writing: no passages
        found = None
    if not isinstance(found, list) or len(found) != len(pairs):
        return pairs
    return [CopyPair(c.a, c.b, c.shared, c.share, tuple(p), c.code) if p else c for c, p in zip(pairs, found)]


def with_passages(pair: CopyPair, locate: Callable[[str], str] | None = None) -> CopyPair:
    """The shared text of a pair: runs of consecutive shared sentences of the first report,
    longest first, each report read again from `locate(path)` (default: the path itself).
    A file that cannot be read again gives no passages."""
    where = locate or (lambda path: path)
    try:
        a, b = _sentences(where(pair.a)), _sentences(where(pair.b))
    except Exception:  # noqa: BLE001 — the pair is still listed; only the passages are missing
        return pair
    theirs = {fp for fp in map(sentence_fingerprint, b) if fp}
    runs: list[list[str]] = []
    current: list[str] = []
    for s in a:
        fp = sentence_fingerprint(s)
        if fp and fp in theirs:
            current.append(s)
        elif fp is not None or not current:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    runs.sort(key=lambda r: -sum(len(s) for s in r))
    texts = []
    for r in runs[:PASSAGES]:
        t = "".join(r)
        texts.append(t if len(t) <= PASSAGE_CHARS else t[:PASSAGE_CHARS - 1] + "…")
    return CopyPair(pair.a, pair.b, pair.shared, pair.share, tuple(texts), pair.code)
