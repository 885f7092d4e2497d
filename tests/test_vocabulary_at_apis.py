"""The vocabulary enums are the types at every API (issue 41): a parameter or field named
for a vocabulary (``status``, ``step``, ``phase``, ...) is never annotated ``str``, so a
typo such as ``"rolled_bak"`` fails mypy strict instead of reaching the journal. Read from
the source's annotations (AST), so it covers functions, methods, dataclass fields and
Pydantic models alike."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from netprov.change.outcome import Status
from netprov.checks.drift import DriftState
from netprov.engines import Engine
from netprov.errors import Severity
from netprov.models import Phase, Platform, SiteKind
from netprov.phases import Role
from netprov.platforms.session import RevertMethod
from netprov.secrets import SecretMode
from netprov.state.journal_rows import RunStatus, Step
from tests.conftest import REPO

# a name at an API -> the enums that say it
VOCABULARY: dict[str, tuple[type, ...]] = {
    "status": (Status, RunStatus),
    "step": (Step,),
    "phase": (Phase,),
    "platform": (Platform,),
    "severity": (Severity,),
    "drift": (DriftState,),
    "revert_method": (RevertMethod,),
    "secret_mode": (SecretMode,),
    "site_kind": (SiteKind,),
    "uplink_role": (Role,),
    "engine": (Engine,),
}
# the same names where they mean something else, each with why
NOT_VOCABULARY = {
    ("netprov/platforms/base.py", "InterfaceState", "status"): "the router's own words",
    ("netprov/platforms/base.py", "SimulatedStep", "step"): "the command sent",
    ("netprov/twin/ios_show.py", "Neighbour", "platform"): "CDP's words for the neighbour",
}


def annotated(tree: ast.Module) -> Iterator[tuple[str, str, ast.expr, int]]:
    """(owner, name, annotation, line) of every annotated parameter and class field."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    yield node.name, item.target.id, item.annotation, item.lineno
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
                if arg.annotation is not None:
                    yield node.name, arg.arg, arg.annotation, arg.lineno


def says_str(annotation: ast.expr) -> bool:
    text = annotation.value if isinstance(annotation, ast.Constant) else ast.unparse(annotation)
    return "str" in {part.strip() for part in str(text).replace("|", " ").split()}


def test_no_str_where_a_vocabulary_enum_exists() -> None:
    found = []
    for path in sorted((REPO / "netprov").rglob("*.py")):  # the tasks are netprov.tasks
        where = path.relative_to(REPO).as_posix()
        for owner, name, annotation, line in annotated(ast.parse(path.read_text())):
            known = (where, owner, name) in NOT_VOCABULARY
            if name in VOCABULARY and says_str(annotation) and not known:
                enums = " or ".join(e.__name__ for e in VOCABULARY[name])
                found.append(f"{where}:{line} {owner}.{name}: str, not {enums}")
    assert not found, "\n".join(found)


def test_the_exceptions_still_exist() -> None:
    """An exception whose field went away is removed from the list (no stale pass)."""
    for where, owner, name in NOT_VOCABULARY:
        tree = ast.parse((REPO / where).read_text())
        assert any(o == owner and n == name for o, n, _, _ in annotated(tree)), (where, owner)
