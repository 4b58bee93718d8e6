"""Issue 18, item 8: CR, LF and NUL in staff names from the CSV import reached email subjects.

Refused at import, with the row and the column named; and stripped wherever an email header is
built (a name already stored, or any other text that reaches a subject), so no header can be
split into two."""

from __future__ import annotations

import csv
import io
from email import message_from_bytes, policy
from typing import Any

import pytest

from growthcycle.adapters.delivery import _content
from growthcycle.adapters.outbox import Email
from growthcycle.domain.staff import RosterInvalid, parse_roster
from growthcycle.domain.text import header_text

HEADER = [
    "staff_id",
    "first_name",
    "last_name",
    "email",
    "roles",
    "job_title",
    "fte",
    "qualified_teacher",
    "start_date",
]
GOOD = [
    "T1",
    "Emma",
    "Clarke",
    "emma@school.example",
    "teacher",
    "Teacher",
    "1",
    "yes",
    "2021-09-01",
]


def _csv(*rows: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("first_name", "Emma\r\nBcc: everyone@elsewhere.example"),
        ("last_name", "Clarke\nX-Injected: 1"),
        ("last_name", "Cla\x00rke"),
        ("job_title", "Teacher\rof Year 4"),
        ("first_name", "Emma\u2028Clarke"),
    ],
    ids=["crlf-first-name", "lf-last-name", "nul-last-name", "cr-job-title", "line-separator"],
)
def test_control_characters_in_a_roster_are_refused_with_the_row_and_column(
    column: str, value: str
) -> None:
    row = list(GOOD)
    row[HEADER.index(column)] = value
    second = [
        "T2",
        "Sam",
        "Jones",
        "sam@school.example",
        "teacher",
        "Teacher",
        "1",
        "yes",
        "2021-09-01",
    ]
    with pytest.raises(RosterInvalid) as refused:
        parse_roster(_csv(second, row), "oakfield-primary")
    found = [(p.row, p.column) for p in refused.value.problems]
    assert (3, column) in found, refused.value.problems
    assert "control character" in str(refused.value)


def test_a_clean_roster_still_imports() -> None:
    roster = parse_roster(_csv(GOOD), "oakfield-primary")
    assert [m.first_name for m in roster] == ["Emma"]


@pytest.mark.parametrize(
    "subject",
    [
        "Statement for Emma\r\nBcc: everyone@elsewhere.example",
        "Statement for Emma\nBcc: x@elsewhere.example",
        "Statement\x00 for Emma",
        "Statement for Emma\u2028Bcc: x@elsewhere.example",
    ],
)
def test_an_email_subject_never_carries_a_line_break_or_nul(subject: str) -> None:
    email = Email(to_address="emma@school.example", subject=subject, html="<p>x</p>", text="x")
    assert header_text(email.subject) == email.subject
    assert not any(ch in email.subject for ch in "\r\n\x00\u2028")
    assert "Statement" in email.subject and "Emma" in email.subject


def _outbox_item(subject: str, **extra: Any) -> dict[str, Any]:
    return {
        "to_address": "emma@school.example",
        "subject": subject,
        "html": "<p>x</p>",
        "text": "x",
        **extra,
    }


def test_an_outbox_item_already_holding_a_line_break_is_sent_with_one_header() -> None:
    """An email queued before the fix (or by any other path) is cleaned where it is sent."""
    subject = "Statement for Emma\r\nBcc: everyone@elsewhere.example"
    simple = _content(_outbox_item(subject), "appraisal@school.example")
    assert "\n" not in simple["Simple"]["Subject"]["Data"]
    assert "\r" not in simple["Simple"]["Subject"]["Data"]

    with_file = _outbox_item(subject, attachments=[["meeting.ics", "text/calendar", "BEGIN"]])
    raw = _content(with_file, "appraisal@school.example")["Raw"]["Data"]
    message = message_from_bytes(raw, policy=policy.default)
    assert "Bcc" not in message
    assert "everyone@elsewhere.example" in str(message["Subject"])


def test_header_text_keeps_ordinary_text_and_other_scripts() -> None:
    for text in ("Planning and review: Siân O'Neill", "مراجعة", "评审", "Zoë 🌱"):
        assert header_text(text) == text
    assert header_text("a\r\n\tb") == "a b"
