"""No module of bot/ or intents/ imports a module that imports it, directly or through
others: read from the code's own imports (module level, inside functions, and under
TYPE_CHECKING alike), so that a lazy import cannot hide a circle."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "intents")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST, name: str, is_package: bool, modules: set[str]) -> set[str]:
    """The modules of `modules` that the module `name` imports anywhere in its code. `from a
    import b` imports a.b when that is a module, else a; a relative import counts from the
    module's package."""
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found |= {target for target in targets if target in modules}
    return found - {name}


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    paths = {module_name(p): p for package in PACKAGES for p in (root / package).rglob("*.py")}
    modules = set(paths)
    return {name: imported(ast.parse(path.read_text(encoding="utf-8")), name, path.name == "__init__.py", modules)
            for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle through each module that is on one (depth-first search)."""
    found, done = [], set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            found.append(path[path.index(name):] + [name])
            return
        if name in done:
            return
        for target in sorted(graph.get(name, ())):
            visit(target, path + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    return found


def test_the_graph_is_read_from_the_code():
    graph = import_graph()
    # a module-level import, a lazy one inside a function, one under TYPE_CHECKING, a relative one
    assert "bot.telegram.handlers" in graph["bot.telegram.app"]
    assert "bot.telegram.webhook" in graph["bot.telegram.app"]
    assert "bot.telegram.processor" in graph["bot.telegram.webhook"]
    assert "intents.models" in graph["intents.engine"]


def test_a_planted_circle_is_found():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_imports_a_module_that_imports_it(package):
    graph = import_graph()
    circles = [" -> ".join(c) for c in cycles(graph) if c[0].startswith(package + ".") or c[0] == package]
    assert not circles, circles
