"""Which public functions write to the database without recording an audit event, found
statically (``ast``) over the modules that write: every module of the web apps except those
that only read or present (views, queries, forms, templates tags, models, migrations, admin).

A function writes if it, or a function it calls (in its module, or a function of another
scanned module it imports), saves, creates, updates or deletes through the ORM; it records if
it, or a function it calls, records (``record``, ``record_export``, ``record_denied``, the
audit manager's ``create``/``bulk_create``). A public function that writes without recording
is still covered when it has callers and every one of them records (a helper such as the
number counter of the notices); the read-only modules take part as callers only, so a view
that called such a helper directly would uncover it. Static and conservative: a call through a
variable or a method of an object is not followed, so what it reports is checked by a person
and either fixed or listed, with its reason, in the test.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

WEB = Path(__file__).resolve().parents[3] / "src" / "jiuzhu" / "web"
PACKAGE = "jiuzhu.web"
READ_ONLY = {"views", "queries", "forms", "models", "admin", "apps", "urls", "presenting"}
"""Module names that only read or present (a view that writes calls an action)."""
SKIPPED_DIRS = {"migrations", "templatetags", "templates", "config", "tests"}
RECORDERS = {"record", "record_export", "record_denied"}
WRITES = {"save", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
MANAGER_WRITES = {"create", "update"}
"""Written through a manager or queryset (``X.objects.create``, ``qs.update``); the same names
on a plain variable are usually a dict's ``update``, not followed."""


@dataclass
class Function:
    module: str
    name: str
    line: int
    read_only: bool
    writes: list[str] = field(default_factory=list)
    records: bool = False
    calls: set[tuple[str, str]] = field(default_factory=set)


def _dotted(path: Path) -> str:
    parts = path.relative_to(WEB).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def _read_only(path: Path) -> bool:
    return path.stem in READ_ONLY or path.stem.endswith("_views")


def modules() -> dict[str, Path]:
    """The scanned modules by dotted name (the read-only ones as callers only)."""
    found = {}
    for path in sorted(WEB.rglob("*.py")):
        if not SKIPPED_DIRS & set(path.relative_to(WEB).parts):
            found[_dotted(path)] = path
    return found


def _receiver_is_manager(node: ast.expr) -> bool:
    """``X.objects``, ``obj.related_set``, ``qs.filter(...)``: not a bare variable."""
    return isinstance(node, ast.Call | ast.Attribute)


class _Scan(ast.NodeVisitor):
    def __init__(self, module: str, imports: dict[str, tuple[str, str]], scanned: set[str]):
        self.module, self.imports, self.scanned = module, imports, scanned
        self.current: Function | None = None

    def visit_Call(self, node: ast.Call) -> None:
        assert self.current is not None
        func = node.func
        if isinstance(func, ast.Name):
            if func.id in RECORDERS:
                self.current.records = True
            elif func.id in self.imports:
                self.current.calls.add(self.imports[func.id])
            else:
                self.current.calls.add((self.module, func.id))
        elif isinstance(func, ast.Attribute):
            receiver = func.value
            audit_manager = "AuditEvent" in ast.unparse(receiver)
            if func.attr in RECORDERS or (func.attr in {"create", "bulk_create"} and audit_manager):
                self.current.records = True
            elif func.attr in WRITES or (
                func.attr in MANAGER_WRITES and _receiver_is_manager(receiver)
            ):
                self.current.writes.append(f"{ast.unparse(receiver)}.{func.attr}")
            elif isinstance(receiver, ast.Name) and receiver.id in self.imports:
                target = self.imports[receiver.id]
                dotted = f"{target[0]}.{target[1]}" if target[1] else target[0]
                if dotted in self.scanned:
                    self.current.calls.add((dotted, func.attr))
        self.generic_visit(node)


def _imports(tree: ast.Module, module: str, scanned: set[str]) -> dict[str, tuple[str, str]]:
    """Local name → (module, function) for functions, (module, "") for modules."""
    found: dict[str, tuple[str, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:
                base = ".".join([*module.split(".")[: -node.level], node.module])
            for alias in node.names:
                local = alias.asname or alias.name
                if f"{base}.{alias.name}" in scanned:
                    found[local] = (f"{base}.{alias.name}", "")
                else:
                    found[local] = (base, alias.name)
    return found


def scan() -> dict[tuple[str, str], Function]:
    """Every module-level function of the scanned modules (no class here holds a writer), its
    calls resolved through re-exports (``from .runs import run_discovery`` in a package)."""
    scanned = modules()
    functions: dict[tuple[str, str], Function] = {}
    exported: dict[tuple[str, str], tuple[str, str]] = {}
    for module, path in scanned.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports = _imports(tree, module, set(scanned))
        exported |= {(module, local): target for local, target in imports.items() if target[1]}
        visitor = _Scan(module, imports, set(scanned))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                visitor.current = Function(module, node.name, node.lineno, _read_only(path))
                visitor.visit(node)
                functions[(module, node.name)] = visitor.current
    for function in functions.values():
        function.calls = {_resolve(call, functions, exported) for call in function.calls}
    return functions


def _resolve(
    call: tuple[str, str],
    functions: dict[tuple[str, str], Function],
    exported: dict[tuple[str, str], tuple[str, str]],
) -> tuple[str, str]:
    for _hop in range(5):
        if call in functions or call not in exported:
            return call
        call = exported[call]
    return call


def _reach(functions: dict[tuple[str, str], Function], start: tuple[str, str]) -> list[Function]:
    seen, todo = {start}, [start]
    while todo:
        for call in functions[todo.pop()].calls:
            if call in functions and call not in seen:
                seen.add(call)
                todo.append(call)
    return [functions[k] for k in seen]


def unrecorded_writers() -> dict[str, list[str]]:
    """``module:function`` → the writes of each public function of a writing module that
    writes and records nothing, itself, through what it calls, or in every caller."""
    functions = scan()
    records = {key: any(f.records for f in _reach(functions, key)) for key in functions}
    callers: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, function in functions.items():
        for call in function.calls:
            callers.setdefault(call, []).append(key)
    found = {}
    for key, function in functions.items():
        if function.name.startswith("_") or function.read_only or records[key]:
            continue
        writes = sorted({w for f in _reach(functions, key) for w in f.writes})
        helper = key in callers and all(records[c] for c in callers[key])
        if writes and not helper:
            found[f"{function.module}:{function.name}"] = writes
    return found
