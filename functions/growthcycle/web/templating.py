"""The web layer's name for the one Jinja environment (growthcycle/templating.py): one object, so a
global a page sets is there for emails too."""

from growthcycle.templating import TEMPLATES_DIR, environment, render

__all__ = ["TEMPLATES_DIR", "environment", "render"]
