"""The layers of docs/architecture.md, read from the imports themselves (ast, no tool outside the
project), so a new import that crosses a layer fails here rather than in review.

- domain: plain Python and pydantic. No boto3/botocore, no adapters, app, web, handlers, cli, local.
- adapters: boto3 lives here. Never web, app, handlers, cli or local.
- app: the use cases. Never web, handlers, cli or local.
- web: routes. Never another route module, and never adapters (the app layer is between them).
- nothing Lambda runs (the handlers and everything they import) reaches cli or local.
- no import cycle anywhere in the package (imports inside functions count; `TYPE_CHECKING` ones
  do not, since they never run).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "functions"
PACKAGE = PACKAGE_ROOT / "growthcycle"

# Web modules that are not routes: shared helpers any route module may import.
WEB_HELPERS = frozenset(
    {
        "growthcycle.web",
        "growthcycle.web.app",
        "growthcycle.web.core",
        "growthcycle.web.errors",
        "growthcycle.web.hooks",
        "growthcycle.web.http",
        "growthcycle.web.mail",
        "growthcycle.web.openapi",
        "growthcycle.web.paging",
        "growthcycle.web.ratelimit",
        "growthcycle.web.request",
        "growthcycle.web.services",
        "growthcycle.web.static",
        "growthcycle.web.statement_content",
        "growthcycle.web.templating",
    }
)

# Web route modules that still reach adapters, or another route module, directly. Each is moved
# behind the application layer (growthcycle/app/) in turn: this list only ever shrinks, and a test
# below fails when an entry is no longer needed, so it cannot go stale.
STILL_CROSSING: frozenset[tuple[str, str]] = frozenset(
    {
        ("growthcycle.web.deadline_steps", "growthcycle.adapters.deadlines"),
        ("growthcycle.web.forms_pages", "growthcycle.web.reflections"),
        ("growthcycle.web.forms_pages", "growthcycle.web.reviewers"),
        ("growthcycle.web.forms_pages", "growthcycle.web.special_cases"),
        ("growthcycle.web.sign_in", "growthcycle.adapters.outbox"),
        ("growthcycle.web.sign_in", "growthcycle.adapters.sign_in"),
        ("growthcycle.web.statements", "growthcycle.adapters.outbox"),
        ("growthcycle.web.statements", "growthcycle.adapters.statement_clocks"),
        ("growthcycle.web.statements", "growthcycle.adapters.statements"),
        ("growthcycle.web.statements", "growthcycle.web.reviewers"),
        ("growthcycle.web.statements", "growthcycle.web.special_cases"),
    }
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk_runtime(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, skipping the bodies of `if TYPE_CHECKING:` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            stack.append(child)


@cache
def imports_of(name: str) -> frozenset[str]:
    """The modules (external ones by their top-level name) that `name` imports at run time."""
    path = modules()[name]
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in _walk_runtime(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add(_resolve(alias.name))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in modules() else _resolve(base))
    found.discard(name)
    return frozenset(found)


def _resolve(dotted: str) -> str:
    if dotted.split(".")[0] != "growthcycle":
        return dotted.split(".")[0]
    while dotted and dotted not in modules():
        dotted = dotted.rpartition(".")[0]
    return dotted


def _layer(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def _own(name: str) -> list[str]:
    return [m for m in imports_of(name) if m.startswith("growthcycle")]


def test_the_package_is_read():
    # Given the tree, the reader finds its modules and their imports (so the rules below bite).
    assert "growthcycle.domain.statements" in modules()
    assert "growthcycle.web.services" in imports_of("growthcycle.web.core")


def test_domain_imports_no_aws_no_adapters_no_web():
    forbidden = {"boto3", "botocore", "aws_lambda_powertools"}
    bad = [
        (name, imported)
        for name in modules()
        if _layer(name) == "domain"
        for imported in imports_of(name)
        if imported in forbidden
        or (
            _layer(imported) in {"adapters", "app", "web", "handlers", "cli", "local"}
            and imported.startswith("growthcycle.")
        )
    ]
    assert bad == []


def test_adapters_never_import_web_app_or_the_local_stack():
    bad = [
        (name, imported)
        for name in modules()
        if _layer(name) == "adapters"
        for imported in _own(name)
        if _layer(imported) in {"app", "web", "handlers", "cli", "local"}
    ]
    assert bad == []


def test_app_never_imports_web():
    bad = [
        (name, imported)
        for name in modules()
        if _layer(name) == "app"
        for imported in _own(name)
        if _layer(imported) in {"web", "handlers", "cli", "local"}
    ]
    assert bad == []


def _web_crossings() -> set[tuple[str, str]]:
    crossings = set()
    for name in modules():
        if _layer(name) != "web" or name in WEB_HELPERS:
            continue
        for imported in _own(name):
            if _layer(imported) == "adapters" or (
                _layer(imported) == "web" and imported not in WEB_HELPERS
            ):
                crossings.add((name, imported))
    return crossings


def test_route_modules_reach_adapters_and_other_routes_only_through_the_app_layer():
    new = _web_crossings() - STILL_CROSSING
    assert sorted(new) == [], (
        "a route module imports adapters or another route: use growthcycle.app"
    )


def test_the_list_of_remaining_crossings_holds_nothing_already_mended():
    assert sorted(STILL_CROSSING - _web_crossings()) == []


def test_web_helpers_import_no_route_module():
    bad = [
        (name, imported)
        for name in WEB_HELPERS - {"growthcycle.web.app", "growthcycle.web.openapi"}
        if name in modules()
        for imported in _own(name)
        if _layer(imported) == "web" and imported not in WEB_HELPERS
    ]
    assert bad == []


def _reachable(start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in modules():
            continue
        seen.add(name)
        todo.extend(_own(name))
    return seen


@pytest.mark.parametrize(
    "handler", sorted(n for n in modules() if n.startswith("growthcycle.handlers."))
)
def test_nothing_lambda_runs_imports_the_cli_or_the_local_stack(handler):
    reached = _reachable(handler)
    assert sorted(n for n in reached if _layer(n) in {"cli", "local"}) == []


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in _own(node):
            if nxt not in modules():
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for name in modules():
        if name not in index:
            visit(name)
    return found


def test_no_import_cycle_anywhere_in_the_package():
    assert _cycles() == []
