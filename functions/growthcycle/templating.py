"""The one Jinja environment: autoescape on, created once, templates from the project's templates/.

At the package's top (beside config and observability), not in web/: pages and emails share it,
and the application layer (app/mail.py) renders emails without importing the web."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

TEMPLATES_DIR = Path(__file__).resolve().parent / "resources" / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        # HTML is escaped; plain-text emails (.txt) are not HTML, so O'Brien stays O'Brien.
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml"),
            disabled_extensions=("txt",),
            default=True,
            default_for_string=True,
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )


def render(name: str, **context: Any) -> str:
    context.setdefault("person", None)
    return environment().get_template(name).render(**context)
