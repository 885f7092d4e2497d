"""The shape of the code a newcomer inherits (issues 25 and 41), read from the source with
``ast``: the packages keep their order (:data:`PACKAGE_ORDER`: which package may import
which, annotation-only and lazy imports counted, so no cycle between packages), modules
have no import cycle (counting imports inside functions, which would otherwise hide one),
no module reaches for another's private names, no production module imports the twin, no
module grows past what one person reads in a sitting, and the public API says what it is
for.
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "netprov"
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for path in sorted(PACKAGE.rglob("*.py"))
    if "migrations" not in path.parts
}


def _runtime_nodes(tree: ast.Module) -> Iterator[ast.AST]:
    """Every node except what sits under ``if TYPE_CHECKING:`` (never imported at run time)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    is_package = MODULES[module].name == "__init__.py"
    base = package[: len(package) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(module: str) -> Iterator[tuple[str, list[str], int]]:
    """(imported module, the names taken from it, line) for each runtime import."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            names = [alias.name for alias in node.names]
            submodules = [f"{source}.{name}" for name in names if f"{source}.{name}" in MODULES]
            for submodule in submodules:  # ``from netprov.sim import ios`` imports a module
                yield submodule, [], node.lineno
            if len(submodules) < len(names):
                yield source, names, node.lineno


def _graph() -> dict[str, set[str]]:
    return {
        module: {target for target, _, _ in _imports(module) if target in MODULES} - {module}
        for module in MODULES
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle() -> None:
    assert _cycles(_graph()) == []


def test_a_cycle_is_found_when_there_is_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _all_imports(module: str) -> Iterator[str]:
    """Every module ``module`` imports, at run time or for annotations only."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            yield source
            yield from (f"{source}.{alias.name}" for alias in node.names)


# the twin stands in for routers in tests, rehearsals and the demo; the product runs
# without it. Only the command that starts one (``netprov twin up``, ``--twin``) may
# reach for it.
TWIN_USERS = ("netprov.twin", "netprov.cli")


def test_no_production_module_imports_the_twin() -> None:
    found = sorted(
        f"{MODULES[module].relative_to(ROOT)}: {target}"
        for module in MODULES
        if not module.startswith(TWIN_USERS)
        for target in _all_imports(module)
        if target == "netprov.twin" or target.startswith("netprov.twin.")
    )
    assert found == []


# The package order, lowest first: what each package of netprov/ may import besides
# itself (the README's layout says the same, in words). ``netprov`` is the vocabulary at
# the top level (errors, models, phases, plans, secrets); the facade (``netprov/__init__``,
# ``__main__``) is the public API over everything and is imported by no one.
PACKAGE_ORDER: dict[str, set[str]] = {
    "netprov": set(),
    "syntax": {"netprov"},
    "sim": {"netprov", "syntax"},
    "platforms": {"netprov", "syntax", "sim"},
    "state": {"netprov"},
    "inventory": {"netprov", "syntax", "platforms"},
    "render": {"netprov", "syntax", "platforms", "inventory"},
    "checks": {"netprov", "syntax", "sim", "platforms", "state", "inventory", "render"},
    "change": {"netprov", "syntax", "platforms", "state", "inventory", "render", "checks"},
    "rollout": {
        *{"netprov", "syntax", "platforms", "state", "inventory", "render", "checks"},
        "change",
    },
    "reports": {"netprov", "platforms", "state", "inventory", "checks"},
    "twin": {"netprov", "syntax", "sim", "platforms", "state", "inventory", "render"},
    "tasks": {"netprov", "platforms", "inventory", "render", "change", "rollout"},
    "cli": {
        *{"netprov", "syntax", "platforms", "state", "inventory", "render", "checks"},
        *{"change", "rollout", "reports", "twin", "tasks"},
    },
}
FACADE = {"netprov", "netprov.__main__"}
VOCABULARY_PACKAGES = {"models"}


def _package(module: str) -> str:
    """The package of a module: its folder under netprov/, or ``netprov`` at the top (the
    inventory's models are vocabulary too)."""
    parts = module.split(".")
    folder = len(parts) > 2 or MODULES[module].name == "__init__.py"
    return parts[1] if folder and parts[1] not in VOCABULARY_PACKAGES else "netprov"


def _package_edges() -> Iterator[tuple[str, str, str]]:
    """(package, imported package, where) for each import between packages, at run time,
    inside functions or for annotations only."""
    for module in MODULES:
        if module in FACADE:
            continue
        for target in _all_imports(module):
            if target in MODULES and target not in FACADE and _package(target) != _package(module):
                yield _package(module), _package(target), f"{module} -> {target}"


def test_every_package_has_a_place_in_the_order() -> None:
    packages = {_package(module) for module in MODULES if module not in FACADE}
    assert packages == set(PACKAGE_ORDER)


def test_the_package_order_is_an_order() -> None:
    graph = {package: allowed - {package} for package, allowed in PACKAGE_ORDER.items()}
    assert _cycles(graph) == []


def test_each_package_imports_only_what_the_order_allows() -> None:
    wrong = sorted(
        f"{package} may not import {target}: {where}"
        for package, target, where in _package_edges()
        if target not in PACKAGE_ORDER[package]
    )
    assert wrong == []


def test_no_cycle_between_packages_counting_annotations() -> None:
    graph: dict[str, set[str]] = {package: set() for package in PACKAGE_ORDER}
    for package, target, _ in _package_edges():
        graph[package].add(target)
    assert _cycles(graph) == []


def test_nothing_imports_the_facade_but_its_version() -> None:
    """``netprov/__init__`` imports every layer: a module importing it imports them all."""
    found = sorted(
        f"{module}: {name}"
        for module in MODULES
        if module not in FACADE
        for source, names, _ in _imports(module)
        if source == "netprov"
        for name in names
        if name != "__version__" and f"netprov.{name}" not in MODULES
    )
    assert found == []


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _names_imported(module: str) -> Iterator[tuple[str, str, int]]:
    """(source module, name, line) of every ``from X import name``, annotation-only too."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _resolve(module, node)
            for alias in node.names:
                yield source, alias.name, node.lineno


def test_no_module_imports_another_modules_private_names() -> None:
    crossings = [
        f"{MODULES[module].relative_to(ROOT)}:{line}: {source}.{name}"
        for module in MODULES
        for source, name, line in _names_imported(module)
        if source.startswith("netprov") and _is_private(name)
    ]
    assert crossings == []


def test_no_module_is_longer_than_one_sitting() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in MODULES.values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _documented(thing: object) -> bool:
    """A docstring of its own, or one it inherits from what it overrides (as ``help()``
    shows it: a driver's method is specified once, on the base driver). A dataclass's
    generated ``Name(field, ...)`` line is no documentation."""
    doc = inspect.getdoc(thing)
    name = getattr(thing, "__name__", "")
    return doc is not None and not (inspect.isclass(thing) and doc.startswith(f"{name}("))


def _public_definitions(module: str) -> Iterator[tuple[str, bool]]:
    """(qualified name, documented) of each public class and function a module defines,
    and each public method of its public classes (properties included)."""
    if module.endswith("__main__"):
        return  # running it is what importing it does
    loaded = importlib.import_module(module)
    for name, thing in vars(loaded).items():
        if _is_private(name) or getattr(thing, "__module__", None) != module:
            continue
        if not (inspect.isclass(thing) or inspect.isfunction(thing)):
            continue
        yield name, _documented(thing)
        if inspect.isclass(thing) and not issubclass(thing, enum.Enum):
            for member, value in vars(thing).items():
                if member.startswith("_"):
                    continue
                if inspect.isfunction(value) or isinstance(value, property):
                    yield f"{name}.{member}", _documented(getattr(thing, member))


def _undocumented(modules: list[str]) -> tuple[list[str], int]:
    missing, total = [], 0
    for module in modules:
        for name, documented in _public_definitions(module):
            total += 1
            if not documented:
                missing.append(f"{module}.{name}")
    return missing, total


@pytest.mark.parametrize("area", ["netprov.platforms", "netprov.state.journal"])
def test_every_public_definition_of_the_contracts_is_documented(area: str) -> None:
    """The driver contract and the journal are what another platform or tool builds on:
    their docstrings are the spec (as napalm's base driver)."""
    modules = [m for m in MODULES if m.startswith(area)]
    missing, _ = _undocumented(modules)
    assert missing == []


def test_most_public_definitions_are_documented() -> None:
    missing, total = _undocumented(list(MODULES))
    assert 1 - len(missing) / total >= 0.80, f"{len(missing)} of {total} undocumented"
