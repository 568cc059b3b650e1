"""drafter's import graph: no circles, and no module importing one on a floor above it.

Imports inside functions count as much as those at the top: they are hidden, not absent.
A new module goes on a floor here; a module that needs one above it is in the wrong place.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "drafter"

# Bottom up. A module may import modules on its own floor (without a circle) or below it.
FLOORS = [
    ("edges", [
        "drafter", "problems", "errors", "dates", "fsutil", "shellquote", "interrupts", "sandbox", "tablefit",
        "workers", "suggest", "plain", "yamlread", "yamlio", "tplcache", "privcache", "stamp", "inputs", "verdicts", "console",
    ]),
    ("organisation and kinds", ["workspace", "reference", "questionnaire"]),
    ("answers as plain data", ["validate", "answers", "values", "edits", "rules", "changes", "typography"]),
    ("documents and commands", [
        "body", "render", "templates", "docdiff", "wordread", "docimport", "versions", "status", "batch", "pdf", "replace",
    ]),
    ("session", ["session"]),
    ("library face", ["api", "apitypes"]),
    ("front ends", ["cli", "__main__", "interview", "interview_lists", "interview_review", "prompts", "recordform", "progress", "web", "web.*"]),
]


def modules() -> dict[str, Path]:
    """Dotted name (without "drafter.") -> file; the package itself is "drafter"."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts) or "drafter"] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The drafter modules *name* imports, anywhere in the file (functions included)."""
    is_package = path.name == "__init__.py"
    package = ["drafter", *([] if name == "drafter" else name.split("."))]
    if not is_package:
        package = package[:-1]
    out: set[str] = set()

    def add(dotted: str) -> None:
        if dotted == "drafter":
            out.add("drafter")
        elif dotted.startswith("drafter."):
            short = dotted[len("drafter."):]
            while short and short not in known:  # drafter.web.app.WebApp -> web.app
                short = short.rpartition(".")[0]
            if short:
                out.add(short)

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not module.startswith("drafter"):
                continue
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                add(candidate if candidate[len("drafter."):] in known else module)
    out.discard(name)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
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
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def floor_of(name: str) -> int | None:
    for number, (_, members) in enumerate(FLOORS):
        for member in members:
            if name == member or (member.endswith(".*") and name.startswith(member[:-1])):
                return number
    return None


def test_the_graph_sees_imports_inside_functions_and_relative_ones(tmp_path):
    package = tmp_path / "drafter"
    (package / "web").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from drafter import b\n")
    (package / "b.py").write_text("import drafter.web.c\n")
    (package / "web" / "__init__.py").write_text("")
    (package / "web" / "c.py").write_text("from ..a import f\nfrom . import d\n")
    (package / "web" / "d.py").write_text("")
    known = {"drafter": package / "__init__.py", "a": package / "a.py", "b": package / "b.py",
             "web": package / "web" / "__init__.py", "web.c": package / "web" / "c.py", "web.d": package / "web" / "d.py"}
    edges = {name: imports_of(name, path, known) for name, path in known.items()}
    assert edges["a"] == {"b"} and edges["b"] == {"web.c"} and edges["web.c"] == {"a", "web.d"}
    assert circles(edges) == [["a", "b", "web.c"]]


def test_no_import_circles():
    found = circles(graph())
    assert not found, "import circles (imports inside functions count): " + "; ".join(" <-> ".join(c) for c in found)


def test_every_module_sits_on_a_floor_and_imports_nothing_above_it():
    edges = graph()
    unplaced = sorted(name for name in edges if floor_of(name) is None)
    assert not unplaced, f"put these modules on a floor in {Path(__file__).name} (FLOORS): {', '.join(unplaced)}"
    upward = [
        f"{name} ({FLOORS[floor_of(name)][0]}) imports {target} ({FLOORS[floor_of(target)][0]})"
        for name in sorted(edges) for target in sorted(edges[name])
        if floor_of(target) > floor_of(name)
    ]
    assert not upward, "imports that run up the floors:\n" + "\n".join(upward)


README = PACKAGE.parent / "README.md"
MAP_HEADING = "### The code, module by module"


def test_every_module_stands_in_the_readmes_map_once_and_nothing_else_does():
    """The README's module map lists every module of drafter/ (web/ included), one line each."""
    text = README.read_text(encoding="utf-8")
    assert MAP_HEADING in text, f"README.md has no section {MAP_HEADING!r}"
    section = text.split(MAP_HEADING, 1)[1].split("\n#", 1)[0]
    listed = [line.split("`")[1] for line in section.splitlines() if line.startswith("- `")]
    files = sorted(path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py"))
    assert sorted(set(listed)) == sorted(listed), "listed twice: " + ", ".join(sorted({m for m in listed if listed.count(m) > 1}))
    missing = [name for name in files if name not in listed]
    gone = [name for name in listed if name not in files]
    assert not missing, f"add a line for each to {MAP_HEADING!r} in README.md: {', '.join(missing)}"
    assert not gone, f"no such module, take its line out of README.md's map: {', '.join(gone)}"
