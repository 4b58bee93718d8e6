"""A fake Wonde API (v1.0) on 127.0.0.1, for the roster sync tests.

It serves the documented shapes: `GET /v1.0/schools/{id}/employees` with `include`, `per_page`,
`page` and `updated_after`, answering `{"data": [...], "meta": {"pagination": {"next": ...,
"previous": ..., "more": ..., "current_page": ..., "per_page": ...}}}`, and
`/schools/{id}/deletions?type=employee` the same way; a Bearer token is required. Faults are
queued per page: `fake.fail(page=2, status=429, retry_after="7")` answers the next request for
that page with that status once.
"""

from __future__ import annotations

import csv
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TOKEN = "wonde-test-token"
WONDE_SCHOOL = "A1930499544"


def wonde_date(day: str) -> dict[str, Any] | None:
    if not day:
        return None
    return {"date": f"{day} 00:00:00.000000", "timezone_type": 3, "timezone": "Europe/London"}


def employee(
    *,
    wonde_id: str,
    staff_code: str,
    forename: str,
    surname: str,
    email: str,
    job_title: str,
    start: str,
    end: str = "",
    teaching: bool = True,
    fte: float | None = None,
) -> dict[str, Any]:
    """One employee as Wonde returns it with employment_details and contact_details included."""
    employment: dict[str, Any] = {
        "id": f"E{wonde_id}",
        "teaching_staff": teaching,
        "employment_start_date": wonde_date(start),
        "employment_end_date": wonde_date(end),
        "job_title": job_title,
    }
    if fte is not None:
        employment["fte"] = fte
    return {
        "id": wonde_id,
        "upi": f"upi-{wonde_id}",
        "mis_id": wonde_id[1:],
        "employee_code": staff_code,
        "title": "Ms",
        "initials": forename[:1],
        "surname": surname,
        "forename": forename,
        "middle_names": None,
        "legal_surname": surname,
        "legal_forename": forename,
        "restored_at": None,
        "created_at": wonde_date("2020-01-01"),
        "updated_at": wonde_date("2026-11-01"),
        "employment_details": {"data": employment},
        "contact_details": {
            "data": {"emails": {"primary": email, "work": email, "home": None, "email": None}}
        },
    }


def employees_from_csv(path: Path) -> list[dict[str, Any]]:
    """The staff (not the governors and advisers) of a roster CSV, as Wonde would list them."""
    found = []
    with path.open(encoding="utf-8-sig", newline="") as file:
        for row in csv.DictReader(file):
            if set(row["roles"].split(";")) <= {"governor", "pay-committee", "external-adviser"}:
                continue
            found.append(
                employee(
                    wonde_id=f"A{1000 + len(found)}",
                    staff_code=row["staff_id"],
                    forename=row["first_name"],
                    surname=row["last_name"],
                    email=row["email"],
                    job_title=row["job_title"],
                    start=row["start_date"],
                    end=row["leaving_date"],
                    teaching="teacher" in row["roles"] or "headteacher" in row["roles"],
                )
            )
    return found


@dataclass
class FakeWonde:
    employees: list[dict[str, Any]]
    deletions: list[dict[str, Any]] = field(default_factory=list)
    token: str = TOKEN
    school: str = WONDE_SCHOOL
    url: str = ""
    requests: list[str] = field(default_factory=list)
    faults: dict[int, list[tuple[int, dict[str, str], str]]] = field(default_factory=dict)

    def fail(
        self, *, page: int, status: int, retry_after: str | None = None, body: str = ""
    ) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.faults.setdefault(page, []).append((status, headers, body))

    def answer(
        self, path: str, query: dict[str, str], auth: str
    ) -> tuple[int, dict[str, str], str]:
        page = int(query.get("page", "1"))
        if self.faults.get(page):
            return self.faults[page].pop(0)
        if auth != f"Bearer {self.token}":
            return 401, {}, json.dumps({"error": "Unauthenticated."})
        base = f"/v1.0/schools/{self.school}/"
        if path == base + "employees":
            rows = self.employees
        elif path == base + "deletions" and query.get("type") == "employee":
            rows = self.deletions
        else:
            return 404, {}, json.dumps({"error": "Not found."})
        per_page = int(query.get("per_page", "50"))
        chunk = rows[(page - 1) * per_page : page * per_page]
        more = page * per_page < len(rows)
        following = {**query, "page": str(page + 1)}
        pagination = {
            "next": f"{self.url}{path}?{urllib.parse.urlencode(following)}" if more else None,
            "previous": None if page == 1 else f"{self.url}{path}?page={page - 1}",
            "more": more,
            "per_page": per_page,
            "current_page": page,
        }
        return 200, {}, json.dumps({"data": chunk, "meta": {"pagination": pagination}})


def serve(fake: FakeWonde) -> Iterator[FakeWonde]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            split = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(split.query))
            fake.requests.append(self.path)
            status, headers, body = fake.answer(
                split.path, query, self.headers.get("Authorization", "")
            )
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in headers.items():
                self.send_header(name, value)
            data = body.encode()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def sync_from_wonde(store: Any, school_id: str, token_secret_arn: str) -> None:
    """Give a school, as deployed to the table, wonde settings (what `deploy` writes)."""
    from growthcycle.domain.trust import School, WondeSettings

    item = store.get_school(school_id)
    school = School.model_validate_json(item["config"])
    wonde = WondeSettings(school_id=WONDE_SCHOOL, token_secret_arn=token_secret_arn)
    kept = {k: v for k, v in item.items() if k not in {"pk", "sk", "school_id", "gsi2pk", "gsi2sk"}}
    store.put_school(
        school_id, {**kept, "config": school.model_copy(update={"wonde": wonde}).model_dump_json()}
    )
