"""The date-phrase reader (SPEC §3): every phrase means the last day by which a thing is due.

Each case is `(phrase, as_of, year, expected)`: `expected` is an ISO date, or the key of the
message the phrase is refused with. The default reading day is Friday 2018-06-15 (端午 is Monday
2018-06-18) and the default repository year 2018.
"""

from __future__ import annotations

import calendar
import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.domain.dates import DateError, parse_date, parse_duration
from taizhang.i18n import MESSAGES, message

A = date(2018, 6, 15)  # a Friday
Y = 2018
SUN = date(2018, 4, 29)  # a Sunday
MON = date(2018, 4, 30)  # the Monday after it


def _read(phrase, as_of, year, relative=True):
    try:
        return parse_date(phrase, as_of=as_of, year=year, relative=relative).isoformat()
    except DateError as e:
        return e.key


# --- absolute phrases: they take `year` when they have none ----------------------------------------

ABSOLUTE = [
    # ISO and numeric forms
    ("2018-04-30", A, Y, "2018-04-30"),
    ("2018/4/30", A, Y, "2018-04-30"),
    ("2018.4.30", A, Y, "2018-04-30"),
    ("2018-4-30", A, Y, "2018-04-30"),
    ("2019-01-05", A, Y, "2019-01-05"),  # a written year beats `year`
    ("4.30", A, Y, "2018-04-30"),
    ("4/30", A, Y, "2018-04-30"),
    ("4-30", A, Y, "2018-04-30"),
    ("4.5", A, Y, "2018-04-05"),  # month.day, always
    ("12.1", A, Y, "2018-12-01"),
    ("4.30", A, 2020, "2020-04-30"),
    ("2018-04", A, Y, "2018-04-30"),
    ("20180430", A, Y, "2018-04-30"),  # as spreadsheets and systems print a date
    ("20191231", A, Y, "2019-12-31"),
    ("20180430前", A, Y, "2018-04-30"),
    # years written short or as ranges
    ("16年9月底", A, Y, "2016-09-30"),
    ("18年4月", A, Y, "2018-04-30"),
    ("一九年底", A, Y, "2019-12-31"),
    ("19年6月30日前", A, Y, "2019-06-30"),
    ("19年一季度", A, Y, "2019-03-31"),
    ("19年上半年", A, Y, "2019-06-30"),
    ("16年", A, Y, "2016-12-31"),
    ("16年度", A, Y, "2016-12-31"),
    ("2016-2017年", A, Y, "2017-12-31"),
    ("2016—2017年", A, Y, "2017-12-31"),
    ("2016年至2017年", A, Y, "2017-12-31"),
    ("2016至2017年底", A, Y, "2017-12-31"),
    ("（2018—2020年）", A, Y, "2020-12-31"),
    ("(2018-2020年)", A, Y, "2020-12-31"),
    ("2018-2020年完成改造", A, Y, "2020-12-31"),
    ("2018年4-30", A, Y, "2018-04-30"),  # mixed forms the first reader took
    ("2018-4月30日", A, Y, "2018-04-30"),
    ("今年4.30", A, Y, "2018-04-30"),
    ("２０１８年４月３０日", A, Y, "2018-04-30"),  # full-width
    ("2018 年 4 月 30 日", A, Y, "2018-04-30"),
    # 年月日
    ("2018年4月30日", A, Y, "2018-04-30"),
    ("4月30日", A, Y, "2018-04-30"),
    ("4月30号", A, Y, "2018-04-30"),
    ("4月30", A, Y, "2018-04-30"),
    ("4月30日", A, 2019, "2019-04-30"),
    ("2月29日", A, 2020, "2020-02-29"),
    # Chinese numerals
    ("二〇一八年四月三十日", A, None, "2018-04-30"),
    ("三月十五日", A, Y, "2018-03-15"),
    ("三月廿五", A, Y, "2018-03-25"),
    ("十二月三十一日", A, Y, "2018-12-31"),
    ("十月一日", A, Y, "2018-10-01"),
    ("十二月底", A, Y, "2018-12-31"),
    ("十一月底", A, Y, "2018-11-30"),
    ("二〇一九年三月", A, Y, "2019-03-31"),
    ("二〇二〇年二月二十九日", A, Y, "2020-02-29"),
    # months and their parts
    ("4月底", A, Y, "2018-04-30"),
    ("4月末", A, Y, "2018-04-30"),
    ("4月底前", A, Y, "2018-04-30"),
    ("4月底之前", A, Y, "2018-04-30"),
    ("4月份", A, Y, "2018-04-30"),
    ("4月", A, Y, "2018-04-30"),
    ("4月内", A, Y, "2018-04-30"),
    ("3月份全面开工", A, Y, "2018-03-31"),
    ("4月底前完工", A, Y, "2018-04-30"),
    ("4月底前上报", A, Y, "2018-04-30"),
    ("4月底到位", A, Y, "2018-04-30"),
    ("2月底", A, 2018, "2018-02-28"),
    ("2月底", A, 2019, "2019-02-28"),
    ("2月底", A, 2020, "2020-02-29"),
    ("2月份", A, 2016, "2016-02-29"),
    ("2月底", A, 2100, "2100-02-28"),  # not a leap year
    ("2000年2月底", A, Y, "2000-02-29"),  # a leap year
    ("4月上旬", A, Y, "2018-04-10"),
    ("4月中旬", A, Y, "2018-04-20"),
    ("4月下旬", A, Y, "2018-04-30"),
    ("2月下旬", A, 2019, "2019-02-28"),
    ("2月下旬", A, 2020, "2020-02-29"),
    ("2019年8月", A, Y, "2019-08-31"),
    ("2019年8月中旬", A, Y, "2019-08-20"),
    # years, halves, quarters
    ("年底", A, Y, "2018-12-31"),
    ("年末", A, Y, "2018-12-31"),
    ("年底前", A, Y, "2018-12-31"),
    ("年内", A, Y, "2018-12-31"),
    ("年度", A, Y, "2018-12-31"),
    ("年度末", A, Y, "2018-12-31"),
    ("全年", A, Y, "2018-12-31"),
    ("年底", date(2019, 3, 1), 2018, "2018-12-31"),  # 年底 takes `year`, not the as-of year
    ("2019年底", A, Y, "2019-12-31"),
    ("2019年", A, Y, "2019-12-31"),
    ("2019年度", A, Y, "2019-12-31"),
    ("2019年全年", A, Y, "2019-12-31"),
    ("上半年", A, Y, "2018-06-30"),
    ("下半年", A, Y, "2018-12-31"),
    ("上半年末", A, Y, "2018-06-30"),
    ("2019年上半年", A, Y, "2019-06-30"),
    ("一季度末", A, Y, "2018-03-31"),
    ("第一季度", A, Y, "2018-03-31"),
    ("一季度", A, Y, "2018-03-31"),
    ("Q1", A, Y, "2018-03-31"),
    ("q1", A, Y, "2018-03-31"),
    ("二季度末", A, Y, "2018-06-30"),
    ("Q2", A, Y, "2018-06-30"),
    ("三季度", A, Y, "2018-09-30"),
    ("第四季度", A, Y, "2018-12-31"),
    ("四季度末", A, Y, "2018-12-31"),
    ("一季度末前", A, Y, "2018-03-31"),
    ("2019Q3", A, Y, "2019-09-30"),
    ("2019年第二季度", A, Y, "2019-06-30"),
    ("次年", A, Y, "2019-12-31"),
    ("次年6月底", A, Y, "2019-06-30"),
    ("次年春节前", A, Y, "2019-02-04"),
    ("当年底", A, Y, "2018-12-31"),
    # 前 / 截至 / 最迟 keep the day; (不含) drops it
    ("4月30日前", A, Y, "2018-04-30"),
    ("4月30日之前", A, Y, "2018-04-30"),
    ("4月30日以前", A, Y, "2018-04-30"),
    ("4月30日止", A, Y, "2018-04-30"),
    ("截至4月30日", A, Y, "2018-04-30"),
    ("最迟4月30日", A, Y, "2018-04-30"),
    ("不晚于4月30日", A, Y, "2018-04-30"),
    ("于4月15日前", A, Y, "2018-04-15"),
    ("力争于6月底前完成", A, Y, "2018-06-30"),
    ("截止到2018年5月", A, Y, "2018-05-31"),
    ("4月30日前（不含）", A, Y, "2018-04-29"),
    ("4月30日(不含)", A, Y, "2018-04-29"),
    ("4月30日前(含)", A, Y, "2018-04-30"),
    ("3月1日前（不含）", A, 2020, "2020-02-29"),
    ("4月30日24时前", A, Y, "2018-04-30"),
    ("5月1日0时前", A, Y, "2018-04-30"),  # midnight starting May 1 = the end of April 30
    ("4月30日（星期一）", A, Y, "2018-04-30"),
    # ranges end on their last day
    ("4月10日至20日", A, Y, "2018-04-20"),
    ("4月10日-20日", A, Y, "2018-04-20"),
    ("4月10-20日", A, Y, "2018-04-20"),
    ("4.10-4.20", A, Y, "2018-04-20"),
    ("4月10日至5月", A, Y, "2018-05-31"),
    ("4月底至5月底", A, Y, "2018-05-31"),
    ("4-6月", A, Y, "2018-06-30"),
    # a year before a range of months is not a day (2018年3-4 read as 2018-03-04)
    ("2018年3-4月", A, Y, "2018-04-30"),
    ("2018年3-4月份", A, Y, "2018-04-30"),
    ("2018年6-9月底前", A, Y, "2018-09-30"),
    ("2019年3-4月份全面开工", A, Y, "2019-04-30"),
    ("18年3-4月", A, Y, "2018-04-30"),
    ("2018年4-30", A, Y, "2018-04-30"),
    ("4至6月", A, Y, "2018-06-30"),
    ("四至六月", A, Y, "2018-06-30"),
    ("4月至6月", A, Y, "2018-06-30"),
    ("2018年12月1日至2019年1月10日", A, Y, "2019-01-10"),
]

# --- festivals: <节日>前 is the day before the coming festival (the first on or after as_of) ------
# unless the phrase names its year; typed into a file, the festival of the repository's year.

JAN = date(2018, 1, 10)  # before 春节 2018-02-16

FESTIVALS = [
    ("春节前", A, 2018, "2019-02-04"),  # typed in June: next year's 除夕, not an instantly red date
    ("春节前", JAN, 2018, "2018-02-15"),
    ("春节前", date(2019, 3, 1), 2018, "2020-01-24"),  # the coming one, whatever `year` says
    ("春节前", date(2020, 1, 24), 2018, "2020-01-24"),  # on 除夕 itself: that day
    ("春节前", date(2020, 1, 25), 2018, "2020-01-24"),  # 春节 is on as_of: 前 is past (warned)
    ("春节前", date(2020, 1, 26), 2018, "2021-02-11"),
    ("春节", A, 2018, "2019-02-05"),
    ("春节", JAN, 2018, "2018-02-16"),
    ("除夕", A, 2019, "2019-02-04"),
    ("大年三十", A, 2019, "2019-02-04"),
    ("年前", A, Y, "2019-02-04"),  # 年前 is 春节前
    ("年前", JAN, Y, "2018-02-15"),
    ("年前完成签约", JAN, Y, "2018-02-15"),
    ("元旦前", A, Y, "2018-12-31"),  # the coming 元旦: Dec 31 of this year
    ("元旦前", date(2018, 12, 31), Y, "2018-12-31"),
    ("元旦", A, Y, "2019-01-01"),
    ("“五一”前", date(2018, 3, 1), Y, "2018-04-30"),  # quotes around a festival are ignored
    ("“五一”前", A, Y, "2019-04-30"),
    ("‘十一’前", A, Y, "2018-09-30"),
    ('"国庆"前', A, Y, "2018-09-30"),
    ("「国庆」节前", A, Y, "2018-09-30"),
    ("2018年春节前", A, Y, "2018-02-15"),  # a written year is kept, even when past
    ("2019年春节前", A, 2018, "2019-02-04"),
    ("二〇二〇年春节前", A, 2018, "2020-01-24"),
    ("春节前（不含）", JAN, 2018, "2018-02-15"),  # 春节前 excludes 春节 already
    ("元宵", JAN, 2018, "2018-03-02"),
    ("五一前", A, Y, "2019-04-30"),
    ("五一", JAN, Y, "2018-05-01"),
    ("五一劳动节前", JAN, Y, "2018-04-30"),
    ("国庆前", A, Y, "2018-09-30"),
    ("国庆节前", A, Y, "2018-09-30"),
    ("国庆以前", A, Y, "2018-09-30"),
    ("十一前", A, Y, "2018-09-30"),
    ("国庆", A, Y, "2018-10-01"),
    ("七一前", A, Y, "2018-06-30"),
    ("七一", A, Y, "2018-07-01"),
    ("双十一", A, Y, "2018-11-11"),
    ("双11", A, Y, "2018-11-11"),
    ("双十一前", A, Y, "2018-11-10"),
    ("2019年元旦前", A, Y, "2018-12-31"),
    ("清明", JAN, 2018, "2018-04-05"),
    ("清明前", date(2020, 1, 1), 2018, "2020-04-03"),
    ("端午", A, 2018, "2018-06-18"),
    ("端午节前", A, 2018, "2018-06-17"),
    ("端午节前", date(2018, 6, 19), 2018, "2019-06-06"),
    ("中秋", A, 2018, "2018-09-24"),
    ("中秋节", date(2019, 1, 1), 2018, "2019-09-13"),
    ("国庆前完成验收", A, Y, "2018-09-30"),
]

# --- relative phrases: they count from as_of ---------------------------------------------------------

RELATIVE = [
    ("今天", A, Y, "2018-06-15"),
    ("今日", A, Y, "2018-06-15"),
    ("明天", A, Y, "2018-06-16"),
    ("明天", date(2018, 12, 31), Y, "2019-01-01"),
    ("后天", A, Y, "2018-06-17"),
    ("昨天", A, Y, "2018-06-14"),
    # weeks run Monday to Sunday
    ("本周", A, Y, "2018-06-17"),
    ("本周内", A, Y, "2018-06-17"),
    ("本周", SUN, Y, "2018-04-29"),
    ("本周", MON, Y, "2018-05-06"),
    ("下周", SUN, Y, "2018-05-06"),
    ("下周", MON, Y, "2018-05-13"),
    ("下周五", SUN, Y, "2018-05-04"),
    ("下周五", MON, Y, "2018-05-11"),
    ("下周五", A, Y, "2018-06-22"),
    ("下周五前", A, Y, "2018-06-22"),
    ("下星期五", A, Y, "2018-06-22"),
    ("下个礼拜五", A, Y, "2018-06-22"),
    ("下周一", A, Y, "2018-06-18"),
    ("下周日", A, Y, "2018-06-24"),
    ("下周五", date(2018, 12, 28), Y, "2019-01-04"),
    ("本周五", SUN, Y, "2018-04-27"),
    ("周五", A, Y, "2018-06-15"),
    ("星期天", date(2018, 6, 13), Y, "2018-06-17"),
    ("上周五", A, Y, "2018-06-08"),
    ("下下周", A, Y, "2018-07-01"),
    ("下下周五", A, Y, "2018-06-29"),
    ("下周一至周五", A, Y, "2018-06-22"),
    # months
    ("本月", A, Y, "2018-06-30"),
    ("本月底", A, Y, "2018-06-30"),
    ("月底", A, Y, "2018-06-30"),
    ("月底前", A, Y, "2018-06-30"),
    ("月底", date(2018, 2, 10), Y, "2018-02-28"),
    ("月底", date(2020, 2, 10), 2020, "2020-02-29"),
    ("本月15日前", A, Y, "2018-06-15"),
    ("本月上旬", A, Y, "2018-06-10"),
    ("下月", A, Y, "2018-07-31"),
    ("下月底", A, Y, "2018-07-31"),
    ("下个月底", A, Y, "2018-07-31"),
    ("下月底", date(2018, 12, 15), Y, "2019-01-31"),
    ("下月", date(2019, 1, 31), 2019, "2019-02-28"),
    ("下月10日", A, Y, "2018-07-10"),
    ("下月10号", date(2018, 12, 15), Y, "2019-01-10"),
    ("下月中旬", A, Y, "2018-07-20"),
    ("下下月", date(2018, 11, 30), Y, "2019-01-31"),
    ("上月底", date(2018, 1, 5), Y, "2017-12-31"),
    # quarters and years from as_of
    ("本季度", date(2018, 5, 3), Y, "2018-06-30"),
    ("季度末", date(2018, 5, 3), Y, "2018-06-30"),
    ("下季度", date(2018, 11, 3), Y, "2019-03-31"),
    ("今年", A, Y, "2018-12-31"),
    ("今年底", A, Y, "2018-12-31"),
    ("今年年底", A, Y, "2018-12-31"),
    ("今年底", date(2019, 3, 1), 2018, "2019-12-31"),  # 今年 is the as-of year, not `year`
    ("明年", A, Y, "2019-12-31"),
    ("明年6月", A, Y, "2019-06-30"),
    ("明年上半年", A, Y, "2019-06-30"),
    ("明年春节前", A, Y, "2019-02-04"),
    ("今年国庆前", A, Y, "2018-09-30"),
    ("去年底", A, Y, "2017-12-31"),
    ("本月", A, 2020, "2018-06-30"),  # relative to as_of, whatever `year` says
    ("下月", A, 2020, "2018-07-31"),
    ("本周", A, 2020, "2018-06-17"),
    ("下周", A, 2020, "2018-06-24"),
    ("今年", A, 2020, "2018-12-31"),
    ("明年", A, 2020, "2019-12-31"),
    ("次年", A, 2020, "2021-12-31"),  # 次年 follows the repository year
    ("半个月内", A, Y, "2018-06-30"),  # 15 days
    ("半月内", A, Y, "2018-06-30"),
    ("一周内", A, Y, "2018-06-22"),
    ("10年内", A, Y, "2028-06-15"),  # ten years, not 2010
    # put right at once: the as-of day
    ("立行立改", A, Y, "2018-06-15"),
    ("立即整改", A, Y, "2018-06-15"),
    ("即知即改", A, Y, "2018-06-15"),
    # N天内 / N周内 / N个月内: from the day after as_of
    ("3天内", A, Y, "2018-06-18"),
    ("3日内", A, Y, "2018-06-18"),
    ("三天内", A, Y, "2018-06-18"),
    ("30日内", A, Y, "2018-07-15"),
    ("3天之内", A, Y, "2018-06-18"),
    ("1天内", date(2018, 12, 31), Y, "2019-01-01"),
    ("2周内", A, Y, "2018-06-29"),
    ("两周内", A, Y, "2018-06-29"),
    ("3个星期内", A, Y, "2018-07-06"),
    ("1个月内", date(2018, 1, 31), Y, "2018-02-28"),
    ("1个月内", date(2020, 1, 31), 2020, "2020-02-29"),
    ("一个月内", date(2018, 3, 31), Y, "2018-04-30"),
    ("3个月内", date(2018, 1, 31), Y, "2018-04-30"),
    ("两个月内", date(2018, 12, 31), Y, "2019-02-28"),
    ("12个月内", date(2020, 2, 29), 2020, "2021-02-28"),
    ("1年内", date(2020, 2, 29), 2020, "2021-02-28"),
    # N个工作日内: official calendar, strictly after as_of, 调休 make-up days included
    ("10个工作日内", A, Y, "2018-07-02"),  # 端午 2018-06-18 is off
    ("十个工作日内", A, Y, "2018-07-02"),
    ("10个工作日内", date(2018, 9, 28), Y, "2018-10-17"),  # 9-29, 9-30 worked; 10-01..07 off
    ("1个工作日内", date(2018, 9, 28), Y, "2018-09-29"),  # Saturday, a make-up working day
    ("2个工作日内", date(2018, 9, 28), Y, "2018-09-30"),  # Sunday, a make-up working day
    ("3个工作日内", date(2018, 9, 28), Y, "2018-10-08"),
    ("1个工作日内", date(2018, 9, 30), Y, "2018-10-08"),
    ("1个工作日内", date(2018, 2, 10), Y, "2018-02-11"),  # Sunday 2-11 was worked
    ("1个工作日内", date(2018, 2, 23), Y, "2018-02-24"),  # Saturday 2-24 was worked
    ("3个工作日内", date(2018, 2, 12), Y, "2018-02-22"),  # 春节 2-15..2-21 off
    ("5个工作日内", date(2018, 2, 12), Y, "2018-02-24"),
    ("3个工作日内", date(2019, 2, 1), 2019, "2019-02-11"),  # 2-2, 2-3 worked; 2-4..2-10 off
    ("1个工作日内", date(2019, 9, 28), 2019, "2019-09-29"),  # Sunday 9-29 worked
    ("3个工作日内", date(2019, 9, 28), 2019, "2019-10-08"),  # 9-29, 9-30; 10-01..07 off
    ("5个工作日内", date(2019, 10, 7), 2019, "2019-10-12"),  # Saturday 10-12 worked
    ("1个工作日内", date(2018, 6, 16), Y, "2018-06-19"),  # weekend, then 端午
]

# --- refusals: impossible, ambiguous, vague, nonsense --------------------------------------------

REFUSED = [
    ("", A, Y, "date_empty"),
    ("   ", A, Y, "date_empty"),
    # impossible
    ("2月30日", A, Y, "date_no_such_day"),
    ("2月29日", A, 2019, "date_no_such_day"),
    ("2018年2月29日", A, Y, "date_no_such_day"),
    ("4月31日", A, Y, "date_no_such_day"),
    ("4月0日", A, Y, "date_no_such_day"),
    ("2100年2月29日", A, Y, "date_no_such_day"),
    ("下月30日", date(2019, 1, 15), 2019, "date_no_such_day"),
    ("2018-02-30", A, Y, "date_impossible"),  # ISO keeps its plain message
    ("2018-13-01", A, Y, "date_impossible"),
    ("2018.4.31", A, Y, "date_impossible"),
    ("2018年2-30", A, Y, "date_impossible"),
    ("13月底", A, Y, "date_no_such_month"),
    ("十三月", A, Y, "date_no_such_month"),
    ("0月1日", A, Y, "date_no_such_month"),
    ("2018-13", A, Y, "date_no_such_month"),
    # ambiguous
    ("30.4", A, Y, "date_month_day_order"),  # day-first is not guessed
    ("15/4", A, Y, "date_month_day_order"),
    ("18.4.30", A, Y, "date_year_short"),
    ("30日前", A, Y, "date_day_without_month"),
    ("15号", A, Y, "date_day_without_month"),
    ("4月前", A, Y, "date_ambiguous_before"),  # 03-31 or 04-30?
    ("4月份前", A, Y, "date_ambiguous_before"),
    ("2019年前", A, Y, "date_ambiguous_before"),
    ("一季度前", A, Y, "date_ambiguous_before"),
    ("上半年前", A, Y, "date_ambiguous_before"),
    ("本月前", A, Y, "date_ambiguous_before"),
    ("4月30日（周二）", A, Y, "date_weekday_mismatch"),
    ("12月10日至1月10日", A, Y, "date_range_backwards"),
    ("6-4月", A, Y, "date_range_backwards"),
    ("2018年4月10日-4月5日", A, Y, "date_range_backwards"),
    # vague
    ("尽快", A, Y, "date_vague"),
    ("适时", A, Y, "date_vague"),
    ("长期", A, Y, "date_vague"),
    ("长期坚持", A, Y, "date_is_term"),  # a term, kept in `due` as written (test_terms.py)
    ("常态化", A, Y, "date_is_term"),
    ("每月25日前", A, Y, "date_is_term"),
    ("每周五前", A, Y, "date_is_term"),
    ("近期", A, Y, "date_vague"),
    ("待定", A, Y, "date_vague"),
    ("某月某日", A, Y, "date_vague"),
    ("节前", A, Y, "date_vague"),  # names no festival
    ("节前完成", A, Y, "date_vague"),
    ("4月初", A, Y, "date_vague_period"),
    ("4月中", A, Y, "date_vague_period"),
    ("月中", A, Y, "date_vague_period"),
    ("年初", A, Y, "date_vague_period"),
    ("年中", A, Y, "date_vague_period"),
    ("周末", A, Y, "date_vague_period"),
    ("本周末", A, Y, "date_vague_period"),
    # more after the date that changes it
    ("明年某时", A, Y, "date_trailing"),
    ("4月底或5月初", A, Y, "date_trailing"),
    ("4月底左右", A, Y, "date_trailing"),
    ("4月30日前后", A, Y, "date_trailing"),
    ("4月底以后", A, Y, "date_trailing"),
    ("4月30日,5月30日", A, Y, "date_trailing"),
    ("4月30日、5月30日", A, Y, "date_trailing"),
    ("国庆期间", A, Y, "date_trailing"),
    ("春节后", A, Y, "date_trailing"),
    ("4/5/2018", A, Y, "date_trailing"),
    ("2018-04-30x", A, Y, "date_trailing"),
    # nonsense
    ("tomorrow", A, Y, "date_unreadable"),
    ("不知道", A, Y, "date_unreadable"),
    ("完工后", A, Y, "date_unreadable"),
    ("2018", A, Y, "date_unreadable"),
    ("4", A, Y, "date_unreadable"),
    ("截至", A, Y, "date_unreadable"),
    # limits
    ("0天内", A, Y, "date_count_zero"),
    ("99999999天内", A, Y, "date_out_of_range"),
    ("10个工作日内", date(2090, 6, 1), 2090, "calendar_year_unknown"),
    ("春节前", date(2099, 6, 1), 2099, "date_festival_unknown"),
    ("2100年春节前", A, Y, "date_festival_unknown"),
]

CASES = ABSOLUTE + FESTIVALS + RELATIVE + REFUSED


@pytest.mark.parametrize(("phrase", "as_of", "year", "expected"), CASES,
                         ids=[f"{c[0]}@{c[1]}/{c[2]}" for c in CASES])
def test_phrase(phrase, as_of, year, expected):
    assert _read(phrase, as_of, year) == expected


def test_there_are_well_over_a_hundred_phrase_cases():
    assert len(CASES) > 300


@pytest.mark.parametrize(("phrase", "as_of", "year", "key"), REFUSED,
                         ids=[f"{c[0]}@{c[1]}" for c in REFUSED])
def test_refusal_message_shows_what_was_read(phrase, as_of, year, key):
    with pytest.raises(DateError) as raised:
        parse_date(phrase, as_of=as_of, year=year)
    error = raised.value
    assert error.key in MESSAGES
    for lang in ("zh", "en"):
        text = message(error.key, lang, **error.args_)
        assert "{" not in text, text
        if error.key not in ("date_empty", "calendar_year_unknown", "date_vague",
                             "date_vague_period"):
            assert phrase.strip() in text, text


def test_messages_repeat_the_reading():
    with pytest.raises(DateError) as raised:
        parse_date("2月30日", year=2018)
    assert message(raised.value.key, "zh", **raised.value.args_) == "“2月30日”：2018年2月没有30日"
    with pytest.raises(DateError) as raised:
        parse_date("4月底或5月初", year=2018)
    zh = message(raised.value.key, "zh", **raised.value.args_)
    assert "4月底" in zh and "2018-04-30" in zh and "或5月初" in zh
    with pytest.raises(DateError) as raised:
        parse_date("4月前", year=2018)
    en = message(raised.value.key, "en", **raised.value.args_)
    assert "2018-03-31" in en and "2018-04-30" in en


# --- values typed into files: relative phrases are refused, a year is needed ---------------------

IN_FILE = [
    ("2018-04-30", None, "2018-04-30"),
    ("2018年4月底", None, "2018-04-30"),
    ("2018年4月10日至20日", None, "2018-04-20"),
    ("4月底", 2018, "2018-04-30"),
    ("4.30", 2019, "2019-04-30"),
    ("年底", 2018, "2018-12-31"),
    ("当年底", 2018, "2018-12-31"),
    ("春节前", 2018, "2018-02-15"),  # in a file: the festival of the repository's year
    ("春节前", 2019, "2019-02-04"),
    ("年前", 2018, "2018-02-15"),
    ("国庆前", 2019, "2019-09-30"),
    ("“五一”前", 2018, "2018-04-30"),
    ("元旦前", 2018, "date_ambiguous_newyear"),  # 2017-12-31 or 2018-12-31?
    ("16年9月底", None, "2016-09-30"),
    ("2016-2017年", None, "2017-12-31"),
    ("20180430", None, "2018-04-30"),
    ("立行立改", 2018, "date_relative_in_file"),
    ("立即整改", 2018, "date_relative_in_file"),
    ("半个月内", 2018, "date_relative_in_file"),
    ("次年6月", 2018, "2019-06-30"),
    ("4月底", None, "date_needs_year"),
    ("4.30", None, "date_needs_year"),
    ("年底", None, "date_needs_year"),
    ("春节前", None, "date_needs_year"),
    ("次年6月", None, "date_needs_year"),
    ("下周五", 2018, "date_relative_in_file"),
    ("今天", 2018, "date_relative_in_file"),
    ("本周内", 2018, "date_relative_in_file"),
    ("本月", 2018, "date_relative_in_file"),
    ("月底", 2018, "date_relative_in_file"),
    ("下月底", 2018, "date_relative_in_file"),
    ("今年底", 2018, "date_relative_in_file"),
    ("明年6月", 2018, "date_relative_in_file"),
    ("明年春节前", 2018, "date_relative_in_file"),
    ("3天内", 2018, "date_relative_in_file"),
    ("两周内", 2018, "date_relative_in_file"),
    ("3个月内", 2018, "date_relative_in_file"),
    ("10个工作日内", 2018, "date_relative_in_file"),
    ("本季度", 2018, "date_relative_in_file"),
    ("2月30日", 2018, "date_no_such_day"),
]


@pytest.mark.parametrize(("phrase", "year", "expected"), IN_FILE, ids=[c[0] for c in IN_FILE])
def test_in_file(phrase, year, expected):
    assert _read(phrase, None, year, relative=False) == expected


def test_relative_in_file_message_names_the_phrase():
    with pytest.raises(DateError) as raised:
        parse_date("下周五", year=2018, relative=False)
    assert "下周五" in message(raised.value.key, "en", **raised.value.args_)


def test_without_year_the_as_of_year_completes_the_phrase():
    assert parse_date("4月底", as_of=date(2019, 1, 5)) == date(2019, 4, 30)


def test_without_year_or_as_of_a_yearless_phrase_is_refused():
    with pytest.raises(DateError) as raised:
        parse_date("4月底")
    assert raised.value.key == "date_needs_year"


def test_a_date_passes_through():
    assert parse_date(date(2018, 4, 30)) == date(2018, 4, 30)


def test_relative_phrase_without_as_of_counts_from_today():
    assert parse_date("今天") == date.today()


# --- durations ---------------------------------------------------------------------------------

DURATIONS = [
    (120, 120), (0, 0), ("120", 120), ("120d", 120), ("120D", 120), ("120天", 120), ("120日", 120),
    (" 120 天 ", 120), ("3周", 21), ("3w", 21), ("3星期", 21), ("3个星期", 21), ("3个礼拜", 21),
    ("十天", 10), ("两周", 14), ("一百二十天", 120), ("120个工作日", 120), ("120工作日", 120),
    ("０", 0),
    (-1, "duration_negative"), ("-3", "duration_negative"), ("-3天", "duration_negative"),
    (True, "duration_unreadable"), ("abc", "duration_unreadable"), ("3.5", "duration_unreadable"),
    ("", "duration_unreadable"), ("天", "duration_unreadable"),
    ("3天半", "duration_unreadable"),
]


UNITS = [  # SPEC §3: a bare number counts the calendar; a unit makes a natural span
    (120, "counted", 120), ("120", "counted", 120), ("120天", "natural", 120),
    ("120日", "natural", 120), ("120d", "natural", 120), ("120自然日", "natural", 120),
    ("3周", "natural", 21), ("三周", "natural", 21), ("3w", "natural", 21),
    ("2个月", "months", 2), ("两个月", "months", 2), ("2月", "months", 2),
    ("15个工作日", "workdays", 15), ("十五个工作日", "workdays", 15),
]


@pytest.mark.parametrize(("value", "unit", "amount"), UNITS, ids=[repr(c[0]) for c in UNITS])
def test_duration_unit(value, unit, amount):
    got = parse_duration(value)
    assert (got.unit, int(got)) == (unit, amount)
    assert str(got) == str(value).strip()  # the wording is kept


@pytest.mark.parametrize(("value", "expected"), DURATIONS, ids=[repr(c[0]) for c in DURATIONS])
def test_duration(value, expected):
    try:
        got = parse_duration(value)
    except DateError as e:
        got = e.key
    assert got == expected


# --- properties ----------------------------------------------------------------------------------

_CN = "〇一二三四五六七八九"


def _cn_small(n: int) -> str:
    """1..31 the way clerks write them: 十, 十二, 二十, 二十五."""
    tens, units = divmod(n, 10)
    return ((_CN[tens] if tens > 1 else "") + "十" if tens else "") + (_CN[units] if units else "")


DAYS = st.dates(date(2004, 1, 1), date(2026, 12, 31))


@given(DAYS)
def test_every_day_reads_back(d):
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.year}年{d.month}月{d.day}日") == d
    assert parse_date(f"{d.month}月{d.day}日", year=d.year) == d
    assert parse_date(f"{d.month}月{d.day}日", year=d.year, relative=False) == d
    assert parse_date(f"{d.year}/{d.month}/{d.day}") == d
    assert parse_date(f"{d.month}.{d.day}", year=d.year) == d
    cn_year = "".join(_CN[int(c)] for c in str(d.year))
    assert parse_date(f"{cn_year}年{_cn_small(d.month)}月{_cn_small(d.day)}日") == d


@given(st.integers(2004, 2026), st.integers(1, 12))
def test_month_end_is_the_last_day_of_the_month(year, month):
    last = date(year, month, calendar.monthrange(year, month)[1])
    assert parse_date(f"{month}月底", year=year) == last
    assert parse_date(f"{month}月底前", year=year) == last
    assert parse_date(f"{_cn_small(month)}月底", year=year) == last
    assert parse_date(f"{month}月份", year=year) == last
    assert parse_date(f"{month}月下旬", year=year) == last
    assert parse_date(f"{year}年{month}月", year=2000) == last


@given(DAYS)
def test_month_end_phrases_from_as_of(d):
    assert parse_date("月底", as_of=d) == date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
    nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    assert parse_date("下月底", as_of=d) == date(nxt.year, nxt.month,
                                                  calendar.monthrange(nxt.year, nxt.month)[1])


@given(DAYS, st.integers(1, 7))
def test_next_week_day_lies_in_next_week(d, weekday):
    words = "一二三四五六日"
    got = parse_date(f"下周{words[weekday - 1]}", as_of=d)
    assert got.isoweekday() == weekday
    monday = d - timedelta(days=d.weekday())
    assert monday + timedelta(days=7) <= got <= monday + timedelta(days=13)
    assert parse_date("本周", as_of=d) == monday + timedelta(days=6)


@given(DAYS, st.integers(1, 400))
def test_within_n_days_and_weeks(d, n):
    assert parse_date(f"{n}天内", as_of=d) == d + timedelta(days=n)
    assert parse_date(f"{n}周内", as_of=d) == d + timedelta(days=7 * n)


@given(DAYS, st.integers(1, 36))
def test_within_n_months_is_the_same_day_or_the_months_last(d, n):
    got = parse_date(f"{n}个月内", as_of=d)
    index = d.year * 12 + d.month - 1 + n
    assert (got.year, got.month) == (index // 12, index % 12 + 1)
    assert got.day == min(d.day, calendar.monthrange(got.year, got.month)[1])


@settings(max_examples=50)
@given(st.dates(date(2018, 1, 1), date(2024, 10, 31)), st.integers(1, 30))
def test_within_n_workdays_is_the_nth_official_working_day(d, n):
    import chinese_calendar

    got = parse_date(f"{n}个工作日内", as_of=d)
    assert chinese_calendar.is_workday(got)
    counted = sum(chinese_calendar.is_workday(d + timedelta(days=i))
                  for i in range(1, (got - d).days + 1))
    assert counted == n


@given(st.integers(2004, 2026))
def test_spring_festival_eve_is_the_day_before_lunar_new_year(year):
    eve = parse_date("春节前", year=year, relative=False)
    assert parse_date("春节", year=year, relative=False) == eve + timedelta(days=1)
    assert parse_date("除夕", year=year, relative=False) == eve
    assert date(year, 1, 20) <= eve <= date(year, 2, 19)


_PHRASE_BITS = st.sampled_from(list("0123456789年月日号底前后内至到-./~周星期天个工作季度上中下旬半今明本次"
                                     "当去元旦春节国庆五一十二三四两〇廿(不含),、或某初末q:时点")
                                + ["清明", "除夕", "截至", "最迟", "（不含）", "工作日", "双十一"])


@settings(max_examples=500)
@given(st.lists(_PHRASE_BITS, max_size=10).map("".join), st.booleans(),
       st.sampled_from([None, 2018, 2100]))
def test_any_text_gives_a_date_or_a_message(text, relative, year):
    try:
        assert isinstance(parse_date(text, as_of=A, year=year, relative=relative), date)
    except DateError as e:
        assert e.key in MESSAGES
        for lang in ("zh", "en"):
            assert "{" not in message(e.key, lang, **e.args_)


# --- start-up --------------------------------------------------------------------------------------

def test_importing_the_reader_loads_no_heavy_library():
    code = ("import sys, taizhang.domain.dates; "
            "print([m for m in ('lunardate', 'chinese_calendar', 'dateutil') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- through the CLI, as SPEC §3 drives it -----------------------------------------------------------


def test_date_command__reads_new_phrases_from_the_as_of_day(cli, repo):
    root = repo(settings="year: 2018\n")
    result = cli("--dir", root, "--as-of", "2018-06-15", "date", "20180430", "半个月内", "“五一”前",
                 "16年9月底", "2016-2017年", "（2018—2020年）", "年前", "春节前", "元旦前", "立行立改")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines() == [
        "20180430\t2018-04-30", "半个月内\t2018-06-30", "“五一”前\t2019-04-30", "16年9月底\t2016-09-30",
        "2016-2017年\t2017-12-31", "（2018—2020年）\t2020-12-31", "年前\t2019-02-04",
        "春节前\t2019-02-04", "元旦前\t2018-12-31", "立行立改\t2018-06-15"]


def test_date_command__refuses_a_festival_that_is_not_named(cli, repo):
    result = cli("--dir", repo(), "--as-of", "2018-06-15", "date", "节前")
    assert result.exit_code == 1 and "节前" in result.stderr


def test_add__a_node_already_passed_is_kept_with_one_warning(cli, repo):
    root = repo(YT2="code: YT2\nname: 宇通二期项目\nitems: []\n")
    result = cli("--dir", root, "--as-of", "2018-06-15", "add", "YT2", "拆迁扫尾", "--due", "4月底")
    assert result.exit_code == 0, result
    warnings = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(warnings) == 1 and "2018-04-30" in warnings[0] and "已经过了" in warnings[0]
    assert "due: 2018-04-30" in (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")


def test_date_command__warns_of_a_passed_node_as_add_does(cli, repo):
    root = repo(YT2="code: YT2\nname: 宇通二期项目\nitems: []\n")
    shown = cli("--dir", root, "--as-of", "2018-06-15", "date", "3月底", "年底")
    added = cli("--dir", root, "--as-of", "2018-06-15", "add", "YT2", "拆迁扫尾", "--due", "3月底")
    assert shown.exit_code == 0 and shown.stdout.splitlines() == ["3月底\t2018-03-31", "年底\t2018-12-31"]
    [warning] = [line for line in shown.stderr.splitlines() if line.strip()]
    assert warning == "警告：“3月底” 是 2018-03-31，早于 2018-06-15：这个时间节点已经过了"
    assert added.stderr.strip() == warning.replace("警告：", "警告：--due ")


def test_add__a_coming_node_and_a_close_date_warn_nothing(cli, repo):
    root = repo(YT2="code: YT2\nname: 宇通二期项目\nitems: []\n")
    result = cli("--dir", root, "--as-of", "2018-06-15", "add", "YT2", "春节前签约", "--due", "春节前")
    assert result.exit_code == 0 and result.stderr.strip() == "", result
    assert "due: 2019-02-04" in (root / "ledgers" / "YT2.yaml").read_text(encoding="utf-8")
    result = cli("--dir", root, "--as-of", "2018-06-15", "close", "YT2-1", "--on", "2018-06-01")
    assert result.exit_code == 0 and result.stderr.strip() == "", result
