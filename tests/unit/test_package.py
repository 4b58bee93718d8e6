"""What each function's deployment package holds (issue 13, item 6): functions/Makefile, which
`sam build` runs for every function, ships the runtime dependencies without boto3 (Lambda's
python3.11 runtime provides it) and the growthcycle package without cli/ and local/.

Unit layer: no `sam build` here (it needs the package registry; `make bench` measures the sizes).
These tests check what the build relies on: every function builds with the Makefile, the
requirements agree with pyproject.toml, and no handler imports what the package leaves out.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Any

import pytest

from growthcycle.local.table import load_template

ROOT = Path(__file__).resolve().parents[2]
MAKEFILE = ROOT / "functions" / "Makefile"
REQUIREMENTS = ROOT / "functions" / "requirements.txt"
API_REQUIREMENTS = ROOT / "functions" / "requirements-api.txt"
RUNTIME_PROVIDED = {"boto3"}  # in Lambda's python3.11 runtime (docs/operations.md)
LEFT_OUT = ("growthcycle.cli", "growthcycle.local")


def _functions() -> dict[str, dict[str, Any]]:
    resources = load_template()["Resources"]
    return {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}


def _names(lines: list[str]) -> set[str]:
    return {re.split(r"[\[<>=~! ;]", line.strip(), maxsplit=1)[0].lower() for line in lines}


def test_every_function_is_built_by_the_makefile() -> None:
    makefile = MAKEFILE.read_text(encoding="utf-8")
    listed = set(re.search(r"^FUNCTIONS := (.+)$", makefile, re.M).group(1).split())  # type: ignore[union-attr]
    for name, function in _functions().items():
        assert function.get("Metadata", {}).get("BuildMethod") == "makefile", name
        assert name in listed, f"{name} has no build-{name} target in functions/Makefile"
    # The AWS SDK comes with the runtime, even where a dependency (aws-xray-sdk) asks for it.
    provided = re.search(r"^RUNTIME_PROVIDED := (.+)$", makefile, re.M)
    assert provided and {"boto3", "botocore"} <= set(provided.group(1).split())
    # The package leaves out the command line and the embedded stack.
    for left_out in ("cli", "local"):
        assert f'"$(ARTIFACTS_DIR)/growthcycle/{left_out}"' in makefile


def _requirements(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return _names([line for line in lines if line.strip() and not line.lstrip().startswith("#")])


def test_the_requirements_are_pyprojects_less_what_the_runtime_provides() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _names(project["dependencies"]) - RUNTIME_PROVIDED
    every_function, api_only = _requirements(REQUIREMENTS), _requirements(API_REQUIREMENTS)
    assert every_function | api_only == wanted
    assert not every_function & api_only
    # The PDF and sign-in libraries (most of a package's size) ship with the API only.
    assert {"fpdf2", "joserfc"} <= api_only
    makefile = MAKEFILE.read_text(encoding="utf-8")
    assert "build-ApiFunction: EXTRA := --requirement requirements-api.txt" in makefile
    # Working days and "today" are counted in Europe/London: the zone data ships in the package.
    assert "tzdata" in every_function


def test_the_api_loads_the_pdf_and_token_libraries_only_when_it_needs_them() -> None:
    script = (
        "import sys, growthcycle.handlers.api; "
        "print(sorted(m for m in ('fpdf', 'joserfc', 'PIL', 'fontTools', 'cryptography') "
        "if m in sys.modules))"
    )
    env = {"AWS_DEFAULT_REGION": "eu-west-2", "POWERTOOLS_TRACE_DISABLED": "true"}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "handler", sorted({f["Properties"]["Handler"] for f in _functions().values()})
)
def test_no_handler_imports_what_the_package_leaves_out(handler: str) -> None:
    module = handler.rsplit(".", 1)[0]
    script = textwrap.dedent(
        f"""
        import importlib, importlib.abc, sys

        class LeftOut(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.startswith({LEFT_OUT!r}):
                    raise ImportError(name + " is not in the deployment package")
                return None

        sys.meta_path.insert(0, LeftOut())
        importlib.import_module({module!r})
        """
    )
    env = {"AWS_DEFAULT_REGION": "eu-west-2", "POWERTOOLS_TRACE_DISABLED": "true"}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
