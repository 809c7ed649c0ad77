"""Dates as clerks write them, and durations.

`parse_date` reads ISO dates and the Chinese phrases of official documents (SPEC §3) and returns
the *last day by which the thing is due*, inclusive. Nothing is guessed: an impossible, ambiguous
or vague phrase raises `DateError`, whose message repeats what was understood.

How a phrase is read
- The text is normalised first: full-width characters become half-width (NFKC), spaces go, and
  Chinese numerals standing before a unit (年 月 日 号 天 周 个 季 旬 …) or after 月/周/星期/第
  become Arabic (`二〇一九年三月十五日` → `2019年3月15日`, `两周内` → `2周内`, `廿五日` → `25日`).
  Festival names keep their numerals (`五一`, `七一`, `双十一`). Quotes are dropped (`“五一”前`),
  and a phrase wrapped whole in brackets is read inside them (`（2018—2020年）`).
- Leading words that only stress the deadline (`截至`, `最迟`, `不晚于`, `于`, `力争` …) are
  dropped; then the rules of `_RULES` are tried in order, each a regex matched at the start of the
  text with a function computing the day. A range (`4月10日至20日`, `4-6月`) ends on its last day.
- After the date: `前`/`之前`/`以前`/`为止` keep a given day (`4月30日前` → 04-30); `(不含)`
  excludes it (→ 04-29); `<节日>前` is the day before the festival (`春节前` = 除夕; `年前` is
  春节前; `节前` names no festival and is refused). Without a written year a festival is the
  *coming* one, the first on or after as_of (春节前 typed in June is next year's 除夕, 元旦前 Dec 31
  of this year); typed into a file (`relative=False`) it is the festival of `year`, and 元旦前 is
  refused there (Dec 31 of which year?). `前` after a
  bare period (`4月前`, `2019年前`, `一季度前`) is refused: before it starts, or before it ends?
- Words after the date are the action (`3月份全面开工`) and are ignored, unless they would change
  the date (`4月底或5月初`, `4月底左右`, `4月30日,5月30日`, `明年某时`): then the phrase is
  refused. Something date-like must lead the text.
- A period ends on its last calendar day, rest day or not: `4月份`, `4月底`, `下旬`, quarters,
  halves, `年内`, `年度`. `上旬` is the 10th, `中旬` the 20th.
- A phrase without a year takes `year` (the repository's `year`, else the year of the as-of day;
  the caller decides). `次年`/`当年` count from `year` too. `今天 明天 本周 下周五 本月 下月 月底
  今年 明年 N天内 N个工作日内 …` count from `as_of` and are *relative*: with `relative=False`
  (values typed into files) they are refused, since their meaning would change with the day.
- Weeks run Monday to Sunday: `本周`/`本周内` is this week's Sunday, `下周` next week's Sunday,
  `下周五` the Friday of next week (`下下周` the week after).
- `N天内`/`N日内` is as_of + N, `N周内` as_of + 7N, `N个月内` the same day N months later or that
  month's last day, `N个工作日内` the N-th official working day strictly after as_of (调休 make-up
  working days count, statutory holidays don't).
- Short numeric dates are always month.day (`4.5` is April 5); `30.4` is refused, never swapped.
  `20180430` is a date. A two-digit year before 年 is this century's (`16年9月底` → 2016-09-30);
  `18.4.30` is refused (which part is the year?), as is a day without a month (`30日前`).
- Year ranges end on the last day of their last year: `2016-2017年`, `2016年至2017年`.
- `立行立改`, `立即整改`, `即知即改` are the as-of day (relative). `半个月内` is 15 days.

Heavy or optional libraries (dateutil, lunardate, chinese_calendar) are imported only by the rules
that need them: start-up time matters.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Callable, Optional

from taizhang.domain.durations import MONTHS, NATURAL, WORKDAYS, Duration


class DateError(ValueError):
    """A date or duration that cannot be read; `key`/`args` index an i18n message."""

    def __init__(self, key: str, **args: Any):
        self.key = key
        self.args_ = args
        super().__init__(key)


ONE_DAY = timedelta(days=1)

# --- normalising: full-width, spaces, Chinese numerals -------------------------------------------

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_RUN = re.compile(r"[〇零一二三四五六七八九十百千两廿卅]+")
# A run of Chinese numerals is a number when a unit follows it or a counter word precedes it;
# elsewhere (五一, 七一, 双十一, 统一, 一次性) it is a word and stays as it is.
_NUMBER_BEFORE = set("年月日号天周个季旬星礼工至到~-—–〜")
_NUMBER_AFTER = set("月周期拜第至到~-—–〜")


def _cn_number(run: str) -> int:
    """`二〇一九` → 2019 (digit by digit), `十二` → 12, `二十五`/`廿五` → 25, `一百二十` → 120."""
    if not any(ch in "十百千廿卅" for ch in run):
        return int("".join(str(_CN_DIGITS[ch]) for ch in run))
    total = digit = 0
    for ch in run:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:  # 廿 = 20, 卅 = 30
            total += 20 if ch == "廿" else 30
    return total + digit


def _arabise(s: str) -> str:
    def number(m: re.Match[str]) -> str:
        before = s[m.start() - 1] if m.start() else None
        after = s[m.end()] if m.end() < len(s) else None
        if after in _NUMBER_BEFORE or before in _NUMBER_AFTER:
            return str(_cn_number(m[0]))
        return str(m[0])

    return _CN_RUN.sub(number, s)


_QUOTES = re.compile("[\"'“”‘’「」『』《》〈〉]")


def _normalise(raw: str) -> str:
    s = unicodedata.normalize("NFKC", raw)
    # Quotes only mark a name (“五一”前, ‘十一’前); a phrase wrapped whole in brackets, as a
    # table cell writes its period (（2018—2020年）), is the phrase inside them.
    s = _QUOTES.sub("", re.sub(r"\s+", "", s).lower())
    if s.startswith("(") and s.endswith(")") and "(" not in s[1:] and ")" not in s[:-1]:
        s = s[1:-1]
    return _arabise(s)


# --- what a rule returns, and what it reads against ------------------------------------------------

DAY, END, PERIOD, FESTIVAL = "day", "end", "period", "festival"


@dataclass(frozen=True)
class _Reading:
    """One date phrase understood. `kind` says what `前` after it means: DAY/END keep the day,
    FESTIVAL gives the day before, PERIOD (a bare month, quarter, year …) is ambiguous."""

    day: date
    kind: str = DAY
    start: Optional[date] = None  # first day of a PERIOD, for the ambiguity message
    festival: Optional[str] = None
    year_written: bool = True


@dataclass(frozen=True)
class _Context:
    text: str
    as_of: Optional[date]
    year: Optional[int]
    relative: bool
    range_from: Optional[_Reading] = None  # the first half of a range, when reading the second
    workdays: Any = None  # the official calendar with the repository's calendars/*.yaml, if given

    def today(self) -> date:
        """The as-of day, for a relative phrase (refused in files)."""
        if not self.relative:
            raise DateError("date_relative_in_file", text=self.text)
        return self.as_of or date.today()

    def base_year(self) -> int:
        """The year a phrase without one takes."""
        if self.range_from is not None:
            return self.range_from.day.year
        if self.year is not None:
            return self.year
        if self.relative and self.as_of is not None:
            return self.as_of.year
        raise DateError("date_needs_year", text=self.text)

    def year_of(self, m: re.Match[str]) -> int:
        """The year of a match with optional groups `y` (2019) and `ry` (今/本/明/去/后/次/当)."""
        groups = m.groupdict()
        if groups.get("y"):
            return _full_year(groups["y"])
        word = groups.get("ry")
        if word in ("今", "本"):
            return self.today().year
        if word == "明":
            return self.today().year + 1
        if word == "后":
            return self.today().year + 2
        if word == "去":
            return self.today().year - 1
        if word == "次":
            return self.base_year() + 1
        return self.base_year()  # no year, or 当年

    def ymd(self, y: int, m: int, d: int) -> date:
        if not 1 <= m <= 12:
            raise DateError("date_no_such_month", text=self.text, month=m)
        try:
            return date(y, m, d)
        except ValueError:
            if not 1 <= y <= 9999:
                raise DateError("date_out_of_range", text=self.text) from None
            raise DateError("date_no_such_day", text=self.text, year=y, month=m, day=d,
                            ym=f"{y:04d}-{m:02d}") from None


def _full_year(written: str) -> int:
    """`2016` → 2016; `16` (16年9月底, as documents shorten a year) → 2016."""
    return int(written) if len(written) == 4 else 2000 + int(written)


def _written(m: re.Match[str]) -> bool:
    groups = m.groupdict()
    return bool(groups.get("y") or groups.get("ry"))


def _month_end(ctx: _Context, y: int, m: int) -> date:
    first = ctx.ymd(y, m, 1)
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - ONE_DAY


def _month(ctx: _Context, y: int, m: int, kind: str = PERIOD) -> _Reading:
    return _Reading(_month_end(ctx, y, m), kind, start=ctx.ymd(y, m, 1))


def _shift_month(d: date, months: int) -> tuple[int, int]:
    index = d.year * 12 + d.month - 1 + months
    return index // 12, index % 12 + 1


def _xun(ctx: _Context, y: int, m: int, which: str) -> _Reading:
    """上旬 → 10th, 中旬 → 20th, 下旬 → the month's last day."""
    if which == "上":
        return _Reading(ctx.ymd(y, m, 10), END)
    if which == "中":
        return _Reading(ctx.ymd(y, m, 20), END)
    return _Reading(_month_end(ctx, y, m), END)


# --- the grammar: rules tried in order, each a regex and a function computing the day ------------

Rule = Callable[[re.Match[str], _Context], Optional[_Reading]]
_RULES: list[tuple[re.Pattern[str], Rule]] = []


def rule(pattern: str) -> Callable[[Rule], Rule]:
    def add(fn: Rule) -> Rule:
        _RULES.append((re.compile(pattern), fn))
        return fn

    return add


# An optional year before a phrase: 2019年, 今年/本年, 明年, 去年, 后年 (from as_of), 次年/当年 (from
# `year`). Y_NIAN is the same with 年 itself required (年底, 2019年底, 今年底).
Y_OPT = r"(?:(?P<y>\d{4}|\d{2})年|(?P<ry>[今本明去后次当])年)?"
Y_NIAN = r"(?:(?P<y>\d{4}|\d{2})|(?P<ry>[今本明去后次当]))?年"
_WEEK = {None: 0, "本": 0, "这": 0, "这个": 0, "下": 1, "下个": 1, "下下": 2, "下下个": 2,
         "上": -1, "上个": -1}
_MONTH_OFFSET = {"本": 0, "这": 0, "这个": 0, "当": 0, "下": 1, "下个": 1, "下下": 2, "下下个": 2,
                 "上": -1, "上个": -1}
_OFFSET_WORDS = r"本|这个?|当|下下个?|下个?|上个?"
_VAGUE_HINTS = {"初": "上旬", "中": "中旬"}


@rule(r"立行立改|立即整改|即知即改")
def _immediate(m: re.Match[str], ctx: _Context) -> _Reading:
    """立行立改: put right at once — the as-of day of the command that records it (relative)."""
    return _Reading(ctx.today())


@rule(r"年(?=(?:之|以)?前)")
def _new_year_eve(m: re.Match[str], ctx: _Context) -> _Reading:
    """年前 is 春节前 (the 前 that follows makes it 除夕)."""
    return _festival_reading("春节", None, ctx)


@rule(r"尽快|尽早|及早|适时|长期|近期|择机|待定|另定|另行|视情况?|持续|常态化|随时|及时|马上|"
      r"立即|立刻|即时|节前|节后|某")
def _vague(m: re.Match[str], ctx: _Context) -> _Reading:
    raise DateError("date_vague", text=ctx.text, word=m[0])


# Not before 月: 2018年3-4月 (and 2018-3-4月份) is a range of months, for `_month_range`.
@rule(r"(?P<y>\d{4})(?P<s1>[-/.年])(?P<m>\d{1,2})(?P<s2>[-/.月])(?P<d>\d{1,2})(?![\d月])(?:日|号)?")
def _iso(m: re.Match[str], ctx: _Context) -> Optional[_Reading]:
    """2018-04-30, 2018/4/30, 2018.4.30 (and mixed forms such as 2018年4-30, read since the
    first version): an impossible one keeps the plain message of ISO dates."""
    if m["s1"] == "年" and m["s2"] == "月":
        return None  # 2018年4月30日: `_month_day` reads it, with a message that says more
    try:
        return _Reading(date(int(m["y"]), int(m["m"]), int(m["d"])))
    except ValueError:
        raise DateError("date_impossible", text=ctx.text) from None


@rule(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?![\d天日周个工星礼年月])")  # not a count: 20000000天内
def _compact(m: re.Match[str], ctx: _Context) -> _Reading:
    """20180430, as spreadsheets and systems print a date."""
    try:
        return _Reading(date(int(m["y"]), int(m["m"]), int(m["d"])))
    except ValueError:
        raise DateError("date_impossible", text=ctx.text) from None


@rule(r"(?P<y1>\d{4})年?(?:至|到|~|-|—|–|〜)(?P<y2>\d{4})年(?:度)?(?P<e>底|末)?")
def _year_range(m: re.Match[str], ctx: _Context) -> _Reading:
    """2016-2017年, 2016至2017年 → the last day of the range's last year (2016年至2017年 is read
    as a range of two years)."""
    first, last = int(m["y1"]), int(m["y2"])
    if last < first:
        raise DateError("date_range_backwards", text=ctx.text, start=f"{first}-01-01",
                        end=f"{last}-12-31")
    return _Reading(ctx.ymd(last, 12, 31), END if m["e"] else PERIOD, start=ctx.ymd(first, 1, 1))


@rule(r"今天|今日|明天|明日|大后天|后天|昨天|昨日|前天")
def _near_day(m: re.Match[str], ctx: _Context) -> _Reading:
    shift = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3, "昨天": -1,
             "昨日": -1, "前天": -2}[m[0]]
    return _Reading(ctx.today() + timedelta(days=shift))


def _count(m: re.Match[str], ctx: _Context) -> int:
    n = int(m["n"])
    if n < 1:
        raise DateError("date_count_zero", text=ctx.text)
    return n


@rule(r"(?P<n>\d+)个?(?:天|日|自然日)(?:之|以)?内")
def _within_days(m: re.Match[str], ctx: _Context) -> _Reading:
    return _Reading(ctx.today() + timedelta(days=_count(m, ctx)), END)


@rule(r"(?P<n>\d+)个?(?:周|星期|礼拜)(?:之|以)?内")
def _within_weeks(m: re.Match[str], ctx: _Context) -> _Reading:
    return _Reading(ctx.today() + timedelta(days=7 * _count(m, ctx)), END)


@rule(r"(?P<n>\d+)个月(?:之|以)?内|(?P<years>\d{1,2})年(?:之|以)?内|(?P<half>半)个?月(?:之|以)?内")
def _within_months(m: re.Match[str], ctx: _Context) -> _Reading:
    from dateutil.relativedelta import relativedelta

    if m["half"]:  # 半个月内: 15 days, as offices count half a month
        return _Reading(ctx.today() + timedelta(days=15), END)
    months = _count(m, ctx) if m["n"] else 12 * int(m["years"])
    today = ctx.today()  # outside the try: DateError is a ValueError too
    try:
        return _Reading(today + relativedelta(months=months), END)
    except ValueError:
        raise DateError("date_out_of_range", text=ctx.text) from None


@rule(r"(?P<n>\d+)个?工作日(?:之|以)?内")
def _within_workdays(m: re.Match[str], ctx: _Context) -> _Reading:
    from taizhang.domain.calendars import CalendarError, official

    n, today = _count(m, ctx), ctx.today()
    try:
        return _Reading((ctx.workdays or official()).add(today, n), END)
    except CalendarError as e:
        raise DateError(e.key, **e.args_) from None


@rule(r"\d{2}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)")
def _short_year(m: re.Match[str], ctx: _Context) -> _Reading:
    raise DateError("date_year_short", text=ctx.text, short=m[0][:2])


@rule(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})(?!\d)")
def _iso_month(m: re.Match[str], ctx: _Context) -> _Reading:
    """2018-04, 2018.4: the whole month."""
    return _month(ctx, int(m["y"]), int(m["m"]))


@rule(rf"(?:{_OFFSET_WORDS})?(?:周|星期|礼拜)末")
def _weekend(m: re.Match[str], ctx: _Context) -> _Reading:
    raise DateError("date_vague_period", text=ctx.text, word=m[0], hint="周五 / 周日")


@rule(r"(?P<w>本|这个?|下下个?|下个?|上个?)?(?:周|星期|礼拜)(?P<d>[1-7日天])?(?P<i>内)?")
def _week(m: re.Match[str], ctx: _Context) -> Optional[_Reading]:
    """本周/本周内 → this Sunday; 下周 → next Sunday; (下)周五 → that week's Friday."""
    if m["w"] is None and m["d"] is None:
        return None
    anchor = ctx.today()
    if m["w"] is None and ctx.range_from is not None:  # 下周一至周五: the same week
        anchor = ctx.range_from.day
    monday = anchor - timedelta(days=anchor.weekday()) + timedelta(weeks=_WEEK[m["w"]])
    if m["d"] is None:
        return _Reading(monday + timedelta(days=6), END if m["i"] else PERIOD, start=monday)
    weekday = 7 if m["d"] in "日天" else int(m["d"])
    return _Reading(monday + timedelta(days=weekday - 1))


@rule(rf"(?P<mo>{_OFFSET_WORDS})?月份?(?:(?P<d>\d{{1,2}})(?!\d)(?:日|号)?|(?P<x>上|中|下)旬|"
      r"(?P<e>底|末)|(?P<i>内)|(?P<v>初|中))?")
def _this_month(m: re.Match[str], ctx: _Context) -> Optional[_Reading]:
    """本月/本月底/月底 → this month's end; 下月10日; 下月中旬; 上月底."""
    if m["mo"] is None and not (m["x"] or m["e"] or m["i"] or m["v"]):
        return None
    if m["v"]:
        raise DateError("date_vague_period", text=ctx.text, word=m[0],
                        hint="本月" + _VAGUE_HINTS[m["v"]])
    y, mo = _shift_month(ctx.today(), _MONTH_OFFSET[m["mo"]] if m["mo"] else 0)
    if m["d"]:
        return _Reading(ctx.ymd(y, mo, int(m["d"])))
    if m["x"]:
        return _xun(ctx, y, mo, m["x"])
    return _month(ctx, y, mo, END if m["e"] or m["i"] else PERIOD)


@rule(r"(?P<q>本|这个?|当|下个?|上个?)?季度?(?P<e>末|底|内)?")
def _this_quarter(m: re.Match[str], ctx: _Context) -> Optional[_Reading]:
    """本季度/本季度末/季度末 → this quarter's last day; 下季度 → the next one's."""
    if m["q"] is None and m["e"] is None:
        return None
    today = ctx.today()
    shift = {"下": 1, "下个": 1, "上": -1, "上个": -1}.get(m["q"], 0)
    y, first_month = _shift_month(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), 3 * shift)
    end = _month_end(ctx, y, first_month + 2)
    return _Reading(end, END if m["e"] else PERIOD, start=date(y, first_month, 1))


_FESTIVALS: dict[str, tuple[str, int, int]] = {  # name → (solar | lunar | term, month, day)
    "元旦": ("solar", 1, 1),
    "除夕": ("lunar", 1, 0),  # the day before lunar new year
    "春节": ("lunar", 1, 1),
    "元宵": ("lunar", 1, 15),
    "清明": ("term", 0, 0),
    "劳动节": ("solar", 5, 1),
    "端午": ("lunar", 5, 5),
    "建党节": ("solar", 7, 1),
    "建军节": ("solar", 8, 1),
    "中秋": ("lunar", 8, 15),
    "国庆": ("solar", 10, 1),
    "双十一": ("solar", 11, 11),
    "双十二": ("solar", 12, 12),
}
_FESTIVAL_ALIASES = {"五一国际劳动节": "劳动节", "五一劳动节": "劳动节", "五一": "劳动节",
                     "七一": "建党节", "八一": "建军节", "十一": "国庆", "双11": "双十一",
                     "双12": "双十二", "大年三十": "除夕", "大年初一": "春节"}
_FESTIVAL_WORDS = sorted([*_FESTIVALS, *_FESTIVAL_ALIASES], key=len, reverse=True)
# 十一 is 国庆 only in 十一前 (十一月 became 11月 already).
_FESTIVAL_RE = "|".join(w + "(?=(?:之|以)?前)" if w == "十一" else w for w in _FESTIVAL_WORDS)


def _festival_day(name: str, year: int) -> date:
    """The day of a festival (a key of `_FESTIVALS`) in a Gregorian year."""
    how, month, day = _FESTIVALS[name]
    if how == "solar":
        return date(year, month, day)
    if how == "term":
        import chinese_calendar

        terms: list[tuple[date, str]] = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
        return next(d for d, term in terms if term == "清明")
    from lunardate import LunarDate

    lunar = LunarDate(year, month, max(day, 1))
    solar: date = lunar.to_solar_date() if hasattr(lunar, "to_solar_date") else lunar.toSolarDate()
    return solar - ONE_DAY if day == 0 else solar


@rule(rf"{Y_OPT}(?P<f>{_FESTIVAL_RE})节?")
def _festival(m: re.Match[str], ctx: _Context) -> _Reading:
    """春节 → lunar new year; 国庆 → 10-01; with 前 the day before (春节前 = 除夕)."""
    name = _FESTIVAL_ALIASES.get(m["f"], m["f"])
    return _festival_reading(name, ctx.year_of(m) if _written(m) else None, ctx)


def _festival_reading(name: str, year: Optional[int], ctx: _Context) -> _Reading:
    """The festival of `year`; without one, typed as an option (relative) it is the coming
    festival, the first on or after the as-of day (春节前 typed in June is next year's 除夕);
    in a file it is the festival of the repository's year (a file never changes with the day)."""
    coming = year is None and ctx.relative and ctx.range_from is None
    # 元旦前 without a year is refused in a file (Dec 31 of which year?); the coming one is clear.
    year_known = year is not None or coming
    if year is None:
        year = ctx.today().year if coming else ctx.base_year()
    try:
        day = _festival_day(name, year)
        if coming and day < ctx.today():
            year += 1
            day = _festival_day(name, year)
    except Exception:  # lunardate and chinese_calendar know 1900–2099 only
        raise DateError("date_festival_unknown", text=ctx.text, festival=name, year=year) from None
    return _Reading(day, FESTIVAL, festival=name, year_written=year_known)


@rule(rf"{Y_OPT}(?P<m1>\d{{1,2}})(?:至|到|~|-|—|–|〜)(?P<m2>\d{{1,2}})月份?(?P<e>底|末)?")
def _month_range(m: re.Match[str], ctx: _Context) -> _Reading:
    """4-6月, 4至6月份 → the last day of June."""
    y, first, last = ctx.year_of(m), int(m["m1"]), int(m["m2"])
    start, end = _month(ctx, y, first), _month(ctx, y, last)
    if end.day < start.day:
        raise DateError("date_range_backwards", text=ctx.text, start=start.day.isoformat(),
                        end=end.day.isoformat())
    return replace(end, kind=END if m["e"] else PERIOD, start=start.start)


@rule(rf"{Y_OPT}(?P<m>\d{{1,2}})月(?P<d>\d{{1,2}})(?!\d)(?:日|号)?")
def _month_day(m: re.Match[str], ctx: _Context) -> _Reading:
    """2018年4月30日, 4月30号, 明年3月15日."""
    return _Reading(ctx.ymd(ctx.year_of(m), int(m["m"]), int(m["d"])))


@rule(rf"{Y_OPT}(?P<m>\d{{1,2}})月份?(?P<x>上|中|下)旬")
def _month_xun(m: re.Match[str], ctx: _Context) -> _Reading:
    return _xun(ctx, ctx.year_of(m), int(m["m"]), m["x"])


@rule(rf"{Y_OPT}(?P<m>\d{{1,2}})月份?(?:底|末)")
def _month_end_rule(m: re.Match[str], ctx: _Context) -> _Reading:
    return _month(ctx, ctx.year_of(m), int(m["m"]), END)


@rule(rf"{Y_OPT}(?P<m>\d{{1,2}})月份?(?P<v>初|中)")
def _month_vague(m: re.Match[str], ctx: _Context) -> _Reading:
    raise DateError("date_vague_period", text=ctx.text, word=m[0],
                    hint=f"{m['m']}月{_VAGUE_HINTS[m['v']]}")


@rule(rf"{Y_OPT}(?P<m>\d{{1,2}})月份?(?P<i>内)?")
def _whole_month(m: re.Match[str], ctx: _Context) -> _Reading:
    """4月, 4月份, 2019年8月 → the month's last day."""
    return _month(ctx, ctx.year_of(m), int(m["m"]), END if m["i"] else PERIOD)


@rule(rf"{Y_OPT}(?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})(?!\d)")
def _short_numeric(m: re.Match[str], ctx: _Context) -> _Reading:
    """4.30, 4/30, 4-30: always month.day (Chinese order). 30.4 is refused, not swapped: a
    day-first date cannot be told from a month-first one in general (4.5 vs 5.4)."""
    month, day = int(m["m"]), int(m["d"])
    if not 1 <= month <= 12:
        raise DateError("date_month_day_order", text=ctx.text, month=month, day=day)
    return _Reading(ctx.ymd(ctx.year_of(m), month, day))


@rule(r"(?:(?P<y>\d{4})(?:年|-|/)?|(?P<y2>\d{2})年|(?P<ry>[今本明去后次当])年)?"
      r"(?:第?(?P<q>[1-4])季度?|q(?P<q2>[1-4]))(?P<e>末|底|内)?")
def _quarter(m: re.Match[str], ctx: _Context) -> _Reading:
    """一季度, 第一季度, 一季度末, Q1, 2019Q1 → 03-31 (二 → 06-30, 三 → 09-30, 四 → 12-31)."""
    q = int(m["q"] or m["q2"])
    y = _full_year(m["y2"]) if m["y2"] else ctx.year_of(m)
    return replace(_month(ctx, y, 3 * q), kind=END if m["e"] else PERIOD,
                   start=date(y, 3 * q - 2, 1))


@rule(rf"{Y_OPT}(?P<h>上|下)半年(?P<e>末|底|内)?")
def _half(m: re.Match[str], ctx: _Context) -> _Reading:
    """上半年 → 06-30, 下半年 → 12-31."""
    y = ctx.year_of(m)
    first = 1 if m["h"] == "上" else 7
    return replace(_month(ctx, y, first + 5), kind=END if m["e"] else PERIOD,
                   start=date(y, first, 1))


@rule(rf"{Y_NIAN}年?(?:(?P<e>底|末|终|内)|(?P<d>度)(?P<de>内|末|底)?|(?P<v>初|中))")
def _year_end(m: re.Match[str], ctx: _Context) -> _Reading:
    """年底, 年末, 年内, 年度, 2019年底, 今年底 (relative), 次年底 → 12-31."""
    if m["v"]:
        hint = "一季度末" if m["v"] == "初" else "上半年 / 6月底"
        raise DateError("date_vague_period", text=ctx.text, word=m[0], hint=hint)
    y = ctx.year_of(m)
    kind = PERIOD if m["d"] and not m["de"] else END
    return _Reading(ctx.ymd(y, 12, 31), kind, start=date(y, 1, 1))


@rule(r"(?:(?P<y>\d{4}|\d{2})|(?P<ry>[今本明去后次当]))年")
@rule(rf"{Y_OPT}全年")
def _whole_year(m: re.Match[str], ctx: _Context) -> _Reading:
    """2019年, 今年, 明年, 次年, 全年 → 12-31."""
    y = ctx.year_of(m)
    return _Reading(ctx.ymd(y, 12, 31), PERIOD, start=date(y, 1, 1))


@rule(r"(?P<d>\d{1,2})(?!\d)(?P<u>日|号)?")
def _bare_day(m: re.Match[str], ctx: _Context) -> Optional[_Reading]:
    """`20日` (or `20`) ends a range in the month it started: 4月10日至20日."""
    if ctx.range_from is not None:
        first = ctx.range_from.day
        return _Reading(ctx.ymd(first.year, first.month, int(m["d"])))
    if m["u"]:
        raise DateError("date_day_without_month", text=ctx.text, day=int(m["d"]))
    return None


def _read_one(s: str, pos: int, ctx: _Context) -> Optional[tuple[_Reading, int]]:
    for pattern, read in _RULES:
        m = pattern.match(s, pos)
        if m:
            reading = read(m, ctx)
            if reading is not None:
                return reading, m.end()
    return None


# --- around the date: leading words, ranges, 前 / (不含), times, the action after ---------------

_LEAD = re.compile(r"(?:截至到?|截止(?:到|至)?|最迟于?|最晚于?|不晚于|不迟于|务必于|必须于|须于|应于|"
                   r"要在|须在|应在|力争于?|争取于?|确保于?|计划于?|预计于?|于|在|到)+")
_RANGE = re.compile(r"至|到|~|-|—|–|〜")
_TIME = re.compile(r"(?P<h>\d{1,2})(?:时|点)(?:(?P<mi>\d{1,2})分?|半)?|(?P<h2>\d{1,2}):(?P<mi2>\d{2})")
_WEEKDAY_NOTE = re.compile(r"\((?:周|星期|礼拜)(?P<d>[1-7日天])\)")
_BEFORE = re.compile(r"(?:之|以)?前")
_UNTIL = re.compile(r"为止|止|截止|截至")
_EXCLUDE = re.compile(r"\((?P<n>不)?(?:含|包含|包括)(?:当日|当天|本日|该日)?(?:在内)?\)|"
                      r"(?P<n2>不)(?:含|包含|包括)当[日天]")
# After a date these leave it open (或, 左右, 以后) or continue it (日, 时): never the action.
_VAGUE_TAIL = re.compile(r"或|某|左右|前后|大约|大概|以后|之后|后|期间|假期|长假|前夕|[日号月年时点旬]")
_JOIN = re.compile(r"至|到|~|-|—|–|〜|、|和|与|及")
_PAUSE = ",;:。"
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _looks_like_date(s: str) -> bool:
    if not s or s[0].isdigit():
        return bool(s)
    probe = _Context(s, date(2000, 1, 1), 2000, True)
    try:
        return _read_one(s, 0, probe) is not None
    except DateError:
        return True


def _tail_is_action(rest: str) -> bool:
    """Whether the words after the date are the action (`全面开工`), not more of the date."""
    rest = rest.lstrip(_PAUSE)
    if not rest:
        return True
    if _VAGUE_TAIL.match(rest):
        return False
    join = _JOIN.match(rest)
    if join:
        return not _looks_like_date(rest[join.end():].lstrip(_PAUSE))
    return bool(_CJK.match(rest)) and not _looks_like_date(rest)


def parse_date(text: Any, *, as_of: date | None = None, year: int | None = None,
               relative: bool = True, workdays: Any = None) -> date:
    """Read a date as a clerk writes it (see the module docstring): the last day, inclusive.

    `as_of` anchors relative phrases (default today), `year` completes phrases without a year;
    `relative=False` refuses phrases whose meaning would change with the day (for values stored
    in files), and then a phrase without a year needs `year`. `workdays` is the calendar
    `N个工作日内` counts on (default: the official one, without the repository's additions).
    """
    if isinstance(text, date):
        return text
    raw = str(text).strip()
    if not raw:
        raise DateError("date_empty")
    if raw[0] in "长持常每":  # 长期坚持, 每月25日前: a term kept in `due` as written, not one date
        from taizhang.domain.terms import parse_term

        if parse_term(raw) is not None:
            raise DateError("date_is_term", text=raw)
    ctx = _Context(raw, as_of, year, relative, workdays=workdays)
    s = _normalise(raw)
    lead = _LEAD.match(s)
    pos = lead.end() if lead else 0
    try:
        return _parse(s, pos, ctx)
    except OverflowError:
        raise DateError("date_out_of_range", text=raw) from None


def _parse(s: str, pos: int, ctx: _Context) -> date:
    found = _read_one(s, pos, ctx)
    if found is None:
        raise DateError("date_unreadable", text=ctx.text)
    reading, pos = found

    sep = _RANGE.match(s, pos)
    if sep:
        second = _read_one(s, sep.end(), replace(ctx, range_from=reading))
        if second is not None:
            if second[0].day < reading.day:
                raise DateError("date_range_backwards", text=ctx.text,
                                start=reading.day.isoformat(), end=second[0].day.isoformat())
            reading, pos = second

    day = reading.day
    note = _WEEKDAY_NOTE.match(s, pos) if reading.kind == DAY else None
    if note:  # 4月30日（周一）: the weekday must agree, else which one was meant?
        written = 7 if note["d"] in "日天" else int(note["d"])
        if written != day.isoweekday():
            zh, en = "一二三四五六日", ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                       "Saturday", "Sunday")
            actual = day.isoweekday()
            raise DateError("date_weekday_mismatch", text=ctx.text, date=day.isoformat(),
                            written_zh=zh[written - 1], actual_zh=zh[actual - 1],
                            written_en=en[written - 1], actual_en=en[actual - 1])
        pos = note.end()
    time = _TIME.match(s, pos) if reading.kind == DAY else None
    if time:
        hour, minute = int(time["h"] or time["h2"]), int(time["mi"] or time["mi2"] or 0)
        if hour <= 24 and minute < 60 and not (hour == 24 and minute):
            pos = time.end()
            if hour == 0 and minute == 0:  # 5月1日0时前: by the end of April 30
                day -= ONE_DAY

    before = excluded = False
    for _ in range(2):  # 前 and (不含), in either order
        m = _BEFORE.match(s, pos) if not before else None
        if m:
            before, pos = True, m.end()
            if reading.kind == PERIOD:
                raise DateError("date_ambiguous_before", text=ctx.text,
                                before=((reading.start or reading.day) - ONE_DAY).isoformat(),
                                end=reading.day.isoformat())
            if reading.kind == FESTIVAL:
                if reading.festival == "元旦" and not reading.year_written:
                    raise DateError("date_ambiguous_newyear", text=ctx.text,
                                    before=(day - ONE_DAY).isoformat(),
                                    after=date(day.year, 12, 31).isoformat(),
                                    next_year=day.year + 1)
                day -= ONE_DAY
            continue
        m = _UNTIL.match(s, pos) if not before else None
        if m:
            before, pos = True, m.end()
            continue
        m = _EXCLUDE.match(s, pos) if not excluded else None
        if m:
            excluded, pos = True, m.end()
            # (不含) drops the given day; after 节日前 that day is already excluded.
            if (m["n"] or m["n2"]) and not (before and reading.kind == FESTIVAL):
                day -= ONE_DAY
            continue
        break

    if not _tail_is_action(s[pos:]):
        raise DateError("date_trailing", text=ctx.text, head=s[:pos], date=day.isoformat(),
                        rest=s[pos:])
    return day


# --- durations --------------------------------------------------------------------------------------

_DURATION = re.compile(r"(?P<n>\d+)(?P<u>d|w|天|日|自然日|个?工作日|个?(?:周|星期|礼拜)|个?月)?")


def parse_duration(value: Any) -> Duration:
    """A duration as written (SPEC §3, durations.py): a bare number `120` counts days of the
    project's calendar; with a calendar unit it is a natural span — `120天`, `120日`, `120自然日`,
    `120d`, `3周`/`3w`/`3个星期` (21 days), `2个月` (calendar months); `15个工作日` counts official
    working days. Chinese numerals read too (`十天`, `两周`). The result keeps the wording."""
    if isinstance(value, bool):
        raise DateError("duration_unreadable", text=str(value))
    if isinstance(value, int):
        if value < 0:
            raise DateError("duration_negative", text=str(value))
        return value if isinstance(value, Duration) else Duration(value)
    text = str(value).strip()
    s = _normalise(text)
    if s.startswith("-") and _DURATION.fullmatch(s[1:]):
        raise DateError("duration_negative", text=text)
    if s and s[0] in "〇零一二三四五六七八九十百千两廿卅":  # 十天, 两周: no counter word before
        run = _CN_RUN.match(s)
        if run:
            s = str(_cn_number(run[0])) + s[run.end():]
    m = _DURATION.fullmatch(s)
    if not m:
        raise DateError("duration_unreadable", text=text)
    n = int(m["n"])
    unit = (m["u"] or "").lstrip("个")
    if not unit:
        return Duration(n)  # `"120"` as text is still the bare number
    if unit == "工作日":
        return Duration(n, WORKDAYS, text)
    if unit == "月":
        return Duration(n, MONTHS, text)
    if unit in ("w", "周", "星期", "礼拜"):
        return Duration(7 * n, NATURAL, text)
    return Duration(n, NATURAL, text)


# --- what has not happened yet ------------------------------------------------------------------

def not_happened(day: Optional[date], as_of: Optional[date]) -> bool:
    """Whether a 销号 or an application dated `day` lies after the as-of day: it has not happened,
    and is refused wherever it comes from — `close --on`, `apply --on`, an imported sheet (SPEC §7)."""
    return day is not None and as_of is not None and day > as_of
