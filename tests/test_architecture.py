"""The package's import graph keeps DESIGN §7's arrows: no cycles, nothing upward.

Imports are read from the source (``ast``), including those inside functions,
so a lazy import cannot hide a cycle; only ``if __name__ == "__main__":`` blocks
(script entry points, never run on import) are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def _is_main_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return (
        isinstance(node, ast.If)
        and isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
    )


def _imports(tree: ast.AST, package: str) -> list[str]:
    found: list[str] = []
    pending = [tree]
    while pending:
        node = pending.pop()
        if _is_main_block(node):
            continue
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([base] if base else []))
            found += [base] + [f"{base}.{alias.name}" for alias in node.names]
        pending.extend(ast.iter_child_nodes(node))
    return found


def _graph() -> nx.DiGraph:
    paths = [*ROOT.joinpath("sim").rglob("*.py"), *ROOT.joinpath("analysis").rglob("*.py")]
    modules = {_module_name(p): p for p in paths}
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for target in _imports(ast.parse(path.read_text(encoding="utf-8")), package):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                graph.add_edge(name, target)
    return graph


def _layer(module: str) -> str:
    parts = module.split(".")
    return "analysis" if parts[0] == "analysis" else (parts[1] if len(parts) > 1 else "sim")


def test_no_import_cycles_between_modules_or_layers():
    graph = _graph()
    assert list(nx.simple_cycles(graph)) == []
    layers = nx.DiGraph()
    layers.add_edges_from((_layer(a), _layer(b)) for a, b in graph.edges if _layer(a) != _layer(b))
    assert list(nx.simple_cycles(layers)) == []


def test_arrows_point_down():
    upward = []
    for a, b in _graph().edges:
        low, high = _layer(b), _layer(a)
        if low == "cli" and high != "cli":
            upward.append((a, b, "nothing imports cli"))
        if high in ("data", "io") and low not in (high, "errors"):
            upward.append((a, b, f"{high} is a leaf"))
        if high == "economics" and low not in ("economics", "errors"):
            upward.append((a, b, "economics imports no other layer"))
    assert upward == []


def test_economics_does_not_import_mesa():
    for path in ROOT.joinpath("sim", "economics").rglob("*.py"):
        imported = _imports(ast.parse(path.read_text(encoding="utf-8")), "sim.economics")
        assert not [m for m in imported if m.split(".")[0] == "mesa"], path
