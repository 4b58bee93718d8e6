"""`growthcycle keys rotate` against the stack's secret (moto), through the API handler: a routine
rotation signs nobody out and breaks no emailed link; an emergency one ends them all (issue 13,
item 5)."""

from __future__ import annotations

import json
import os
from typing import Any

from growthcycle.cli.main import main
from tests.conftest import Browser

EMMA = "oakfield-primary.op004"


def signed_in(browser: Browser) -> bool:
    return "Sign out" in browser.get("/")["body"]


def test_a_routine_rotation_signs_nobody_out_and_new_sessions_use_the_new_key(
    browser: Browser, demo: Any, aws: Any, capsys: Any
) -> None:
    browser.act_as(EMMA)
    assert signed_in(browser)

    assert main(["keys", "rotate"]) == 0
    assert "nobody is signed out" in capsys.readouterr().out
    secret = aws("secretsmanager").get_secret_value(SecretId=os.environ["SIGNING_KEY_SECRET_ARN"])
    ring = json.loads(secret["SecretString"])
    assert ring["current"]["id"].startswith("k") and len(ring["previous"]) == 1

    assert signed_in(browser)  # the session made before the rotation carries on
    later = Browser()
    later.act_as(EMMA)
    assert signed_in(later)
    # Rotating again keeps only the key just replaced: a session from two rotations ago ends.
    assert main(["keys", "rotate"]) == 0
    assert signed_in(later) and not signed_in(browser)


def test_an_emergency_rotation_ends_every_session_at_once(
    browser: Browser, demo: Any, aws: Any, capsys: Any
) -> None:
    browser.act_as(EMMA)
    assert signed_in(browser)
    assert main(["keys", "rotate", "--emergency"]) == 0
    assert "every emailed link and session has ended" in capsys.readouterr().out
    assert not signed_in(browser)
