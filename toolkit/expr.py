"""A tiny safe expression language for computed fields, rules and scoring.

Expressions are parsed with :mod:`ast` and evaluated by walking a whitelist
of node types; nothing is ever passed to ``eval``. Names resolve from a
mapping. A missing value (``None``) propagates: arithmetic or comparison
with ``None`` gives ``None``, so a rule over an empty cell is "unknown"
rather than false.

Example::

    >>> evaluate("prob_members <= members", {"prob_members": 3, "members": 10})
    True
"""

from __future__ import annotations

import ast
import decimal
import math
import operator
from functools import lru_cache
from typing import Any, Mapping

__all__ = ["ExpressionError", "compile_expr", "evaluate", "excel_round", "names_in", "to_excel"]


class ExpressionError(ValueError):
    """An expression is not valid in the toolkit's expression language."""


_BINOPS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_CMPOPS = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}


def _sum(*args):
    vals = _flatten(args)
    return sum(v for v in vals if v is not None)


def _flatten(args):
    out = []
    for a in args:
        if isinstance(a, (list, tuple)):
            out.extend(a)
        else:
            out.append(a)
    return out


def _count(*args):
    return sum(1 for v in _flatten(args) if v not in (None, "", False))


def _min(*args):
    vals = [v for v in _flatten(args) if v is not None]
    return min(vals) if vals else None


def _max(*args):
    vals = [v for v in _flatten(args) if v is not None]
    return max(vals) if vals else None


_ROUND_CONTEXT = decimal.Context(prec=400)


def excel_round(x, digits=0):
    """ROUND as Excel and LibreOffice compute it: half away from zero, on the number as it is shown.

    Python's ``round`` rounds half to even on the binary float (``round(6.25, 1)`` is 6.2,
    ``round(2.675, 2)`` is 2.67); the office suites round the shortest decimal that reads back as
    the float (6.25 → 6.3, 2.675 → 2.68, 28.499999999999996 → 28). An int stays an int.
    """
    if x is None or digits is None:
        return None
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not isinstance(digits, (int, float)):
        raise TypeError("round() takes a number and a number of digits")
    if isinstance(x, float) and not math.isfinite(x):
        return x
    n = max(-400, min(400, int(digits)))
    exact = decimal.Decimal(x) if isinstance(x, int) else decimal.Decimal(repr(x))
    try:
        rounded = exact.quantize(decimal.Decimal(1).scaleb(-n), rounding=decimal.ROUND_HALF_UP,
                                 context=_ROUND_CONTEXT)
    except decimal.InvalidOperation:  # more digits than any float or Excel number has: nothing to round
        return x
    return int(rounded) if isinstance(x, int) else float(rounded)


_FUNCS = {
    "sum": _sum, "min": _min, "max": _max, "count": _count,
    "abs": lambda x: None if x is None else abs(x),
    "round": excel_round,
    "empty": lambda x: x is None or x == "",
    "filled": lambda x: not (x is None or x == ""),
    "coalesce": lambda *a: next((v for v in a if v is not None), None),
    "len": lambda x: 0 if x is None else len(x),
}

_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.UnaryOp, ast.Not, ast.USub,
    ast.UAdd, ast.Compare, ast.Name, ast.Load, ast.Constant, ast.Call, ast.IfExp, ast.List,
    ast.Tuple, *_BINOPS, *_CMPOPS,
)


@lru_cache(maxsize=1024)
def compile_expr(source: str) -> ast.Expression:
    """Parse and check *source*; raise :class:`ExpressionError` if it is not allowed."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error in expression {source!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(f"{type(node).__name__} is not allowed in expression {source!r}")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS:
                raise ExpressionError(f"unknown function in expression {source!r}; "
                                      f"allowed: {', '.join(sorted(_FUNCS))}")
            if node.keywords:
                raise ExpressionError(f"keyword arguments are not allowed in {source!r}")
    return tree


def names_in(source: str) -> set[str]:
    """The variable names an expression refers to (function names excluded)."""
    tree = compile_expr(source)
    funcs = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - funcs


def evaluate(source: str, names: Mapping[str, Any]) -> Any:
    """Evaluate *source* with *names*; ``None`` propagates through arithmetic."""
    return _Eval(names).visit(compile_expr(source).body)


class _Eval:
    def __init__(self, names: Mapping[str, Any]):
        self.names = names

    def visit(self, node):
        return getattr(self, "v_" + type(node).__name__)(node)

    def v_Constant(self, node):
        return node.value

    def v_Name(self, node):
        if node.id in ("true", "True"):
            return True
        if node.id in ("false", "False"):
            return False
        if node.id in ("none", "None", "null"):
            return None
        if node.id not in self.names:
            raise ExpressionError(f"unknown name {node.id!r}")
        return self.names[node.id]

    def v_List(self, node):
        return [self.visit(e) for e in node.elts]

    v_Tuple = v_List

    def v_BinOp(self, node):
        left, right = self.visit(node.left), self.visit(node.right)
        if left is None or right is None:
            return None
        try:
            return _BINOPS[type(node.op)](left, right)
        except ZeroDivisionError:
            return None
        except TypeError:
            return None

    def v_UnaryOp(self, node):
        val = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return None if val is None else not val
        if val is None:
            return None
        return -val if isinstance(node.op, ast.USub) else +val

    def v_BoolOp(self, node):
        is_and = isinstance(node.op, ast.And)
        unknown = False
        for value in node.values:
            val = self.visit(value)
            if val is None:
                unknown = True
            elif is_and and not val:
                return False
            elif not is_and and val:
                return val
        return None if unknown else is_and

    def v_Compare(self, node):
        left = self.visit(node.left)
        for op, comp in zip(node.ops, node.comparators):
            right = self.visit(comp)
            if isinstance(op, (ast.Eq, ast.NotEq)):
                ok = _CMPOPS[type(op)](left, right)
            elif left is None or right is None:
                return None
            else:
                try:
                    ok = _CMPOPS[type(op)](left, right)
                except TypeError:
                    return None
            if not ok:
                return False
            left = right
        return True

    def v_IfExp(self, node):
        test = self.visit(node.test)
        if test is None:
            return None
        return self.visit(node.body) if test else self.visit(node.orelse)

    def v_Call(self, node):
        return _FUNCS[node.func.id](*[self.visit(a) for a in node.args])


_XL_BIN = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
_XL_CMP = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_XL_FUNC = {"sum": "SUM", "min": "MIN", "max": "MAX", "abs": "ABS", "round": "ROUND", "count": "COUNTA"}


def to_excel(source: str, ref) -> str | None:
    """Translate an arithmetic expression to an Excel formula (without ``=``).

    *ref* maps a name to an Excel reference. Returns ``None`` when the
    expression uses something Excel cannot show simply; the toolkit then
    recomputes it without a workbook formula.
    """
    try:
        return _xl(compile_expr(source).body, ref)
    except (KeyError, _NoExcel):
        return None


class _NoExcel(Exception):
    pass


def _xl(node, ref) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return repr(node.value)
    if isinstance(node, ast.Name):
        return ref(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _XL_BIN:
        return f"({_xl(node.left, ref)}{_XL_BIN[type(node.op)]}{_xl(node.right, ref)})"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return f"(-{_xl(node.operand, ref)})"
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _XL_CMP:
        return f"{_xl(node.left, ref)}{_XL_CMP[type(node.ops[0])]}{_xl(node.comparators[0], ref)}"
    if isinstance(node, ast.Call) and node.func.id in _XL_FUNC:
        return f"{_XL_FUNC[node.func.id]}({','.join(_xl(a, ref) for a in node.args)})"
    if isinstance(node, ast.IfExp):
        return f"IF({_xl(node.test, ref)},{_xl(node.body, ref)},{_xl(node.orelse, ref)})"
    raise _NoExcel
