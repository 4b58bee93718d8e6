"""What time it is. Deployed: the system clock. The local stack can set "today" (/_local/clock)
through a file named by GROWTHCYCLE_LOCAL_CLOCK_FILE, which template.yaml never sets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock:
    def __init__(self, override_file: str | None = None) -> None:
        self._override = Path(override_file) if override_file else None

    def now(self) -> datetime:
        real = datetime.now(UTC)
        if self._override and self._override.exists():
            text = self._override.read_text().strip()
            if text:
                day = date.fromisoformat(text)
                return datetime.combine(day, real.astimezone(LONDON).time(), LONDON).astimezone(UTC)
        return real

    def today(self) -> date:
        """Today in the schools' time zone."""
        return self.now().astimezone(LONDON).date()

    def start_of_today(self) -> datetime:
        return datetime.combine(self.today(), time(), LONDON)
