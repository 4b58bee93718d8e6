"""An email addressed to several people lists each once (the meeting invitation listed the
reviewee twice: moto adds the raw message's To header to the envelope's addresses)."""

from __future__ import annotations

from growthcycle.web.mail import unique_addresses


def test_recipients_are_listed_once_compared_case_insensitively_in_first_seen_order() -> None:
    assert unique_addresses(
        ["e.clarke@oakfield.example", "E.Clarke@Oakfield.example ", "s.pritchard@oakfield.example"]
    ) == ["e.clarke@oakfield.example", "s.pritchard@oakfield.example"]
    assert unique_addresses([]) == []
