"""`growthcycle forms preview FILE [--school S] [--style S] [--trust T] --out DIR` (issue 12, item 4):
what staff will see, with no stack running: the phone page (the blank form), the read-only page
and the plain-text statement (with example answers), as a school gets the form.

FILE is a shipped form, a trust's or a school's file (a whole form or an overlay). A file inside
infra/trusts/<trust>/ names its trust (and .../schools/<school>/ its school); otherwise --trust
(default: the demo trust) and --school. The school's layers are applied as they are, with FILE
as the top layer, so a draft change can be previewed before it is put in place.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from growthcycle.domain.form_layers import Layer, LayerFile, layers_for, resolve
from growthcycle.domain.forms import (
    Choice,
    Form,
    FormContext,
    FormDefinitionError,
    _display_path,
    _read_yaml,
    load_forms,
    load_reference,
)
from growthcycle.domain.styles import STYLES
from growthcycle.domain.trust import School, TrustConfigInvalid, UnknownSchool, load_trust
from growthcycle.local.seed import DEMO_TRUST
from growthcycle.templating import TEMPLATES_DIR
from growthcycle.web.form_preview import preview_pages


class PreviewRefused(Exception):
    """The file, school or style cannot be previewed; the message says why."""


def _trust_and_school(file: Path, trust: str | None, school: str | None) -> tuple[Path, str | None]:
    """The trust file and school a preview is for: given, else read from FILE's path."""
    parts = file.resolve().parts
    if trust is None and "trusts" in parts:
        at = len(parts) - 1 - parts[::-1].index("trusts")
        if at + 1 < len(parts) - 1:
            trust_file = Path(*parts[: at + 2]).with_suffix(".yaml")
            if trust_file.is_file():
                trust = str(trust_file)
                if school is None and "schools" in parts[at + 2 :]:
                    i = parts.index("schools", at + 2)
                    school = parts[i + 1] if i + 1 < len(parts) else None
    return (Path(trust) if trust else DEMO_TRUST), school


def preview_form(
    file: Path, school: School | None, trust_file: Path, style: str | None
) -> tuple[Form, FormContext]:
    """The form FILE makes for `school` (None: over the shipped forms only), and its context."""
    item = LayerFile(_display_path(file), file.stem, _read_yaml(file))
    if school is not None:
        below = [
            Layer(
                layer.name,
                tuple(f for f in layer.files if Path(f.file).resolve() != file.resolve()),
            )
            for layer in layers_for(trust_file, school.id)
        ]
    else:
        below = []
    forms = resolve(load_forms(), [*below, Layer("previewed", (item,))])
    form_id = item.data.get("extends") or item.data.get("id")
    form = forms.get(str(form_id))
    chosen = (
        style
        or (school.policy_style if school else None)
        or next(s for s in STYLES if form.applies_to(s))
    )
    if not form.applies_to(chosen):
        raise PreviewRefused(f"{item.file}: the form is not asked in the {chosen} style")
    priorities = [Choice(p.id, p.title) for p in school.priorities] if school else []
    ctx = FormContext(
        style=chosen,  # type: ignore[arg-type]
        references={
            "teachers_standards": load_reference("teachers_standards"),
            "school_priorities": priorities or [Choice("a-school-priority", "A school priority")],
        },
    )
    return form, ctx


def write_preview(form: Form, ctx: FormContext, out: Path, school_name: str) -> list[Path]:
    """The three files, and the stylesheet they link to."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "static").mkdir(exist_ok=True)
    shutil.copy(TEMPLATES_DIR / "static" / "app.css", out / "static" / "app.css")
    pages = preview_pages(form, ctx, school_name)
    names = {"phone": f"{form.id}.html", "read": f"{form.id}-read.html", "text": f"{form.id}.txt"}
    written = []
    for view, name in names.items():
        path = out / name
        path.write_text(pages[view].replace('href="/static/', 'href="static/'), encoding="utf-8")
        written.append(path)
    return written


def run_preview(args: argparse.Namespace) -> int:
    file = Path(args.file)
    if not file.is_file():
        print(f"{file}: no such file", file=sys.stderr)
        return 1
    trust_file, school_id = _trust_and_school(file, args.trust, args.school)
    try:
        school = load_trust(trust_file).school(school_id) if school_id else None
        form, ctx = preview_form(file, school, trust_file, args.style)
    except FormDefinitionError as error:
        print(str(error), file=sys.stderr)
        return 1
    except TrustConfigInvalid as invalid:
        print(f"{trust_file}: " + "; ".join(invalid.problems), file=sys.stderr)
        return 1
    except UnknownSchool:
        print(f"{trust_file}: there is no school {school_id!r}", file=sys.stderr)
        return 1
    except PreviewRefused as refused:
        print(str(refused), file=sys.stderr)
        return 1
    name = school.name if school else "(the shipped forms)"
    for path in write_preview(form, ctx, Path(args.out), name):
        print(f"wrote {path}")
    print(f"{form.id} for {name}, {ctx.style} style: open {Path(args.out) / (form.id + '.html')}")
    return 0
