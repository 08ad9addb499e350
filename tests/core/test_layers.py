"""The apps depend on each other in one direction (docs/architecture.md):

    core ← geo ← accounts ← notifications ← listings ← {matching, messaging} ← moderation ← demo

A module may import its own app and the apps below it, never one above it nor a sibling (matching
and messaging ignore each other), not even inside a function; there is no cycle between apps; and
no app loads another app's model by name (`apps.get_model("other", "Model")`), which would hide
the dependency from this test. A lower app that must let a higher one take part declares a hook
(as messaging does for the moderators' reading) or follows a reverse relation the higher app
declares (`listing.conversations`).

Read from the source with `ast`, without importing anything. Migrations are left out (they name
other apps' models by design); demo data is the top layer wherever it lives.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

# Package → rank. Same rank: siblings, which may not import each other.
LAYERS = {
    "bourse.core": 0,
    "bourse.geo": 1,
    "accounts": 2,
    "bourse.notifications": 3,
    "bourse.listings": 4,
    "bourse.matching": 5,
    "messaging": 5,
    "bourse.moderation": 6,
    "demo": 7,
    "bourse.demo": 7,
}
DEMO_MODULE_NAMES = {"demo", "demo_catalog", "load_demo"}


def _layer_of(module: str) -> str | None:
    for package in sorted(LAYERS, key=len, reverse=True):
        if module == package or module.startswith(package + "."):
            return package
    return None


def _owner(module: str) -> str | None:
    """The layer a module belongs to: its app's, or the demo's for demo data inside an app."""
    if module.rsplit(".", 1)[-1] in DEMO_MODULE_NAMES:
        return "demo"
    return _layer_of(module)


def _imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                base = parts if is_package else parts[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
    return found


def _models_by_name(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, app label) of each `get_model("label", ...)` / `get_model("label.Model")`."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value.split(".")[0]))
    return found


def check_sources(sources: dict[str, tuple[str, bool]], labels: dict[str, str]) -> list[str]:
    """Every breach of the rules in `sources` ({module: (code, is_package)}); `labels` maps an
    app label to its package. Returns readable lines, empty when all is well."""
    problems = []
    edges: dict[str, set[str]] = {}
    for module, (code, is_package) in sources.items():
        owner = _owner(module)
        if owner is None:
            continue
        tree = ast.parse(code)
        for line, target in _imported(tree, module, is_package):
            layer = _layer_of(target)
            if layer is None or layer == owner or _layer_of(module) == layer:
                continue
            edges.setdefault(owner, set()).add(layer)
            if LAYERS[layer] > LAYERS[owner]:
                problems.append(f"{module}:{line} imports {target}, a layer above")
            elif LAYERS[layer] == LAYERS[owner]:
                problems.append(f"{module}:{line} imports {target}, a sibling")
        for line, label in _models_by_name(tree):
            package = labels.get(label)
            if package is not None and package != _layer_of(module):
                problems.append(f"{module}:{line} loads a model of {label} by name")
    problems += [f"import cycle between apps: {' → '.join(c)}" for c in _cycles(edges)]
    return problems


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    cycles, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycles.append(path[path.index(node) :] + [node])
            return
        if node in done:
            return
        for nxt in sorted(edges.get(node, ())):
            visit(nxt, path + [node])
        done.add(node)

    for node in sorted(edges):
        visit(node, [])
    return cycles


def _project_sources() -> dict[str, tuple[str, bool]]:
    sources = {}
    for package in LAYERS:
        folder = ROOT / package.replace(".", "/")
        if not folder.is_dir():
            continue
        for path in folder.rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            is_package = path.name == "__init__.py"
            parts = relative.parent.parts if is_package else relative.with_suffix("").parts
            sources[".".join(parts)] = (path.read_text(encoding="utf-8"), is_package)
    return sources


def _labels() -> dict[str, str]:
    return {config.label: config.name for config in apps.get_app_configs()}


def test_every_project_app_has_its_place():
    local = [name for name in settings.INSTALLED_APPS if (ROOT / name.replace(".", "/")).is_dir()]
    assert local and set(local) <= set(LAYERS), set(local) - set(LAYERS)


def test_the_apps_depend_downwards_only():
    assert check_sources(_project_sources(), _labels()) == []


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (
            {"accounts.views": ("from bourse.listings.models import Listing", False)},
            "accounts.views:1 imports bourse.listings.models, a layer above",
        ),
        (
            {"bourse.listings.forms": ("def f():\n    import messaging.models", False)},
            "bourse.listings.forms:2 imports messaging.models, a layer above",
        ),
        (
            {"bourse.matching.services": ("from messaging import services", False)},
            "bourse.matching.services:1 imports messaging, a sibling",
        ),
        (
            {"bourse.core.errors": ("from ..geo import data", False)},
            "bourse.core.errors:1 imports bourse.geo, a layer above",
        ),
        (
            {"bourse.moderation.queries": ('M = apps.get_model("messaging", "Message")', False)},
            "bourse.moderation.queries:1 loads a model of messaging by name",
        ),
    ],
)
def test_the_check_sees_each_breach(sources, expected):
    assert expected in check_sources(sources, _labels())


def test_the_check_sees_a_cycle_and_leaves_demo_data_alone():
    sources = {
        "accounts.services": ("import bourse.geo.data", False),
        "bourse.geo.data": ("from accounts import models", False),
        "accounts.demo": ("from bourse.moderation import services", False),
    }
    problems = check_sources(sources, _labels())
    assert "import cycle between apps: accounts → bourse.geo → accounts" in problems
    assert not any(p.startswith("accounts.demo") for p in problems)
