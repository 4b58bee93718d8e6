"""Static files (the stylesheet) served by the API itself: no third-party requests, and the CSP
can say `style-src 'self'`."""

from __future__ import annotations

from functools import lru_cache

from growthcycle.web.templating import TEMPLATES_DIR

_TYPES = {".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".ico": "image/x-icon"}


@lru_cache(maxsize=16)
def static_file(name: str) -> tuple[str, str] | None:
    folder = TEMPLATES_DIR / "static"
    path = (folder / name).resolve()
    suffix = path.suffix
    if path.parent != folder.resolve() or suffix not in _TYPES or not path.is_file():
        return None
    return _TYPES[suffix], path.read_text(encoding="utf-8")
