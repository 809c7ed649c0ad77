"""`why`: one short paragraph on why an item has its light — the time node and where it came
from, the days left or overdue, the rule that fired and the thresholds in force."""

from __future__ import annotations

from datetime import date

from taizhang.domain.calendars import calendar_name
from taizhang.domain.lights import item_node, light_reason, quantity_lit, term_start
from taizhang.domain.models import Item, Ledger, Settings
from taizhang.domain.schedule import Planned, time_node
from taizhang.i18n import LIGHT_NAMES, light_word, message, node_word


def explain(ledger: Ledger, item: Item, planned: Planned, as_of: date, settings: Settings, lang: str) -> str:
    en = lang == "en"
    if getattr(item, "term", None) is not None:
        return _explain_term(item, planned, as_of, settings, en)
    node = time_node(item, planned)
    light, rule = light_reason(item, node, as_of, settings.warn_days, infeasible=planned.infeasible,
                               start=planned.start)
    quantity = None
    if item.target is not None:
        lit, quantity = quantity_lit(item, light, node, planned.start, as_of, settings)
        if lit != light:
            light, rule = lit, "quantity_lag"
    by_id = {i.id: i for i in ledger.items}
    calendar = calendar_name(ledger.calendar or settings.calendar)
    word = light_word(light, lang)
    parts = [f"{item.id} {item.title}: " + (f"{word}." if en else f"{word}。")]

    # The time node, and where it came from.
    if node is None:
        parts.append("No time node: no due, no project deadline, no successor bounds it." if en
                     else "没有时间节点：事项没有 due，项目没有最终节点，也没有后续事项约束它。")
    elif item.due is not None:
        parts.append(f"Time node {node} is the item's own due." if en else f"时间节点 {node} 是事项自己的 due。")
    else:
        source = planned.bound_by
        if source == "closed":  # a closed item without a due ends on its close date
            why = "its close date" if en else "销号日期"
        elif source == "deadline":
            why = (f"the project deadline {ledger.deadline}" if en else f"项目最终节点 {ledger.deadline}")
        elif source in by_id:
            succ = by_id[source]
            why = (f"it must be done before {succ.id} {succ.title} starts" if en
                   else f"须在后续事项 {succ.id}「{succ.title}」开始之前完成")
        else:
            why = source or "-"
        parts.append((f"Time node {node} was computed by backward scheduling ({calendar} calendar): {why}."
                      if en else f"时间节点 {node} 由倒排工期算出（{calendar} 日历）：{why}。"))

    # Every move of the node, with its reason (SPEC §7: 原定…，调整为…，原因…).
    for change in item.changes:
        if change.field == "due":
            parts.append(_move_text(change, lang))

    # Days left or overdue.
    if item.closed is not None and item.closed.date <= as_of:
        # A moved node: the close is judged against the original one (SPEC §7).
        moves = [c for c in item.changes if c.field == "due" and c.from_ is not None]
        node = moves[0].from_ if moves else node
        late_days = (item.closed.date - node).days if node is not None else 0
        late = late_days > 0
        who = f" by {item.closed.by}" if en and item.closed.by else (f"（{item.closed.by}）" if item.closed.by else "")
        parts.append((f"Closed on {item.closed.date}{who}" + (f", {late_days} days after its time node." if late else ".")
                      ) if en else (f"已于 {item.closed.date} 销号{who}" + (f"，比时间节点晚 {late_days} 天（逾期销号）。" if late else "。")))
    elif node is not None:
        days = (node - as_of).days
        if days < 0:
            parts.append(f"On {as_of} it is {-days} days overdue." if en else f"截至 {as_of} 已逾期 {-days} 天。")
        elif days == 0:
            parts.append(f"It is due today, {as_of}." if en else f"今天（{as_of}）到期。")
        else:
            parts.append(f"On {as_of}, {days} days are left." if en else f"截至 {as_of} 还有 {days} 天。")

    # The rule that fired, with its threshold.
    w = settings.warn_days
    rules_en = {
        "closed": "Rule: a closed item is done (已销号), whatever its time node.",
        "no_node": "Rule: an open item without a time node is lit 无时限; give it a due (check warns).",
        "overdue": "Rule: open and past its time node: red.",
        "infeasible": (f"Rule: its schedule is infeasible: starting no earlier than {as_of}, it can finish "
                       f"{planned.earliest_finish} at the earliest, {-(planned.slack or 0)} counted days late: red."),
        "due_soon": f"Rule: open and within warn_days = {w} days of its time node: yellow.",
        "not_started": (f"Rule: its computed start {planned.start} has passed with no progress report since: "
                        "yellow."),
        "on_time": f"Rule: open, more than warn_days = {w} days before its time node: green.",
        "quantity_lag": (f"Rule: its share done lags its share of time by more than invest.yellow = "
                         f"{settings.invest.yellow} / invest.red = {settings.invest.red} points: {light}."),
    }
    rules_zh = {
        "closed": "规则：已销号的事项不再亮灯（已销号）。",
        "no_node": "规则：未销号且没有时间节点，亮「无时限」；请补上 due（check 会提示）。",
        "overdue": "规则：未销号且已过时间节点，亮红灯。",
        "infeasible": (f"规则：按倒排工期，从 {as_of} 起最早 {planned.earliest_finish} 才能完成，"
                       f"比时间节点晚 {-(planned.slack or 0)} 天（按项目日历），计划不可行，亮红灯。"),
        "due_soon": f"规则：未销号且距时间节点不超过 warn_days = {w} 天，亮黄灯。",
        "not_started": f"规则：倒排算出的开始日期 {planned.start} 已过，此后没有进展汇报，亮黄灯。",
        "on_time": f"规则：未销号，距时间节点超过 warn_days = {w} 天，亮绿灯。",
        "quantity_lag": (f"规则：完成量占比落后于时间进度超过 invest.yellow = {settings.invest.yellow} / "
                         f"invest.red = {settings.invest.red} 个百分点（时间过半、任务过半），亮{LIGHT_NAMES['zh'][light]}。"),
    }
    if quantity is not None:
        lag = "-" if quantity.lag is None else f"{quantity.lag:.1f}"
        parts.append(message("quantity_line", lang, text=quantity.text())
                     + (f"; behind time by {lag} points." if en else f"，落后序时进度 {lag} 个百分点。"))
    parts.append((rules_en if en else rules_zh)[rule])
    if planned.slack is not None and not planned.fixed and rule not in ("infeasible", "closed"):
        parts.append((f"Slack {planned.slack} counted days" + (" (critical)." if planned.critical else ".")) if en
                     else (f"浮动 {planned.slack} 天" + ("，在关键路径上。" if planned.critical else "。")))
    return ("" if en else "").join(p if not en else p + " " for p in parts).strip()


def _explain_term(item: Item, planned: Planned, as_of: date, settings: Settings, en: bool) -> str:
    """Why an item whose `due` is a term (SPEC §7) has its light: the term, its occurrence or
    its last report, and the rule."""
    term = item.term
    assert term is not None
    start = term_start(item, settings, as_of)
    node = item_node(item, planned, as_of, settings)
    light, rule = light_reason(item, node, as_of, settings.warn_days, start=start,
                               stale_days=settings.stale_days)
    parts = [f"{item.id} {item.title}: {light_word(light, 'en')}." if en
             else f"{item.id} {item.title}：{light_word(light, 'zh')}。"]
    if light == "done":
        assert item.closed is not None
        parts.append(f"Closed on {item.closed.date}." if en else f"已于 {item.closed.date} 销号。")
        return " ".join(parts) if en else "".join(parts)
    # A node replaced by this term was moved, with its reason (原定…，调整为 长期坚持，原因…).
    parts += [_move_text(change, "en" if en else "zh") for change in item.changes if change.field == "due"]
    last = max((n.date for n in item.notes if n.date <= as_of), default=None)
    w, stale = settings.warn_days, settings.stale_days
    if term.ongoing:
        parts.append(f"Its due “{term.text}” is an ongoing duty (长期): it has no time node and is never "
                     "red for lateness." if en else
                     f"期限“{term.text}”是长期性工作：没有时间节点，不因逾期亮红灯。")
        parts.append((f"Last report {last}." if last else f"No report since {start}.") if en
                     else (f"最近一次汇报 {last}。" if last else f"自 {start} 起没有汇报。"))
        parts.append(f"Rule: yellow when no report for more than stale_days = {stale} days, else green." if en
                     else f"规则：超过 stale_days = {stale} 天没有汇报亮黄灯，否则亮绿灯（长期）。")
        return " ".join(parts) if en else "".join(parts)
    assert node is not None
    parts.append(f"Its due “{term.text}” recurs; counted from the period holding {start}, a report dated "
                 f"inside a period meets its occurrence. The earliest occurrence not met is {node}." if en else
                 f"期限“{term.text}”周期性重复：从 {start} 所在的周期起算，周期内有进展汇报即完成该期。"
                 f"最早一期未完成的是 {node}，即时间节点。")
    days = (node - as_of).days
    if days < 0:
        parts.append(f"On {as_of} it is {-days} days overdue. Rule: an occurrence passed without a report: red."
                     if en else f"截至 {as_of} 已逾期 {-days} 天。规则：该期已过且没有汇报，亮红灯。")
    elif days <= w:
        parts.append(f"{days} days are left. Rule: within warn_days = {w} days of the occurrence: yellow." if en
                     else f"还有 {days} 天。规则：距该期不超过 warn_days = {w} 天，亮黄灯。")
    else:
        parts.append(f"{days} days are left. Rule: more than warn_days = {w} days before the occurrence: green."
                     if en else f"还有 {days} 天。规则：距该期超过 warn_days = {w} 天，亮绿灯。")
    return " ".join(parts) if en else "".join(parts)


def _move_text(change, lang: str) -> str:
    """原定 2018-09-30，调整为 2018-12-31，原因：征收方案调整（2018-06-01 督查室）。"""
    text = message("move_line", lang, old=change.from_ or "-", new=node_word(change.to, lang), reason=change.reason,
                   date=change.date, by=change.by or "?")
    return text + ("。" if lang != "en" else ".")
