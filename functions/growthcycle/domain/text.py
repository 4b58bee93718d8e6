"""Text from outside (a roster, a form) made safe for where it goes.

Control characters (C0 and C1, DEL) and the Unicode line and paragraph separators can split an
email header in two ("Subject: ...\r\nBcc: ..."), or hide text. A roster refuses them
(domain/staff.py); wherever an email header is built they are replaced by a space
(adapters/outbox.Email, adapters/delivery.py), so no header ever carries one.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_RUNS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def has_control_characters(text: str) -> bool:
    return CONTROL.search(text) is not None


def header_text(text: str) -> str:
    """`text` with every run of control characters replaced by one space (safe in a header)."""
    return _CONTROL_RUNS.sub(" ", text).strip()
