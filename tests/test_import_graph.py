"""The floor plan holds: no import cycle between modules, and the layers point one way.

The graph is built from the source with ``ast`` (nothing is imported). Every import counts,
including one hidden inside a function: it is still a cycle, only a later one. Imports under
``if TYPE_CHECKING:`` do not run and are left out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("server", "workers", "translations", "manuals", "web")
# Lower layers never import these (translations/ and manuals/ are pure; server never
# reaches for the Celery worker entry points).
FORBIDDEN = {
    "translations": ("server", "workers", "web"),
    "manuals": ("server", "workers", "web"),
    "server": ("workers",),
}


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(node: ast.If) -> bool:
    return (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING") or (
        isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterable[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _imports(node)


def imported(module: str, is_package: bool, tree: ast.AST, known: set[str]) -> set[str]:
    """Resolve what a module imports to the known modules it names."""
    out: set[str] = set()
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from a import b` names the submodule a.b when there is one, else a itself.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != module:
                out.add(target)
    return out


def build_graph(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> dict[str, set[str]]:
    files = {module_name(p, root): p for pkg in packages for p in (root / pkg).rglob("*.py")}
    files = {m: p for m, p in files.items() if "migrations.versions" not in m}
    known = set(files)
    return {
        m: imported(m, p.name == "__init__.py", ast.parse(p.read_text(), str(p)), known)
        for m, p in files.items()
    }


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """Return one import cycle as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def layer_violations(graph: Mapping[str, Iterable[str]]) -> list[str]:
    bad = []
    for module, targets in graph.items():
        top = module.split(".")[0]
        for target in targets:
            if target.split(".")[0] in FORBIDDEN.get(top, ()):
                bad.append(f"{module} imports {target}")
    return sorted(bad)


def test_finds_a_cycle_in_a_small_graph() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set(), "d": {"a", "c"}}) is None


def test_resolves_a_hidden_import_and_a_relative_one(tmp_path: Path) -> None:
    pkg = tmp_path / "server"
    (pkg / "translation").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "translation" / "__init__.py").write_text("")
    (pkg / "translation" / "planning.py").write_text(
        "def f():\n    from server.translation import jobs  # hidden\n"
    )
    (pkg / "translation" / "jobs.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import store\n"
        "from .planning import f\n"
    )
    (pkg / "translation" / "store.py").write_text("from server.translation.jobs import x\n")
    graph = build_graph(tmp_path, ["server"])
    assert graph["server.translation.planning"] == {"server.translation.jobs"}
    assert graph["server.translation.jobs"] == {"server.translation.planning"}
    assert find_cycle(graph) == [
        "server.translation.jobs",
        "server.translation.planning",
        "server.translation.jobs",
    ]


def test_layer_rule_flags_a_server_import_from_translations() -> None:
    graph = {"translations.glossary": {"server.core.config"}, "server.web.api": {"translations"}}
    assert layer_violations(graph) == ["translations.glossary imports server.core.config"]


def test_the_project_has_no_import_cycle() -> None:
    graph = build_graph()
    assert len(graph) > 80, "the graph should cover every module"
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph) or [])


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_point_one_way(layer: str) -> None:
    graph = {m: t for m, t in build_graph().items() if m.split(".")[0] == layer}
    assert layer_violations(graph) == []
