"""The ledger and settings models: the only source of every rule and of the JSON Schema."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date as Date
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from taizhang.domain.amounts import AmountError, parse_amount
from taizhang.domain.calendars import DEFAULT_CALENDAR, CalendarName
from taizhang.domain.durations import Duration
from taizhang.domain.ids import CODE_PATTERN, ITEM_ID_PATTERN, is_item_id
from taizhang.domain.terms import Term

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
Kind = Literal["task", "milestone", "problem"]
KINDS: tuple[Kind, ...] = get_args(Kind)
DEFAULT_KIND: Kind = "task"
Stage = Literal["新建", "续建", "前期"]
STAGES: tuple[Stage, ...] = get_args(Stage)
Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)


def _file_date(value: Any, info: ValidationInfo) -> Date:
    """A date typed into a file: ISO, or an absolute phrase read with the repository's year."""
    if type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:  # the common case, `2018-04-30`, without the phrase grammar
            return Date.fromisoformat(value)
        except ValueError:
            pass  # an impossible ISO date: the parser says why
    if isinstance(value, Date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("tz_date", "{key}", {"key": "date_not_text", "text": str(value)})
    from taizhang.domain.dates import DateError, parse_date  # the phrase grammar, only for a phrase

    year = (info.context or {}).get("year")
    try:
        return parse_date(value, year=year, relative=False)
    except DateError as e:
        raise PydanticCustomError("tz_date", "{key}", {"key": e.key, **e.args_}) from None


def _item_ref(value: str) -> str:
    if not is_item_id(value):
        raise PydanticCustomError("tz_after", "{key}", {"key": "after_bad_id", "ref": value})
    return value


def _amount(value: Any) -> Decimal:
    try:
        return parse_amount(value)
    except AmountError as e:
        raise PydanticCustomError("tz_amount", "{key}", {"key": e.key, **e.args_}) from None


# The longest duration read: a hundred years (in months, 1,200). A plan of a longer one walks
# past every calendar there is (800,000 days overflowed Python's dates: a traceback).
MAX_DURATION_DAYS = 36_600
MAX_DURATION_MONTHS = 1_200


def _duration(value: Any) -> Duration:
    if type(value) is int and 0 <= value <= MAX_DURATION_DAYS:
        return Duration(value)  # the common case, without the phrase grammar
    if isinstance(value, Duration):
        duration = value
    else:
        from taizhang.domain.dates import DateError, parse_duration

        try:
            duration = parse_duration(value)
        except DateError as e:
            raise PydanticCustomError("tz_duration", "{key}", {"key": e.key, **e.args_}) from None
    if duration > (MAX_DURATION_MONTHS if duration.unit == "months" else MAX_DURATION_DAYS):
        raise PydanticCustomError("tz_duration", "{key}", {"key": "duration_too_long", "text": str(value)})
    return duration


LedgerDate = Annotated[
    Date,
    BeforeValidator(_file_date),
    WithJsonSchema({"type": "string", "description": "ISO 日期 YYYY-MM-DD（或 4月底 之类的绝对日期短语）"}),
]
Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    WithJsonSchema({"type": ["number", "string"],
                    "description": "万元；或带单位的字符串，如 16亿、3000万元"}),
]


def _node_or_term(value: Any, info: ValidationInfo) -> Any:
    # A move's `to:` is the new time node, or the term (长期坚持, 每月25日前) that replaced it;
    # a date is read as any date in a file (an ISO date never reaches the term grammar).
    if type(value) is str and not value.strip()[:1].isdigit():
        from taizhang.domain.terms import parse_term

        if parse_term(value) is not None:
            return value.strip()
    return _file_date(value, info)


NodeOrTerm = Annotated[
    Union[Date, str],
    BeforeValidator(_node_or_term),
    WithJsonSchema({"type": "string", "description": "ISO 日期 YYYY-MM-DD；或改为的期限（长期坚持、每月25日前 …）"}),
]
LedgerDuration = Annotated[
    int,
    PlainValidator(_duration),  # a Duration (an int that knows its unit), never cast back to int
    WithJsonSchema({"type": ["integer", "string"],
                    "description": "工期：120（按项目日历计的天数）；120天、120d、3周、2个月（自然日）；"
                                   "15个工作日（法定工作日）"}),
]
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Closed(_Strict):
    """销号: the item is done."""

    date: LedgerDate = Field(title="销号日期", description="完成（销号）的日期")
    by: Optional[str] = Field(None, title="销号人")
    note: Optional[str] = Field(None, title="销号说明")
    evidence: Optional[str] = Field(None, title="佐证材料", description="如归档号、验收文件")
    verified_by: Optional[str] = Field(None, title="审核人", description="审核销号申请的人（§7 两步销号）")


class Apply(_Strict):
    """A 销号 applied for by the unit (§7): the item is 待审核 until `close` verifies it or
    `reject` turns it down."""

    date: LedgerDate = Field(title="申请日期")
    by: Optional[str] = Field(None, title="申请人")
    evidence: Optional[str] = Field(None, title="佐证材料", description="文字，或 evidence/<ID>/ 下的文件")
    note: Optional[str] = Field(None, title="申请说明")


class Note(_Strict):
    """A progress report (进展情况), as given at 日汇报/周例会."""

    date: LedgerDate = Field(title="日期")
    by: Optional[str] = Field(None, title="汇报人")
    text: Text = Field(title="进展情况")
    done: Optional[Amount] = Field(None, title="已完成量", description="对照事项的 target，如 1120")


class Change(_Strict):
    """A moved time node (调整时间节点), as `set … --reason` records it: moved to another day,
    replaced by a term (`to: 长期坚持`), or removed (`to: null`)."""

    date: LedgerDate = Field(title="调整日期")
    by: Optional[str] = Field(None, title="调整人")
    field: Literal["due", "deadline"] = Field(title="字段")
    from_: Optional[LedgerDate] = Field(None, alias="from", title="原时间节点")
    to: Optional[NodeOrTerm] = Field(None, title="新时间节点", description="新的日期；改为的期限；null：删去时间节点")
    reason: Text = Field(title="调整原因")


def _target(value: Any) -> Any:
    # `target: 2836户`: validated here, read as (number, unit) by domain/quantities.
    from taizhang.domain.quantities import QuantityError, parse_quantity

    try:
        parse_quantity(value)
    except QuantityError:
        raise PydanticCustomError("tz_target", "{key}", {"key": "target_invalid", "text": str(value)}) from None
    return str(value) if not isinstance(value, str) else value


UnitField = Union[str, list[Text]]
Target = Annotated[
    str,
    BeforeValidator(_target),
    WithJsonSchema({"type": ["number", "string"], "description": "数量与单位，如 2836户、12公里"}),
]


class Item(_Strict):
    """One time node, task or problem of a project (台账事项)."""

    id: str = Field(title="编号", description="<项目代码>-<序号>，如 YT2-3；不重复使用",
                    pattern=ITEM_ID_PATTERN)
    title: Text = Field(title="事项")
    kind: Kind = Field(
        DEFAULT_KIND, title="类型", description="task 任务（默认）| milestone 节点 | problem 问题台账")
    due: Optional[LedgerDate] = Field(
        None, title="时间节点",
        description="完成时限（含当天）；或不是一个日期的期限：长期坚持、持续推进、常态化，每月25日前、每季度末月20日前、每年12月底前、每周五前")
    duration: Optional[LedgerDuration] = Field(
        None, title="工期", description="数字为按项目日历计的天数；带单位（120天、3周、2个月）为自然日；N个工作日按法定工作日")
    after: list[Annotated[str, AfterValidator(_item_ref)]] = Field(
        default_factory=list, title="前置事项", description="须先完成的事项编号")
    owner: Optional[str] = Field(None, title="责任人")
    unit: Optional[UnitField] = Field(None, title="责任单位",
                                      description="不填则为项目的责任单位；多个单位用“、”分隔或写成列表，第一个牵头")
    leader: Optional[str] = Field(None, title="责任领导", description="不填则为项目的责任领导")
    target: Optional[Target] = Field(None, title="目标数量", description="如 2836户；进展可记 done")
    measures: Optional[str] = Field(None, title="整改措施", description="问题台账的整改措施")
    apply: Optional[Apply] = Field(None, title="销号申请", description="存在即待审核（§7）")
    closed: Optional[Closed] = Field(None, title="销号", description="存在即已销号")
    notes: list[Note] = Field(default_factory=list, title="进展情况", description="按时间先后")
    changes: list[Change] = Field(default_factory=list, title="时间节点调整", description="按时间先后")
    from_: Optional[LedgerDate] = Field(
        None, alias="from", title="起算日期",
        description="周期性期限（每月25日前…）从哪一天所在的周期起算；默认为 year 年的 1 月 1 日")
    # A `due` that is not one date (长期坚持, 每月25日前: terms.py). It is read from `due` and
    # kept apart, so that `due` stays a date (or None) for everything that plans and compares.
    term: SkipJsonSchema[Optional[Term]] = Field(None, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _due_term(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if "term" in data:  # only `due` says a term; a `term:` typed into a file is unknown
            raise PydanticCustomError("extra_forbidden", "Extra inputs are not permitted")
        due = data.get("due")
        if type(due) is str and not due[:1].isdigit():  # ISO dates never reach the term grammar
            from taizhang.domain.terms import parse_term

            term = parse_term(due)
            if term is not None:
                return {**data, "due": None, "term": term}
        return data

    @field_validator("after", mode="before")
    @classmethod
    def _after_list(cls, value: Any) -> Any:
        # `after: YT2-1` is a natural shorthand for a one-element list.
        return [value] if isinstance(value, str) else value

    @field_validator("closed", mode="before")
    @classmethod
    def _closed_needs_content(cls, value: Any) -> Any:
        # `closed:` left empty would read as "open": a half-typed 销号 must be seen, not dropped.
        if value is None:
            raise PydanticCustomError("tz_closed", "{key}", {"key": "closed_empty"})
        return value

    @field_validator("notes", "after", "changes", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class Investment(_Strict):
    """投资: amounts in 万元."""

    total: Optional[Amount] = Field(None, title="总投资")
    planned: dict[int, Amount] = Field(default_factory=dict, title="年度计划投资",
                                       description="按年：{2018: 16亿}")
    completed: dict[Annotated[str, Field(pattern=MONTH_PATTERN)], Amount] = Field(
        default_factory=dict, title="完成投资", description="按月：{2018-03: 1.2亿}")


class CalendarRule(_Strict):
    """A base calendar with extra days off and working days."""

    base: CalendarName = Field(DEFAULT_CALENDAR, title="基础日历")
    days_off: list[LedgerDate] = Field(default_factory=list, title="额外休息日")
    work_days: list[LedgerDate] = Field(default_factory=list, title="额外工作日")


CalendarSpec = Union[CalendarName, CalendarRule]


class Ledger(_Strict):
    """A key project's ledger (重点项目台账): one file `ledgers/<code>.yaml`."""

    model_config = ConfigDict(extra="forbid", frozen=True,
                              json_schema_extra={"title": "台账", "$comment": "由 taizhang schema 生成"})

    code: str = Field(title="项目代码", description="大写字母开头，至多 12 位，等于文件名",
                      pattern=CODE_PATTERN)
    name: Text = Field(title="项目名称")
    program: Optional[str] = Field(None, title="所属工程/专项")
    stage: Optional[Stage] = Field(None, title="建设阶段")
    unit: Optional[UnitField] = Field(None, title="责任单位",
                                      description="多个单位用“、”分隔或写成列表，第一个牵头")
    leader: Optional[str] = Field(None, title="责任领导")
    owner: Optional[str] = Field(None, title="责任人")
    deadline: Optional[LedgerDate] = Field(None, title="最终时间节点", description="含当天")
    calendar: Optional[CalendarSpec] = Field(None, title="日历",
                                             description="natural（默认）| workdays | weekdays")
    investment: Optional[Investment] = Field(None, title="投资")
    changes: list[Change] = Field(default_factory=list, title="最终时间节点调整", description="按时间先后")
    items: list[Item] = Field(default_factory=list, title="事项")

    @field_validator("items", "changes", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class InvestThresholds(_Strict):
    yellow: Decimal = Field(Decimal(10), title="黄灯阈值（百分点）")
    red: Decimal = Field(Decimal(30), title="红灯阈值（百分点）")


class GitSettings(_Strict):
    commit: bool = Field(False, title="每次写入后提交")


class ReportSettings(_Strict):
    """The headings the day, week and month reports print (`taizhang report`), where an office
    names its own 简报 (e.g. 经开区重点项目周调度会简报); unset: the built-in ones."""

    day: Optional[str] = Field(None, title="日报标题", description="默认：重点项目日汇报")
    week: Optional[str] = Field(None, title="周报标题", description="默认：重点项目周例会简报")
    month: Optional[str] = Field(None, title="月报标题", description="默认：重点项目月点评简报")


class NoticeSettings(_Strict):
    """`notice:` settings: who issues the 督办通知单 and how they are numbered (§7)."""

    issuer: Optional[str] = Field(None, title="发文机关", description="如 四平市铁西区人民政府督查室")
    number: Optional[str] = Field(None, title="文号模板", description="如 四铁西政督字〔{year}〕{n}号")
    signer: Optional[str] = Field(None, title="签发人")


class Settings(_Strict):
    """`taizhang.yaml`: settings for the whole repository."""

    title: Optional[str] = Field(None, title="标题", description="印在报表上")
    year: Optional[int] = Field(None, title="年度", description="不带年份的日期短语所用的年份")
    warn_days: int = Field(7, ge=0, title="临期天数", description="距时间节点几天内亮黄灯（含）")
    invest: InvestThresholds = Field(default_factory=InvestThresholds, title="投资亮灯阈值")
    stale_days: int = Field(14, ge=1, title="进展汇报超期天数")
    calendar: Optional[CalendarSpec] = Field(None, title="默认日历")
    lang: Lang = Field("zh", title="语言")
    git: GitSettings = Field(default_factory=GitSettings, title="git")
    report: ReportSettings = Field(default_factory=ReportSettings, title="简报")
    notice: NoticeSettings = Field(default_factory=NoticeSettings, title="督办通知单")


class NoticeReply(_Strict):
    """A unit's 反馈 to a 督办通知单."""

    date: LedgerDate = Field(title="反馈日期")
    text: Text = Field(title="反馈内容")
    by: Optional[str] = Field(None, title="反馈人")


class NoticeRecord(_Strict):
    """One 督办通知单 issued (`notices.yaml`, §7): its number never repeats."""

    number: Text = Field(title="文号")
    unit: Text = Field(title="责任单位")
    date: LedgerDate = Field(title="发文日期")
    reply_by: Optional[LedgerDate] = Field(None, title="办理时限")
    items: list[str] = Field(default_factory=list, title="督办事项")
    replies: list[NoticeReply] = Field(default_factory=list, title="反馈")

    @field_validator("items", "replies", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class NoticesFile(_Strict):
    """`notices.yaml`: every 督办通知单 issued, oldest first."""

    notices: list[NoticeRecord] = Field(default_factory=list, title="督办通知单")

    @field_validator("notices", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


class CalendarFile(_Strict):
    """`calendars/*.yaml`: days off and working days for the whole repository. With `year`, the
    file declares that year completely (for a year the official calendar data does not know yet):
    its working days are Monday to Friday, less `days_off`, plus `work_days`."""

    year: Optional[int] = Field(None, title="完整声明的年份")
    days_off: list[LedgerDate] = Field(default_factory=list, title="休息日（法定节假日）")
    work_days: list[LedgerDate] = Field(default_factory=list, title="工作日（调休上班）")

    @field_validator("days_off", "work_days", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value


def allowed_keys(model: type[BaseModel], names: Sequence[str]) -> list[str]:
    """The keys a file may write in the mapping that `names` (fields as the file spells them,
    list indexes left out) leads to from `model`: found by walking the models' own fields, so a
    nested model (an item's `changes`, a notice's `replies`) needs no list kept beside them. A
    name that leads to no model (a value, a mapping of amounts) leaves the walk where it was.
    As a file writes them: `from`, not the attribute `from_`; never the internal `term`."""
    current = model
    for name in names:
        field = next((f for k, f in current.model_fields.items() if name in (k, f.alias)), None)
        inner = _model_within(field.annotation) if field is not None else None
        if inner is not None:
            current = inner
    return [f.alias or k for k, f in current.model_fields.items() if not f.exclude]


def _model_within(annotation: Any) -> type[BaseModel] | None:
    """The model a field's type holds (`Optional[Closed]`, `list[Note]`, a union of a name and
    a rule), if any: the first found, through Optional, lists, unions and Annotated."""
    if get_origin(annotation) is None and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_within(arg)
        if found is not None:
            return found
    return None


def ledger_json_schema() -> dict[str, Any]:
    """The JSON Schema of a ledger file, as `taizhang schema` writes it."""
    schema = Ledger.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}

