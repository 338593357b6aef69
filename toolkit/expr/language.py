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
import operator
from functools import lru_cache
from typing import Any, Mapping

from ..i18n import Msg, define
from .excel_math import excel_round, office_add, office_compare
from .functions import FUNCTIONS

__all__ = ["ExpressionError", "compile_expr", "evaluate", "excel_round", "names_in", "to_excel"]


class ExpressionError(ValueError):
    """An expression is not valid in the toolkit's expression language.

    Raised with a :class:`~toolkit.i18n.Msg` (``message``); ``str(exc)`` is the English text,
    ``exc.zh`` the Chinese, :meth:`text` either.
    """

    def __init__(self, key: str, /, **params: Any):
        self.message = Msg(f"expr.{key}", params)
        super().__init__(self.message.text("en"))

    def text(self, lang: str = "zh") -> str:
        return self.message.text(lang)

    @property
    def zh(self) -> str:
        return self.message.text("zh")


define("expr", {
    "not_text": ("表达式应为文本，而不是 {kind}", "an expression must be text, not {kind}"),
    "too_long": ("表达式过长（{length} 个字符，最多 {most} 个）：{shown}",
                 "expression too long ({length} characters, at most {most}): {shown}"),
    "syntax": ("表达式 {shown} 有语法错误：{error}", "syntax error in expression {shown}: {error}"),
    "too_deep": ("表达式嵌套过深：{shown}", "expression nested too deeply: {shown}"),
    "bound": ("表达式 {shown} 中{what}", "{what} in expression {shown}"),
    "node": ("表达式 {shown} 中不允许使用 {kind}", "{kind} is not allowed in expression {shown}"),
    "value_kind": ("表达式 {shown} 中不允许使用 {kind} 类型的值",
                   "{kind} values are not allowed in expression {shown}"),
    "function": ("表达式 {shown} 中的函数不存在；可用的函数：{allowed}",
                 "unknown function in expression {shown}; allowed: {allowed}"),
    "keywords": ("表达式 {shown} 中不允许使用关键字参数", "keyword arguments are not allowed in {shown}"),
    "too_large": ("表达式过大（超过 {most} 个组成部分）：{shown}",
                  "expression too large (more than {most} parts): {shown}"),
    "too_nested": ("表达式嵌套过深（超过 {most} 层；多项相加请用 sum(a, b, c)）：{shown}",
                   "expression nested too deeply (more than {most} levels; add many values with sum(a, b, c)): "
                   "{shown}"),
    "unknown_name": ("未知名称 {name}", "unknown name {name}"),
    "exponent": ("指数 {shown} 超过 {most}", "the exponent {shown} is larger than {most}"),
    "power": ("{base} ** {exponent} 的结果过大", "{base} ** {exponent} is a number too large"),
    "length": ("文本或列表长度为 {n}（最多 {most}）", "a text or list of {n} items (at most {most})"),
    "number": ("数值过大", "a number too large"),
})


class _TooLarge(ExpressionError):
    """A value would grow past the language's bounds (a huge power, repetition or number)."""


#: Bounds of the language, checked when an expression is compiled (so a spec or scheme that breaks
#: them is refused when it is loaded) and again as values are computed (so no typed value can make
#: an expression hang or exhaust memory).
MAX_LENGTH = 2000       # characters of source
MAX_NODES = 500         # syntax tree nodes
MAX_DEPTH = 100         # nesting (a chain of n terms `a + b + …` nests n deep: use sum(a, b, …))
MAX_EXPONENT = 1000     # |exponent| of **
MAX_INT_BITS = 4096     # an integer result (about 1,233 digits)
MAX_SEQUENCE = 10_000   # items of a list or characters of a text built by + or *


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


_FUNCS = FUNCTIONS


_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.UnaryOp, ast.Not, ast.USub,
    ast.UAdd, ast.Compare, ast.Name, ast.Load, ast.Constant, ast.Call, ast.IfExp, ast.List,
    ast.Tuple, *_BINOPS, *_CMPOPS,
)


@lru_cache(maxsize=1024)
def compile_expr(source: str) -> ast.Expression:
    """Parse and check *source*; raise :class:`ExpressionError` if it is not allowed.

    Beyond the whitelist of node types, the bounds are checked here: length, size and nesting of
    the expression, and every part made of constants only is computed once under the runtime
    bounds, so ``9**9**9``, ``'a'*10**10`` or ``[0]*10**9`` are refused before any return is read.
    """
    if not isinstance(source, str):
        raise ExpressionError("not_text", kind=type(source).__name__)
    shown = _shown(source)
    if len(source) > MAX_LENGTH:
        raise ExpressionError("too_long", length=len(source), most=MAX_LENGTH, shown=shown)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError("syntax", shown=shown, error=exc.msg) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("too_deep", shown=shown) from None
    _check_nodes(tree, shown)
    _check_size(tree, shown)
    try:
        _Fold().visit(tree.body)
    except _TooLarge as exc:
        raise ExpressionError("bound", what=exc.message, shown=shown) from None
    except ExpressionError:  # an unknown name among constants: a question for the caller, not a bound
        pass
    return tree


def _shown(source: str) -> str:
    """The expression as quoted in a message: shortened when it is long."""
    return repr(source if len(source) <= 120 else source[:100] + " … " + source[-12:])


def _check_nodes(tree: ast.AST, shown: str) -> None:
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExpressionError("node", kind=type(node).__name__, shown=shown)
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, type(None))):
            raise ExpressionError("value_kind", kind=type(node.value).__name__, shown=shown)
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in _FUNCS:
                allowed = ", ".join(sorted(_FUNCS))
                raise ExpressionError("function", shown=shown, allowed=allowed)
            if node.keywords:
                raise ExpressionError("keywords", shown=shown)


_MARKERS = (ast.expr_context, ast.operator, ast.cmpop, ast.boolop, ast.unaryop)


def _check_size(tree: ast.AST, shown: str) -> None:
    """At most :data:`MAX_NODES` nodes and :data:`MAX_DEPTH` levels (counted without recursion)."""
    count, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, _MARKERS):  # Load, Add, Eq …: part of their parent, not a part of their own
            continue
        count += 1
        if count > MAX_NODES:
            raise ExpressionError("too_large", most=MAX_NODES, shown=shown)
        if depth > MAX_DEPTH:
            raise ExpressionError("too_nested", most=MAX_DEPTH, shown=shown)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


@lru_cache(maxsize=1024)  # asked for every unit a scheme scores: the same few expressions
def names_in(source: str) -> frozenset[str]:
    """The variable names an expression refers to (function names excluded)."""
    tree = compile_expr(source)
    funcs = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return frozenset({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - funcs)


def evaluate(source: str, names: Mapping[str, Any]) -> Any:
    """Evaluate *source* with *names*; ``None`` propagates through arithmetic.

    A value that would pass the bounds (a typed count used as an exponent, say) makes the result
    unknown (``None``), like a division by zero: nothing a unit types can hang the toolkit.
    """
    tree = compile_expr(source)
    try:
        return _Eval(names).visit(tree.body)
    except _TooLarge:
        return None


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
            raise ExpressionError("unknown_name", name=repr(node.id))
        return self.names[node.id]

    def v_List(self, node):
        return [self.visit(e) for e in node.elts]

    v_Tuple = v_List

    def v_BinOp(self, node):
        left, right = self.visit(node.left), self.visit(node.right)
        if left is None or right is None:
            return None
        return _binop(type(node.op), left, right)

    def v_UnaryOp(self, node):
        val = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return None if val is None else not val
        if val is None:
            return None
        try:
            return -val if isinstance(node.op, ast.USub) else +val
        except TypeError:  # -'text'
            return None

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
            if _decimal_pair(left, right) and type(op) in _APPROX_CMP:
                ok = _APPROX_CMP[type(op)](office_compare(left, right))
            elif isinstance(op, (ast.Eq, ast.NotEq)):
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
        args = [self.visit(a) for a in node.args]
        try:
            return _bounded(_FUNCS[node.func.id](*args))
        except ExpressionError:
            raise
        except (TypeError, ValueError, ArithmeticError):  # len(5), abs('x'), sum of texts: unknown
            return None


class _Fold(_Eval):
    """Computes the parts of an expression made of constants when it is compiled, under the bounds.

    A name stands for an unknown value (``None``), and both branches of ``if``/``and``/``or`` are
    visited, so every constant part is tried whatever the values will be.
    """

    def __init__(self):
        super().__init__({})

    def v_Name(self, node):
        return super().v_Name(node) if node.id in _LITERAL_NAMES else None

    def v_IfExp(self, node):
        for part in (node.test, node.body, node.orelse):
            self.visit(part)
        return None

    def v_BoolOp(self, node):
        for value in node.values:
            self.visit(value)
        return None


_LITERAL_NAMES = frozenset({"true", "True", "false", "False", "none", "None", "null"})
_SEQUENCES = (str, list, tuple)


def _binop(op: type, left, right):
    """One arithmetic step under the bounds; a step that makes no sense (1/0, 'a' - 1) is unknown."""
    if op is ast.Pow:
        _check_power(left, right)
    elif op is ast.Mult:
        _check_repeat(left, right)
        _check_repeat(right, left)
    elif op is ast.Add and isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        _check_length(len(left) + len(right))
    elif op is ast.Mod and isinstance(left, str):  # no printf-style formatting ('%*d' % (10**9, 1))
        return None
    if op in (ast.Add, ast.Sub) and _decimal_pair(left, right):
        return _bounded(office_add(left, right if op is ast.Add else -right))
    try:
        return _bounded(_BINOPS[op](left, right))
    except (ZeroDivisionError, TypeError, OverflowError, ValueError) as exc:
        if isinstance(exc, ExpressionError):
            raise
        return None


# Comparisons of decimals go through office_compare (LibreOffice's approxEqual: 0.1 + 0.2 == 0.3).
_APPROX_CMP = {ast.Eq: lambda c: c == 0, ast.NotEq: lambda c: c != 0, ast.Lt: lambda c: c < 0,
               ast.LtE: lambda c: c <= 0, ast.Gt: lambda c: c > 0, ast.GtE: lambda c: c >= 0}


def _decimal_pair(a, b) -> bool:
    """Two numbers of which at least one is a float (integers compare and add exactly)."""
    return _number(a) and _number(b) and (isinstance(a, float) or isinstance(b, float))


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _check_power(base, exponent) -> None:
    if not (_number(base) and _number(exponent)) or base in (0, 1, -1):
        return
    if abs(exponent) > MAX_EXPONENT:
        shown = exponent if isinstance(exponent, int) else f"{exponent:g}"
        raise _TooLarge("exponent", shown=shown, most=MAX_EXPONENT)
    if isinstance(base, int) and isinstance(exponent, int) and base.bit_length() * exponent > MAX_INT_BITS:
        raise _TooLarge("power", base=base, exponent=exponent)


def _check_repeat(seq, times) -> None:
    if isinstance(seq, _SEQUENCES) and isinstance(times, int) and times > 0:
        _check_length(len(seq) * times)


def _check_length(n: int) -> None:
    if n > MAX_SEQUENCE:
        raise _TooLarge("length", n=n, most=MAX_SEQUENCE)


def _bounded(value):
    """*value* if it keeps within the bounds; a complex number (from (-8) ** 0.5) is unknown."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise _TooLarge("number")
    if isinstance(value, _SEQUENCES) and len(value) > MAX_SEQUENCE:
        _check_length(len(value))
    return None if isinstance(value, complex) else value


_XL_BIN = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "^"}
_XL_CMP = {ast.Eq: "=", ast.NotEq: "<>", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
# count() is not COUNTA (it leaves out 0 and false): a formula using it is computed by the toolkit only
_XL_FUNC = {"sum": "SUM", "min": "MIN", "max": "MAX", "abs": "ABS", "round": "ROUND"}


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
        args = [_xl(a, ref) for a in node.args]
        if node.func.id == "round" and len(args) == 1:  # Excel's ROUND needs its digits
            args.append("0")
        return f"{_XL_FUNC[node.func.id]}({','.join(args)})"
    if isinstance(node, ast.IfExp):
        return f"IF({_xl(node.test, ref)},{_xl(node.body, ref)},{_xl(node.orelse, ref)})"
    raise _NoExcel
