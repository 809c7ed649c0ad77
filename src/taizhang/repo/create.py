"""Creating things: a repository (`init`), a ledger (`new`), the JSON Schema file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from taizhang.domain.ids import check_code
from taizhang.domain.models import Settings, ledger_json_schema
from taizhang.domain.vocab import PROJECT_KEY_ORDER, SCHEMA_FILE, SCHEMA_LINE
from taizhang.errors import TaizhangError
from taizhang.repo.cache import Cache
from taizhang.repo.files import atomic_write, state_dir, unwritable
from taizhang.repo.layout import LEDGER_DIR, SETTINGS_FILE, file_problem
from taizhang.repo.write import Written, edit_ledgers, refuse_invalid_data
from taizhang.yamltext import emit

# --- creating -------------------------------------------------------------------------------

SETTINGS_TEMPLATE = """\
# taizhang 台账仓库设置（均可省略）
# title: 经开区2018年重点项目"双十工程"   # 印在报表上
# year: 2018                              # 不带年份的日期短语（如 4月底）所用的年份
# warn_days: 7                            # 距时间节点几天内亮黄灯
# calendar: natural                       # natural | workdays | weekdays
"""


def init_repo(path: Path) -> list[tuple[str, bool]]:
    """Create an empty repository; existing files are left alone. Returns (file, created). A
    part that cannot be made (a full disk, a read-only folder) removes the parts this call made
    and is reported as one line: an init does all of it or nothing."""
    made: list[Path] = []
    created = []
    try:
        if not path.exists():
            path.mkdir(parents=True)
            made.append(path)
        had_state = (path / ".taizhang").exists()
        settings = path / SETTINGS_FILE
        if os.path.lexists(settings):  # (a dangling link too: writing would write through it)
            created.append((SETTINGS_FILE, False))
        else:
            atomic_write(path, settings, SETTINGS_TEMPLATE.encode("utf-8"))
            made.append(settings)
            created.append((SETTINGS_FILE, True))
        ledgers = path / LEDGER_DIR
        created.append((LEDGER_DIR + "/", not ledgers.exists()))
        if not ledgers.exists():
            ledgers.mkdir()
            made.append(ledgers)
        schema = path / SCHEMA_FILE
        created.append((SCHEMA_FILE, not os.path.lexists(schema)))
        if not os.path.lexists(schema):
            if not schema.parent.exists():
                made.append(schema.parent)
            _write_schema(path)
            made.append(schema)
        state_dir(path)
        if not had_state:
            made.append(path / ".taizhang")
    except (OSError, TaizhangError) as e:
        for part in reversed(made):
            if part.is_dir():
                shutil.rmtree(part, ignore_errors=True)
            else:
                part.unlink(missing_ok=True)
        if isinstance(e, OSError):
            raise unwritable(None, e) from None
        raise
    return created


def schema_text() -> str:
    import json

    return json.dumps(ledger_json_schema(), ensure_ascii=False, indent=2) + "\n"


def write_schema(root: Path) -> Path:
    """(Re)write schemas/ledger.schema.json; a write refused is one line naming the file."""
    try:
        return _write_schema(root)
    except OSError as e:
        raise unwritable(root, e) from None


def _write_schema(root: Path) -> Path:
    path = root / SCHEMA_FILE
    data = schema_text().encode("utf-8")
    problem = file_problem(root, path)  # a FIFO would hang the read below; a link, lead elsewhere
    if problem is not None:
        raise TaizhangError(problem)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return path
    atomic_write(root, path, data)
    return path


def new_ledger(root: Path, settings: Settings, code: str, fields: dict[str, Any],
               comments: dict[str, str] | None = None, *, cache: Cache | None = None) -> Written:
    """Create `ledgers/<code>.yaml` with the schema line and the project's fields, as one
    all-or-nothing write; the file written (before: None), for a commit of it."""
    text = ledger_text(settings, code, fields, comments)
    results = edit_ledgers(cache or Cache(root, enabled=False), settings, {}, create={code: text})
    return results.written[0]


def ledger_text(settings: Settings, code: str, fields: dict[str, Any], comments: dict[str, str] | None = None) -> str:
    """The text of a new ledger: the schema line, the code, the project's fields in their order
    (`comments`: the clerk's wording of a value, after it). Wrong fields are refused as input."""
    check_code(code)
    refuse_invalid_data({"code": code, **{k: emit.read_back(v) for k, v in fields.items() if v not in (None, "")}},
                         settings, f"{LEDGER_DIR}/{code}.yaml")
    comments = comments or {}
    lines = [SCHEMA_LINE, emit.key_line("code", code)]
    for key in PROJECT_KEY_ORDER[1:]:
        if fields.get(key) not in (None, ""):
            line = emit.key_line(key, fields[key])
            if comments.get(key):
                line += f"  # {comments[key]}"
            lines.append(line)
    return "\n".join(lines) + "\n"
