"""Guidance while an objective (performance style) or commitment (growth style) is written.

Seed 001 names the ways performance management goes wrong; these checks catch some of them as the
text is typed, so the reviewee sees a kind prompt beside the field (rendered server-side) and the
reviewer sees the same prompts on the draft. Each school sets each check to `advise` (the default)
or `block` (`apply_school_policy`).

The checks are data (`FLAG_DEFINITIONS`): a code, the message a teacher reads on a phone, the styles
it applies to and the seed section it comes from. `docs/guidance.md` lists them for people.

Three entry points, by what they can see:
- `check_text(text, style)`: one line of text (the CLI, a field being typed);
- `check_item(item, style)`: one objective/commitment from the planning and review form;
- `check_set(items, style, reasonable_max)`: the whole set (too many objectives, 4.6).

Matching is regexes and small word lists, each compiled once, on first use. Every pattern is either a plain
alternation or a bounded window (`{0,40}`), so a hostile 100 KB string is checked in linear time.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType
from typing import Any, Literal, cast, get_args

from growthcycle.domain.styles import STYLES

Severity = Literal["advise", "block"]

SEVERITIES: frozenset[str] = frozenset(get_args(Severity))


class UnknownPolicyStyle(ValueError):
    """A style other than `performance` or `growth` was asked for."""


class UnknownGuidanceSetting(ValueError):
    """A school's guidance settings name a flag code or a severity that does not exist."""


@dataclass(frozen=True, slots=True)
class FlagDefinition:
    """One row of the guidance table: what a flag means and where the rule comes from."""

    code: str
    meaning: str
    message: str
    styles: frozenset[str]
    source: str
    checked_by: str


@dataclass(frozen=True, slots=True)
class Flag:
    """One prompt about one objective/commitment (or the whole set when `field` is None)."""

    code: str
    message: str
    field: str | None
    source: str
    severity: Severity = "advise"

    @property
    def blocks(self) -> bool:
        return self.severity == "block"


_BOTH = frozenset(STYLES)
_PERFORMANCE = frozenset({"performance"})
_GROWTH = frozenset({"growth"})

# Messages use {item} ("objective" or "commitment"); too-many-objectives also {count} and {max}.
_DEFINITIONS: tuple[FlagDefinition, ...] = (
    FlagDefinition(
        code="broad-pupil-target",
        meaning=(
            'A pupil-achievement target for a whole group ("80% of pupils to achieve A*-C") '
            "that does not say which pupils to focus on, what they need, or what approach will "
            "be tried."
        ),
        message=(
            "This reads like a target for a whole group of pupils. Could you say which pupils "
            "you'll focus on, what they need, and what you'll try? For example: \"the six Year 4 "
            'boys who find inference hard, through weekly guided reading".'
        ),
        styles=_BOTH,
        source="seed 001, risk 3",
        checked_by="text",
    ),
    FlagDefinition(
        code="numeric-target",
        meaning=(
            "A number to hit (a percentage, grade, score, count of pupils, change by N) in a "
            'commitment. Numbers that describe the process ("3 hours of observation", "Year 6", '
            '"by July 2027") are not flagged.'
        ),
        message=(
            "Commitments don't have numbers to hit. Could you describe what you'll try, who with, "
            "and how you'll reflect on it, in place of the percentage, grade or score?"
        ),
        styles=_GROWTH,
        source="seed 003, point 1; seed 002",
        checked_by="text",
    ),
    FlagDefinition(
        code="no-timescale",
        meaning=(
            "No timescale: no date, term, deadline or frequency in the timescale field (or, for "
            "text alone, in the objective). Growth commitments run for the cycle and are "
            "reflected on through it (seed 003, point 2), so they are not flagged."
        ),
        message=(
            'When will this be done? Add a timescale, such as "by the end of the spring term" or '
            '"by July 2027".'
        ),
        styles=_PERFORMANCE,
        source="004 4.6",
        checked_by="text",
    ),
    FlagDefinition(
        code="no-end-of-cycle-expectation",
        meaning=(
            'The objective runs beyond this cycle (marked multi-cycle, or "over two years") '
            "but does not say what is expected by the end of this cycle."
        ),
        message=(
            "This runs beyond this cycle. Add what you expect to have done by the end of this "
            "cycle, so you both know what the first year looks like."
        ),
        styles=_PERFORMANCE,
        source="004 4.6",
        checked_by="text",
    ),
    FlagDefinition(
        code="no-success-criteria",
        meaning="A performance objective with its success criteria left empty.",
        message=(
            "How will you both know this has gone well? Add a success criterion you agree with "
            "your reviewer."
        ),
        styles=_PERFORMANCE,
        source="004 4.4, 4.6",
        checked_by="item",
    ),
    FlagDefinition(
        code="no-priority",
        meaning=(
            "Not linked to a school priority (performance), or to neither a priority nor a "
            "Teachers' Standard (growth)."
        ),
        message=(
            "Which school priority does this {item} support? Choose one so the link is clear."
        ),
        styles=_BOTH,
        source="004 4.6; seed 002; seed 003, point 4",
        checked_by="item",
    ),
    FlagDefinition(
        code="too-many-objectives",
        meaning=(
            "More objectives or commitments than the school's reasonable number, for the sake of "
            "work-life balance."
        ),
        message=(
            "You have {count} {item}s; your school suggests no more than {max}. Could two be "
            "combined, or one kept for next year?"
        ),
        styles=_BOTH,
        source="004 4.6",
        checked_by="set",
    ),
)

FLAG_DEFINITIONS: Mapping[str, FlagDefinition] = MappingProxyType(
    {definition.code: definition for definition in _DEFINITIONS}
)
FLAG_CODES: frozenset[str] = frozenset(FLAG_DEFINITIONS)

_GROWTH_PRIORITY_MESSAGE = (
    "Which school priority or Teachers' Standard does this commitment support? Choose one so the "
    "link is clear."
)


def _word(style: str) -> str:
    return "commitment" if style == "growth" else "objective"


def _flag(code: str, style: str, field: str | None, **values: object) -> Flag:
    definition = FLAG_DEFINITIONS[code]
    template = definition.message
    if code == "no-priority" and style == "growth":
        template = _GROWTH_PRIORITY_MESSAGE
    message = template.format(item=_word(style), **values)
    return Flag(code=code, message=message, field=field, source=definition.source)


def _applies(code: str, style: str) -> bool:
    return style in FLAG_DEFINITIONS[code].styles


def _check_style(style: str) -> None:
    if style not in STYLES:
        raise UnknownPolicyStyle(f"unknown policy style {style!r}; use performance or growth")


# --- Normalising the text ------------------------------------------------------------------


class _LazyPattern:
    """A regex compiled when first used, not at import: the API imports this module at every
    cold start, while only the objective/commitment fields use it (compiling them all is 25-30 ms
    of pure-Python work)."""

    __slots__ = ("_args", "_compiled")

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


def _lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile`, on first use (the proxy stands in for the pattern's methods)."""
    return cast("re.Pattern[str]", _LazyPattern(pattern, flags))


_TAG = _lazy(r"<[^<>]{0,500}>")
_DASHES = _lazy(r"[\u2010-\u2015\u2212]")
_QUOTES = _lazy(r"[\u2018\u2019\u02bc`]")
_PER_CENT = _lazy(r"\s*\b(?:per\s?cent|percent)\b")
_SPACES = _lazy(r"\s+")


# An objective is a sentence or two; the form caps the field well below this. Reading only the
# first part keeps a pasted essay (or a hostile 100 KB string) to microseconds, not seconds.
MAX_CHECKED_CHARS = 4000


def _normalise(text: str) -> str:
    """Lower case, plain ASCII punctuation, no HTML tags: what every pattern below expects."""
    text = unicodedata.normalize("NFKC", html.unescape(text[:MAX_CHECKED_CHARS]))
    text = _TAG.sub(" ", text)
    text = _DASHES.sub("-", text)
    text = _QUOTES.sub("'", text)
    text = _SPACES.sub(" ", text).strip().lower()
    return _PER_CENT.sub("%", text) if "per" in text else text


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty)"
)
# "Lower attainers" names pupils (by prior attainment), not an achievement (seed 001, risk 3).
_PUPILS = (
    r"(?:pupils?|students?|children|child|learners?|boys|girls|readers|writers|attainers"
    r"|achievers)"
)

# --- Numbers that are not targets (seed 003 forbids numeric success criteria, not numbers) ----
# Removed before the numeric-target patterns run: dates and years, year groups, key stages,
# Teachers' Standards, class names (5B, 10X2), qualification levels, GCSE (9-1), 1:1, clock times.
_NOT_TARGETS = _lazy(
    "|".join(
        (
            r"\b(?:19|20)\d{2}(?:\s?[-/]\s?(?:19|20)?\d{2})?\b",
            r"\b\d{1,2}/\d{1,2}/\d{2,4}\b",
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s(?:of\s)?{_MONTH}\b",
            r"\b(?:years?|yrs?|y)\s?\d{1,2}(?:\s?(?:-|/|&|and|to)\s?\d{1,2})?\b",
            r"\b(?:ks|key\sstage)\s?\d(?:\s?(?:-|/|&|and|to)\s?\d)?\b",
            r"\b(?:teachers'?\s)?(?:standards?|ts)\s?\d{1,2}(?:\s?(?:-|/|&|and|,)\s?\d{1,2}){0,8}\b",
            r"\b(?:phase|tier|set|step|unit|units|module|modules|chapter|priority|priorities"
            r"|section|appendix|room|block|stage|week|term|lesson|session|cycle|wave)"
            r"\s?\d{1,2}(?:\s?(?:-|/|&|and|to)\s?\d{1,2})?\b",
            r"\b\d{1,2}[a-z]{1,3}\d?\b",
            r"\blevel\s?\d\b(?=[^.;]{0,50}\b(?:qualification|diploma|award|certificate"
            r"|apprenticeship|nvq|btec|course|hlta)\b)",
            r"\b(?:nvq|btec|rqf)\s?(?:level\s?)?\d\b",
            r"\(?\b9\s?-\s?1\b\)?",
            r"\b1\s?(?::|-to-|\sto\s)\s?1\b",
            r"\b\d{1,2}:\d{2}\b",
        )
    )
)

# Process quantities: "3 hours", "6 coaching sessions", "4 colleagues" describe what will be done.
_PROCESS_UNIT = (
    r"(?:hours?|hrs?|minutes?|mins?|sessions?|times?|weeks?|days?|terms?|half[- ]?terms?"
    r"|lessons?|observations?|visits?|colleagues?|meetings?|staff|teachers?|ects?|tas|workshops?"
    r"|modules?|units?|chapters?|articles?|books?|approaches|strategies|ideas?|courses?|cycles?"
    r"|drop[- ]?ins?|learning\swalks?|departments?|schools?|steps?|months?|years?)"
)

_GRADE_LETTERS = _lazy(  # case-sensitive, on the text before lower-casing: "A*-C", "A to C"
    r"(?<![A-Za-z])(?:A\*{0,2}\s?(?:-|to)\s?[B-G]\b|a\*{1,2}\s?(?:-|to)\s?[b-g]\b"
    r"|[B-E]\s?-\s?[C-G]\b|A\*{1,2}(?![A-Za-z]))"
)

# Targets with a digit in them; run only on text that still has a digit once `_NOT_TARGETS` are
# gone (most commitments have none, and skipping this alternation is most of the time saved).
_NUMERIC_TARGET = _lazy(
    "|".join(
        (
            r"\d\s?%",
            r"\bgrades?\s?\d",
            r"\b\d{1,3}\s?\+",
            r"\b\d+\s?or\s(?:above|higher|more|better|over)\b",
            r"\b(?:reach\w{0,3}|achiev\w{0,4}|attain\w{0,4}|at|to|gain\w{0,3}|get)\s(?:a\s|the\s)?"
            r"(?:nc\s)?levels?\s?\d",
            r"\b\d\s(?:sub-?)?levels?\b",
            r"\b(?:progress|attainment)\s?8\b",
            r"\b[pa]8\b",
            r"(?<![\w.])[+-]\d*\.\d+",
            r"\bscaled\sscores?\b",
            r"\b(?:score|points?|average)\s(?:of\s)?\d",
            r"\bage\sof\s(?:at\sleast\s|around\s|about\s)?\d",
            r"\bto\s(?:under|below|over|above|at\sleast|fewer\sthan|less\sthan|more\sthan|within)"
            r"\s\d",
            r"\b\d+\s?(?:points|marks)\b",
            r"\bfrom\s\d+(?:\.\d+)?\s?%?\sto\s\d",
            r"\b\d+\s?(?:out\sof|/)\s?\d+\b",
            r"\b(?:increase|improve|raise|rise|reduce|decrease|cut|lift|boost|narrow|grow|go\sup)"
            r"[a-z]{0,3}\b[^.;]{0,40}?\bby\s(?:at\sleast\s|around\s|about\s|over\s)?\d",
            rf"\b(?:at\sleast|a\sminimum\sof|minimum\sof|more\sthan|fewer\sthan|less\sthan|over"
            rf"|above|under|below|no\smore\sthan|no\sfewer\sthan|up\sto)\s\d+"
            rf"\b(?!\s(?:[a-z-]+\s)?{_PROCESS_UNIT}\b)",
            rf"\b\d+\s(?:more|additional|extra)\s{_PUPILS}",
            rf"\b(?:move|moving|get|getting|push|bring)\s\d+\s(?:more\s|additional\s|extra\s)?"
            rf"{_PUPILS}",
            rf"\b\d+\s{_PUPILS}\s(?:to|will|should|must|achieving|achieve|reaching|reach|passing"
            rf"|pass|making|make|getting|get|gaining|gain)\b",
        )
    )
)
# Targets written in words: "two sub-levels", "halve the number", "three quarters of pupils".
_WORDED_TARGET = _lazy(
    "|".join(
        (
            r"\bsub-?levels?\b",
            rf"\b(?:at\sleast|a\sminimum\sof|minimum\sof|more\sthan|fewer\sthan|less\sthan|over"
            rf"|above|under|below|no\smore\sthan|no\sfewer\sthan|up\sto)\s{_NUMBER_WORD}"
            rf"\b(?!\s(?:[a-z-]+\s)?{_PROCESS_UNIT}\b)",
            rf"\b{_NUMBER_WORD}\s(?:more|additional|extra)\s{_PUPILS}",
            r"\b(?:halve|halving|double|doubling|treble|trebling)\s(?:the|our|my)\s(?:number"
            r"|proportion|percentage|amount)\b",
            rf"\b(?:half|a\sthird|one\sthird|two\sthirds|a\squarter|three[- ]quarters)\sof\s"
            rf"(?:the\s|my\s|our\s)?(?:{_PUPILS}|class|cohort|year)",
            r"\bin\shalf\b",
        )
    )
)
_DIGIT = _lazy(r"\d")

# --- Pupil-achievement targets (seed 001, risk 3) ------------------------------------------
_PUPIL_REFERENCE = _lazy(
    rf"\b(?:{_PUPILS}|class(?:es)?|cohort|year\s?group|tutor\sgroup|years?\s?\d{{1,2}}s?|y\d{{1,2}}s?"
    r"|reception|nursery|sixth\sform)\b"
)
_ACHIEVEMENT = _lazy(
    r"\b(?:achiev(?!ers?\b)\w{0,6}|attain(?!ers?\b)\w{0,6}|pass(?:es|ing)?|reach(?:es|ing)?\s(?:the\s)?"
    r"(?:expected|age|greater|higher|national|their)|expected\s(?:standard|progress)"
    r"|greater\sdepth|age[- ]related|(?:below|at|towards|above|reach\w{0,3}|meet\w{0,3})\sare"
    r"|meet\w{0,3}\s(?:the\s)?(?:expected|age|their\starget)|working\s(?:towards|at|below)"
    r"|(?:at|to)\sexpected"
    r"|target\sgrades?|grades?|results?|outcomes?"
    r"|progress\b|mak\w{1,3}\s[^.;]{0,30}\bprogress|scor\w{1,3}|gcses?|sats|a[- ]levels?"
    r"|screening\scheck|multiplication\stables?\scheck|reading\sages?|close\sthe\sgap"
    r"|attendance\s(?:rate|of|to|for|figures)|success\srate|pass\srates?|standards?\sin)\b"
)
# Outcomes for a school, phase or subject that need no pupil noun to be a pupil target.
_COHORT_OUTCOME = _lazy(
    r"\b(?:(?:improve|raise|increase|boost|lift)\w{0,3}\s(?:the\s)?(?:attendance(?!\sat\b)"
    r"|standards|outcomes|results|attainment)|(?:outcomes|results|attainment|pass\srates?"
    r"|attendance\srate|close\sthe\sgap|progress\s8|success\srate)\b"
    rf"|(?:number|proportion|percentage)\sof\s(?:the\s|my\s|our\s)?{_PUPILS}\b"
    rf"|\d\s?%\sof\s(?:the\s|my\s|our\s)?(?:{_PUPILS}|class|cohort|year)\b)"
)
_TARGET_WORDING = _lazy(
    r"\d\s?%|\b(?:all|every|most|majority|proportion|percentage|number\sof|to\sachieve|to\sreach"
    r"|to\spass|to\smake|to\sscore|improv\w{1,3}|raise|raising|increas\w{1,3}|ensure|accelerate"
    r"|boost|close|narrow|get|getting|halve|double|lift|secure|achieve|reduce)\b"
)
# Which pupils: a group narrower than a class or year (seed 001: "which pupils to focus on").
_FOCUS_GROUP = _lazy(
    r"\b(?:pupil\spremium|pp|disadvantaged|fsm|send|sen|ehcps?|eal|boys|girls|looked[- ]after|cla"
    r"|young\scarers|lowest|lower[- ](?:attaining|ability|prior)|low[- ]attaining|highest"
    r"|higher[- ](?:attaining|ability|prior)|high[- ]attaining|more[- ]able"
    r"|middle[- ](?:attaining|ability|prior)"
    r"|(?:low|lower|middle|high|higher|prior|under)[- ]?(?:attainers|achievers)"
    r"|most[- ]able|least[- ]able|reluctant|struggling|target\sgroup|focus\sgroup"
    r"|intervention\sgroup|nurture\sgroup|identified|named|specific|dld|asd|adhd|dyslexi\w{0,2}"
    rf"|persistent(?:ly)?\sabsent|the\s(?:\d+|{_NUMBER_WORD})\s(?:[a-z-]+\s){{0,2}}{_PUPILS}"
    rf"|{_PUPILS}\s(?:who|with|on\sthe|that))\b"
)
# What approach will be tried (seed 001: "what possible approaches to try").
_APPROACH = _lazy(
    r"\b(?:through|via|using|by\s(?!spring\b|morning\b|evening\b)[a-z]{2,}ing|by\smeans\sof"
    r"|working\s(?:with|alongside)|alongside|co-?plan\w{0,4}|team-?teach\w{0,3}|trial\w{0,5}"
    r"|introduc\w{1,4}|interventions?|mentor\w{0,4}|coach\w{0,4}|tutoring|pre-?teach\w{0,3}"
    r"|paired\sreading|small[- ]group|1:1|one[- ]to[- ]one|programme|scheme|strategy|strategies"
    r"|approach|routine|check-?ins?|key[- ]worker|support\splan|keep[- ]up|catch[- ]up"
    r"|sessions?|club|workshops?|meet\w{0,3}\s(?:the\s)?(?:families|parents|carers))\b"
)

# --- Timescales (4.6: "clear, achievable timescales for completion") -----------------------
_TIMESCALE = _lazy(
    "|".join(
        (
            rf"\b{_MONTH}\b",
            r"\b(?:by|in|before|until|end\sof|from|during)\smay\b|\bmay\s(?:\d|half)",
            r"\b20\d{2}\b",
            r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b",
            r"\b(?:autumn|spring|summer)\b",
            r"\bhalf[- ]?term\b|\bterm\s?\d\b|\b(?:easter|christmas|whitsun|inset)\b",
            r"\b(?:end|start|beginning)\sof\s(?:the\s|this\s|next\s)?(?:academic\s)?"
            r"(?:year|cycle|term|key\sstage|ks\d)",
            r"\b(?:this|next)\s(?:academic\s)?(?:year|term|cycle)\b",
            r"\b(?:within|over|for|in)\s(?:the\s)?(?:next\s)?(?:a|\d+|"
            + _NUMBER_WORD
            + r")\s(?:working\s|school\s|academic\s)?(?:days?|weeks?|months?|terms?|years?)\b",
            r"\b(?:every|each)\s(?:half[- ]?term|term|week|month|fortnight|day|morning|lesson)\b",
            r"\b(?:daily|weekly|fortnightly|monthly|termly|half[- ]termly|annually|yearly)\b",
            r"\bthroughout\s(?:the\s|this\s)?(?:year|cycle|term)\b|\bdeadline\b|\bin\stime\sfor\b",
            r"\bstarting\s(?:in|from)\b|\bby\sthe\s(?:end|start)\b|\bon\stime\b",
        )
    )
)

# --- Objectives that run beyond one cycle (4.6) ---------------------------------------------
_MULTI_CYCLE = _lazy(
    r"\b(?:over|across|within)\s(?:the\s)?(?:next\s)?(?:two|three|four|five|several|few|[2-9])"
    r"\s(?:academic\s|school\s)?(?:years|cycles)\b"
    r"|\b(?:two|three|[2-5])[- ]year\b(?!\s?groups?)"
    r"|\bmulti[- ](?:year|cycle)\b|\b(?:over|within)\s(?:the\s)?(?:next\s)?"
    r"(?:1[3-9]|[2-9]\d|eighteen|twenty[- ]four)\smonths\b"
)
_END_OF_CYCLE_EXPECTATION = _lazy(
    r"\b(?:this|first|current)\s(?:cycle|year|academic\syear)\b|\byear\s(?:one|1)\b|\binitially\b"
    r"|\bmilestones?\b|\binterim\b|\b(?:first|stage\s1|phase\s1)\b|\bby\sthe\send\sof\s(?:this|the"
    r"\sfirst)\b"
)


def _is_numeric_target(original: str, normalised: str) -> bool:
    if _GRADE_LETTERS.search(original[:MAX_CHECKED_CHARS]) or _WORDED_TARGET.search(normalised):
        return True
    if _DIGIT.search(normalised) is None:
        return False
    numbers_left = _NOT_TARGETS.sub(" ", normalised)
    return _DIGIT.search(numbers_left) is not None and (
        _NUMERIC_TARGET.search(numbers_left) is not None
    )


def _is_broad_pupil_target(normalised: str) -> bool:
    """Seed 001, risk 3: a pupil-achievement target that lacks which pupils or which approach."""
    about_outcomes = _COHORT_OUTCOME.search(normalised) is not None or (
        _PUPIL_REFERENCE.search(normalised) is not None
        and _ACHIEVEMENT.search(normalised) is not None
    )
    if not about_outcomes:
        return False
    if _TARGET_WORDING.search(normalised) is None and not _is_numeric_target(
        normalised, normalised
    ):
        return False
    names_pupils = _FOCUS_GROUP.search(normalised) is not None
    names_approach = _APPROACH.search(normalised) is not None
    return not (names_pupils and names_approach)


def _has_timescale(normalised: str) -> bool:
    return _TIMESCALE.search(normalised) is not None


def _lacks_end_of_cycle_expectation(normalised: str) -> bool:
    return (
        _MULTI_CYCLE.search(normalised) is not None
        and _END_OF_CYCLE_EXPECTATION.search(normalised) is None
    )


# --- Entry points --------------------------------------------------------------------------


def check_text(text: str, style: str) -> list[Flag]:
    """Flags for one line of objective or commitment text, in `FLAG_DEFINITIONS` order."""
    _check_style(style)
    normalised = _normalise(text)
    if not normalised:
        return []
    flags: list[Flag] = []
    if _is_broad_pupil_target(normalised):
        flags.append(_flag("broad-pupil-target", style, "title"))
    if _applies("numeric-target", style) and _is_numeric_target(text, normalised):
        flags.append(_flag("numeric-target", style, "title"))
    if _applies("no-timescale", style) and not _has_timescale(normalised):
        flags.append(_flag("no-timescale", style, "title"))
    if _applies("no-end-of-cycle-expectation", style) and _lacks_end_of_cycle_expectation(
        normalised
    ):
        flags.append(_flag("no-end-of-cycle-expectation", style, "title"))
    return flags


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def check_item(item: Mapping[str, object], style: str) -> list[Flag]:
    """Flags for one objective/commitment from the planning and review form.

    Keys (all optional): `title`, `success_criteria` (performance), `timescale` (text or date),
    `priority` (id of a school priority), `standards` (Teachers' Standards ids), `multi_cycle`,
    `end_of_cycle_expectation`. A flag's `field` names the key to show it beside.
    """
    _check_style(style)
    title = _text(item.get("title"))
    criteria = _text(item.get("success_criteria"))
    timescale = item.get("timescale")
    expectation = _text(item.get("end_of_cycle_expectation"))
    title_n, criteria_n = _normalise(title), _normalise(criteria)
    flags: list[Flag] = []

    # Seed 001, risk 3: the target is often written in the success criteria; the pupils and the
    # approach may be in the title, so the two are read together.
    if title_n and _is_broad_pupil_target(f"{title_n}. {criteria_n}"):
        where = "title" if _is_broad_pupil_target(title_n) or not criteria_n else "success_criteria"
        flags.append(_flag("broad-pupil-target", style, where))
    if _applies("numeric-target", style):
        for field, original, normalised in (
            ("title", title, title_n),
            ("success_criteria", criteria, criteria_n),
        ):
            if normalised and _is_numeric_target(original, normalised):
                flags.append(_flag("numeric-target", style, field))
                break
    if _applies("no-timescale", style) and title_n:
        if isinstance(timescale, date):
            dated = True
        else:
            written = _normalise(_text(timescale))
            dated = (
                _has_timescale(written) if written else _has_timescale(f"{title_n}. {criteria_n}")
            )
        if not dated:
            flags.append(_flag("no-timescale", style, "timescale"))
    if _applies("no-end-of-cycle-expectation", style) and title_n and not expectation:
        multi_cycle = item.get("multi_cycle") is True or _lacks_end_of_cycle_expectation(
            f"{title_n}. {_normalise(_text(timescale))}"
        )
        if multi_cycle:
            flags.append(_flag("no-end-of-cycle-expectation", style, "end_of_cycle_expectation"))
    if _applies("no-success-criteria", style) and title_n and not criteria_n:
        flags.append(_flag("no-success-criteria", style, "success_criteria"))
    if title_n and not _text(item.get("priority")):
        # 4.6: objectives link to the school's priorities. Seed 002: growth links to the
        # Teachers' Standards and/or trust, subject or phase priorities, so either will do.
        standards = item.get("standards")
        has_standard = (
            isinstance(standards, Iterable)
            and not isinstance(standards, str)
            and any(_text(s) for s in standards)
        )
        if style == "performance" or not has_standard:
            flags.append(_flag("no-priority", style, "priority"))
    return flags


def check_set(items: Sequence[Mapping[str, object]], style: str, reasonable_max: int) -> list[Flag]:
    """Set-level flags: 4.6 asks for a reasonable number of objectives (work-life balance)."""
    _check_style(style)
    if reasonable_max < 1:
        raise ValueError(f"reasonable_max must be at least 1, not {reasonable_max}")
    count = sum(1 for item in items if _text(item.get("title")))
    if count > reasonable_max:
        return [_flag("too-many-objectives", style, None, count=count, max=reasonable_max)]
    return []


def apply_school_policy(flags: Iterable[Flag], settings: Mapping[str, Severity]) -> list[Flag]:
    """Mark each flag `advise` or `block` as the school has set it; unset codes advise.

    Raises `UnknownGuidanceSetting` for a code or severity that does not exist, so a typo in a
    trust file fails loudly rather than silently advising.
    """
    for code, setting in settings.items():
        if code not in FLAG_CODES:
            raise UnknownGuidanceSetting(f"unknown guidance flag {code!r}")
        if setting not in SEVERITIES:
            raise UnknownGuidanceSetting(
                f"guidance flag {code!r}: severity must be advise or block, not {setting!r}"
            )
    return [
        replace(flag, severity="block" if settings.get(flag.code) == "block" else "advise")
        for flag in flags
    ]
