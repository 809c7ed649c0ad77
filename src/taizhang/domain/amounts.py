"""Money as offices write it, read into exact 万元 (never floats).

Accepted (the result is always a Decimal in 万元):

    1.2 / 3000 / 0            a bare number is 万元 (the ledger's unit)
    1.2亿  16亿元  2.5万亿      亿 = 10000 万元; 万亿 = 10^8 万元
    3000万  3000万元  0.5万     万元
    5000元  5元                 元 → 0.5, 0.0005 万元 (exact, never rounded)
    12,345.67万元              thousands separators , and ，(every three digits)
    １２３万                    full-width digits and punctuation
    1亿2000万  1亿零500万       several units, largest first
    三亿五千万  两千万  十五亿   Chinese numerals (小写, 两 = 2, 零 as a filler)
    壹亿贰仟万元整               大写 numerals (零壹贰叁肆伍陆柒捌玖拾佰仟萬億, 圆, 整)
    三点五亿  二〇〇〇万         点 as the decimal point; 〇 written digit by digit
    人民币3000万元  ￥3000万  RMB 3000万  3000万元人民币     RMB markers
    ¥5,000,000  ￥5,000,000    a yuan sign before thousands separators is 元: 500 万元

Refused, each with its own message that quotes the input:

    empty / None                           amount_empty
    unreadable text (很多, 3,0亿, true)     amount_unreadable (thousands separators misplaced:
                                           amount_separator)
    3亿美元  $300  USD 5  欧元  港币        amount_foreign: the ledger keeps RMB only
    3-5亿  3至5亿  3~5亿  三四亿            amount_range
    约3亿  3亿左右  3000余万  3000多万      amount_approximate: the ledger needs an exact figure
    -3亿  负3亿                             amount_negative: investment is never negative
    50%  百分之五十                         amount_percent: a rate, not an amount
    ￥3000  RMB 3000 (no unit)             amount_unit_needed: after a currency sign a bare
                                           number usually means 元, in the ledger it means 万元
                                           (grouped in thousands after ¥, it is 元: see above)
    1亿2000  三亿五  一万二  三千五          amount_ambiguous_tail: the unit of the last part is
                                           left to the reader (万? 元? 三千五 = 3500 or 3005?)
    finer than 1分 (0.001元, 0.0000001)    amount_too_precise
    1亿亿元 (10^12 万元) or more             amount_too_large

Well-formedness (else amount_unreadable): a number before 十百千 is one digit (三千, 1.5千万; not
36千); what follows a unit stays below it (3千500万, 1亿2000万; not 3千5000万, 1亿20000万);
零 stands between a unit and a number (一千零五十, 1亿零500万); units descend (not 五百三千, 3亿亿).
"""

from __future__ import annotations

import functools
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any


class AmountError(ValueError):
    def __init__(self, key: str, **args: Any):
        self.key = key
        self.args_ = args
        super().__init__(key)


# Decisions (see also the module docstring):
# - Precision: 万元 with at most 6 decimals, i.e. to the 分 (0.01 元). Anything finer is refused,
#   not rounded: no real payment is finer than a 分, so such a figure is a typo or a wrong unit
#   (and a float from YAML such as 0.30000000000000004 shows up here instead of slipping in).
# - Size: at most 10^12 万元 (one 亿亿元, about 80 times China's yearly GDP); above that the figure
#   is a typo (a unit written twice, 元 typed as 万元), and the bound keeps arithmetic exact and
#   small for values handed in as Decimal or float.
# - Arithmetic runs in a context of 200 digits, far wider than any text of MAX_TEXT characters
#   can need: every step is exact, an amount is read as written or refused, never rounded.
MAX_DECIMALS = 6
MAX_WAN = Decimal(10) ** 12
MAX_TEXT = 100  # characters; longer text is not an amount
_PREC = 200

# Full-width ASCII (！…～) → ASCII, ideographic space → space, a few symbols offices type.
_WIDTH: dict[int, int | str] = {0xFF01 + i: 0x21 + i for i in range(94)}
_WIDTH.update({0x3000: " ", 0xFFE5: "¥", 0xFFE1: "£", 0xFFE0: "¢", 0x2212: "-", 0x301C: "~"})

class _Lazy:
    """A regular expression compiled on its first use, so that importing stays quick."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern, self.flags = pattern, flags
        self.compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:  # match, search, fullmatch
        if self.compiled is None:
            self.compiled = re.compile(self.pattern, self.flags)
        return getattr(self.compiled, name)


_DIGITS = {
    "零": 0, "〇": 0,
    "一": 1, "壹": 1, "二": 2, "两": 2, "兩": 2, "贰": 2, "貳": 2, "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7,
    "八": 8, "捌": 8, "九": 9, "玖": 9,
}
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 4, "萬": 4, "亿": 8, "億": 8}  # powers of ten
_YUAN = "元圆圓"
_CN = "".join(_DIGITS)
_NUMERAL_CHARS = _CN + "".join(_SMALL) + "".join(_BIG) + "点"

_TOKEN = _Lazy(
    rf"(?P<ws>\s+)"
    rf"|(?P<num>[0-9][0-9,]*(?:\.[0-9][0-9,]*)?)"
    rf"|(?P<cn>[{_CN}]+(?:点[{_CN}]+)?)"
    rf"|(?P<small>[{''.join(_SMALL)}])"
    rf"|(?P<big>[{''.join(_BIG)}])"
)
_SEPARATED = _Lazy(r"[0-9]{1,3}(?:,[0-9]{3})*(?:\.[0-9]+)?")

_PERCENT = _Lazy(r"%|‰|百分之|千分之")
_FOREIGN = _Lazy(
    r"[$€£¢₩₹₽₣₤₫₱฿]"
    r"|美元|美金|欧元|歐元|港元|港币|港幣|日元|日圆|日圓|英镑|英鎊|韩元|韓元|澳元|加元|台币|台幣"
    r"|卢布|盧布|法郎|马克|外币|外幣|泰铢|越南盾|卢比"
    r"|(?<![A-Za-z])(?:USD|EUR|HKD|JPY|GBP|AUD|CAD|CHF|SGD|TWD|NTD|KRW|MOP|NZD|RUB|INR|THB)(?![A-Za-z])"
    rf"|[\u4e00-\u9fff](?<![{_NUMERAL_CHARS}])[{_YUAN}]"  # 某元: a currency other than 人民币
    r"|(?<!人民)[币幣]",
    re.IGNORECASE,
)
_APPROX = _Lazy(
    r"大约|大概|约合|约|約|左右|上下|将近|接近|近|逾|超过|超|以上|以下|以内|不到|不足|不少于|至少|最多"
    r"|余|餘|多|来|來|几|幾|数|數|≈|^\s*~"
)
_RANGE = _Lazy(r"[-–—―~至到或]")
_SIGN = _Lazy(r"^([-+]|负|負)\s*")
_PREFIX = _Lazy(r"^(人民币|人民幣|RMB|CNY|¥)\s*[:：]?\s*", re.IGNORECASE)
_SUFFIX = _Lazy(r"\s*(?:\(?(?:人民币|人民幣)\)?|RMB|CNY)?\s*[整正]?\s*$", re.IGNORECASE)
_YUAN_END = _Lazy(rf"\s*[{_YUAN}]$")


def _refuse(key: str, text: str, **args: Any) -> AmountError:
    """The error, quoting what was read (cut short when it is long)."""
    args["text"] = text
    for name, arg in args.items():
        if isinstance(arg, str) and len(arg) > 40:
            args[name] = arg[:40] + "…"
    return AmountError(key, **args)


def parse_amount(value: Any) -> Decimal:
    """`300亿` → 3000000, `3000万元` → 3000, `5000元` → 0.5, `1.2` → 1.2 (a bare number is 万元)."""
    if value is None:
        raise AmountError("amount_empty")
    if isinstance(value, bool):
        raise _refuse("amount_unreadable", str(value))
    if isinstance(value, int) and abs(value) >= MAX_WAN:  # before str(): ints of 5000 digits raise
        raise _refuse("amount_too_large" if value > 0 else "amount_negative",
                      str(value) if abs(value) < 10 ** 60 else "…", value="…")
    if isinstance(value, (int, float, Decimal)):
        # A float (YAML's 1.2) is read through repr(), the shortest text that reads back as this
        # float: what the clerk typed, not its binary neighbour 1.1999999999999999555910790149937.
        text = repr(value) if isinstance(value, float) else str(value)
        number = Decimal(text) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise _refuse("amount_unreadable", text)
        if number < 0:
            raise _refuse("amount_negative", text)
        return _checked(number, text)
    if not isinstance(value, str):
        raise _refuse("amount_unreadable", str(value))
    return _parse_text(value)


# An amount typed as text is read once per process: ~17 µs each (the refusals' patterns, Decimal
# arithmetic), 3,857 of them in a 50,000-item repository read without cache, many alike (`2亿`).
# Pure in its text, and a Decimal does not change; a refusal raises, and is not kept.
@functools.lru_cache(maxsize=8192)
def _parse_text(value: str) -> Decimal:
    text = value.strip()
    if not text:
        raise AmountError("amount_empty")
    if len(text) > MAX_TEXT:
        raise _refuse("amount_unreadable", text)
    s = text.translate(_WIDTH).strip()
    if _PERCENT.search(s):
        raise _refuse("amount_percent", text)
    m = _FOREIGN.search(s)
    if m:
        raise _refuse("amount_foreign", text, currency=m[0])
    m = _APPROX.search(s)
    if m and re.search(rf"[0-9{_NUMERAL_CHARS}]", s):  # 很多 has no figure at all: unreadable
        raise _refuse("amount_approximate", text, word=m[0].strip())

    # Sign and RMB markers around the figure.
    negative = False
    m = _SIGN.match(s)
    if m:
        negative, s = m[1] != "+", s[m.end():]
    m = _PREFIX.match(s)
    marked = bool(m)
    yuan_sign = bool(m) and m[1] == "¥"  # ¥ and ￥ (made half-width above)
    if m:
        s = s[m.end():]
        m = _SIGN.match(s)
        if m and not negative:
            negative, s = m[1] != "+", s[m.end():]
    m = _SUFFIX.search(s)
    if m and m.start() < len(s):
        marked = marked or bool(re.search(r"人民|RMB|CNY", m[0], re.IGNORECASE))
        s = s[: m.start()]
    m = _YUAN_END.search(s)
    yuan = bool(m)
    if m:
        s = s[: m.start()]
    s = s.strip()
    if not s:
        raise _refuse("amount_unreadable", text)
    if _RANGE.search(s) or re.search(r"[0-9][,\s]*[、/][\s,]*[0-9]", s):
        raise _refuse("amount_range", text)

    number, has_big, tail = _read_number(s, text)
    if tail is not None and not yuan and has_big:
        # 1亿2000 / 三亿五千: is the last part 万 or 元? The writer knows; we do not guess.
        raise _refuse("amount_ambiguous_tail", text, tail=tail)
    if yuan_sign and not yuan and not has_big and "," in s:
        # ¥5,000,000: a yuan sign before a figure grouped in thousands is how accounts write
        # 元 — 5000000 元, never 5000000 万元 (500 亿) — so the sign is the unit.
        yuan = True
    if marked and not yuan and not has_big:
        # ￥3000: after a currency sign a bare number usually means 元, in the ledger 万元.
        raise _refuse("amount_unit_needed", text)
    if negative and number != 0:
        raise _refuse("amount_negative", text)
    with localcontext() as ctx:
        ctx.prec = _PREC
        wan = number.scaleb(-4) if (yuan or has_big) else number
    return _checked(wan, text)


def _read_number(s: str, text: str) -> tuple[Decimal, bool, str | None]:
    """The figure without currency words → (value in its own unit, saw 万/亿, unit-less tail).

    The value counts 元 when a 万/亿 (or 元) is written, else it is the bare number. Large units
    work as in Chinese: a unit larger than the last one multiplies everything before it
    (2.5万亿, 1万2000亿), a smaller one adds its section (3亿5000万).
    """
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(s):
        m = _TOKEN.match(s, pos)
        if not m:
            raise _refuse("amount_unreadable", text)
        pos = m.end()
        if m.lastgroup != "ws":
            tokens.append((m.lastgroup or "", m[0]))

    with localcontext() as ctx:
        ctx.prec = _PREC
        total = Decimal(0)
        section = Decimal(0)
        cur: Decimal | None = None
        cur_text = ""
        last_big: int | None = None  # power of ten of the scale the total is in
        last_small: int | None = None
        prev_unit = 0  # the unit right before the current number (0: none or a 零 between)
        has_big = False
        tail_after_unit = 0
        section_seen = False  # a number or a small unit since the last large unit
        room: Decimal | None = None  # a number after a unit stays below it (3千500, not 3千5000)
        for i, (kind, tok) in enumerate(tokens):
            if kind == "cn" and not tok.strip("零〇") and len(tokens) > 1:
                # 1亿零500万: 零 only says a place is empty, between a unit and a number.
                if i == 0 or i + 1 == len(tokens) or tokens[i + 1][0] != "num":
                    raise _refuse("amount_unreadable", text)
                prev_unit = 0
                continue
            if kind in ("num", "cn"):
                if cur is not None:
                    raise _refuse("amount_unreadable", text)
                cur, zero_filler, positional = _number(tok, text)
                if zero_filler and i == 0 or room is not None and cur >= room \
                        or last_small is not None and (positional or cur % 1):  # 三千2.5
                    raise _refuse("amount_unreadable", text)
                cur_text = tok
                tail_after_unit = 0 if zero_filler else prev_unit
                section_seen = True
            elif kind == "small":
                unit = _SMALL[tok]
                if last_small is not None and unit >= last_small:
                    raise _refuse("amount_unreadable", text)
                if cur is None:
                    if i != 0 and unit != 10:  # 百万 / 千万 / 十五 at the start, 三百十五
                        raise _refuse("amount_unreadable", text)
                    cur = Decimal(1)
                elif not 0 < cur < 10:  # 三千, 1.5千万; not 36千, 〇十
                    raise _refuse("amount_unreadable", text)
                section += cur * unit
                cur, last_small, prev_unit, section_seen = None, unit, unit, True
                room = Decimal(unit)
            else:  # big
                power = _BIG[tok]
                has_big = True
                if not section_seen:
                    # 万亿: a larger unit right after a smaller one scales what came before.
                    if last_big is None or power <= last_big:
                        raise _refuse("amount_unreadable", text)
                    total = total.scaleb(power)
                    last_big = last_big + power
                else:
                    part = section + (cur if cur is not None else 0)
                    if last_big is not None and part >= Decimal(1).scaleb(
                            last_big - power if power < last_big else last_big):
                        raise _refuse("amount_unreadable", text)  # 1亿20000万, 1万20000亿
                    if last_big is None or power > last_big:
                        total = (total + part).scaleb(power)
                        last_big = power
                    elif power < last_big:
                        total += part.scaleb(power)
                        last_big = power
                    else:
                        raise _refuse("amount_unreadable", text)
                section, cur, last_small, section_seen = Decimal(0), None, None, False
                prev_unit = 10 ** power
                room = Decimal(1).scaleb(power)
        tail: str | None = None
        if section_seen and has_big:
            tail = s[_tail_start(s):].strip() or None
        if cur is not None and tail_after_unit >= 100 and len(cur_text) == 1 and cur != 0:
            # 一万二, 三千五, 1亿2: the clipped colloquial form (12000? 10002?) is not guessed.
            raise _refuse("amount_ambiguous_tail", text, tail=cur_text)
        value = total + section + (cur if cur is not None else 0)
    return value, has_big, tail


def _tail_start(s: str) -> int:
    last = max(s.rfind(ch) for ch in _BIG)
    return last + 1


def _number(tok: str, text: str) -> tuple[Decimal, bool, bool]:
    """One written number → (value, began with a 零 filler, Chinese digits read by place)."""
    if tok[0].isascii():
        if "," in tok and not _SEPARATED.fullmatch(tok):
            raise _refuse("amount_separator", text)
        return Decimal(tok.replace(",", "")), False, False
    whole, _, frac = tok.partition("点")
    stripped = whole.lstrip("零〇") if len(whole) > 1 else whole
    filler = stripped != whole
    if not stripped:
        stripped = "零"
    if len(stripped) > 1:
        if "〇" not in stripped and "零" not in stripped:
            if len(stripped) == 2:  # 三四亿, 七八千万, 三五万: a colloquial range
                raise _refuse("amount_range", text)
            raise _refuse("amount_unreadable", text)
    digits = "".join(str(_DIGITS[c]) for c in stripped)
    if frac:
        digits += "." + "".join(str(_DIGITS[c]) for c in frac)
    return Decimal(digits), filler, len(stripped) > 1


def _checked(number: Decimal, text: str) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PREC
        if number >= MAX_WAN:
            raise _refuse("amount_too_large", text, value=format_wan(number))
        if number == number.to_integral_value():
            # Whole amounts stay whole (3000000, not 3.000000E+6): JSON prints them as offices do.
            return Decimal(int(number))
        fen = number.quantize(Decimal("1e-6"))  # < 10^12 at 6 places: 18 digits, exact
        if fen != number:
            raise _refuse("amount_too_precise", text, value=format_wan(number))
        return fen.normalize()


def format_wan(amount: Decimal) -> str:
    """Exact decimal string without exponent: Decimal('3E+6') → '3000000', 12000.0 → '12000'."""
    if not isinstance(amount, Decimal):
        amount = Decimal(repr(amount) if isinstance(amount, float) else amount)
    if amount.is_finite() and amount == 0:
        return "0"
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_yi_wan(amount: Decimal) -> str:
    """As offices print: 16000 → '1.6亿元', 12345 → '1.23亿元', 3000 → '3000万元', 0.5 → '0.5万元'.

    1亿 and more in 亿元, less in 万元, each with at most 2 decimals (half up, no trailing zeros).
    An amount that rounds to 10000万元 prints as 1亿元.
    """
    if not isinstance(amount, Decimal):
        amount = Decimal(repr(amount) if isinstance(amount, float) else amount)
    cent = Decimal("0.01")
    with localcontext() as ctx:
        ctx.prec = _PREC
        wan = amount.quantize(cent, ROUND_HALF_UP)
        if abs(wan) >= 10000:
            return format_wan(amount.scaleb(-4).quantize(cent, ROUND_HALF_UP)) + "亿元"
        return format_wan(wan) + "万元"
