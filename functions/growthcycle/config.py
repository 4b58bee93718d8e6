"""Settings: one pydantic model, read once from the environment at cold start.

`template.yaml` sets every variable through `!Ref`/`!GetAtt`; a missing one fails loudly here
rather than falling back to a silent default.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SettingsMissing(RuntimeError):
    """The environment lacks a setting the functions cannot run without."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str = Field(min_length=1)
    trust_name: str = Field(min_length=1)
    sender_address: str = Field(min_length=3)
    base_url: str = Field(min_length=1)
    signing_key_secret_arn: str = Field(min_length=1)
    link_expiry_days: int = Field(default=14, ge=1, le=60)
    retention_years: int = Field(default=6, ge=6)  # 7: kept at least six years
    escalation_working_days: int = Field(default=3, ge=1)
    ses_configuration_set: str | None = None
    # Set by the local stack only: a file holding the stack's "today" (/_local/clock).
    local_clock_file: str | None = None
    # Set by the local stack and tests only: a fake Wonde's address (the real API otherwise).
    wonde_api_url: str | None = None

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


_ENV = {
    "table_name": "TABLE_NAME",
    "trust_name": "TRUST_NAME",
    "sender_address": "SENDER_ADDRESS",
    "base_url": "BASE_URL",
    "signing_key_secret_arn": "SIGNING_KEY_SECRET_ARN",
    "link_expiry_days": "LINK_EXPIRY_DAYS",
    "retention_years": "RETENTION_YEARS",
    "escalation_working_days": "ESCALATION_WORKING_DAYS",
    "ses_configuration_set": "SES_CONFIGURATION_SET",
    "local_clock_file": "GROWTHCYCLE_LOCAL_CLOCK_FILE",
    "wonde_api_url": "GROWTHCYCLE_WONDE_API_URL",
}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    raw = {field: os.environ[var] for field, var in _ENV.items() if os.environ.get(var)}
    try:
        return Settings.model_validate(raw)
    except ValidationError as error:
        names = ", ".join(_ENV[str(e["loc"][0])] for e in error.errors())
        raise SettingsMissing(f"missing or invalid environment variables: {names}") from error
