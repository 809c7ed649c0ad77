"""Words in Chinese (default) and English: messages, headers, light words."""

from __future__ import annotations

from typing import Any

LIGHT_WORDS = {
    "zh": {"red": "逾期", "yellow": "临期", "green": "正常", "done": "已销号", "none": "无时限"},
    "en": {"red": "overdue", "yellow": "due soon", "green": "on track", "done": "closed",
           "none": "no deadline"},
}
LIGHT_NAMES = {
    "zh": {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "done": "已销号", "none": "无时限"},
    "en": {"red": "red", "yellow": "yellow", "green": "green", "done": "closed", "none": "no deadline"},
}
KIND_WORDS = {
    "zh": {"task": "任务", "milestone": "节点", "problem": "问题"},
    "en": {"task": "task", "milestone": "milestone", "problem": "problem"},
}

HEADERS = {
    "zh": {
        "light": "亮灯", "project": "项目", "item": "事项", "id": "编号", "due": "时间节点",
        "days_left": "剩余天数", "unit": "责任单位", "leader": "责任领导", "owner": "责任人",
        "closed_on": "销号日期", "red": "红", "yellow": "黄", "green": "绿", "none": "无",
        "done": "销号", "group_unit": "责任单位", "group_owner": "责任人", "responsible": "责任人/领导",
        "total": "合计", "as_of": "截至", "more": "另有 {n} 项未列出（--limit 调整）",
        "no_items": "（没有符合条件的事项）", "days_over": "逾期{n}天", "days_to": "剩{n}天",
        "today": "今日到期", "last_note": "最新进展", "reported": "汇报",
        "never_reported": "无汇报", "days_ago": "{n}天前", "stale": "久未汇报",
    },
    "en": {
        "light": "Light", "project": "Project", "item": "Item", "id": "ID", "due": "Due",
        "days_left": "Days left", "unit": "Unit", "leader": "Leader", "owner": "Owner",
        "closed_on": "Closed", "red": "R", "yellow": "Y", "green": "G", "none": "-",
        "done": "Done", "group_unit": "Unit", "group_owner": "Owner", "responsible": "Owner/leader",
        "total": "Total", "as_of": "As of", "more": "{n} more not shown (see --limit)",
        "no_items": "(no items match)", "days_over": "{n}d overdue", "days_to": "{n}d left",
        "today": "due today", "last_note": "Latest report", "reported": "Reported",
        "never_reported": "never", "days_ago": "{n}d ago", "stale": "stale",
    },
}

# key: (zh, en). Arguments are filled with str.format.
MESSAGES: dict[str, tuple[str, str]] = {
    "warning_prefix": ("警告：", "warning: "),
    # files and YAML
    "file_too_large": ("文件过大（超过 {mb} MB），不像台账", "file is larger than {mb} MB; not a ledger"),
    "encoding_utf16": ("文件是 UTF-16 编码；请另存为 UTF-8", "file is UTF-16; save it as UTF-8"),
    "encoding_not_utf8": ("不是 UTF-8 编码（可能是 GBK）；请另存为 UTF-8",
                          "not UTF-8 (GBK?); save the file as UTF-8"),
    "binary_file": ("文件含有二进制内容（NUL 字节），不是文本", "file holds binary data (NUL byte)"),
    "conflict_marker": ("git 合并冲突标记 {marker}：请先解决冲突",
                        "git conflict marker {marker}: resolve the merge first"),
    "too_deep": ("嵌套超过 {depth} 层，不是台账的结构", "nested deeper than {depth} levels"),
    "yaml_syntax": ("YAML 语法错误：{detail}", "YAML syntax error: {detail}"),
    "yaml_alias": ("不支持 YAML 锚点/别名（& 和 *）", "YAML anchors/aliases (& and *) are not allowed"),
    "yaml_complex_key": ("键必须是简单的文字", "a key must be plain text"),
    "yaml_tag": ("不支持的 YAML 标签 {tag}", "unsupported YAML tag {tag}"),
    "duplicate_key": ("重复的键 {key}", "duplicate key {key}"),
    "not_mapping": ("台账文件的顶层应是键值对（code: …、name: …）",
                    "a ledger's top level must be a mapping (code: …, name: …)"),
    "settings_not_mapping": ("taizhang.yaml 的顶层应是键值对", "taizhang.yaml must be a mapping"),
    "empty_ledger": ("台账文件是空的", "the ledger file is empty"),
    # model fields
    "missing": ("缺少必填字段 {field}", "missing required field {field}"),
    "extra_forbidden": ("未知字段 {field}（拼写错误？可用字段：{allowed}）",
                        "unknown field {field} (a typo? allowed: {allowed})"),
    "string_type": ("{field} 应为文字", "{field} must be text"),
    "int_type": ("{field} 应为整数", "{field} must be a whole number"),
    "bool_type": ("{field} 应为 true 或 false", "{field} must be true or false"),
    "list_type": ("{field} 应为列表", "{field} must be a list"),
    "dict_type": ("{field} 应为键值对", "{field} must be a mapping"),
    "literal_error": ("{field} 的取值应为 {expected}，而不是 {input}",
                      "{field} must be one of {expected}, not {input}"),
    "too_short": ("{field} 不能为空", "{field} must not be empty"),
    "greater_than_equal": ("{field} 不能小于 {ge}", "{field} must be at least {ge}"),
    "code_pattern": ("项目代码 {input} 无效：应为大写字母开头、至多 12 位的大写字母或数字",
                     "project code {input} is invalid: an upper-case letter, then up to 11 upper-case letters or digits"),
    "id_pattern": ("事项编号 {input} 无效：应为 <项目代码>-<序号>，如 YT2-3",
                   "item id {input} is invalid: <CODE>-<n>, e.g. YT2-3"),
    "month_pattern": ("月份 {input} 无效：应为 YYYY-MM", "month {input} is invalid: use YYYY-MM"),
    "calendar_invalid": ("{field} 应为 natural、workdays、weekdays 或 {{base, days_off, work_days}}",
                         "{field} must be natural, workdays, weekdays or {{base, days_off, work_days}}"),
    "value_invalid": ("{field} 的值无效：{detail}", "{field} is invalid: {detail}"),
    # dates, durations, amounts
    "date_empty": ("日期为空", "the date is empty"),
    "date_unreadable": ("无法识别的日期“{text}”（示例：2018-04-30）", "cannot read the date '{text}' (e.g. 2018-04-30)"),
    "date_impossible": ("日期“{text}”不存在", "the date '{text}' does not exist"),
    "date_not_text": ("日期应写成 YYYY-MM-DD，而不是 {text}", "a date is written YYYY-MM-DD, not {text}"),
    "date_no_such_month": ("“{text}”：没有{month}月", "'{text}': there is no month {month}"),
    "date_no_such_day": ("“{text}”：{year}年{month}月没有{day}日", "'{text}': {ym} has no day {day}"),
    "date_month_day_order": ("“{text}”按“月.日”读作{month}月{day}日，但没有{month}月（日在前的写法不予猜测）",
                             "'{text}' reads as month.day ({month}/{day}), but there is no month {month} (day-first dates are not guessed)"),
    "date_year_short": ("“{text}”：年份“{short}”只有两位，请写全四位（如 20{short}年）",
                        "'{text}': the year '{short}' has two digits; write all four (e.g. 20{short})"),
    "date_needs_year": ("“{text}”没有写年份，也不知道是哪一年：请写明年份（如 2018年4月30日），或在 taizhang.yaml 中设置 year",
                        "'{text}' has no year and none is known: write it (e.g. 2018年4月30日) or set year in taizhang.yaml"),
    "date_relative_in_file": ("“{text}”是相对日期，含义随当天而变，不能写在文件里；请写具体日期（taizhang date {text} 可换算）",
                              "'{text}' is relative to the day it is read, so it cannot stand in a file; write the date itself (taizhang date {text} converts it)"),
    "date_vague": ("“{word}”不是确定的日期；请写具体日期（如 2018-04-30）或期限（如 10个工作日内）",
                   "'{word}' is not a definite date; write a day (e.g. 2018-04-30) or a time limit (e.g. 10个工作日内)"),
    "date_vague_period": ("“{word}”不是确定的日期；请写成 {hint} 或具体日期",
                          "'{word}' is not a definite date; write {hint} or the day"),
    "date_ambiguous_before": ("“{text}”有歧义：可指 {before}（该期间开始前）或 {end}（该期间结束前）；请写成“…底前”或具体日期",
                              "'{text}' is ambiguous: by {before} (before the period starts) or by {end} (before it ends)? write '…底前' or the day"),
    "date_ambiguous_newyear": ("“{text}”有歧义：是 {before} 还是 {after}？请写明年份，如“{next_year}年元旦前”",
                               "'{text}' is ambiguous: {before} or {after}? write the year, e.g. '{next_year}年元旦前'"),
    "date_trailing": ("“{text}”：读到“{head}”即 {date}，但其后的“{rest}”使日期不确定；请只写一个确定的日期",
                      "'{text}': read '{head}' as {date}, but '{rest}' after it leaves the date open; write one definite date"),
    "date_range_backwards": ("“{text}”：结束日 {end} 早于开始日 {start}", "'{text}': the range ends ({end}) before it starts ({start})"),
    "date_day_without_month": ("“{text}”只有日（{day}日），没有月份；请写成“4月{day}日”或“本月{day}日”",
                               "'{text}' gives a day ({day}) but no month; write e.g. 4月{day}日 or 本月{day}日"),
    "date_count_zero": ("“{text}”：期限至少为 1", "'{text}': the time limit must be at least 1"),
    "date_festival_unknown": ("“{text}”：无法推算 {year} 年的{festival}", "'{text}': cannot work out {festival} in {year}"),
    "date_weekday_mismatch": ("“{text}”：{date} 是星期{actual_zh}，不是星期{written_zh}",
                              "'{text}': {date} is a {actual_en}, not a {written_en}"),
    "date_out_of_range": ("“{text}”超出了可表示的日期范围", "'{text}' is outside the dates that can be represented"),
    "duration_unreadable": ("无法识别的工期“{text}”（示例：120、120天、3周）",
                            "cannot read the duration '{text}' (e.g. 120, 120d, 3周)"),
    "duration_negative": ("工期不能为负数：{text}", "a duration cannot be negative: {text}"),
    "amount_unreadable": ("无法识别的金额“{text}”（示例：16亿、3000万元、1.2）",
                          "cannot read the amount '{text}' (e.g. 16亿, 3000万元, 1.2)"),
    "amount_empty": ("金额为空（示例：16亿、3000万元、1.2）", "the amount is empty (e.g. 16亿, 3000万元, 1.2)"),
    "amount_foreign": ("“{text}”：不支持外币（只记人民币，单位万元）",
                       "'{text}': foreign currency is not supported (the ledger records RMB only, in 万元)"),
    "amount_range": ("“{text}”是一个范围；台账要记一个确切金额（如 3亿）",
                     "'{text}' is a range; the ledger needs one exact figure (e.g. 3亿)"),
    "amount_approximate": ("“{text}”是约数（“{word}”）；台账要记确切金额（如 3亿）",
                           "'{text}' is approximate ('{word}'); the ledger needs an exact figure (e.g. 3亿)"),
    "amount_negative": ("“{text}”：金额不能为负数（完成投资不会是负的；记错了请改正那个月的数）",
                        "'{text}': an amount cannot be negative (completed investment never is; to correct one, fix that month's figure)"),
    "amount_percent": ("“{text}”是百分比，不是金额；请写金额（如 3000万元）",
                       "'{text}' is a percentage, not an amount; write the amount (e.g. 3000万元)"),
    "amount_unit_needed": ("“{text}”没有单位：带货币符号的数字通常指元，台账中不带单位的数字却指万元；请写明“元”或“万元”",
                           "'{text}' has no unit: after a currency sign a bare number usually means 元, in the ledger it means 万元; write 元 or 万元"),
    "amount_ambiguous_tail": ("“{text}”：末尾的“{tail}”没写单位，是万还是元、是几千还是几百，不予猜测；请写全（如 1亿2000万、3500万）",
                              "'{text}': '{tail}' at the end has no unit of its own (万 or 元? thousands or hundreds?) and is not guessed; write it out (e.g. 1亿2000万, 3500万)"),
    "amount_separator": ("“{text}”：千位分隔符的位置不对（应每三位一个，如 12,345.67万元）",
                         "'{text}': the thousands separator is misplaced (one every three digits, e.g. 12,345.67万元)"),
    "amount_too_precise": ("“{text}”即 {value} 万元，精确到了分以下；金额最多精确到分（万元的小数点后 6 位）",
                           "'{text}' is {value} 万元, finer than a fen (0.01 元); amounts go to the fen at most (6 decimals in 万元)"),
    "amount_too_large": ("“{text}”即 {value} 万元，达到 1亿亿元，不是真实金额（单位写错了？）",
                         "'{text}' is {value} 万元, 10^16 元 or more: not a real amount (a wrong unit?)"),
    "closed_empty": ("closed: 下面没有内容；销号至少要写 date（或删去 closed:）",
                     "closed: is empty; a close needs at least its date (or remove closed:)"),
    "after_bad_id": ("前置事项 {ref} 不是事项编号", "predecessor {ref} is not an item id"),
    # ledger rules
    "code_not_stem": ("项目代码 {code} 与文件名 {stem} 不一致", "code {code} does not match the file name {stem}"),
    "file_name_invalid": ("文件名 {stem} 不是有效的项目代码", "file name {stem} is not a valid project code"),
    "id_other_project": ("事项编号 {id} 不属于项目 {code}（应以 {code}- 开头）",
                         "item id {id} does not belong to project {code} (must start with {code}-)"),
    "duplicate_id": ("事项编号 {id} 重复（第一次出现在第 {line} 行）", "duplicate item id {id} (first on line {line})"),
    "after_missing": ("前置事项 {ref} 在本项目中不存在", "predecessor {ref} does not exist in this project"),
    "after_cycle": ("前置事项形成循环：{cycle}", "predecessors form a cycle: {cycle}"),
    "calendar_year_unknown": ("日历不知道 {year} 年的法定节假日和调休；请在 calendars/{year}.yaml 中写明 year: {year}、days_off、work_days",
                              "the calendar does not know the official holidays of {year}; declare them in calendars/{year}.yaml (year: {year}, days_off, work_days)"),
    "calendar_forward_unknown": ("日历不知道 {year} 年的法定节假日和调休，无法从 {as_of} 起推算最早完成日期与浮动；可在 calendars/{year}.yaml 中写明该年",
                                 "the calendar does not know the official holidays of {year}: earliest finishes and slack from {as_of} are not computed; declare the year in calendars/{year}.yaml"),
    "calendar_no_counted_day": ("日历在 {day} 附近没有任何工作日", "the calendar has no working day near {day}"),
    "schedule_infeasible": ("事项 {id} 按计划无法在时间节点前完成（差 {days} 天，按项目日历计）",
                            "item {id} cannot finish by its time node as planned ({days} days short, in the project's calendar)"),
    "after_self": ("事项 {id} 不能以自身为前置", "item {id} cannot come after itself"),
    "no_time_node": ("事项 {id} 没有时间节点（due）", "item {id} has no time node (due)"),
    "due_after_deadline": ("事项 {id} 的时间节点 {due} 晚于项目最终节点 {deadline}",
                           "item {id} is due {due}, after the project deadline {deadline}"),
    # commands and input
    "not_a_repo": ("找不到台账仓库（{start} 及其上级目录都没有 taizhang.yaml 或 ledgers/）；用 taizhang init 创建，或用 --dir 指定",
                   "no taizhang repository at or above {start} (no taizhang.yaml or ledgers/); run taizhang init or pass --dir"),
    "dir_missing": ("目录 {path} 不存在", "folder {path} does not exist"),
    "unknown_project": ("没有项目 {code}（ledgers/{code}.yaml 不存在）", "no project {code} (ledgers/{code}.yaml does not exist)"),
    "unknown_item": ("没有事项 {id}", "no item {id}"),
    "bad_item_id": ("{id} 不是事项编号（应为 <项目代码>-<序号>，如 YT2-3）", "{id} is not an item id (<CODE>-<n>, e.g. YT2-3)"),
    "bad_code": ("{code} 不是有效的项目代码（大写字母开头，至多 12 位大写字母或数字）",
                 "{code} is not a valid project code (an upper-case letter, then up to 11 upper-case letters or digits)"),
    "project_exists": ("项目 {code} 已存在：{path}", "project {code} exists already: {path}"),
    "already_closed": ("事项 {id} 已于 {date} 销号", "item {id} was closed already on {date}"),
    "not_closed": ("事项 {id} 尚未销号，无需重新打开", "item {id} is not closed"),
    "ledger_invalid": ("{path} 有错误，先修正再修改（taizhang check）", "{path} has errors; fix them first (taizhang check)"),
    "lock_timeout": ("台账 {name} 正被另一个命令写入，请稍后再试", "ledger {name} is being written by another command; try again"),
    "option_date": ("{option}：{detail}", "{option}: {detail}"),
    "set_syntax": ("“{arg}” 应写成 字段=值", "'{arg}' must be FIELD=VALUE"),
    "set_unknown_field": ("{target} 没有可修改的字段 {field}（可改：{allowed}）",
                          "{target} has no settable field {field} (settable: {allowed})"),
    "set_required": ("{field} 是必填字段，不能清空", "{field} is required and cannot be emptied"),
    "set_invalid": ("{field}={value}：{detail}", "{field}={value}: {detail}"),
    "kind_invalid": ("类型应为 task、milestone 或 problem，而不是 {kind}", "kind must be task, milestone or problem, not {kind}"),
    "light_invalid": ("亮灯应为 red、yellow、green、none、done，而不是 {light}", "light must be red, yellow, green, none or done, not {light}"),
    "internal_edit": ("内部错误：修改 {path} 的结果与预期不符，文件未改动（请报告此问题）",
                      "internal error: the edit of {path} did not read back as intended; the file is unchanged (please report)"),
    "file_not_ledger": ("{path} 不在 ledgers/ 中，也不是 taizhang.yaml", "{path} is neither in ledgers/ nor taizhang.yaml"),
    "file_missing": ("文件 {path} 不存在", "file {path} does not exist"),
    "reopen_note": ("重新打开：{reason}（撤销 {date} {by} 的销号）", "reopened: {reason} (undoing the close of {date} by {by})"),
    "date_refused": ("{detail}", "{detail}"),
    "schedule_written": ("已写入 {n} 个倒排出的时间节点", "wrote {n} computed time nodes"),
    "reopen_old_note": ("；原销号说明：{value}", "; the close said: {value}"),
    "reopen_old_evidence": ("；原佐证：{value}", "; its evidence: {value}"),
    "invest_ok": ("已记录 {code} {month} 完成投资 {amount} 万元", "recorded {code} {month}: {amount} 万元 completed"),
    "out_unwritable": ("无法写入 {path}：{detail}", "cannot write {path}: {detail}"),
    "written": ("已写入 {path}", "wrote {path}"),
    # results
    "added": ("{id}", "{id}"),
    "closed_ok": ("已销号 {id} {title}", "closed {id} {title}"),
    "reopened_ok": ("已重新打开 {id} {title}", "reopened {id} {title}"),
    "noted_ok": ("已记录进展 {id}", "noted {id}"),
    "set_ok": ("已修改 {target}：{changes}", "changed {target}: {changes}"),
    "new_ok": ("已创建项目 {code}：{path}", "created project {code}: {path}"),
    "init_ok": ("已创建台账仓库：{path}", "created a ledger repository: {path}"),
    "init_exists": ("{path} 已存在，保持不变", "{path} exists already; left as it is"),
    "schema_ok": ("已写入 {path}", "wrote {path}"),
    "check_ok": ("检查了 {files} 个文件：{errors} 个错误，{warnings} 个警告",
                 "checked {files} files: {errors} errors, {warnings} warnings"),
}


def message(key: str, lang: str = "zh", /, **args: Any) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return key + (" " + repr(args) if args else "")
    template = pair[1] if lang == "en" else pair[0]
    try:
        return template.format(**args)
    except (KeyError, IndexError):
        return template


def header(key: str, lang: str = "zh", /, **args: Any) -> str:
    text = HEADERS["en" if lang == "en" else "zh"][key]
    return text.format(**args) if args else text


def light_word(light: str, lang: str = "zh") -> str:
    return LIGHT_WORDS["en" if lang == "en" else "zh"][light]
