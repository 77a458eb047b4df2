"""Edit checklist files in place without losing what people wrote.

Checklists are owned by legal officers who comment every phrase ("seen in 晋城 2023"),
so edits go through ruamel.yaml's round-trip mode: comments, key order, quoting, flow
lists and Chinese text come back as written. Every edit is validated by `load.py`
(for an `extends` child: the merged result) on a temporary file in the same directory,
which then replaces the original with `os.replace`; a failed edit leaves the file
byte-identical.

Two things ruamel does not do for us:
- It attaches a comment line to the node *before* it, so the header of the next group
  ("# ---- enforcement") travels with the last item of the previous group. Before changing
  an item or a list we move such trailing comments to where they belong (`_detach_tail`,
  `_attach_tail`), so an inserted item or key lands above them, not below.
- It re-emits a few layouts differently (a comment inside a multi-line [...] list is
  dropped). So the edit is applied as a patch to the text as written (`_render`): the
  change between ruamel's output before and after the edit, and nothing else.

The package:
  document.py   reading: `_Doc`, ruamel configured as the file is laid out
  atomic.py     writing: validate on a temporary file, replace atomically, patch the text as written
  comments.py   moving comments that ruamel attached to the wrong node
  nodes.py      building and finding ruamel nodes, parsing values, `a.b[0]` paths
  commands.py   the edits the CLI runs (new, add, set, remove, rename, save, validate)
"""

from .atomic import _render, renamed_error, write_validated
from .commands import (
                       add_item,
                       dependents,
                       new_checklist,
                       references_elsewhere,
                       remove_item,
                       rename_item,
                       save_text,
                       set_value,
                       validate_text,
)
from .document import ITEM_ORDER, TEXT_KEYS, TOP_ORDER, _open, _ruamel
from .nodes import _flow_seq, _map, parse_value

__all__ = [
    "ITEM_ORDER", "TEXT_KEYS", "TOP_ORDER", "_flow_seq", "_map", "_open", "_render", "_ruamel", "add_item",
    "dependents", "new_checklist", "parse_value", "references_elsewhere", "remove_item", "rename_item",
    "renamed_error", "save_text", "set_value", "validate_text", "write_validated",
]
