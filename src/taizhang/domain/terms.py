"""Terms that are not one date (SPEC §7): ongoing duties and recurring rules, kept in `due` as
written.

- Ongoing (`长期坚持`, `持续推进`, `常态化`): a standing duty. It is never red for lateness: green
  (shown with the word 长期), yellow when stale (no report for `stale_days`).
- Recurring (`每月25日前`, `每季度末月20日前`, `每年12月底前`, `每周五前` …): occurrences o1 < o2 < …;
  the period of o_k runs from the day after o_(k−1) to o_k, and a report (note) dated inside it
  meets o_k. The time node is the earliest unmet occurrence, counting from the period that holds
  `from:` (default 1 January of the repository's `year`): with 每月25日前 and a note on 05-20,
  May is met and the node is 06-25.

Read by a small grammar of its own (a handful of patterns), so a ledger of ISO dates never loads
the date-phrase grammar (dates.py) and this one loads only for a due that is not ISO.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

ONE_DAY = timedelta(days=1)
ONGOING_WORDS = ("长期坚持", "持续推进", "常态化")
Every = Literal["week", "month", "quarter", "half", "year"]

_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
       "十": 10, "日": 7, "天": 7}
_TAIL = r"(?:前|之前|以前|为止)?(?:完成|报送|上报|报告|汇报|更新|召开|开展|调度)?[^\d]*$"
_WEEKLY = re.compile(r"每(?:周|星期|礼拜)(?P<d>[1-7一二三四五六日天])" + _TAIL)
_MONTHLY = re.compile(r"每(?:个)?月(?:(?P<d>\d{1,2})(?:日|号)|(?P<e>底|末))" + _TAIL)
_QUARTERLY = re.compile(r"每(?:个)?季度?(?:(?P<which>首|末|最后一个|第(?P<n>[1-3]))月"
                        r"(?:(?P<d>\d{1,2})(?:日|号)|(?P<me>底|末))|(?P<e>末|底))" + _TAIL)
_HALF = re.compile(r"每半年(?P<e>末|底)" + _TAIL)
_YEARLY = re.compile(r"每年(?:度)?(?P<m>\d{1,2})月(?:(?P<d>\d{1,2})(?:日|号)|(?P<me>底|末))" + _TAIL)


@dataclass(frozen=True)
class Term:
    """A `due` that is not one date: `kind` ongoing or recurring, `text` as written."""

    kind: Literal["ongoing", "recurring"]
    text: str
    every: Every | None = None
    month: int = 0  # the month inside the period (1-based; 0: the period's last)
    day: int = 0  # the day of that month (0: its last); for weeks the ISO weekday

    @property
    def ongoing(self) -> bool:
        return self.kind == "ongoing"

    def occurrence(self, index: int) -> date:
        """The occurrence of period `index`: weeks count Mondays from 0001-01-01, months from
        year 0 (index = year*12 + month-1), quarters, halves and years likewise."""
        if self.every == "week":
            return date.fromordinal(1 + 7 * index) + timedelta(days=self.day - 1)
        months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[self.every or "month"]
        first = index * months  # the period's first month, as year*12 + month-1
        month = first + (self.month - 1 if self.month else months - 1)
        year, m = divmod(month, 12)
        last = _month_end(year, m + 1)
        return date(year, m + 1, min(self.day, last.day) if self.day else last.day)

    def period_index(self, day: date) -> int:
        """The index of the period that holds `day` (o_(k−1) < day ≤ o_k)."""
        if self.every == "week":
            index = (day.toordinal() - 1) // 7
        else:
            months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[self.every or "month"]
            index = (day.year * 12 + day.month - 1) // months
        while self.occurrence(index) < day:
            index += 1
        while self.occurrence(index - 1) >= day:
            index -= 1
        return index

    def node(self, notes: Iterable[date], start: date, as_of: date) -> date:
        """The earliest occurrence not met by a report dated on or before `as_of`, counting from
        the period that holds `start`."""
        days = sorted(d for d in notes if d <= as_of)
        k = self.period_index(start)
        i = 0
        while True:
            previous, current = self.occurrence(k - 1), self.occurrence(k)
            while i < len(days) and days[i] <= previous:
                i += 1
            if i < len(days) and days[i] <= current:
                k += 1  # met: a report inside this period
                continue
            return current


def _month_end(year: int, month: int) -> date:
    return (date(year, month, 28) + timedelta(days=4)).replace(day=1) - ONE_DAY


def _day(text: str | None) -> int:
    return int(text) if text else 0


def parse_term(value: object) -> Term | None:
    """The term a `due` value states, or None when it is not one (then it is a date phrase).
    An impossible day (每月32日) is not a term either: the date reader refuses it."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if not s.startswith(("长期", "持续", "常态", "每")):
        return None
    for word in ONGOING_WORDS:
        if s.startswith(word):
            return Term("ongoing", text)
    m = _WEEKLY.match(s)
    if m:
        d = m["d"]
        return Term("recurring", text, "week", 0, int(d) if d.isdigit() else _CN[d])
    s = re.sub(r"(?<=[每月末首第])([一二两三四五六七八九十]+)(?=[日号月])",
               lambda m: str(_cn_small(m[1])), s)
    s = re.sub(r"^每(?:年(?:度)?)?([一二两三四五六七八九十]+)(?=月)", lambda m: "每年" + str(_cn_small(m[1])), s) \
        if s.startswith("每年") else s
    m = _MONTHLY.match(s)
    if m:
        return _checked(Term("recurring", text, "month", 0, _day(m["d"])), 28 if m["d"] else 0)
    m = _QUARTERLY.match(s)
    if m:
        if m["e"]:
            return Term("recurring", text, "quarter", 0, 0)
        which = 1 if m["which"] == "首" else int(m["n"]) if m["n"] else 3
        return _checked(Term("recurring", text, "quarter", which, _day(m["d"])), 28)
    m = _HALF.match(s)
    if m:
        return Term("recurring", text, "half", 0, 0)
    m = _YEARLY.match(s)
    if m:
        month = int(m["m"])
        if not 1 <= month <= 12:
            return None
        return _checked(Term("recurring", text, "year", month, _day(m["d"])), 0)
    return None


def _checked(term: Term, longest_ok: int) -> Term | None:
    # A day no month has (每月32日) is no rule; 每月31日 falls on each month's last day.
    if term.day and not 1 <= term.day <= 31:
        return None
    if term.every == "year" and term.day:
        try:
            date(2000, term.month, term.day)  # a leap year: 每年2月29日 is the 28th in others
        except ValueError:
            return None
    return term


def _cn_small(run: str) -> int:
    """一 … 三十一 as clerks write days and months."""
    if "十" not in run:
        return _CN[run] if len(run) == 1 else int("".join(str(_CN[c]) for c in run))
    tens, _, units = run.partition("十")
    return (_CN[tens] if tens else 1) * 10 + (_CN[units] if units else 0)
