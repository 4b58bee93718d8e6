"""A trust's configuration: one YAML file per trust, `infra/trusts/<trust>.yaml`.

The file has two top-level keys::

    trust:
      id: oak-valley            # a slug: lowercase letters, digits and hyphens
      name: Oak Valley Learning Trust
      sender_address: appraisal@oakvalley.example
      base_url: https://growth.oakvalley.example
      link_expiry_days: 14          # 1..60
      escalation_working_days: 3
      retention_years: 6            # never below 6 (7: six years from the end of the cycle)
      operations_contact: it@oakvalley.example
    schools:
      - id: oakfield-primary
        name: Oakfield Primary School
        nation: england             # england | wales | scotland | northern-ireland
        policy_style: performance   # performance | growth
        cycle: {teachers_due: 10-31, headteacher_due: 12-31, support_staff_cycle: academic-year}
        moderation: {mode: sample, sample_percent: 50, headteacher_statement_qa: chair}
        reviewers: {mode: line-managers, max_reviewees: 6}
        closures:
          apply: true
          days:
            - {date: 2026-09-01, reason: INSET day}
            - {from: 2026-12-21, to: 2027-01-01, reason: Christmas holiday}
        priorities:
          - {id: early-reading, title: Every child reads fluently by Year 2, level: school}
        objectives: {reasonable_max: 3}
        guidance: {numeric-target: block}
        reflection_rhythm: termly
        religious_character: false
        voluntary_aided: false
        wonde:                      # optional: roster sync from the MIS (docs/operations.md)
          school_id: A1930499544
          token_secret_arn: arn:aws:secretsmanager:...:secret:growthcycle/<stack>/wonde/<school>-...
          staff_id_from: employee_code   # employee_code | upi | mis_id | id
          max_leavers_percent: 20        # a sync making more staff leavers stops and asks

Unknown keys are refused, so a typo fails loudly. `load_trust` reports every problem at once,
each as ``path.in.file: message``, such as
``schools[1].moderation.sample_percent: must be between 1 and 100``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from growthcycle.domain.calendar import ClosureDays, WorkingCalendar
from growthcycle.domain.sign_in_providers import SignInProvider, providers_unique
from growthcycle.domain.styles import PolicyStyle

Nation = Literal["england", "wales", "scotland", "northern-ireland"]
SupportStaffCycle = Literal["academic-year", "april-march"]
ModerationMode = Literal["all", "sample", "none"]
HeadteacherStatementQa = Literal["chair", "named-governors", "none"]
ReviewerMode = Literal["headteacher", "line-managers"]
WondeStaffIdFrom = Literal["employee_code", "upi", "mis_id", "id"]
PriorityLevel = Literal["trust", "school", "subject", "phase"]
GuidanceCode = Literal[
    "broad-pupil-target",
    "numeric-target",
    "no-timescale",
    "no-priority",
    "no-success-criteria",
    "no-end-of-cycle-expectation",
    "too-many-objectives",
]  # the codes of domain/guidance.py's FLAG_DEFINITIONS (a test keeps them in step)
GuidanceAction = Literal["advise", "block"]
ReflectionRhythm = Literal["half-term", "termly", "monthly", "none"]

GUIDANCE_CODES: tuple[GuidanceCode, ...] = typing.get_args(GuidanceCode)
MINIMUM_RETENTION_YEARS = 6  # 7: statements kept at least six years from the end of the cycle

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


# --- errors -----------------------------------------------------------------------------------


class TrustConfigInvalid(Exception):
    """A trust file that cannot be used; `problems` lists every one, ``path: message``."""

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        super().__init__("\n".join(problems))


class TrustFileUnreadable(TrustConfigInvalid):
    """The trust file could not be read at all (missing, a folder, no permission, not UTF-8)."""


class UnknownSchool(LookupError):
    def __init__(self, school_id: str) -> None:
        self.school_id = school_id
        super().__init__(f"no school {school_id!r} in this trust")


# --- field types --------------------------------------------------------------------------------


def _problem(message: str, at: tuple[str | int, ...] = ()) -> PydanticCustomError:
    """A friendly validation error; `at` places it below the model that raises it."""
    return PydanticCustomError("trust_config", message, {"at": at})


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise _problem("must be a slug: lowercase letters, digits and hyphens, such as oak-valley")
    return value


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise _problem("must be an email address, such as appraisal@school.example")
    return value


def _base_url(value: str) -> str:
    match = re.match(r"^(https?)://([^/:?#]+)(:\d+)?(/[^?#]*)?$", value)
    if not match or (match[1] == "http" and match[2] not in _LOCAL_HOSTS):
        raise _problem(
            "must be an https:// address, such as https://growth.trust.example "
            "(http:// only for 127.0.0.1 or localhost)"
        )
    return value.rstrip("/")


def _month_day(value: str) -> str:
    match = _MONTH_DAY.match(value)
    try:
        if not match:
            raise ValueError(value)
        # A non-leap year: 02-29 would have no due date three years in four.
        dt.date(2001, int(match[1]), int(match[2]))
    except ValueError:
        raise _problem("must be a month and day, MM-DD, such as 10-31") from None
    return value


def _non_empty(value: str) -> str:
    if not value:
        raise _problem("must not be empty")
    return value


def _between(low: int, high: int) -> AfterValidator:
    def check(value: int) -> int:
        if not low <= value <= high:
            raise _problem(f"must be between {low} and {high}")
        return value

    return AfterValidator(check)


def _at_least(low: int, why: str = "") -> AfterValidator:
    def check(value: int) -> int:
        if value < low:
            raise _problem(f"must be at least {low}{why}")
        return value

    return AfterValidator(check)


Slug = Annotated[str, AfterValidator(_slug)]
Email = Annotated[str, AfterValidator(_email)]
BaseUrl = Annotated[str, AfterValidator(_base_url)]
MonthDay = Annotated[str, AfterValidator(_month_day)]
Text = Annotated[str, AfterValidator(_non_empty)]


def month_day_in(month_day: str, year: int) -> dt.date:
    """The date of a validated ``MM-DD`` in `year`."""
    month, day = month_day.split("-")
    return dt.date(year, int(month), int(day))


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- the trust ------------------------------------------------------------------------------------


class TrustSettings(_Settings):
    id: Slug
    name: Text
    sender_address: Email
    base_url: BaseUrl
    link_expiry_days: Annotated[int, _between(1, 60)] = 14
    escalation_working_days: Annotated[int, _between(1, 20)] = 3
    retention_years: Annotated[
        int,
        _at_least(
            MINIMUM_RETENTION_YEARS,
            " (policy section 7: statements are kept six years from the end of the cycle)",
        ),
    ] = MINIMUM_RETENTION_YEARS
    operations_contact: Email
    # Issue 16: Microsoft or Google sign-in beside the emailed link (domain/sign_in_providers.py).
    sign_in: tuple[SignInProvider, ...] = ()

    @model_validator(mode="after")
    def _sign_in_ids_unique(self) -> Self:
        problems = providers_unique(self.sign_in)
        if problems:
            raise _problem("; ".join(problems), ("sign_in",))
        return self


# --- a school -------------------------------------------------------------------------------------


class CycleSettings(_Settings):
    # 4.1: teachers' planning and review by 31 October, the headteacher's by 31 December.
    teachers_due: MonthDay = "10-31"
    headteacher_due: MonthDay = "12-31"
    # 4.1: support staff annually, in line with the academic year or ending 31 March.
    support_staff_cycle: SupportStaffCycle = "academic-year"

    def teachers_due_on(self, year: int) -> dt.date:
        return month_day_in(self.teachers_due, year)

    def headteacher_due_on(self, year: int) -> dt.date:
        return month_day_in(self.headteacher_due, year)


class ModerationSettings(_Settings):
    # 5: the headteacher moderates all statements, a sample, or none.
    mode: ModerationMode = "all"
    sample_percent: Annotated[int, _between(1, 100)] | None = None
    # 5: who quality-assures the headteacher's planning statement.
    headteacher_statement_qa: HeadteacherStatementQa = "chair"

    @model_validator(mode="after")
    def _sample_percent_goes_with_sample(self) -> Self:
        if self.mode == "sample" and self.sample_percent is None:
            raise _problem("is required when mode is sample", ("sample_percent",))
        if self.mode != "sample" and self.sample_percent is not None:
            raise _problem("only applies when mode is sample", ("sample_percent",))
        return self


class ReviewerSettings(_Settings):
    # 4.2: the headteacher reviews everyone, or delegates to line managers, perhaps with a cap.
    mode: ReviewerMode = "headteacher"
    max_reviewees: Annotated[int, _at_least(1)] | None = None


class ClosurePeriod(_Settings):
    """One closed day (`date`) or an inclusive run of days (`from` .. `to`)."""

    # Dump as the file spells it, so a school mirrored to the table as JSON reads back.
    model_config = ConfigDict(serialize_by_alias=True)

    on: dt.date | None = Field(default=None, alias="date")
    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    reason: Text

    @model_validator(mode="after")
    def _one_day_or_a_run(self) -> Self:
        if self.on is not None:
            if self.start is not None or self.end is not None:
                raise _problem("give either date, or from and to, not both")
        elif self.start is None and self.end is None:
            raise _problem("give either date, or from and to")
        elif self.start is None:
            raise _problem("is required with to", ("from",))
        elif self.end is None:
            raise _problem("is required with from", ("to",))
        elif self.end < self.start:
            raise _problem("must not be before from", ("to",))
        return self

    @property
    def first(self) -> dt.date:
        first = self.on or self.start
        assert first is not None  # the validator guarantees one of them
        return first

    @property
    def last(self) -> dt.date:
        last = self.on or self.end
        assert last is not None
        return last

    def dates(self) -> Iterator[dt.date]:
        day = self.first
        while day <= self.last:
            yield day
            day += dt.timedelta(days=1)


class Closures(_Settings):
    # Working days exclude days the school is closed, if the trust says they count.
    apply: bool
    days: list[ClosurePeriod] = []

    def reasons(self) -> dict[dt.date, str]:
        """Every listed day with its reason, whether or not `apply` is set."""
        reasons: dict[dt.date, str] = {}
        for period in self.days:
            for day in period.dates():
                reasons.setdefault(day, period.reason)
        return reasons


class Priority(_Settings):
    id: Slug
    title: Text
    level: PriorityLevel = "school"


class ObjectiveSettings(_Settings):
    # 4.6: a reasonable number of objectives, with regard to work-life balance.
    reasonable_max: Annotated[int, _between(1, 10)] = 3

    def reasonable_max_for(self, fte: float | None, *, at_least: int = 1) -> int:
        """3: "the breadth and volume of each element in the process should be proportionate
        to the period of time worked": a part-time reviewee is asked for `reasonable_max` x
        FTE objectives, rounded to the nearest (a half up), and at least one; full time, or no
        FTE on the roster, the school's number itself. 0.6 of 3 is 2; 0.4 of 3 is 1.
        `at_least`: never fewer than the items the style requires of them (seed 003: a teacher's
        two commitments), which part-time staff owe as full-time staff do."""
        if fte is None or fte >= 1:
            return self.reasonable_max
        return max(1, at_least, int(self.reasonable_max * fte + 0.5))


# The nightly sync may read only this stack's Wonde tokens (template.yaml): named so.
WONDE_SECRET_ARN = re.compile(
    r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:"
    r"growthcycle/(?P<stack>[A-Za-z0-9-]+)/wonde/[A-Za-z0-9/_+=.@-]+$"
)
_WONDE_SCHOOL = re.compile(r"^[A-Za-z0-9]+$")


def _secret_arn(value: str) -> str:
    if not WONDE_SECRET_ARN.match(value):
        raise _problem(
            "must be a Secrets Manager secret ARN named growthcycle/<stack name>/wonde/<school>, "
            "such as arn:aws:secretsmanager:eu-west-2:123456789012:secret:"
            "growthcycle/growthcycle-oak-valley/wonde/oakfield-primary-AbCdEf (the nightly sync "
            "may read only those)"
        )
    return value


def _wonde_school(value: str) -> str:
    if not _WONDE_SCHOOL.match(value):
        raise _problem("must be the school's Wonde id, letters and digits, such as A1930499544")
    return value


class WondeSettings(_Settings):
    """Roster sync from the school's MIS through Wonde (docs/operations.md, "Roster sync")."""

    school_id: Annotated[str, AfterValidator(_wonde_school)]
    # The API token, a plain-string secret set by the runbook; never in this file.
    token_secret_arn: Annotated[str, AfterValidator(_secret_arn)]
    # Which Wonde employee field is the roster's staff_id: the one the CSV's Staff ID column held.
    staff_id_from: WondeStaffIdFrom = "employee_code"
    # A sync that would make more than this share of the school's staff leavers stops and asks
    # (an MIS outage must not turn every teacher into a leaver).
    max_leavers_percent: Annotated[int, _between(1, 100)] = 20


class School(_Settings):
    id: Slug
    name: Text
    nation: Nation
    policy_style: PolicyStyle
    cycle: CycleSettings = CycleSettings()
    moderation: ModerationSettings = ModerationSettings()
    reviewers: ReviewerSettings = ReviewerSettings()
    closures: Closures = Closures(apply=False)
    priorities: list[Priority] = []
    objectives: ObjectiveSettings = ObjectiveSettings()
    guidance: dict[GuidanceCode, GuidanceAction] = {}
    reflection_rhythm: ReflectionRhythm = "termly"
    operations_contact: Email | None = None
    # 4.2: who may be the headteacher's reviewers (foundation governors).
    religious_character: bool = False
    voluntary_aided: bool = False
    wonde: WondeSettings | None = None  # roster sync from the MIS; None: CSV imports only

    @model_validator(mode="after")
    def _priority_ids_unique(self) -> Self:
        seen: dict[str, int] = {}
        for index, priority in enumerate(self.priorities):
            if priority.id in seen:
                raise _problem(
                    f"duplicate priority id {priority.id} (already used by "
                    f"priorities[{seen[priority.id]}])",
                    ("priorities", index, "id"),
                )
            seen[priority.id] = index
        return self

    def closure_days(self) -> ClosureDays:
        """The closure days that count against working days: none unless `closures.apply`."""
        return ClosureDays.of(self.closures.reasons() if self.closures.apply else {})

    def working_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(nation=self.nation, closures=self.closure_days())

    def guidance_action(self, code: GuidanceCode) -> GuidanceAction:
        """What the guidance check `code` does here: advise unless the school says block."""
        return self.guidance.get(code, "advise")

    def priority(self, priority_id: str) -> Priority | None:
        return next((p for p in self.priorities if p.id == priority_id), None)


class TrustConfig(_Settings):
    trust: TrustSettings
    schools: list[School]

    @model_validator(mode="after")
    def _schools_listed_once(self) -> Self:
        if not self.schools:
            raise _problem("must list at least one school", ("schools",))
        seen: dict[str, int] = {}
        for index, school in enumerate(self.schools):
            if school.id in seen:
                raise _problem(
                    f"duplicate school id {school.id} (already used by schools[{seen[school.id]}])",
                    ("schools", index, "id"),
                )
            seen[school.id] = index
        return self

    def school(self, school_id: str) -> School:
        for school in self.schools:
            if school.id == school_id:
                return school
        raise UnknownSchool(school_id)

    def operations_contact_for(self, school_id: str) -> str:
        return self.school(school_id).operations_contact or self.trust.operations_contact


# --- loading --------------------------------------------------------------------------------------


@functools.cache
def _loader() -> type[Any]:
    """Safe YAML that refuses duplicate keys and leaves dates as text for pydantic to check.

    PyYAML's own timestamp parsing raises a bare ValueError on 2026-02-30; pydantic reports it
    with the setting's path instead. Built on first use: only the commands read trust files, so
    the functions never import PyYAML (cold start, #7).
    """
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
        loader.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if isinstance(key, bool) and isinstance(key_node, yaml.ScalarNode):
                key = key_node.value  # YAML 1.1 reads a key `on:` or `no:` as a boolean
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key}", key_node.start_mark
                )
            mapping[key] = loader.construct_object(value_node, deep=True)
        return mapping

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return _Loader


def load_trust(path: str | Path) -> TrustConfig:
    """Read and validate a trust file; raise `TrustConfigInvalid` listing every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TrustFileUnreadable(
            ["cannot read the file: it is not UTF-8 text"], str(path)
        ) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise TrustFileUnreadable([f"cannot read the file: {reason}"], str(path)) from None
    return parse_trust(text, source=str(path))


def parse_trust(text: str, source: str | None = None) -> TrustConfig:
    """Validate a trust file's text (see `load_trust`)."""
    import yaml

    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - _loader() is a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "the file"
        raise TrustConfigInvalid([f"{where}: {error.problem or error}"], source) from None
    except yaml.YAMLError as error:
        raise TrustConfigInvalid([f"the file: {error}"], source) from None
    if data is None:
        raise TrustConfigInvalid(["the file: is empty"], source)
    try:
        return TrustConfig.model_validate(data)
    except ValidationError as error:
        problems = [_describe(e) for e in error.errors(include_url=False)]
        raise TrustConfigInvalid(list(dict.fromkeys(problems)), source) from None


# --- turning pydantic's errors into friendly problems --------------------------------------------

_MESSAGES = {
    "missing": "is required",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of settings",
    "model_type": "must be a mapping of settings",
    "model_attributes_type": "must be a mapping of settings",
    "date_type": "must be a date, YYYY-MM-DD",
    "date_parsing": "must be a real date, YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a real date, YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date without a time, YYYY-MM-DD",
}


def _describe(error: Any) -> str:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "trust_config":
        loc += tuple(ctx.get("at", ()))
        message = error["msg"]
    elif kind == "extra_forbidden":
        message = _unknown(str(loc[-1]), _names_at(loc[:-1]), "setting")
    elif loc and loc[-1] == "[key]":
        loc = loc[:-1]
        message = _unknown(str(loc[-1]), _choices(ctx), "check")
    elif kind in ("literal_error", "enum"):
        message = "must be one of: " + ", ".join(_choices(ctx))
    else:
        message = _MESSAGES.get(kind) or error["msg"][:1].lower() + error["msg"][1:]
    return f"{_path(loc)}: {message}"


def _unknown(key: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"unknown {what} (did you mean {close[0]}?)"
    return f"unknown {what}; expected one of: {', '.join(known)}"


def _choices(ctx: dict[str, Any]) -> list[str]:
    return re.findall(r"'([^']*)'", str(ctx.get("expected", "")))


def _path(loc: tuple[str | int, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "the file"


def _names_at(loc: tuple[str | int, ...]) -> list[str]:
    """The setting names allowed in the mapping at `loc`, following the models' annotations."""
    current: Any = TrustConfig
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            current = typing.get_args(current)[0] if typing.get_origin(current) is list else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for n, f in current.model_fields.items() if (f.alias or n) == part), None
            )
            current = field.annotation if field else None
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and `X | None` down to X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation
