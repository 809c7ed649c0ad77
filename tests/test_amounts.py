"""The money parser: amounts as offices write them → exact Decimal 万元, or a refusal by key."""

from __future__ import annotations

from decimal import Decimal
from string import Formatter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.domain.amounts import AmountError, format_wan, format_yi_wan, parse_amount
from taizhang.i18n import MESSAGES, message

D = Decimal

# input → exact value in 万元
ACCEPTED = [
    # bare numbers are 万元
    ("1.2", D("1.2")),
    ("3000", D(3000)),
    ("0", D(0)),
    ("0.00", D(0)),
    ("+3亿", D(30000)),
    ("  3000万元  ", D(3000)),
    ("\u30003000万\u3000", D(3000)),
    # 万 / 万元
    ("3000万", D(3000)),
    ("3000万元", D(3000)),
    ("0.5万", D("0.5")),
    ("3000 万元", D(3000)),
    ("3000萬元", D(3000)),
    ("0万元", D(0)),
    # 亿 / 亿元 and the 亿/万 boundary
    ("1.2亿", D(12000)),
    ("16亿元", D(160000)),
    ("300亿", D(3000000)),
    ("1亿", D(10000)),
    ("9999万", D(9999)),
    ("9999.9999万", D("9999.9999")),
    ("10000万", D(10000)),
    ("0.9999亿", D(9999)),
    ("1.0001亿", D(10001)),
    ("0.00001亿", D("0.1")),
    ("1億", D(10000)),
    ("2.5万亿", D(250000000)),  # 2.5 × 10^12 元
    ("一万亿", D(100000000)),
    ("1万2000亿", D(120000000)),
    # 元, exact and never rounded
    ("5000元", D("0.5")),
    ("5元", D("0.0005")),
    ("1元", D("0.0001")),
    ("0.01元", D("0.000001")),
    ("12345.67元", D("1.234567")),
    ("3000万元", D(3000)),
    ("1万2000元", D("1.2")),
    ("1亿2000元", D("10000.2")),
    ("三亿五千元", D("30000.5")),
    ("100圆", D("0.01")),
    # separators and full width
    ("12,345.67万元", D("12345.67")),
    ("12，345.67万元", D("12345.67")),
    ("1,234,567元", D("123.4567")),
    ("1,000亿", D(10000000)),
    ("１２３", D(123)),
    ("１２３万元", D(123)),
    ("１．５亿", D(15000)),
    ("１，２３４万", D(1234)),
    # several units, largest first
    ("1亿2000万", D(12000)),
    ("1亿零500万", D(10500)),
    ("3千5百万", D(3500)),
    ("1.5千万", D(1500)),
    ("2亿3000万元", D(23000)),
    ("3千500万", D(3500)),
    ("1亿二〇〇〇万", D(12000)),
    # Chinese numerals, 小写
    ("三亿五千万", D(35000)),
    ("十五亿", D(150000)),
    ("两千万", D(2000)),
    ("两亿", D(20000)),
    ("一千零五十万", D(1050)),
    ("一亿零五百万", D(10500)),
    ("一亿零五十万", D(10050)),
    ("三千零五", D(3005)),
    ("十万", D(10)),
    ("百万", D(100)),
    ("千万元", D(1000)),
    ("三百十五万", D(315)),
    ("九千九百九十九万", D(9999)),
    ("一亿", D(10000)),
    ("零", D(0)),
    ("零元", D(0)),
    ("三点五亿", D(35000)),
    ("一点零五亿", D(10500)),
    ("二〇〇〇万", D(2000)),
    ("一千〇五十万", D(1050)),
    # 大写
    ("壹亿贰仟万元", D(12000)),
    ("壹亿贰仟万元整", D(12000)),
    ("叁仟万元", D(3000)),
    ("伍仟元", D("0.5")),
    ("玖佰玖拾玖萬元", D(999)),
    ("壹億零伍佰萬元", D(10500)),
    ("拾伍亿元", D(150000)),
    ("陆仟柒佰捌拾玖元", D("0.6789")),
    # RMB markers
    ("人民币3000万元", D(3000)),
    ("￥3000万", D(3000)),
    ("¥3000万", D(3000)),
    ("RMB 3000万", D(3000)),
    ("rmb3000万元", D(3000)),
    ("CNY 1.2亿", D(12000)),
    ("3000万元人民币", D(3000)),
    ("人民币壹亿贰仟万元整", D(12000)),
    ("￥5000元", D("0.5")),
    # a yuan sign before a figure grouped in thousands is 元, as accounts write it
    ("¥5,000,000", D(500)),
    ("￥5,000,000", D(500)),
    ("￥５，０００，０００", D(500)),
    ("¥ 1,234,567.89", D("123.456789")),
]

# input → error key
REFUSED = [
    # unreadable (the corpus case bad_investment_amount relies on this key for 很多)
    ("很多", "amount_unreadable"),
    ("多少", "amount_unreadable"),
    ("abc", "amount_unreadable"),
    ("万元", "amount_unreadable"),
    ("亿", "amount_unreadable"),
    ("元", "amount_unreadable"),
    ("人民币", "amount_unreadable"),
    ("3亿亿", "amount_unreadable"),
    ("3万万", "amount_unreadable"),
    ("3 000", "amount_unreadable"),
    ("1.2.3", "amount_unreadable"),
    ("3元万", "amount_unreadable"),
    ("五百三千", "amount_unreadable"),
    ("一二三万", "amount_unreadable"),
    ("1e3", "amount_unreadable"),
    ("36千", "amount_unreadable"),  # a number before 十百千 is one digit
    ("1亿20000万", "amount_unreadable"),  # a section must fit below the unit before it
    ("3千5000万", "amount_unreadable"),
    ("1万20000元", "amount_unreadable"),
    ("零4", "amount_unreadable"),  # 零 fills a place between a unit and a number
    ("千〇", "amount_unreadable"),
    ("百一零", "amount_unreadable"),
    ("٣٠٠٠", "amount_unreadable"),  # Arabic-Indic digits are not read as 3000
    ("3" * 101, "amount_unreadable"),
    (True, "amount_unreadable"),
    (False, "amount_unreadable"),
    ([1], "amount_unreadable"),
    (float("nan"), "amount_unreadable"),
    (float("inf"), "amount_unreadable"),
    (D("NaN"), "amount_unreadable"),
    # empty
    ("", "amount_empty"),
    ("   ", "amount_empty"),
    (None, "amount_empty"),
    # separators
    ("1,2亿", "amount_separator"),
    ("3,0000万", "amount_separator"),
    ("1,000,", "amount_separator"),
    ("12,345.6,7", "amount_separator"),
    # foreign currencies
    ("3亿美元", "amount_foreign"),
    ("３亿美元", "amount_foreign"),
    ("$300", "amount_foreign"),
    ("＄300", "amount_foreign"),
    ("US$300万", "amount_foreign"),
    ("USD", "amount_foreign"),
    ("300 usd", "amount_foreign"),
    ("欧元", "amount_foreign"),
    ("500万欧元", "amount_foreign"),
    ("€5", "amount_foreign"),
    ("港币", "amount_foreign"),
    ("3000万港元", "amount_foreign"),
    ("HKD 3000", "amount_foreign"),
    ("100日元", "amount_foreign"),
    ("£3", "amount_foreign"),
    ("3000万新台币", "amount_foreign"),
    # ranges
    ("3-5亿", "amount_range"),
    ("3至5亿", "amount_range"),
    ("3~5亿", "amount_range"),
    ("3～5亿", "amount_range"),
    ("3—5亿", "amount_range"),
    ("3亿-5亿", "amount_range"),
    ("3到5亿", "amount_range"),
    ("3000万至5000万元", "amount_range"),
    ("三四亿", "amount_range"),
    ("七八千万", "amount_range"),
    ("十七八亿", "amount_range"),
    # approximate
    ("约3亿", "amount_approximate"),
    ("大约3亿", "amount_approximate"),
    ("3亿左右", "amount_approximate"),
    ("3000余万", "amount_approximate"),
    ("3000多万", "amount_approximate"),
    ("近3亿", "amount_approximate"),
    ("逾3亿", "amount_approximate"),
    ("超过3亿", "amount_approximate"),
    ("3亿以上", "amount_approximate"),
    ("几千万", "amount_approximate"),
    ("数亿", "amount_approximate"),
    ("~3亿", "amount_approximate"),
    ("三十来万", "amount_approximate"),
    # negatives
    ("-3亿", "amount_negative"),
    ("−3亿", "amount_negative"),
    ("－3000万元", "amount_negative"),
    ("负3亿", "amount_negative"),
    ("人民币-3000万", "amount_negative"),
    (-1, "amount_negative"),
    (-0.5, "amount_negative"),
    (D("-0.0001"), "amount_negative"),
    # percentages
    ("50%", "amount_percent"),
    ("５０％", "amount_percent"),
    ("百分之五十", "amount_percent"),
    # a currency sign with a bare number: 元 or 万元?
    ("￥3000", "amount_unit_needed"),
    ("RMB 3000", "amount_unit_needed"),
    ("3000人民币", "amount_unit_needed"),
    ("¥5000000", "amount_unit_needed"),  # no grouping: 元 or 万元 is still the writer's to say
    ("RMB 5,000,000", "amount_unit_needed"),
    ("¥5,00,000", "amount_separator"),
    # the unit of the last part left open
    ("1亿2000", "amount_ambiguous_tail"),
    ("三亿五", "amount_ambiguous_tail"),
    ("三亿五千", "amount_ambiguous_tail"),
    ("一万二", "amount_ambiguous_tail"),
    ("三千五", "amount_ambiguous_tail"),
    ("两百五", "amount_ambiguous_tail"),
    ("1万2", "amount_ambiguous_tail"),
    # finer than a 分
    ("0.001元", "amount_too_precise"),
    ("5.005元", "amount_too_precise"),
    ("0.0000001", "amount_too_precise"),
    ("1.12345678901亿", "amount_too_precise"),
    (0.1 + 0.2, "amount_too_precise"),
    (D("1E-7"), "amount_too_precise"),
    # absurd sizes
    ("100000000亿", "amount_too_large"),
    ("10000万亿", "amount_too_large"),
    ("1万亿亿", "amount_unreadable"),
    (10**12, "amount_too_large"),
    (10**5000, "amount_too_large"),
    (1e308, "amount_too_large"),
]

# non-string inputs (YAML ints and floats, Decimals from code)
NUMBERS = [
    (12, D(12)),
    (0, D(0)),
    (1.2, D("1.2")),
    (0.1, D("0.1")),
    (1e3, D(1000)),
    (D("3E+6"), D(3000000)),
    (D("12000.0"), D(12000)),
    (D("-0"), D(0)),
    (D("0.000001"), D("0.000001")),
    (10**12 - 1, D(10**12 - 1)),
]


def _id(value) -> str:
    if isinstance(value, int) and value > 10**100:
        return "10**5000"  # repr() of a 5000-digit int raises
    return repr(value)[:40]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED + NUMBERS, ids=_id)
def test_accepted(text, expected):
    value = parse_amount(text)
    assert isinstance(value, Decimal)
    assert value == expected
    # exact: no exponent in the printed form, whole amounts stay whole
    assert format_wan(value) == format_wan(expected)
    assert "E" not in format_wan(value)
    if expected == expected.to_integral_value():
        assert value.as_tuple().exponent == 0


@pytest.mark.parametrize(("text", "key"), REFUSED, ids=_id)
def test_refused(text, key):
    with pytest.raises(AmountError) as raised:
        parse_amount(text)
    error = raised.value
    assert error.key == key
    assert error.key in MESSAGES
    for lang in ("zh", "en"):
        shown = message(error.key, lang, **error.args_)
        assert "{" not in shown and "}" not in shown
        # the message quotes what was read
        if isinstance(text, str) and text.strip() and len(text) <= 40:
            assert text.strip() in shown


def test_table_size():
    assert len(ACCEPTED) + len(REFUSED) + len(NUMBERS) >= 80


def test_foreign_message_reads_as_offices_write_it():
    with pytest.raises(AmountError) as raised:
        parse_amount("3亿美元")
    assert message(raised.value.key, "zh", **raised.value.args_) == "“3亿美元”：不支持外币（只记人民币，单位万元）"


def test_unreadable_message_is_the_corpus_one():
    with pytest.raises(AmountError) as raised:
        parse_amount("很多")
    assert message(raised.value.key, "en", **raised.value.args_) == \
        "cannot read the amount '很多' (e.g. 16亿, 3000万元, 1.2)"


def test_approximate_names_the_word():
    with pytest.raises(AmountError) as raised:
        parse_amount("3亿左右")
    assert raised.value.args_["word"] == "左右"


def test_long_input_is_quoted_short():
    with pytest.raises(AmountError) as raised:
        parse_amount("很" * 500)
    assert len(raised.value.args_["text"]) <= 41


def test_never_a_float():
    for text, _ in ACCEPTED:
        assert type(parse_amount(text)) is Decimal


@pytest.mark.parametrize(("amount", "text"), [
    (D("3E+6"), "3000000"),
    (D("12000.0"), "12000"),
    (D("0.0005"), "0.0005"),
    (D("0.000001"), "0.000001"),
    (D("1E-7"), "0.0000001"),
    (D("12345.670"), "12345.67"),
    (D("-0"), "0"),
    (D("0.00"), "0"),
    (D(3000), "3000"),
    (D("100"), "100"),
])
def test_format_wan(amount, text):
    assert format_wan(amount) == text


@pytest.mark.parametrize(("amount", "text"), [
    (D(160000), "16亿元"),
    (D(16000), "1.6亿元"),
    (D(12000), "1.2亿元"),
    (D(12345), "1.23亿元"),
    (D(12350), "1.24亿元"),  # 1.235 half up
    (D(10000), "1亿元"),
    (D("9999.995"), "1亿元"),  # rounds to 10000万: printed in 亿
    (D("9999.994"), "9999.99万元"),
    (D(9999), "9999万元"),
    (D(3000), "3000万元"),
    (D("0.5"), "0.5万元"),
    (D("1.005"), "1.01万元"),
    (D("0.0005"), "0万元"),
    (D(0), "0万元"),
    (D(3000000), "300亿元"),
])
def test_format_yi_wan(amount, text):
    assert format_yi_wan(amount) == text


# --- properties ------------------------------------------------------------------------------

# ≤ 4 decimals; below 10^8 so that d亿 stays below the 1亿亿元 bound.
AMOUNTS = st.decimals(min_value=0, max_value=D("99999999.9999"), places=4,
                      allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(AMOUNTS)
def test_wan_yuan_reads_back(d):
    assert parse_amount(f"{d}万元") == d


@settings(max_examples=200, deadline=None)
@given(AMOUNTS)
def test_yi_reads_back(d):
    assert parse_amount(f"{d}亿") == d * 10000


@settings(max_examples=200, deadline=None)
@given(AMOUNTS)
def test_bare_number_reads_back(d):
    assert parse_amount(str(d)) == d


@settings(max_examples=200, deadline=None)
@given(AMOUNTS)
def test_format_wan_round_trips(d):
    assert format_wan(parse_amount(format_wan(d))) == format_wan(d)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**11))
def test_yuan_is_exact(n):
    # n 元 = n/10000 万元 exactly, never rounded
    assert parse_amount(f"{n}元") == D(n) / 10000
    assert parse_amount(f"{n:,}元") == D(n) / 10000


_CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    """0 < n < 10^8 in standard 小写 numerals, 零 for skipped places (reference writer)."""
    def below_10000(k: int) -> str:
        out, zero = "", False
        for unit, char in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = k // unit % 10
            if digit == 0:
                zero = bool(out)
                continue
            if zero:
                out += "零"
                zero = False
            out += _CN_DIGITS[digit] + char
        return out

    high, low = divmod(n, 10000)
    if not high:
        return below_10000(low)
    text = below_10000(high) + "万"
    if low:
        text += ("零" if low < 1000 else "") + below_10000(low)
    return text


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=9999), st.sampled_from([("万", 1), ("亿", 10000)]))
def test_chinese_numerals_with_a_unit(n, unit):
    text = _chinese(n) + unit[0]
    assert parse_amount(text) == n * unit[1], text


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=99999999))
def test_chinese_numerals_in_yuan(n):
    text = _chinese(n) + "元"
    assert parse_amount(text) == D(n) / 10000, text


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=9999))
def test_yi_and_wan_in_chinese(yi, wan):
    text = _chinese(yi) + "亿" + (("零" if wan < 1000 else "") + _chinese(wan) + "万" if wan else "")
    assert parse_amount(text) == yi * 10000 + wan, text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_any_text_gives_an_amount_or_a_message(text):
    try:
        value = parse_amount(text)
    except AmountError as e:
        assert e.key in MESSAGES
        for template in MESSAGES[e.key]:  # every field of the message is filled
            fields = {name for _, name, _, _ in Formatter().parse(template) if name}
            assert fields <= set(e.args_)
    else:
        assert type(value) is Decimal and value >= 0


def test_a_text_read_again_reads_the_same_and_a_refusal_again_refuses():
    """Texts are read once per process (a memo): the second reading is the first's, and a text
    refused is refused every time, with its reason."""
    assert parse_amount("1.8亿") == parse_amount(" 1.8亿") == Decimal("18000")
    for _ in range(2):
        with pytest.raises(AmountError) as e:
            parse_amount("约3亿")
        assert e.value.key == "amount_approximate"
