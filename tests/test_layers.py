"""The package's import graph: no cycles, and no import from a lower layer to a higher one.

Layers, lowest first: core < offer < osm < timings < sandbox < chain < cli. The MEC platform
(mep) and the sample app (mecapp) run in their own images and may use only core; appd and meo
sit beside chain: they may use core, offer, osm and timings, never chain or cli (meo may also
use appd). Every import
counts, also one inside a function (a late import hides a dependency, it does not remove it);
only imports under ``if TYPE_CHECKING:`` are left out of the cycle check, since they never run.
The graph is read with ``ast`` from the source, so no module is imported to check it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "osm_mec"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

ORDER = ("core", "offer", "osm", "timings", "sandbox", "chain", "cli")
ALLOWED: dict[str, frozenset[str]] = {
    layer: frozenset(ORDER[: index + 1]) for index, layer in enumerate(ORDER)
}
ALLOWED |= {
    "mep": frozenset({"core", "mep"}),
    "mecapp": frozenset({"core", "mecapp"}),
    "appd": frozenset({"core", "offer", "osm", "timings", "appd"}),
    # the MEO reads application descriptors with appd's parser; appd knows nothing of the MEO
    "meo": frozenset({"core", "offer", "osm", "timings", "appd", "meo"}),
}
# `osm-mec app deploy|remove` and `provision --appd` (chain) use the AppD library and the
# MEO's code beside them; neither of those imports chain
ALLOWED["chain"] = ALLOWED["chain"] | {"appd", "meo"}
# the sandbox runs our real MEP for a MEP KDU and the sample app for a mec-app KDU
# (sandbox/mep_runner, app_runner; imported only then), so the chain's registration with the
# MEP is tested against their own code; mep and mecapp use only core: no cycle can follow
ALLOWED["sandbox"] = ALLOWED["sandbox"] | {"mep", "mecapp"}
ALLOWED["cli"] = frozenset(ALLOWED) | {"cli"}
TOP = ""  # osm_mec/__init__.py (the version): anyone may import it


@dataclass(frozen=True)
class Import:
    """One import of a package module by another: where it is and whether it ever runs."""

    source: str
    target: str
    line: int
    type_checking_only: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else TOP


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute name of a ``from ... import`` (relative ones resolved against module)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool,
             known: set[str]) -> Iterator[str]:
    """Package modules an import statement loads (a name may be a submodule or an attribute)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.split(".")[0] == PACKAGE:
                yield alias.name
        return
    base = _resolve(module, is_package, node)
    if base.split(".")[0] != PACKAGE:
        return
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        yield submodule if submodule in known else base


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: list[Import] = []

    def visit(node: ast.AST, type_checking: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, type_checking)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, module, is_package, known):
                found.append(Import(module, target, node.lineno, type_checking))
        for child in ast.iter_child_nodes(node):
            visit(child, type_checking)

    visit(tree, False)
    return found


def import_graph() -> list[Import]:
    modules = all_modules()
    known = set(modules)
    return [imp for name, path in modules.items() for imp in imports_of(name, path, known)]


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def import_cycles(graph: list[Import]) -> list[list[str]]:
    edges: dict[str, set[str]] = {}
    for imp in graph:
        if not imp.type_checking_only and imp.source != imp.target:
            edges.setdefault(imp.source, set()).add(imp.target)
    return strongly_connected(edges)


def upward_imports(graph: list[Import]) -> list[str]:
    wrong = []
    for imp in graph:
        source, target = layer_of(imp.source), layer_of(imp.target)
        if target == TOP or source == TOP:
            continue
        allowed = ALLOWED.get(source)
        if allowed is None:
            wrong.append(f"{imp.source}: package osm_mec.{source} has no layer in {__file__}")
        elif target not in allowed:
            wrong.append(f"{imp.source}:{imp.line} imports {imp.target} "
                         f"({source} may use only {', '.join(sorted(allowed))})")
    return sorted(set(wrong))


def test_no_import_cycles() -> None:
    cycles = import_cycles(import_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_no_upward_imports() -> None:
    wrong = upward_imports(import_graph())
    assert not wrong, "imports across the layers the wrong way:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": {"c"}}, []),
    ],
)
def test_cycle_finder_finds_cycles(edges: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert strongly_connected(edges) == expected


def test_layer_check_sees_an_upward_import() -> None:
    graph = [Import("osm_mec.core.errors", "osm_mec.chain.run", 3, False),
             Import("osm_mec.mep.app", "osm_mec.offer.profile", 4, False),
             Import("osm_mec.cli.commands", "osm_mec.chain.run", 5, False)]
    assert upward_imports(graph) == [
        "osm_mec.core.errors:3 imports osm_mec.chain.run (core may use only core)",
        "osm_mec.mep.app:4 imports osm_mec.offer.profile (mep may use only core, mep)",
    ]
