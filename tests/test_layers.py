"""The package layers hold: no import cycle between modules, no package importing upward or sideways.

Every import counts, including those inside functions and under TYPE_CHECKING: an import hidden in a function
is still a dependency, and hiding one is how the cycles this test replaced came about.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

APPS = {"kiosk", "display", "agent_keypad"}
#: What each package may import of ours, bottom up (docs/architecture.md draws the same picture).
ALLOWED: dict[str, set[str]] = {
    "queue_engine": set(),
    "ground": set(),
    "config": {"ground"},
    "hardware": {"config", "ground"},
    "nodeclient": {"config", "ground"},
    "branch": {"queue_engine", "config", "ground", "nodeclient"},
    "sync": {"branch", "queue_engine", "config", "ground"},
    "appkit": {"nodeclient", "config", "ground"},
    **{app: {"appkit", "nodeclient", "hardware", "config", "ground"} for app in APPS},
    # sync: doctor on central's file probes its broker (sync.link) and PostgreSQL (sync.central_pg)
    "commissioning": {"appkit", "nodeclient", "hardware", "branch", "sync", "queue_engine", "config", "ground"},
    "smartqueue": {"queue_engine", "ground", "config", "hardware", "nodeclient", "branch", "sync", "appkit",
                   *APPS, "commissioning"},
    # harnesses for tests and benchmarks, never shipped
    "devtools": {"queue_engine", "ground", "config", "hardware", "nodeclient", "branch", "sync", "appkit", *APPS,
                 "commissioning", "smartqueue"},
}
PACKAGES = sorted(ALLOWED)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imported(module: str, path: Path) -> set[str]:
    """Our modules that `module` imports: `from pkg import sub` depends on pkg.sub, not on pkg's __init__."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                sub = f"{source}.{alias.name}"
                targets.append(sub if sub in MODULES else source)
        for target in targets:
            resolved = _resolve(target)
            if resolved and resolved != module:
                found.add(resolved)
    return found


GRAPH = {module: _imported(module, path) for module, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_every_package_is_placed_in_a_layer():
    on_disk = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() and p.name not in {"tests", "bench"}}
    assert on_disk <= set(ALLOWED), f"packages with no layer: {sorted(on_disk - set(ALLOWED))}"


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_lower_layers(package):
    wrong = sorted(
        f"{module} -> {target}"
        for module, targets in GRAPH.items() if module.split(".")[0] == package
        for target in targets
        if target.split(".")[0] != package and target.split(".")[0] not in ALLOWED[package]
    )
    assert not wrong, f"{package} may import only {sorted(ALLOWED[package])}; found:\n" + "\n".join(wrong)


def test_no_import_cycles():
    cycles = [sorted(c) for c in _cycles(GRAPH)]
    assert not cycles, f"import cycles: {cycles}"


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]


def test_benchmarks_do_not_import_the_tests():
    offenders = []
    for path in (ROOT / "bench").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n == "tests" or n.startswith("tests.")]
    assert not offenders, offenders
