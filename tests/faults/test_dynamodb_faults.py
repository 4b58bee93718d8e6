"""DynamoDB throttling and conditional-check failures while people save forms: nothing is lost,
nothing is saved twice, and the person is told in plain words what happened."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import sent_outbox
from tests.faults.conftest import FaultyClient, aws_error
from tests.security.test_headers import assert_security_headers

EMMA = "oakfield-primary.op004"
URL = f"/people/{EMMA}/forms/self-review"
ANSWERS = {"reflection": "Phonics catch-up went well.", "_action": "submit"}


def versions(demo: Any) -> list[Any]:
    from growthcycle.web.services import services

    cycle = services().cycle(demo.people[EMMA]).cycle_id
    return demo.store.submission_versions(EMMA, cycle, "self-review")


def audits(demo: Any) -> list[Any]:
    return [a for a in demo.store.audit_entries(EMMA) if a.action.startswith("form.")]


def form_version(page: str) -> str:
    found = re.search(r'name="_version" value="(\d+)"', page)
    return found.group(1) if found else "0"


@pytest.mark.parametrize(
    "code",
    ["ProvisionedThroughputExceededException", "ThrottlingException", "InternalServerError"],
)
def test_a_throttled_save_says_so_plainly_saves_nothing_and_sending_again_saves_once(
    demo: Any, browser: Any, faulty_dynamodb: FaultyClient, code: str
) -> None:
    browser.act_as(EMMA)
    csrf = browser.csrf(URL)
    faulty_dynamodb.fail("transact_write_items", aws_error(code, "TransactWriteItems"))

    busy = browser.post(URL, form={**ANSWERS, "_csrf": csrf, "_version": "0"})

    assert busy["statusCode"] == 503
    assert busy["headers"]["Retry-After"] == "30"
    assert "nothing was saved" in busy["body"] and "Back button" in busy["body"]
    assert code not in busy["body"] and "Traceback" not in busy["body"]
    assert_security_headers(busy, "busy page")
    assert versions(demo) == []

    again = browser.post(URL, form={**ANSWERS, "_csrf": csrf, "_version": "0"})

    assert again["statusCode"] == 303
    assert [v.version for v in versions(demo)] == [1]
    assert len(audits(demo)) == 1


def test_a_throttled_read_shows_the_busy_page_not_a_server_error(
    demo: Any, browser: Any, faulty_dynamodb: FaultyClient
) -> None:
    browser.act_as(EMMA)
    faulty_dynamodb.fail("get_item", aws_error("ProvisionedThroughputExceededException", "GetItem"))
    result = browser.get(URL)
    assert result["statusCode"] == 503
    assert "try again in a minute" in result["body"].lower()


def test_a_throttled_sign_in_request_queues_no_link_and_sending_again_queues_one(
    aws: Any, demo: Any, browser: Any, faulty_dynamodb: FaultyClient
) -> None:
    csrf = browser.csrf("/sign-in")
    address = demo.people[EMMA].email
    faulty_dynamodb.fail("put_item", aws_error("ThrottlingException", "PutItem"))

    assert browser.post("/sign-in", form={"_csrf": csrf, "email": address})["statusCode"] == 503
    assert sent_outbox(aws) == []
    assert browser.post("/sign-in", form={"_csrf": csrf, "email": address})["statusCode"] == 200
    assert len(sent_outbox(aws)) == 1


def test_an_unexpected_aws_error_is_not_passed_off_as_busy(
    demo: Any, browser: Any, faulty_dynamodb: FaultyClient
) -> None:
    """Only "busy" errors get the try-again page; a real fault still fails loudly (and alarms)."""
    from botocore.exceptions import ClientError

    browser.act_as(EMMA)
    faulty_dynamodb.fail("get_item", aws_error("AccessDeniedException", "GetItem"))
    with pytest.raises(ClientError):
        browser.get(URL)


def test_someone_saving_in_between_keeps_the_answers_and_says_what_happened(
    demo: Any, browser: Any
) -> None:
    """The conditional write fails (version moved on): a 409 page with the answers, not lost."""
    browser.act_as(EMMA)
    csrf = browser.csrf(URL)
    assert browser.post(URL, form={**ANSWERS, "_csrf": csrf, "_version": "0"})["statusCode"] == 303

    mine = {"reflection": "My longer answer, typed on my phone.", "_action": "submit"}
    stale = browser.post(URL, form={**mine, "_csrf": csrf, "_version": "0"})

    assert stale["statusCode"] == 409
    assert "not saved yet" in stale["body"]
    assert "My longer answer, typed on my phone." in stale["body"]
    assert [v.version for v in versions(demo)] == [1]


def test_a_conditional_check_failure_inside_the_transaction_is_a_conflict_not_a_500(
    demo: Any, browser: Any, faulty_dynamodb: FaultyClient
) -> None:
    browser.act_as(EMMA)
    csrf = browser.csrf(URL)
    faulty_dynamodb.fail(
        "transact_write_items",
        aws_error("TransactionCanceledException", "TransactWriteItems"),
    )
    result = browser.post(URL, form={**ANSWERS, "_csrf": csrf, "_version": "0"})
    assert result["statusCode"] == 409
    assert "Phonics catch-up went well." in result["body"]
    assert versions(demo) == []


class LambdaTimedOut(Exception):
    """What the browser sees as API Gateway's 503 when Lambda is killed mid-request."""


def test_a_timeout_after_the_save_committed_is_found_saved_on_retry_with_no_duplicate(
    demo: Any, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from growthcycle.adapters.store import Store

    browser.act_as(EMMA)
    csrf = browser.csrf(URL)
    commit = Store.save_submission

    def commit_then_die(self: Store, *args: Any, **kwargs: Any) -> Any:
        commit(self, *args, **kwargs)
        raise LambdaTimedOut

    monkeypatch.setattr(Store, "save_submission", commit_then_die)
    with pytest.raises(LambdaTimedOut):
        browser.post(URL, form={**ANSWERS, "_csrf": csrf, "_version": "0"})
    monkeypatch.setattr(Store, "save_submission", commit)

    # The person presses "send" again: the same answers, from the same page.
    retry = browser.post(URL, form={**ANSWERS, "_csrf": csrf, "_version": "0"})

    assert retry["statusCode"] == 303
    assert retry["headers"]["Location"].endswith("/saved")
    assert [v.version for v in versions(demo)] == [1]
    assert len(audits(demo)) == 1
    assert "Phonics catch-up went well." in browser.get(f"{URL}/saved")["body"]


def test_after_save_work_still_happens_when_the_first_attempt_died_after_the_commit(
    demo: Any, browser: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from growthcycle.adapters.store import Store
    from growthcycle.web import hooks

    ran: list[int] = []
    monkeypatch.setattr(hooks, "after_save", [lambda event, saved: ran.append(saved.version)])
    browser.act_as(EMMA)
    csrf = browser.csrf(URL)
    commit = Store.save_submission

    def commit_then_die(self: Store, *args: Any, **kwargs: Any) -> Any:
        commit(self, *args, **kwargs)
        raise LambdaTimedOut

    monkeypatch.setattr(Store, "save_submission", commit_then_die)
    with pytest.raises(LambdaTimedOut):
        browser.post(URL, form={**ANSWERS, "_csrf": csrf, "_version": "0"})
    monkeypatch.setattr(Store, "save_submission", commit)

    browser.post(URL, form={**ANSWERS, "_csrf": csrf, "_version": "0"})

    assert ran == [1]
