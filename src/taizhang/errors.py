"""Problems are data with a location; one exception type carries them across the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the user's data or input, where it is, and what to say about it.

    The message is a key into `i18n.MESSAGES` plus its arguments, so the core stays free of the
    output language. `line`/`col` are 1-based; 0 means "the whole file" or "no file".
    """

    path: str
    line: int
    col: int
    key: str
    args: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def render(self, lang: str = "zh") -> str:
        from taizhang.i18n import message

        text = message(self.key, lang, **self.args)
        if self.severity == "warning":
            text = message("warning_prefix", lang) + text
        if not self.path:
            return f"taizhang: {text}"
        return f"{self.path}:{max(self.line, 1)}:{max(self.col, 1)}: {text}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.key)


class TaizhangError(Exception):
    """The user's data or input is wrong; carries every problem found (exit code 1)."""

    def __init__(self, problems: list[Problem] | Problem):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("; ".join(p.render("en") for p in self.problems))


def input_error(key: str, **args: Any) -> TaizhangError:
    """A problem with a command-line argument rather than with a file."""
    return TaizhangError(Problem("", 0, 0, key, args))
