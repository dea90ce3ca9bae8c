"""What the code base records, found statically (``ast``): every action code and every key of
``before``, ``after`` and the detail passed to ``jiuzhu.web.audit.actions.record``.

As far as it can be found statically: a literal action code, an f-string whose variable part is
a parameter of the enclosing function (the literal arguments of that function's calls in the
same module), or a subscript of a module-level dict of literals; keys of dict literals, of
``snapshot(obj, [...])`` field lists and of keyword arguments, followed through ``**detail``
into the callers of the enclosing function. Whatever cannot be followed is reported as
``unresolved`` so that a test can fail on it rather than miss it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

WEB = Path(__file__).resolve().parents[3] / "src" / "jiuzhu" / "web"
RECORD_OPTIONS = frozenset(
    {"object_type", "object_id", "division_code", "household", "before", "after"}
)


@dataclass
class Recorded:
    """Action codes and keys found, with where each was found (``file:line``)."""

    actions: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    """(action code, key) of every key found, for the codes of the call it was found in."""
    snapshot_objects: dict[str, str] = field(default_factory=dict)
    """Keys of ``snapshot(obj)`` without a field list: every field of the object's model (the
    test resolves them from the event's object type)."""
    unresolved: list[str] = field(default_factory=list)


class _Module:
    def __init__(self, path: Path, root: Path = WEB) -> None:
        self.path = path
        self.root = root
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.functions = {
            n.name: n
            for n in ast.walk(self.tree)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        self.constants: dict[str, ast.AST] = {}
        for node in self.tree.body:
            target = None
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            if isinstance(target, ast.Name):
                self.constants[target.id] = value

    def where(self, node: ast.AST) -> str:
        """``registry/actions.py:update_person``: stable across edits elsewhere in the file."""
        function = self.enclosing(node)
        return f"{self.path.relative_to(self.root)}:{function.name if function else '<module>'}"

    def enclosing(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                return node
        return None

    def calls_to(self, name: str) -> Iterator[ast.Call]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call) and _name(node.func) == name:
                yield node


def _name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _argument(
    call: ast.Call, function: ast.FunctionDef | ast.AsyncFunctionDef, param: str
) -> ast.AST | None:
    """The expression passed for ``param`` of ``function`` in ``call``."""
    names = [a.arg for a in function.args.posonlyargs + function.args.args]
    for keyword in call.keywords:
        if keyword.arg == param:
            return keyword.value
    if param in names and names.index(param) < len(call.args):
        return call.args[names.index(param)]
    return None


def _strings(module: _Module, node: ast.AST, out: Recorded) -> list[str] | None:
    """The literal strings an expression may be (None when it cannot be followed)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _strings(module, node.body, out), _strings(module, node.orelse, out)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        table = module.constants.get(node.value.id)
        if isinstance(table, ast.Dict):
            values = [_strings(module, v, out) for v in table.values]
            if all(v is not None for v in values):
                return [s for v in values for s in v or []]
    if isinstance(node, ast.Name):
        function = module.enclosing(node)
        if function is not None and node.id in [
            a.arg for a in function.args.args + function.args.kwonlyargs
        ]:
            found: list[str] = []
            for call in module.calls_to(function.name):
                argument = _argument(call, function, node.id)
                if argument is None:
                    continue
                strings = _strings(module, argument, out)
                if strings is None:
                    return None
                found += strings
            return found
    if isinstance(node, ast.JoinedStr):
        parts: list[list[str]] = [[]]
        for value in node.values:
            if isinstance(value, ast.Constant):
                options = [str(value.value)]
            elif isinstance(value, ast.FormattedValue):
                found_parts = _strings(module, value.value, out)
                if found_parts is None:
                    return None
                options = found_parts
            else:
                return None
            parts = [[*p, o] for p in parts for o in options]
        return ["".join(p) for p in parts]
    return None


def _dict_keys(module: _Module, node: ast.AST, out: Recorded, where: str) -> None:
    """Record the keys of a ``before``/``after`` expression."""
    if isinstance(node, ast.Constant) and node.value is None:
        return
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _dict_keys(module, value, out, where)
        return
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # ``{**snapshot(...), "relation": …}``
                _dict_keys(module, value, out, where)
                continue
            strings = _strings(module, key, out)
            if strings is None:
                out.unresolved.append(f"{where}: a key of a dict")
                continue
            for s in strings:
                out.keys.setdefault(s, where)
        return
    if isinstance(node, ast.Call) and _name(node.func) == "snapshot":
        if len(node.args) >= 2 and isinstance(node.args[1], ast.List):
            for element in node.args[1].elts:
                for s in _strings(module, element, out) or []:
                    out.keys.setdefault(s, where)
        else:
            # Every field, or a list the scan cannot read (``list(PERSON_FIELDS)``): every
            # field of the object's model must then be labelled.
            out.snapshot_objects.setdefault(where, ast.unparse(node.args[0]))
        return
    if isinstance(node, ast.Name):
        function = module.enclosing(node)
        assigned = [
            n.value
            for n in (ast.walk(function) if function is not None else [])
            if (
                isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)
            )
            or (
                isinstance(n, ast.AnnAssign)
                and n.value is not None
                and isinstance(n.target, ast.Name)
                and n.target.id == node.id
            )
        ]
        subscripted = [
            n
            for n in (ast.walk(function) if function is not None else [])
            if isinstance(n, ast.Assign)
            for target in n.targets
            if isinstance(target, ast.Subscript | ast.Tuple) and node.id in ast.unparse(target)
        ]
        unpacked = [
            n
            for n in subscripted
            for target in n.targets
            if isinstance(target, ast.Tuple)
            and any(isinstance(e, ast.Name) and e.id == node.id for e in target.elts)
        ]
        for assignment in unpacked:
            out.unresolved.append(f"{where}: {node.id} = {ast.unparse(assignment.value)}")
        if not assigned and not subscripted:
            out.unresolved.append(f"{where}: {node.id}")
        for value in assigned:
            if isinstance(value, ast.Call) and _name(value.func) == "dict" and value.args:
                _dict_keys(module, value.args[0], out, where)
            elif isinstance(value, ast.DictComp):
                out.unresolved.append(f"{where}: {node.id} (a comprehension)")
            else:
                _dict_keys(module, value, out, where)
        for assignment in subscripted:
            for target in assignment.targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Subscript) and ast.unparse(sub.value) == node.id:
                        strings = _strings(module, sub.slice, out)
                        if strings is None:
                            out.unresolved.append(f"{where}: {ast.unparse(sub)}")
                        for s in strings or []:
                            out.keys.setdefault(s, where)
        return
    out.unresolved.append(f"{where}: {ast.unparse(node)}")


def _detail_keys(
    module: _Module, call: ast.Call, out: Recorded, seen: set[tuple[str, int]]
) -> None:
    """Keys of the keyword arguments of ``call``, following ``**kwargs`` to the callers."""
    for keyword in call.keywords:
        if keyword.arg is not None:
            if keyword.arg not in RECORD_OPTIONS:
                out.keys.setdefault(keyword.arg, module.where(call))
            continue
        function = module.enclosing(call)
        value = keyword.value
        if isinstance(value, ast.DictComp) and len(value.generators) == 1:
            # ``**{k: v for k, v in chosen.items() if …}``: the keys of ``chosen``.
            source = value.generators[0].iter
            if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute):
                before = len(out.unresolved)
                _dict_keys(module, source.func.value, out, module.where(call))
                out.keys.update({k: module.where(call) for k in list(out.keys)})
                if len(out.unresolved) == before:
                    continue
        if (
            function is None
            or function.args.kwarg is None
            or not isinstance(keyword.value, ast.Name)
            or keyword.value.id != function.args.kwarg.arg
        ):
            out.unresolved.append(f"{module.where(call)}: **{ast.unparse(keyword.value)}")
            continue
        for caller in module.calls_to(function.name):
            if (str(module.path), caller.lineno) not in seen:
                seen.add((str(module.path), caller.lineno))
                _detail_keys(module, caller, out, seen)


def scan(root: Path = WEB) -> Recorded:
    """Every ``record(...)`` call under ``root``."""
    out = Recorded()
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = _Module(path, root)
        for call in module.calls_to("record"):
            if not (isinstance(call.func, ast.Name) and call.func.id == "record"):
                continue
            if len(call.args) < 2:
                continue
            where = module.where(call)
            local = Recorded()
            codes = _strings(module, call.args[1], local)
            if codes is None:
                local.unresolved.append(f"{where}: action {ast.unparse(call.args[1])}")
            for keyword in call.keywords:
                if keyword.arg in ("before", "after"):
                    _dict_keys(module, keyword.value, local, where)
            _detail_keys(module, call, local, set())
            for code in codes or []:
                out.actions.setdefault(code, where)
                out.pairs |= {(code, key) for key in local.keys}
            for key, found in local.keys.items():
                out.keys.setdefault(key, found)
            for found, expression in local.snapshot_objects.items():
                out.snapshot_objects[found] = expression
            out.unresolved += [u for u in local.unresolved if u not in out.unresolved]
    return out
