"""The package layers of docs/development.md hold: no package imports one above it, so there is
no import cycle between packages. The contract is ``[tool.importlinter]`` in pyproject.toml."""

from __future__ import annotations

import ast

from importlinter.cli import lint_imports

from tests.conftest import PROJECT_ROOT

SRC = PROJECT_ROOT / "src" / "gongxin"


def test_the_layer_contract_is_kept() -> None:
    assert lint_imports(config_filename=str(PROJECT_ROOT / "pyproject.toml")) == 0


def _package_imports() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        if parts[:2] == ("db", "migrations"):
            continue  # scripts Alembic runs, which may call the services of any layer
        if len(parts) < 2:
            continue  # top-level modules (clock, errors, settings, logs) lie below every package
        here = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                bits = name.split(".")
                known = len(bits) > 1 and bits[0] == "gongxin" and (SRC / bits[1]).is_dir()
                if known and bits[1] != here:
                    edges.setdefault(here, set()).add(bits[1])
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_cycle_between_packages() -> None:
    edges = _package_imports()
    assert "identity" in edges and "records" in edges, "the scan found the packages"
    assert _cycle(edges) is None, " → ".join(_cycle(edges) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}}) is None


def test_every_package_is_in_a_layer() -> None:
    config = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = {p.name for p in SRC.iterdir() if (p / "__init__.py").is_file()}
    missing = sorted(p for p in packages if f"gongxin.{p}" not in config)
    assert not missing, f"packages missing from the layer contract: {missing}"
