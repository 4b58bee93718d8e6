"""Stored records: form submissions with versions, and audit entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class VersionConflict(Exception):
    """Someone else saved this record first; the caller holds an older version."""

    def __init__(self, current_version: int) -> None:
        super().__init__(f"the record is now at version {current_version}")
        self.current_version = current_version


class Submission(BaseModel):
    """One person's answers to one form in one cycle; every save is a new version."""

    model_config = ConfigDict(frozen=True)

    person_id: str
    cycle_id: str
    form_id: str
    version: int = Field(ge=1)
    status: Literal["draft", "submitted"]
    values: dict[str, Any]
    saved_by: str
    saved_at: datetime


class AuditEntry(BaseModel):
    """Who did what, when, and from where (a page or an emailed link). No personal data in `what`."""

    model_config = ConfigDict(frozen=True)

    subject_id: str  # the person whose record it is
    actor_id: str
    action: str
    target: str
    channel: Literal["page", "link", "schedule", "import", "system"]
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    request_id: str | None = None
