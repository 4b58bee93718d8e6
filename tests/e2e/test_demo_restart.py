"""Records survive stopping and restarting the demo, and Ctrl-C stops it cleanly."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.stack, pytest.mark.xdist_group("stack")]


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def _post(opener: urllib.request.OpenerDirector, url: str, form: dict[str, str]) -> str:
    with opener.open(url, data=urllib.parse.urlencode(form).encode(), timeout=10) as response:
        return response.read().decode()


def _get(opener: urllib.request.OpenerDirector, url: str) -> str:
    with opener.open(url, timeout=10) as response:
        return response.read().decode()


def test_a_saved_form_is_still_there_after_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Stack(data)
    first.start()
    browser = _opener()
    _post(browser, f"{first.url}/_local/act-as", {"person_id": "oakfield-primary.op005"})
    form = _get(browser, f"{first.url}/forms/self-review")
    hidden = dict(re.findall(r'name="(_csrf|_version)" value="([^"]*)"', form))
    saved = _post(
        browser,
        f"{first.url}/people/oakfield-primary.op005/forms/self-review",
        {**hidden, "_action": "save", "reflection": "Kept across restarts"},
    )
    assert "Kept across restarts" in saved
    log = first.stop()
    assert "Stopped. Records are in" in log
    assert (data / "table.json").exists()

    second = Stack(data)
    second.start()
    try:
        browser = _opener()
        _post(browser, f"{second.url}/_local/act-as", {"person_id": "oakfield-primary.op005"})
        page = _get(browser, f"{second.url}/forms/self-review")
        assert "Kept across restarts" in page
        assert "Restored" in second.log.read_text()
    finally:
        second.stop()
