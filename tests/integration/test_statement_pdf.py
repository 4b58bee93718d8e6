"""The signed statement as a PDF with its audit trail (issue 16, part 3; 7 for who may have it).

The statement goes through the real loop (meeting, draft, agree and sign by emailed links,
moderation), then the PDF is read back with pypdf: every answer and every audit line is there,
hostile text is text, and only the people who see the whole statement page may have it.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from pypdf import PdfReader

from growthcycle.adapters import statements as repo
from tests.conftest import Browser
from tests.integration.test_statements import (
    EMMA,
    GOVERNOR,
    HEAD,
    JAMES,
    MONDAY,
    OTHER_GOVERNOR,
    RIVERSIDE_HEAD,
    SARAH,
    book_meeting,
    link_in,
    mail_to,
    new_mail,
    set_clock,
    statement,
    submit_statement,
    use,
)

HOSTILE = "Ŵyn\u2019s year (a) \\ ) <script>alert(1)</script> %%EOF /JavaScript «100%»"


def _text(response: dict[str, Any]) -> str:
    assert response["statusCode"] == 200, response["body"][:500]
    assert response["headers"]["Content-Type"] == "application/pdf"
    raw = response["body"]
    data = base64.b64decode(raw) if response.get("isBase64Encoded") else raw.encode("latin-1")
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def today(demo: Any) -> Any:
    set_clock(MONDAY)
    return demo


@pytest.fixture
def final(browser: Browser, today: Any, aws: Any, demo: Any) -> str:
    """Emma's statement, final: agreed and signed from the emailed links, then moderated."""
    seen: set[str] = set()
    book_meeting(browser)
    new_mail(aws, seen)  # the meeting's invitations
    submit_statement(browser, assessment=HOSTILE)
    draft = mail_to(new_mail(aws, seen), EMMA)
    use(Browser(), link_in(draft, "Agree and sign"))
    sign_mail = mail_to(new_mail(aws, seen), SARAH)
    use(Browser(), link_in(sign_mail, "Sign the final statement"))
    head_mail = mail_to(new_mail(aws, seen), HEAD)
    use(Browser(), link_in(head_mail, "Approve"))
    assert statement(demo).state == "final"
    # The copies that say it is final carry the document's link.
    told = new_mail(aws, seen)
    assert "/pdf" in mail_to(told, EMMA)["text"] and "/pdf" not in head_mail["text"]
    return str(statement(demo).statement_id)


def test_the_final_statement_pdf_holds_every_answer_and_every_move(
    browser: Browser, final: str, demo: Any
) -> None:
    browser.act_as(EMMA)
    page = browser.get(f"/statements/{final}")["body"]
    assert f"/statements/{final}/pdf" in page  # offered on the statement page
    text = _flat(_text(browser.get(f"/statements/{final}/pdf")))

    # The statement as the form prints it, hostile text as typed.
    for answer in (
        _flat(HOSTILE),
        "Develop reasoning in Year 4 maths lessons",
        "Pupils in the lowest group explain their method.",
        "Coaching from the maths lead.",
        "Two observations, in November and March.",
        "Emma Clarke",
        "Oakfield Primary",
        "Statement version: 1",
    ):
        assert answer in text, answer
    # The audit page: every move, who, and from which link or page, and the signatures.
    events = repo.events(demo.store, final)
    assert len(events) >= 4
    assert text.count("from an emailed link") >= 3
    for label in ("Agree and sign", "Sign the final statement", "Approve"):
        assert label in text, label
    assert "Audit trail" in text and "Signatures" in text
    assert "Sarah Pritchard (reviewer)" in text and "Helen Whitaker (headteacher)" in text


def test_the_pdf_is_for_those_who_see_the_whole_statement_and_each_download_is_a_view_7(
    final: str, demo: Any
) -> None:
    url = f"/statements/{final}/pdf"
    for person, status in (
        (EMMA, 200),
        (SARAH, 200),
        (HEAD, 200),
        (JAMES, 404),
        (RIVERSIDE_HEAD, 404),
        (OTHER_GOVERNOR, 404),
        (GOVERNOR, 404),  # the pay committee sees the overall assessment only (7)
    ):
        viewer = Browser()
        viewer.act_as(person)
        assert viewer.get(url)["statusCode"] == status, person
    views = repo.views(demo.store, final)
    assert {v.viewer_id for v in views if v.page == "statement PDF"} == {SARAH, HEAD, EMMA}


def test_a_draft_is_not_a_document_yet(browser: Browser, today: Any, aws: Any, demo: Any) -> None:
    book_meeting(browser)
    submit_statement(browser)
    browser.act_as(EMMA)
    assert browser.get(f"/statements/{statement(demo).statement_id}/pdf")["statusCode"] == 404


def test_the_subject_access_export_includes_each_final_statement_pdf(
    final: str, tmp_path: Any
) -> None:
    from growthcycle.cli.main import main
    from tests.conftest import TABLE

    assert main(["export", "person", EMMA, "--out", str(tmp_path), "--table", TABLE]) == 0
    [pdf] = tmp_path.glob("person-*-statement-*.pdf")
    text = _flat("\n".join(p.extract_text() for p in PdfReader(pdf).pages))
    assert "Develop reasoning in Year 4 maths lessons" in text and "Audit trail" in text
