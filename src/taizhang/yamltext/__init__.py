"""YAML as text: read with positions, emit new nodes, splice an edit into the text.

The engine under the repository: it knows YAML, not ledgers. Other packages use only these
names (each module's `__all__`); whatever starts with `_` stays inside its module.

- `read`: `read_document(raw, path) -> Document` (plain data, problems with line:col, positions
  on demand), `decode`, `encode`, `compose` (the node tree, libyaml when available),
  `plain_type`, `conflict_markers`, `MAX_BYTES`, `MAX_DEPTH`.
- `fast`: `load(text)`, the data of a plain text by yaml-rs (Rust), or `DECLINED` where the text
  holds anything it might read otherwise than libyaml (`vouch`); `read_document` tries it first.
- `emit`: the text of new values: `scalar`, `flow`, `inline`, `key_line`, `key_lines`,
  `mapping_lines`, `entry_lines`, `flow_entry`; `read_back` (what that text reads as) and
  `as_written` (data as read, to be written again).
- `splice`: edits at node positions that keep every other byte (`insert_key`, `replace_scalar`,
  `remove_key`, `append_block_entry`, `append_flow_entry`, `start_block_list`,
  `replace_block_value`, line comments), and the position helpers for callers that move whole
  lines (`mapping_get`, `last_end`, `line_start`, `after_line`, `insert_lines`, `key_position`,
  `entries_spaced`, `remove_flow_span`).
- `windows`: `item_windows(text, ids)`, each item's lines (`ItemWindows.span`) and its node
  composed from them alone (`ItemWindows.entry`), for edits of many items in one pass; and
  `windowed_root(text, ids)`, the nodes of single items without composing the file.
- `itembytes`: `item_lines(raw, id)` and `same_item(old, new, …)`, whether two versions' bytes
  hold an item alike (`log ID` over a long history).

No module keeps state between calls but two memos of pure functions (the last composed tree, the
last scanned layout), which hand out the same result for the same text.
"""
