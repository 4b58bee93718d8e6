"""Wonde's REST API (v1.0), read only: a school's employees and the employees deleted.

- `GET {base}/schools/{id}/employees?include=employment_details,contact_details&per_page=N`
  (and `updated_after=YYYY-MM-DD HH:MM:SS` when asked), with `Authorization: Bearer <token>`.
  Pages are followed through `meta.pagination.next` until it is empty.
- `GET {base}/schools/{id}/deletions?type=employee`, paged the same way.

Every page is read before anything is returned: a sync never applies half a roster. A 429 is
waited out (its `Retry-After` seconds, else a backoff) and retried, as are 5xx answers and network
errors, up to `MAX_ATTEMPTS`; a 401 or 403 is `WondeTokenRefused` at once (a revoked token does
not come back by retrying). The token never appears in errors or logs.

The token is a Secrets Manager secret per school (`wonde.token_secret_arn` in the trust file),
read with `wonde_token`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from growthcycle.adapters.aws import client

API = "https://api.wonde.com/v1.0"
PER_PAGE = 100
MAX_ATTEMPTS = 5
MAX_WAIT_SECONDS = 60.0
TIMEOUT_SECONDS = 30.0

Opener = Callable[[urllib.request.Request, float], Any]


class WondeError(RuntimeError):
    """Wonde could not be read; nothing was changed."""


class WondeTokenRefused(WondeError):
    def __init__(self, status: int) -> None:
        self.status = status
        super().__init__(
            f"Wonde refused the school's token (HTTP {status}): it may have been revoked; "
            "put a new one in the school's secret"
        )


class WondeUnavailable(WondeError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"Wonde did not answer after {MAX_ATTEMPTS} tries: {detail}")


class WondeAnswerInvalid(WondeError):
    pass


def wonde_token(secret_arn: str, secrets: Any = None) -> str:
    """The school's Wonde API token from Secrets Manager (a plain string secret); `secrets` is
    another Secrets Manager client (the local stack's), else the deployment's."""
    answer = (secrets or client("secretsmanager")).get_secret_value(SecretId=secret_arn)
    token = str(answer.get("SecretString") or "").strip()
    if not token:
        raise WondeError(f"the secret {secret_arn} holds no token")
    return token


def wait(seconds: float) -> None:
    """Wait out a 429 or a failed try (tests replace it: they never sleep)."""
    time.sleep(seconds)


def _open(request: urllib.request.Request, timeout: float) -> Any:
    return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310  # nosec B310


def _retry_after(error: urllib.error.HTTPError, attempt: int) -> float:
    header = error.headers.get("Retry-After", "") if error.headers else ""
    try:
        wait = float(header)
    except ValueError:
        wait = 2.0**attempt
    return max(0.0, min(wait, MAX_WAIT_SECONDS))


class WondeClient:
    def __init__(
        self,
        token: str,
        *,
        base_url: str = API,
        per_page: int | None = None,
        sleep: Callable[[float], None] | None = None,
        opener: Opener = _open,
    ) -> None:
        self._token = token
        self._base = base_url.rstrip("/")
        self._per_page = per_page or PER_PAGE
        self._sleep = sleep or wait
        self._open = opener
        self.requests = 0  # pages asked for, retries included

    def employees(
        self, school_id: str, *, updated_after: str | None = None
    ) -> list[dict[str, Any]]:
        query = {"include": "employment_details,contact_details", "per_page": str(self._per_page)}
        if updated_after:
            query["updated_after"] = updated_after
        return self._all_pages(f"/schools/{urllib.parse.quote(school_id)}/employees", query)

    def deleted_employees(self, school_id: str) -> list[dict[str, Any]]:
        query = {"type": "employee", "per_page": str(self._per_page)}
        return self._all_pages(f"/schools/{urllib.parse.quote(school_id)}/deletions", query)

    def _all_pages(self, path: str, query: dict[str, str]) -> list[dict[str, Any]]:
        url: str | None = f"{self._base}{path}?{urllib.parse.urlencode(query)}"
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        while url:
            if url in seen:
                raise WondeAnswerInvalid(f"Wonde's pages go round in a loop at {url}")
            seen.add(url)
            page = self._get(url)
            data = page.get("data")
            if not isinstance(data, list):
                raise WondeAnswerInvalid("Wonde's answer has no data list")
            rows += [row for row in data if isinstance(row, dict)]
            pagination = (page.get("meta") or {}).get("pagination") or {}
            url = pagination.get("next") or None
            if url and not str(url).startswith(self._base + "/"):
                # The token goes with every page: never to another address than Wonde's.
                raise WondeAnswerInvalid("Wonde's next page is not at the API's own address")
        return rows

    def _get(self, url: str) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 - the base URL is ours
            url,
            headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
        )
        detail = ""
        for attempt in range(MAX_ATTEMPTS):
            self.requests += 1
            try:
                with self._open(request, TIMEOUT_SECONDS) as answer:
                    body = answer.read()
            except urllib.error.HTTPError as error:
                if error.code in (401, 403):
                    raise WondeTokenRefused(error.code) from None
                if error.code == 429 or error.code >= 500:
                    detail = f"HTTP {error.code}"
                    if attempt + 1 < MAX_ATTEMPTS:
                        self._sleep(_retry_after(error, attempt))
                    continue
                raise WondeError(f"Wonde answered HTTP {error.code} for {_path(url)}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                detail = type(error).__name__
                if attempt + 1 < MAX_ATTEMPTS:
                    self._sleep(2.0**attempt)
                continue
            try:
                page = json.loads(body)
            except ValueError:
                raise WondeAnswerInvalid(f"Wonde's answer for {_path(url)} is not JSON") from None
            if not isinstance(page, dict):
                raise WondeAnswerInvalid(f"Wonde's answer for {_path(url)} is not an object")
            return page
        raise WondeUnavailable(detail)


def _path(url: str) -> str:
    return urllib.parse.urlsplit(url).path
