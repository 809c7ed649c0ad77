"""Words in Chinese (default) and English: messages, headers, light words."""

from __future__ import annotations

from typing import Any, Sequence

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
        # --- i15c ---
        "pending": "待审核", "overdue_notice": "督办超期", "notices_n": "督办{n}次",
        # --- i15b ---
        "group_leader": "包抓领导", "assist": "配合", "moved": "已调整",
        # Why a red item is red before its node (lights.Behind): said beside its title.
        "infeasible": "计划不可行", "lagging": "进度滞后",
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
        # --- i15c ---
        "pending": "pending", "overdue_notice": "notice overdue", "notices_n": "{n} notices",
        # --- i15b ---
        "group_leader": "Leader", "assist": "assisting", "moved": "moved",
        "infeasible": "infeasible as planned", "lagging": "behind schedule",
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
    # The rest of libyaml's problems (yamltext/read.py names every one it has): its English only in English.
    "yaml_syntax": ("YAML 语法错误：这里无法读懂——请检查引号、冒号和缩进", "YAML syntax error: {detail}"),
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
    "duration_too_long": ("工期“{text}”超过一百年，无法排期", "the duration '{text}' is longer than a hundred years"),
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
    # the kinds of files a repository reads (SPEC §2, §9)
    "file_symlink": ("是符号链接：台账只读仓库内的普通文件，不跟随链接（请换成文件本身）",
                     "is a symbolic link: only regular files inside the repository are read, links are not followed (put the file itself here)"),
    "file_not_regular": ("不是普通文件（FIFO、设备或套接字），不读取（请删去或换成普通文件）",
                         "is not a regular file (a FIFO, device or socket) and is not read (remove it or put a regular file here)"),
    "file_is_folder": ("是文件夹，不是文件，不读取（请删去或换成文件）",
                       "is a folder, not a file, and is not read (remove it or put the file here)"),
    "file_unreadable": ("无法读取：{detail}", "cannot be read: {detail}"),
    "folder_outside": ("是指向仓库外的符号链接：只读仓库内的文件（请把文件夹本身放在这里）",
                       "is a symbolic link out of the repository: only files inside it are read (put the folder itself here)"),
    "file_same_code": ("与 {other} 同为项目 {code} 的台账：一个项目只能有一个文件（请合并后删去其一），此文件未读取",
                       "is a second ledger of project {code} besides {other}: one file per project (merge them and remove one); this file is not read"),
    "file_name_reserved": ("文件名 {stem} 是 Windows 保留的设备名（CON、PRN、AUX、NUL、COM1–COM9、LPT1–LPT9），在 Windows 上无法检出；请改用其他项目代码",
                           "the file name {stem} is a device name Windows reserves (CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9) and cannot be checked out there; use another project code"),
    "id_other_project": ("事项编号 {id} 不属于项目 {code}（应以 {code}- 开头）",
                         "item id {id} does not belong to project {code} (must start with {code}-)"),
    "duplicate_id": ("事项编号 {id} 重复（第一次出现在第 {line} 行）", "duplicate item id {id} (first on line {line})"),
    "after_missing": ("前置事项 {ref} 在本项目中不存在", "predecessor {ref} does not exist in this project"),
    "after_cycle": ("前置事项形成循环：{cycle}", "predecessors form a cycle: {cycle}"),
    "calendar_year_unknown": ("日历不知道 {year} 年的法定节假日和调休；请在 calendars/{year}.yaml 中写明 year: {year}、days_off、work_days",
                              "the calendar does not know the official holidays of {year}; declare them in calendars/{year}.yaml (year: {year}, days_off, work_days)"),
    "calendar_forward_unknown": ("日历不知道 {year} 年的法定节假日和调休，无法从 {as_of} 起推算最早完成日期与浮动；可在 calendars/{year}.yaml 中写明该年",
                                 "the calendar does not know the official holidays of {year}: earliest finishes and slack from {as_of} are not computed; declare the year in calendars/{year}.yaml"),
    "calendar_no_counted_day": ("日历连续五十年没有任何工作日（一直找到 {day}）",
                                "the calendar has no working day in fifty years on end (searched as far as {day})"),
    "plan_beyond_dates": ("排期超出了能表示的日期（0001-01-01 至 9999-12-31）：请检查时间节点和工期",
                          "the plan runs past the dates there are (0001-01-01 to 9999-12-31): check the time nodes and durations"),
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
    "code_reserved": ("{code} 是 Windows 保留的设备名（CON、PRN、AUX、NUL、COM1–COM9、LPT1–LPT9），不能用作项目代码",
                      "{code} is a device name Windows reserves (CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9) and cannot be a project code"),
    "dir_not_folder": ("{path} 不是目录", "{path} is not a folder"),
    "name_too_long": ("文件名或路径太长，文件系统无法容纳：{path}", "a file name or path too long for the file system: {path}"),
    "dir_unusable": ("无法使用目录 {path}：{detail}", "cannot use the folder {path}: {detail}"),
    "as_of_range": ("{option} {date} 超出支持的日期范围（{first} 至 {last}）",
                    "{option} {date} is outside the supported range ({first} to {last})"),
    "already_closed": ("事项 {id} 已于 {date} 销号", "item {id} was closed already on {date}"),
    "not_closed": ("事项 {id} 尚未销号，无需重新打开", "item {id} is not closed"),
    "ledger_invalid": ("{path} 有错误，先修正再修改（taizhang check）", "{path} has errors; fix them first (taizhang check)"),
    "lock_timeout": ("台账 {name} 正被另一个命令写入，请稍后再试", "ledger {name} is being written by another command; try again"),
    "option_date": ("{option}：{detail}", "{option}: {detail}"),
    "set_syntax": ("“{arg}” 应写成 字段=值", "'{arg}' must be FIELD=VALUE"),
    "set_unknown_field": ("{target} 没有可修改的字段 {field}（可改：{allowed}）",
                          "{target} has no settable field {field} (settable: {allowed})"),
    "char_not_allowed": ("不允许的字符 {char}（控制字符或非字符，YAML 不能读取）：请删去",
                         "character {char} is not allowed (a control character or a non-character YAML cannot read): delete it"),
    "title_blank": ("事项名称（title）不能为空或只有空白", "an item's title cannot be empty or blank"),
    "set_required": ("{field} 是必填字段，不能清空", "{field} is required and cannot be emptied"),
    "set_invalid": ("{field}={value}：{detail}", "{field}={value}: {detail}"),
    "kind_invalid": ("类型应为 task、milestone 或 problem，而不是 {kind}", "kind must be task, milestone or problem, not {kind}"),
    "light_invalid": ("亮灯应为 red、yellow、green、none、done，而不是 {light}", "light must be red, yellow, green, none or done, not {light}"),
    # An option's value outside its vocabulary (a usage error: click says '--light 的值无效：' first).
    "option_choice": ("“{value}”不是 {allowed} 之一", "'{value}' is not one of {allowed}"),
    "option_not_with_invest": ("{option} 是列事项的选项，而 --invest 按项目列出投资：二者不能同用",
                               "{option} is about the items, and --invest lists projects' investment: they cannot be used together"),
    "internal_edit": ("内部错误：修改 {path} 的结果与预期不符，文件未改动（请报告此问题）",
                      "internal error: the edit of {path} did not read back as intended; the file is unchanged (please report)"),
    "lone_cr": ("换行符是单独的 CR（旧式 Mac 换行）：修改后无法保持原样，请先在编辑器中把换行改为 LF 或 CRLF，文件未改动",
                "the line breaks are bare CRs (old Mac style): an edit could not keep them; convert them to LF or CRLF "
                "in an editor first; the file is unchanged"),
    "file_not_ledger": ("{path} 不在 ledgers/ 或 calendars/ 中，也不是 taizhang.yaml 或 notices.yaml",
                        "{path} is neither in ledgers/ or calendars/ nor taizhang.yaml or notices.yaml"),
    "file_missing": ("文件 {path} 不存在", "file {path} does not exist"),
    "reopen_note": ("重新打开：{reason}（撤销 {date} {by} 的销号）", "reopened: {reason} (undoing the close of {date} by {by})"),
    "date_refused": ("{detail}", "{detail}"),
    "schedule_written": ("已写入 {n} 个倒排出的时间节点", "wrote {n} computed time nodes"),
    "reopen_old_note": ("；原销号说明：{value}", "; the close said: {value}"),
    "reopen_old_evidence": ("；原佐证：{value}", "; its evidence: {value}"),
    "invest_ok": ("已记录 {code} {month} 完成投资 {amount} 万元", "recorded {code} {month}: {amount} 万元 completed"),
    "import_busy": ("台账正被另一个命令反复修改或另一个导入正在进行，未导入任何内容，请稍后再试",
                    "the ledgers are being changed by other commands or another import is running; "
                    "nothing was imported, try again"),
    "write_failed": ("无法写入：{detail}（未改动任何文件）", "cannot write: {detail} (no file was changed)"),
    "io_failed": ("无法读写 {path}：{detail}", "cannot read or write {path}: {detail}"),
    "io_failed_bare": ("读写文件时出错：{detail}", "a file could not be read or written: {detail}"),
    "out_unwritable": ("无法写入 {path}：{detail}", "cannot write {path}: {detail}"),
    "out_symlink": ("不写入 {path}：它是符号链接（--out 不经符号链接写入）",
                    "will not write {path}: it is a symbolic link (--out never writes through a link)"),
    "out_protected": ("不能写入 {path}：它在 {where} 中，属于台账仓库的数据",
                      "will not write {path}: it is in {where}, the repository's data"),
    "out_not_pdf": ("不写入 {path}：要写的不是 PDF，不能存为 .pdf 文件（请换用 .txt、.md、.html、.xlsx 或 .docx）",
                    "will not write {path}: what would be written is not a PDF (use .txt, .md, .html, .xlsx or .docx)"),
    "out_is_dir": ("不写入 {path}：它是一个文件夹，请给出文件名", "will not write {path}: it is a folder; give a file name"),
    "written": ("已写入 {path}", "wrote {path}"),
    "report_needs_out": ("{format} 是二进制文件，请用 --out 指定要写入的文件，如 --out 周报.{format}",
                         "{format} is a binary format: name the file with --out, e.g. --out report.{format}"),
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
    # git: merge driver, git-setup, commits, log
    # (a ledger merges item by item, notices.yaml notice by notice: the words fit both)
    "merge_line_fallback": ("无法逐条合并，已改用 git 的逐行合并", "could not merge entry by entry; used git's line merge"),
    "merge_line_conflicts": ("逐行合并留下 {n} 处冲突：请解决后删去冲突标记",
                             "the line merge left {n} conflicts: resolve them and remove the markers"),
    "merge_line_review": ("逐行合并没有冲突，但无法逐条核对：请检查该文件（taizhang check）后再 git add",
                          "the line merge found no clash but could not be checked entry by entry: "
                          "look at the file (taizhang check), then git add it"),
    "merge_internal": ("按事项合并的结果未通过自检（{where}）", "the item-level merge failed its own check ({where})"),
    "merge_unreadable": ("无法读取合并的文件：{detail}", "cannot read a file to merge: {detail}"),
    "merge_renumbered": ("对方新增的 {old} {title} 与本方新增事项编号相同，已改为 {new}",
                         "their new item {old} {title} had the same id as one of ours: renumbered {new}"),
    "merge_conflict": ("合并冲突：{where} 的 {field} 两边改得不同（本方 {ours}，对方 {theirs}）；请保留一方并删去冲突标记",
                       "merge conflict: both sides changed {field} of {where} ({ours} / {theirs}); keep one and remove the markers"),
    "merge_conflict_deleted_ours": ("合并冲突：{id} 本方已删除，对方做了修改；请决定是否保留",
                                    "merge conflict: {id} was deleted on our side and changed on theirs"),
    "merge_conflict_deleted_theirs": ("合并冲突：{id} 对方已删除，本方做了修改；请决定是否保留",
                                      "merge conflict: {id} was deleted on their side and changed on ours"),
    "merge_notice_conflict": ("合并冲突：督办通知单 {number} 两边改得不同，无法按通知单合并",
                              "merge conflict: the notice {number} was changed differently on each side; "
                              "it cannot be merged notice by notice"),
    "merge_notice_deleted_theirs": ("督办通知单 {number} 对方已删除（或改了文号），无法按通知单合并",
                                    "the notice {number} was deleted (or renumbered) on their side; "
                                    "it cannot be merged notice by notice"),
    "merge_notice_deleted_ours": ("合并冲突：督办通知单 {number} 本方已删除（或改了文号），对方做了修改",
                                  "merge conflict: the notice {number} was deleted (or renumbered) on our side "
                                  "and changed on theirs"),
    "merge_notice_renumbered_both": ("合并冲突：督办通知单 {number} 两边各改成了不同的文号（{ours} / {theirs}），无法按通知单合并",
                                     "merge conflict: the notice {number} was renumbered differently on each side "
                                     "({ours} / {theirs}); it cannot be merged notice by notice"),
    "merge_notice_repeated_changed": ("文号 {number} 有 {n} 份督办通知单，一方删去或改号了其中的一份：分不清哪份对应哪份，"
                                      "无法按通知单合并",
                                      "{n} notices bear the number {number} and one side deleted or renumbered one of "
                                      "them: which is which cannot be told, so it cannot be merged notice by notice"),
    "merge_notice_number_repeated": ("文号 {number} 两边各发了一份督办通知单，合并后两份都保留，文号重复（共 {n} 份）；"
                                     "请人工更正文号（taizhang check 会报告）",
                                     "the number {number} was issued on both sides: both notices kept, the number is now "
                                     "repeated ({n} notices); put the numbers right by hand (taizhang check reports it)"),
    "merge_comment_not_carried": ("对方第 {line} 行新增的注释“{comment}”无法按事项合入",
                                  "their new comment on their line {line} ({comment}) could not be carried over item by item"),
    "merge_conflict_projects": ("合并冲突：本方“{ours}”与对方“{theirs}”是同一代码 {code} 下的两个不同项目，未合并；"
                                "请保留一方，另一方改用新代码",
                                "merge conflict: ours ({ours}) and theirs ({theirs}) are two different projects under "
                                "one code {code}; not merged: keep one and give the other a new code"),
    "merge_conflict_reused_id": ("合并冲突：{id} 的编号被重新使用（“{ours}”/“{theirs}”）：原事项已在一方删除，"
                                 "另一方对它的修改不能记到新事项上；请决定保留哪一个",
                                 "merge conflict: the id {id} was reused ({ours} / {theirs}): one side deleted "
                                 "the item and added another under its id; the other side's changes to the old "
                                 "item are not attached to the new one: decide which to keep"),
    "git_not_repo": ("{path} 不在 git 仓库中（先运行 git init）", "{path} is not in a git repository (run git init first)"),
    "git_commit_failed": ("已写入 {paths}，但 git 提交失败：{detail}", "wrote {paths}, but the git commit failed: {detail}"),
    "git_held_back": ("已写入，未提交：{paths} 有未提交的手工修改（或未提交的改动），本次改动与之相邻或重叠；请查看后自行提交",
                      "written, not committed: {paths} has uncommitted hand edits (or changes) next to or under this one;"
                      " look and commit by hand"),
    "git_index_left": ("已提交，但 git 的暂存区一直被占用，未能更新其中的 {paths}（可运行 git reset -q -- {paths}）",
                       "committed, but git's index stayed locked: {paths} not updated in it (run git reset -q -- {paths})"),
    "git_outside": ("不在 git 仓库中，已写入但未提交", "not in a git repository: written, not committed"),
    "history_unread": ("未能读取此台账的 git 历史（{reason}）：新编号只避开了文件、HEAD 和暂存区里的编号，"
                       "历史中删除过的编号可能再次被使用",
                       "the ledger's git history could not be read ({reason}): the new ids avoid only the "
                       "numbers the file, HEAD and the index hold; one deleted in an older commit may be given again"),
    "git_config_failed": ("无法写入 git 配置：{detail}", "cannot write the git config: {detail}"),
    "git_failed": ("git 出错：{detail}", "git failed: {detail}"),
    "git_setup_attributes": (".gitattributes 已加入：{lines}", ".gitattributes now has: {lines}"),
    "git_setup_config": ("已在本仓库的 git 配置中注册合并驱动 merge.taizhang：{command}",
                         "registered the merge driver merge.taizhang in this repository's git config: {command}"),
    "git_setup_done_before": ("按事项合并的驱动早已启用，未作改动", "the item-level merge driver was set up already; nothing changed"),
    "git_setup_no_path": ("PATH 中找不到 taizhang：git 合并台账时将退回逐行合并，冲突处留下冲突标记",
                          "taizhang is not on PATH: git will merge ledgers line by line, leaving conflict markers"),
    "git_setup_hint": ("提示：在 git 仓库中运行 taizhang git-setup，多人修改同一台账时按事项合并",
                       "hint: in a git repository, run taizhang git-setup to merge ledgers item by item"),
    "git_setup_by_init": ("已启用 git 按事项合并台账（taizhang git-setup）",
                          "set up git to merge ledgers item by item (taizhang git-setup)"),
    "log_target": ("{target} 既不是事项编号（如 YT2-3）也不是项目代码（如 YT2）",
                   "{target} is neither an item id (YT2-3) nor a project code (YT2)"),
    "log_none": ("git 历史中没有 {target} 的变更记录", "no changes to {target} in the git history"),
    "log_empty": ("（无）", "(none)"),
    "log_project_added": ("新建项目 {code} {name}", "created project {code} {name}"),
    "log_project_removed": ("删除项目台账 {code} {name}", "removed the ledger {code} {name}"),
    "log_project_field": ("修改项目 {code} 的{field}：{old} → {new}", "{code} {field}: {old} → {new}"),
    "log_invest": ("完成投资 {code} {month}：{old} → {new}", "investment completed {code} {month}: {old} → {new}"),
    "log_item_added": ("新增 {id} {title}", "added {id} {title}"),
    "log_item_due": ("（时间节点 {due}）", " (due {due})"),
    "log_item_removed": ("删除 {id} {title}", "removed {id} {title}"),
    "log_item_renumbered": ("合并时 {old} 改编号为 {id} {title}", "merged with a new id: {old} → {id} {title}"),
    "log_closed": ("销号 {id} {title}（销号日期 {date}，销号人 {by}）", "closed {id} {title} (on {date} by {by})"),
    "log_closed_note": ("；说明：{value}", "; note: {value}"),
    "log_closed_evidence": ("；佐证：{value}", "; evidence: {value}"),
    "log_reopened": ("撤销销号 {id} {title}（原销号 {date}，{by}）", "reopened {id} {title} (closed on {date} by {by})"),
    "log_close_changed": ("修改销号记录 {id} {title}：{old} → {new}", "changed the close of {id} {title}: {old} → {new}"),
    "log_due": ("调整时间节点 {id} {title}：{old} → {new}", "moved the time node of {id} {title}: {old} → {new}"),
    "log_field": ("修改 {id} {title} 的{field}：{old} → {new}", "{id} {title} {field}: {old} → {new}"),
    "log_note": ("进展 {id} {title}：{date} {by}：{text}", "note on {id} {title}: {date} {by}: {text}"),
    "log_notes_changed": ("改动了 {id} {title} 已有的进展记录", "edited earlier notes of {id} {title}"),
    # gantt, import, export (cli_exchange.py, gantt.py, exchange.py)
    "gantt_window": ("--to {end} 早于 --from {start}", "--to {end} is before --from {start}"),
    "gantt_beyond": ("{id} 的日期 {dates} 超出挂图的图幅（{start} 至 {end}；图幅自动选取时最多十年），画作图边的箭头；"
                     "若是笔误请改正，要画到它请用 gantt --from/--to",
                     "{id} ({dates}) lies beyond the chart ({start} to {end}; a chart fitted to its items spans at "
                     "most ten years), drawn as an arrow at its edge; correct it if mistyped, or give gantt --from/--to"),
    "import_old_excel": ("{suffix} 是旧版 Excel/WPS 格式，无法读取；请另存为 .xlsx 或 CSV 再导入",
                         "{suffix} is an old Excel/WPS format; save it as .xlsx or CSV and import that"),
    "import_format": ("不支持的文件类型 {suffix}：请用 .xlsx 或 .csv", "unsupported file type {suffix}: use .xlsx or .csv"),
    "import_unreadable": ("无法读取该文件：{detail}", "cannot read the file: {detail}"),
    "import_not_file_folder": ("这是文件夹，不是文件：请给出 .xlsx、.xls、.csv 或 .docx 文件",
                               "this is a folder, not a file: give an .xlsx, .xls, .csv or .docx file"),
    "import_not_file_fifo": ("这是命名管道（FIFO），不是普通文件，不读取：请给出 .xlsx、.xls、.csv 或 .docx 文件",
                             "this is a FIFO, not a regular file, and is not read: give an .xlsx, .xls, .csv or .docx file"),
    "import_not_file_device": ("这是设备，不是普通文件，不读取：请给出 .xlsx、.xls、.csv 或 .docx 文件",
                               "this is a device, not a regular file, and is not read: give an .xlsx, .xls, .csv or .docx file"),
    "import_not_file_socket": ("这是套接字，不是普通文件，不读取：请给出 .xlsx、.xls、.csv 或 .docx 文件",
                               "this is a socket, not a regular file, and is not read: give an .xlsx, .xls, .csv or .docx file"),
    "import_no_sheet": ("没有工作表“{sheet}”（有：{sheets}）", "no sheet '{sheet}' (there are: {sheets})"),
    "import_binary": ("文件含有二进制内容，不是 CSV（xlsx 请用 .xlsx 扩展名）",
                      "the file holds binary data and is not CSV (give an xlsx its .xlsx name)"),
    "import_encoding": ("无法识别 CSV 的编码（不是 UTF-8、UTF-16 或 GBK）", "cannot tell the CSV's encoding (not UTF-8, UTF-16 or GBK)"),
    "import_no_header": ("前 {rows} 行中找不到表头：需要“项目名称”和“事项/建设内容/工作任务”“责任单位”“时间节点”等列名",
                         "no header in the first {rows} rows: it needs 项目名称 (project) and columns such as 事项, 责任单位, 时间节点"),
    "import_no_project_column": ("表头中没有“项目名称”或“项目代码”列；整张表属于一个项目时，用 --project CODE 指定",
                                 "the header has no 项目名称 (project) or 项目代码 (code) column; for a sheet of one project use --project CODE"),
    "import_no_title_column": ("表头中没有事项列（事项、工作任务、建设内容、问题……）",
                               "the header has no item column (事项, 工作任务, 建设内容, 问题, ...)"),
    "import_bad_code": ("项目代码“{code}”无效：应为大写字母开头、至多 12 位的大写字母或数字",
                        "project code '{code}' is invalid: an upper-case letter, then up to 11 upper-case letters or digits"),
    "import_row_empty_key": ("这一行既没有项目名称，也没有事项", "this row has neither a project nor an item"),
    "import_no_project": ("这一行有事项，但没有项目名称（上面也没有可沿用的）", "this row has an item but no project (and none above to carry down)"),
    "import_bad_kind": ("类型“{value}”应为 任务、节点 或 问题", "kind '{value}' must be 任务/task, 节点/milestone or 问题/problem"),
    "import_bad_after": ("前置事项“{ref}”不是事项编号（如 YT2-3）", "predecessor '{ref}' is not an item id (e.g. YT2-3)"),
    "import_bad_stage": ("建设性质“{value}”应为 {allowed}", "stage '{value}' must be one of {allowed}"),
    "import_bad_calendar": ("日历“{value}”应为 natural（自然日）、workdays（工作日）或 weekdays（周一至周五）",
                            "calendar '{value}' must be natural, workdays or weekdays"),
    "import_date_number": ("{column}“{value}”是数字，不是日期（若是 Excel 的日期序号，请把该列设为日期格式）",
                           "{column} '{value}' is a number, not a date (an Excel date serial? format the column as dates)"),
    "import_bad_closed": ("销号情况“{value}”无法识别（可写：是/否、已销号/未销号，或销号日期）",
                          "cannot read the close status '{value}' (write 是/否, 已销号/未销号, or the date)"),
    "import_ledger_invalid": ("项目 {code} 的台账有错误，先修正再导入（taizhang check）",
                              "the ledger of {code} has errors; fix them before importing (taizhang check)"),
    "import_ambiguous_name": ("有多个项目名为“{name}”（{codes}）：请在表中加“项目代码”列",
                              "several projects are named '{name}' ({codes}): add a 项目代码 (code) column"),
    "import_new_without_name": ("新项目 {code} 没有项目名称", "new project {code} has no name"),
    "import_duplicate": ("事项“{title}”与第 {first} 行重复（同一项目中事项不能同名）",
                         "item '{title}' repeats row {first} (items of a project need distinct titles)"),
    "import_closed_conflict": ("是否销号为“否”，却填了销号日期", "the status says open, but a close date is given"),
    "import_after_unknown": ("前置事项 {ref} 既不在本表中，也不在该项目中", "predecessor {ref} is neither in this sheet nor in the project"),
    "import_formula_uncached": ("公式单元格没有保存计算结果（文件未经 Excel/WPS 打开保存）：请在 Excel 或 WPS 中打开并保存后再导入",
                                "a formula cell saved without its value (the file was never opened and saved in Excel/WPS): open and save it there, then import"),
    "import_term_ongoing": ("“{value}”是长期任务，没有时间节点：请写作 长期坚持、持续推进 或 常态化（或如 每月25日前 的周期节点），或写明日期",
                            "'{value}' is an ongoing duty with no time node: write 长期坚持, 持续推进 or 常态化 (or a recurring rule such as 每月25日前), or a date"),
    "import_old_office": ("{suffix} 是 WPS 或旧版 Word 的格式，无法读取；请另存为 .xlsx、.xls、.docx 或 CSV 再导入",
                          "{suffix} is a WPS or old Word format; save it as .xlsx, .xls, .docx or CSV and import that"),
    "import_format_known": ("不支持的文件类型 {suffix}：可导入 .xlsx、.xls、.csv 和 .docx 中的表格",
                            "unsupported file type {suffix}: import .xlsx, .xls, .csv or the tables of a .docx"),
    "import_no_table": ("文档中没有表格", "the document has no table"),
    "import_plan_columns": ("各列识别为：", "columns read as:"),
    "import_plan_column": ("  {cell} {header} → {role}", "  {cell} {header} → {role}"),
    "import_plan_from": ("  （项目名称在 {cell}）", "  (project named at {cell})"),
    "import_plan_item": ("  + {id} {title}（{cell}）时间节点 {due}", "  + {id} {title} ({cell}) time node {due}"),
    "import_moved_note": ("时间节点由 {before} 调整为 {after}（据{file}更新）", "time node moved from {before} to {after} (updated from {file})"),
    "import_update_note": ("  {id} {title}：新增进展“{text}”", "  {id} {title}: new progress '{text}'"),
    "import_update_close": ("  {id} {title}：销号（{date}）", "  {id} {title}: closed ({date})"),
    "import_update_due": ("  {id} {title}：时间节点 {before} → {after}（同时记入进展）", "  {id} {title}: time node {before} → {after} (also kept as a note)"),
    "import_update_moved": ("  {id} {title}：时间节点 {before} → {after}（记入调整记录，原因：{reason}）",
                            "  {id} {title}: time node {before} → {after} (kept under changes, reason: {reason})"),
    "import_moved_reason": ("据{file}更新", "据{file}更新"),  # what the ledger keeps: the clerk's language
    "import_update_title": ("  {id}：事项名称“{before}”改为“{after}”", "  {id}: title “{before}” changed to “{after}”"),
    "import_title_taken": ("事项名称“{title}”已是 {id} 的名称：按编号改名会使两个事项同名",
                           "the title “{title}” is {id}'s already: renaming by the id column would give two items one title"),
    "import_updated": ("更新：{n} 个已有事项有变化", "update: {n} items changed"),
    "import_bad_companion": ("导出文件的“{sheet}”表中金额无法读取", "an amount in the export's '{sheet}' sheet cannot be read"),
    "import_bad_companion_cell": ("导出文件的这一格无法读取：“{line}”", "this cell of the export cannot be read: '{line}'"),
    "import_progress_rows": ("读取行", "reading rows"),
    "import_progress_ledgers": ("写入台账", "writing ledgers"),
    "import_nothing_written": ("导入失败：{n} 处无法读取，未写入任何文件", "import failed: {n} problems, no file written"),
    "import_read": ("读取 {path}（{format}）：表头在第 {row} 行，{rows} 行数据",
                    "read {path} ({format}): header on row {row}, {rows} data rows"),
    "import_ignored": ("未导入的列：{columns}", "columns not imported: {columns}"),
    "import_new_project": ("新建项目 {code} {name}：{n} 个事项", "new project {code} {name}: {n} items"),
    "import_existing_project": ("项目 {code} {name}：新增 {n} 个事项，已有 {skipped} 个（跳过）",
                                "project {code} {name}: {n} items added, {skipped} already there (skipped)"),
    "import_done": ("导入完成：新建 {projects} 个项目，新增 {items} 个事项，跳过 {skipped} 个已有事项",
                    "imported: {projects} new projects, {items} items added, {skipped} already there skipped"),
    "import_dry_run": ("试运行：以上为将要写入的内容，未写入任何文件", "dry run: this is what would be written; no file written"),
    "export_needs_out": ("xlsx 是二进制文件，不能输出到终端：请用 --out 指定文件名",
                         "xlsx is binary and cannot go to the terminal: name a file with --out"),
    "import_plan_from_title": ("  （项目名称取自表格标题 {cell}）", "  (the project's name is the table's title, {cell})"),
    "import_plan_from_above": ("  （项目名称取自表格上方的标题）", "  (the project's name is the title above the table)"),
    "import_plan_from_file": ("  （表中没有项目名称，取自文件名）", "  (the table names no project: the file's name is its name)"),
    "import_sections_items": ("项目 {code} 的事项由分节行（{sections}）分组：台账不记录事项的分组，也不把分节当作项目的所属工程",
                              "project {code}: section rows ({sections}) group its items; a ledger does not record how items are grouped, nor takes a section for the project's program"),
    "import_assist_without_lead": ("有配合单位“{assist}”而没有牵头单位：排在第一的单位牵头，请填写牵头单位",
                                   "assisting units “{assist}” but no lead unit: the first unit named leads; fill in the lead unit"),
    "import_several_nodes": ("一格里有 {n} 个时间节点（{first}；{rest}）：一个事项只有一个时间节点，请分成 {n} 行",
                             "one cell holds {n} time nodes ({first}; {rest}): an item has one time node; split it into {n} rows"),
    "import_remark_note": ("备注：{text}", "备注：{text}"),  # what the ledger keeps: the clerk's language
    "out_suffix_mismatch": ("不写入 {path}：扩展名 {suffix} 是 {named} 文件的，而 --format 是 {format}（请让两者一致）",
                            "will not write {path}: {suffix} names a {named} file but --format is {format} (make them agree)"),
    "out_suffix_unknown": ("不知道 {path} 要写成哪种格式：请用扩展名 {suffixes}，或用 --format 指定",
                           "cannot tell which format {path} should be: use the suffix {suffixes}, or give --format"),
    # --- i15d ---
    "version": ("taizhang {version}", "taizhang {version}"),
    "closed_word": ("已销号", "closed"),
    "yaml_syntax_colon": ("YAML 语法错误：这一行缺少冒号——键后面应写“: ”（英文冒号加空格）",
                          "YAML syntax error: this line lacks the ':' after its key (a colon and a space)"),
    "yaml_syntax_mapping": ("YAML 语法错误：这里不能再有“键: 值”——值里有“: ”时请给值加引号，或检查缩进",
                            "YAML syntax error: no 'key: value' can stand here — quote a value holding ': ', "
                            "or check the indentation"),
    "yaml_syntax_char": ("YAML 语法错误：值不能以“{char}”开头——请给值加引号",
                         "YAML syntax error: a value cannot start with '{char}' — quote the value"),
    "yaml_syntax_quote": ("YAML 语法错误：这里的引号 {char} 没有配对的结束引号",
                          "YAML syntax error: the quote {char} opened here is never closed"),
    "yaml_syntax_flow": ("YAML 语法错误：这里的 {char} 没有配对的结束括号",
                         "YAML syntax error: the {char} opened here is never closed"),
    "yaml_syntax_indent": ("YAML 语法错误：缩进不对——同一层的键要左对齐，下一层多缩进两个空格",
                           "YAML syntax error: bad indentation — keys of one level line up, the next level "
                           "is indented further"),
    "yaml_syntax_tab": ("YAML 语法错误：不能用 Tab 缩进，请改用空格", "YAML syntax error: a tab cannot indent: use spaces"),
    "yaml_syntax_escape": ("YAML 语法错误：双引号里的“\\”转义写错了——要写反斜杠本身请写“\\\\”，或改用单引号",
                           "YAML syntax error: a bad '\\' escape in double quotes — write '\\\\' for a backslash, "
                           "or use single quotes"),
    "yaml_syntax_documents": ("YAML 语法错误：一个文件只能有一份文档——删去这里的“---”或“...”行",
                              "YAML syntax error: a file holds one document — remove the '---' or '...' line here"),
    "yaml_syntax_directive": ("YAML 语法错误：以“%”开头的行是 YAML 指令，台账用不到——删去这一行",
                              "YAML syntax error: a line starting with '%' is a YAML directive, which a ledger "
                              "does not use — remove the line"),
    "yaml_syntax_block": ("YAML 语法错误：“|”或“>”后面写错了——多行文字写“|”后另起一行，多缩进两格",
                          "YAML syntax error: bad '|' or '>' header — for text of several lines write '|', then "
                          "the lines below, indented further"),
    "yaml_syntax_line_end": ("YAML 语法错误：这里应当换行——同一行后面只能跟“# 注释”",
                             "YAML syntax error: the line should end here — only a '# comment' may follow"),
    "yaml_syntax_dash": ("YAML 语法错误：这里不能开始“- ”列表——列表项要另起一行并缩进，值以“-”开头时请加引号",
                         "YAML syntax error: no '- ' list can start here — put list entries on lines of their own, "
                         "indented; quote a value starting with '-'"),
    "yaml_syntax_question": ("YAML 语法错误：这里不能用“? ”——值以“?”开头时请加引号",
                             "YAML syntax error: no '? ' key can stand here — quote a value starting with '?'"),
    "yaml_syntax_content": ("YAML 语法错误：这里缺少值，或多了“]”“}}”“,”之类的符号",
                            "YAML syntax error: a value is missing here, or a stray ']', '}}' or ','"),
    # --- i15a ---
    "date_is_term": ("“{text}”不是一个日期，而是长期或周期性的期限：只能写在 due 里（add --due、set ID due=）",
                     "\"{text}\" is not one date but an ongoing or recurring term: it can only be a due "
                     "(add --due, set ID due=)"),
    "date_node_passed": ("{option}“{text}” 是 {date}，早于 {as_of}：这个时间节点已经过了",
                         "{option}\"{text}\" is {date}, before {as_of}: this time node has already passed"),
    # --- i15c ---
    "already_applied": ("事项 {id} 已于 {date} 申请销号，待审核：请 close 审核通过或 reject 退回",
                        "item {id} was applied for on {date} and awaits review: close or reject it"),
    "not_applied": ("事项 {id} 没有待审核的销号申请", "item {id} has no application for 销号 to reject"),
    "close_needs_date": ("事项 {id} 的销号日期未知：请用 --on 指定", "the close of {id} has no date: give --on"),
    "close_future": ("日期 {date} 晚于 --as-of {as_of}：不能提前销号或申请", "{date} is after --as-of {as_of}: a close or application cannot be dated in the future"),
    "note_future": ("进展日期 {date} 晚于 --as-of {as_of}：不能记录尚未发生的进展",
                    "progress report dated {date}, after --as-of {as_of}: a report cannot be dated in the future"),
    "apply_needs_evidence": ("申请销号需要佐证材料：--evidence 文字或文件", "an application needs evidence: --evidence TEXT or FILE"),
    "reject_needs_reason": ("退回需要原因：--reason", "a rejection needs --reason"),
    "reject_note": ("退回销号申请：{reason}（{date} {by} 的申请）", "application rejected: {reason} (applied {date} by {by})"),
    "applied_ok": ("已申请销号 {id} {title}（待审核）", "applied for 销号 {id} {title} (pending review)"),
    "rejected_ok": ("已退回 {id} {title} 的销号申请", "rejected the application of {id} {title}"),
    "evidence_unreadable": ("读不了佐证材料 {path}：{detail}", "cannot read evidence {path}: {detail}"),
    "evidence_not_file": ("佐证材料 {path} 不是普通文件（目录、管道或设备）", "evidence {path} is not a regular file (a directory, FIFO or device)"),
    "evidence_folder_invalid": ("{path} 不是仓库内的普通目录（符号链接或文件）", "{path} is not a plain folder inside the repository"),
    "notice_template": ("文号模板 {template} 需含 {{n}}（序号），否则文号会重复", "number template {template} needs {{n}}, or numbers would repeat"),
    "notice_template_bad": ("文号模板 {template} 读不了：只能用 {{year}} 和 {{n}}", "number template {template}: only {{year}} and {{n}} may be used"),
    "notice_none": ("没有需要督办的事项（{lights}）：未发通知", "no items to notify ({lights}): no notice issued"),
    "notice_ok": ("已发督办通知单 {number}：{unit}，{n} 项", "issued notice {number}: {unit}, {n} items"),
    "notice_needs_out": ("{format} 是二进制文件，不能输出到终端：请用 --out 指定文件名", "{format} is binary and cannot go to the terminal: name a file with --out"),
    "notice_unknown": ("没有文号为 {number} 的督办通知单", "no notice numbered {number}"),
    "notices_not_mapping": ("notices.yaml 的顶层应是键值对（notices: …）", "notices.yaml must be a mapping (notices: …)"),
    "notice_number_repeated": ("文号 {number} 重复（第一次出现在第 {line} 行）：每份督办通知单的文号应不同",
                               "notice number {number} repeated (first on line {line}): each notice needs its own number"),
    "notice_reply_repeated": ("文号 {number} 在 notices.yaml 中有 {n} 份（第 {lines} 行）：分不清反馈的是哪一份，"
                              "请先改正文号，未记录",
                              "{n} notices in notices.yaml are numbered {number} (lines {lines}): which one the reply "
                              "answers cannot be told; correct the numbers first; nothing recorded"),
    "notice_reply_by_past": ("办理时限 {date} 早于发文日期 {as_of}", "--reply-by {date} is before the notice's day {as_of}"),
    "reply_ok": ("已记录 {number}（{unit}）的反馈", "recorded the reply to {number} ({unit})"),
    "reply_before_notice": ("反馈日期 {date} 早于 {number} 的发文日期 {issued}", "reply dated {date}, before {number} was issued on {issued}"),
    "reply_future": ("反馈日期 {date} 晚于 --as-of {as_of}：不能记录尚未收到的反馈",
                     "reply dated {date}, after --as-of {as_of}: a reply cannot be dated in the future"),
    "reply_needs_text": ("反馈内容不能为空", "the reply text is empty"),
    "pdf_no_tool": ("没有找到可打印 PDF 的程序：请安装 Chromium（apt-get install chromium）或 LibreOffice（apt-get install libreoffice-writer）",
                    "no program to print a PDF: install Chromium (apt-get install chromium) or LibreOffice (apt-get install libreoffice-writer)"),
    "pdf_failed": ("打印 PDF 失败（{tool}）：{detail}", "printing the PDF failed ({tool}): {detail}"),
    # --- i18 --- (trend, the units' league table, dashboard)
    "trend_heading": ("亮灯与销号趋势（{by}）", "Trend of lights and closes ({by})"),
    "trend_by_week": ("按周", "by week"),
    "trend_by_month": ("按月", "by month"),
    "trend_as_of": ("截至", "As of"),
    "trend_period": ("周期", "Period"),
    "trend_items": ("事项总数", "items"),
    "trend_due": ("累计到期", "due (cumulative)"),
    "trend_closed": ("累计销号", "closed (cumulative)"),
    "trend_closed_late": ("逾期销号", "closed late"),
    "trend_moved": ("调整节点", "nodes moved"),
    "trend_completed": ("完成投资（万元）", "completed (10k yuan)"),
    "trend_timeline": ("序时进度（万元）", "time line (10k yuan)"),
    "trend_lights_title": ("各期末亮灯（事项数）", "Items by light at each period's end"),
    "trend_burnup_title": ("到期与销号（累计）", "Due and closed (cumulative)"),
    "trend_invest_title": ("本年完成投资与序时进度（万元）", "Investment this year against the time line (10k yuan)"),
    "trend_broken": ("另有 {n} 个台账文件在当时的提交中无法读取，未计入",
                     "{n} ledger files could not be read in their commits and are left out"),
    "trend_from_after": ("--from {start} 晚于 --as-of {end}", "--from {start} is after --as-of {end}"),
    "trend_no_history": ("git 历史中没有提交过的台账（ledgers/）", "no committed ledgers (ledgers/) in the git history"),
    "report_trend": ("趋势", "Trend"),
    "report_trend_para": ("{start}至{end}，按周（周一至周日）统计，每周按其最后一天、以当天及以前最后提交的台账评判"
                          "（事后补录的销号不改写以前各周）：各周末亮灯、累计到期与销号、逾期销号"
                          "以及本年完成投资与序时进度（有投资的项目）。",
                          "{start} to {end}, week by week (Monday to Sunday), each week judged on its last day from the "
                          "ledgers as last committed by then (a close entered later does not rewrite an earlier week): "
                          "lights at each week's end, items due and closed (cumulative), closed late, and completed "
                          "investment this year against the time line (projects recording investment)."),
    "report_trend_none": ("没有可画的趋势：台账不在 git 仓库中，或 git 历史中的台账还不足两周。",
                          "No trend to draw: the ledgers are not in git, or their git history spans less than two weeks."),
    "league_title": ("单位排名", "Units' league table"),
    "league_unit": ("责任单位", "Unit"),
    "league_items": ("事项", "Items"),
    "league_on_time": ("按期销号", "On time"),
    "league_closed_late": ("逾期销号", "Closed late"),
    "league_open_late": ("逾期未销号", "Overdue open"),
    "league_red": ("红灯", "Red now"),
    "league_rate": ("按期率", "On-time rate"),
    "league_rank": ("排名", "Rank"),
    "league_assist": ("（配合）", " (assisting)"),
    "league_notices": ("督办", "Notices"),
    "league_answered_late": ("逾期反馈", "Answered late"),
    "league_note": ("截至 {as_of} 累计：每个单位计其牵头和配合（标“配合”）的全部事项；按期率 = 按期销号 ÷（已销号 + 逾期未销号）；按期率相同者红灯少者在前。"
                    "督办 = 发给该单位的督办通知单件数；逾期反馈 = 其中反馈晚于办理时限、或办理时限已过仍未反馈的件数（不计入排名）。",
                    "to {as_of}, cumulative: each unit counts every item it leads or assists (marked); on-time rate = on time ÷ (closed + overdue open); at equal rates fewer reds rank first. "
                    "Notices: 督办通知单 issued to the unit; answered late: of them, answered after the reply-by day or still unanswered past it (not part of the rank)."),
    "dashboard_written": ("已写入 {n} 个页面：{path}", "wrote {n} pages: {path}"),
    "dashboard_refused": ("不能写入 {path}：{reason}", "will not write {path}: {reason}"),
    "dashboard_symlink": ("这是（或穿过）一个符号链接", "it is (or goes through) a symbolic link"),
    "dashboard_inside": ("它在台账仓库的 {folder}/ 中", "it is inside the repository's {folder}/"),
    "dashboard_not_dir": ("它已存在且不是文件夹", "it exists and is not a folder"),
    # --- i15b ---
    "target_invalid": ("目标数量“{text}”应为数字加单位，如 2836户", "target '{text}' should be a number and a unit, such as 2836户"),
    "reason_required": ("{target} 的时间节点（{field}）已是 {old}：调整、删去或改为期限，都须用 --reason 说明原因",
                        "{target} already has {field} {old}: moving, removing or replacing a time node needs --reason"),
    "reason_unused": ("--reason 只用于调整已有的时间节点（due 或 deadline）",
                      "--reason is only for moving an existing time node (due or deadline)"),
    "done_without_target": ("{id} 没有目标数量（target），不能记 --done", "{id} has no target, so --done has nothing to count against"),
    "done_invalid": ("--done 应为数字：“{text}”", "--done should be a number: '{text}'"),
    "move_line": ("原定 {old}，调整为 {new}，原因：{reason}（{date} {by}）",
                  "originally {old}, moved to {new}, because: {reason} ({date} {by})"),
    "log_due_moved": ("调整时间节点 {id} {title}：原定 {old}，调整为 {new}，原因：{reason}",
                      "moved the time node of {id} {title}: originally {old}, moved to {new}, because: {reason}"),
    "log_deadline_moved": ("调整项目 {code} 最终时间节点：原定 {old}，调整为 {new}，原因：{reason}",
                           "moved the deadline of {code}: originally {old}, moved to {new}, because: {reason}"),
    "quantity_line": ("完成量 {text}", "quantity {text}"),
    "quantity_lag": ("完成量落后于序时进度 {lag} 个百分点（{light}）",
                     "quantity lags time progress by {lag} points ({light})"),
}

# --- i15d ---
# What a clerk may type for a light or a kind in an option (SPEC §5), besides the code and the
# words the output itself prints (LIGHT_WORDS, LIGHT_NAMES, KIND_WORDS): the short forms said aloud.
LIGHT_SAYINGS = {"red": ("红",), "yellow": ("黄",), "green": ("绿",), "done": ("销号",), "none": ()}
KIND_SAYINGS = {"task": ("工作任务",), "milestone": ("里程碑",), "problem": ()}


def option_words(codes: tuple[str, ...], tables: tuple[dict[str, dict[str, str]], ...],
                 sayings: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Every word for each code → the code: the code itself, its words in both languages, its sayings."""
    words: dict[str, str] = {}
    for code in codes:
        for word in (code, *(t[lang][code] for t in tables for lang in t), *sayings.get(code, ())):
            words.setdefault(word.lower(), code)
    return words


def light_option_words(lights: tuple[str, ...]) -> dict[str, str]:
    return option_words(lights, (LIGHT_WORDS, LIGHT_NAMES), LIGHT_SAYINGS)


def kind_option_words(kinds: tuple[str, ...]) -> dict[str, str]:
    return option_words(kinds, (KIND_WORDS,), KIND_SAYINGS)


# Why the operating system refused a read or a write (an OSError), by errno's name: said in the
# line's language, never the C library's English (strerror) inside a Chinese line. The one place
# that words an errno; one not here is named with its number.
OS_REASONS: dict[str, tuple[str, str]] = {
    "ENOENT": ("文件或目录不存在", "no such file or folder"),
    "EACCES": ("没有权限", "permission denied"),
    "EPERM": ("没有权限（操作不被允许）", "operation not permitted"),
    "EROFS": ("只读文件系统", "read-only file system"),
    "ENOSPC": ("磁盘已满", "the disk is full"),
    "EDQUOT": ("超出磁盘配额", "disk quota exceeded"),
    "EFBIG": ("文件太大", "file too large"),
    "ENAMETOOLONG": ("文件名或路径太长", "file name or path too long"),
    "EISDIR": ("这是一个目录", "it is a folder"),
    "ENOTDIR": ("路径中有一段不是目录", "a part of the path is not a folder"),
    "ELOOP": ("符号链接层数过多（或不经符号链接打开）", "too many levels of symbolic links"),
    "EEXIST": ("文件已存在", "the file exists"),
    "EXDEV": ("不能跨文件系统移动", "cannot move across file systems"),
    "ENOTEMPTY": ("目录不是空的", "the folder is not empty"),
    "EBUSY": ("文件或设备正忙", "the file or device is busy"),
    "ETXTBSY": ("文件正被使用", "the file is in use"),
    "EIO": ("读写出错（输入/输出错误）", "input/output error"),
    "EINVAL": ("文件名或参数无效", "invalid file name or argument"),
    "EMFILE": ("打开的文件太多", "too many open files"),
    "ENFILE": ("打开的文件太多", "too many open files"),
    "ENXIO": ("设备不存在", "no such device"),
    "ENODEV": ("设备不存在", "no such device"),
    "EAGAIN": ("资源暂时不可用，请重试", "resource temporarily unavailable; try again"),
    "ETIMEDOUT": ("操作超时", "the operation timed out"),
    "ESTALE": ("网络文件系统的文件句柄已失效", "stale network file handle"),
    "ENOMEM": ("内存不足", "out of memory"),
}


class OsReason(str):
    """Why an OSError happened, as a message argument: its words in the default language (a str
    for whatever reads it as one), rendered by `message` in the line's own language."""

    errno_name: str
    strerror: str

    def __new__(cls, errno_name: str, strerror: str = "") -> OsReason:
        self = super().__new__(cls, os_reason_text(errno_name, strerror, "zh"))
        self.errno_name, self.strerror = errno_name, strerror
        return self

    def said(self, lang: str) -> str:
        return os_reason_text(self.errno_name, self.strerror, lang)


def os_reason(error: BaseException) -> str:
    """The reason to put in a message for `error`: an OSError's errno in words, anything else
    (a library's own complaint about a file's content) as its text."""
    import errno

    if not isinstance(error, OSError):
        return str(error)
    number = error.errno
    name = errno.errorcode.get(number, "") if isinstance(number, int) else ""
    return OsReason(name, error.strerror or str(error))


def os_reason_text(errno_name: str, strerror: str, lang: str) -> str:
    pair = OS_REASONS.get(errno_name)
    if pair is not None:
        return pair[1] if lang == "en" else pair[0]
    if lang == "en":
        return strerror or errno_name or "error"
    return f"系统错误 {errno_name}" if errno_name else f"系统错误：{strerror}"


def message(key: str, lang: str = "zh", /, **args: Any) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return key + (" " + repr(args) if args else "")
    template = pair[1] if lang == "en" else pair[0]
    if lang == "en" and any(isinstance(value, OsReason) for value in args.values()):
        args = {name: value.said(lang) if isinstance(value, OsReason) else value for name, value in args.items()}
    try:
        return template.format(**args)
    except (KeyError, IndexError):
        return template


def header(key: str, lang: str = "zh", /, **args: Any) -> str:
    text = HEADERS["en" if lang == "en" else "zh"][key]
    return text.format(**args) if args else text


def said(marks: Sequence[str], lang: str = "zh") -> str:
    """Marks after a title: （配合，已调整）, or ` (assists, moved)` in English — the one way every
    table, chart and notice says them."""
    return ("（" + "，".join(marks) + "）" if lang != "en" else " (" + ", ".join(marks) + ")") if marks else ""


def node_word(node: Any, lang: str = "zh") -> str:
    """Where a time node was moved to, as the month report, `why` and `log` say it: the day, the
    term that replaced it (长期坚持), or 无时限 when it was removed."""
    return light_word("none", lang) if node is None or node == "" else str(node)


def light_word(light: str, lang: str = "zh") -> str:
    return LIGHT_WORDS["en" if lang == "en" else "zh"][light]
