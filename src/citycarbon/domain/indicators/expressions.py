"""A small, safe formula language over named data fields: ``+ - * /``, parentheses, numbers.

Formulas are parsed with :mod:`ast` and only a whitelist of node types is accepted; nothing is
ever evaluated with ``eval``. The result is a tiny expression tree that engines compile to
their own column expressions (Polars in :mod:`citycarbon.engines.indicators`).

Examples
--------
>>> parse_formula("(so2_t + nox_t) / value_added_10k_cny").fields
frozenset({'nox_t', 'so2_t', 'value_added_10k_cny'})
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal

from citycarbon.domain.errors import CityCarbonError

MSG_FORMULA_SYNTAX = "Formula '{formula}' is not valid: {detail}"
MSG_FORMULA_NODE = (
    "Formula '{formula}' uses '{construct}'; only field names, numbers, + - * / and parentheses"
)
MSG_FORMULA_EMPTY = "Formula is empty"

Operator = Literal["+", "-", "*", "/"]
_OPERATORS: dict[type[ast.operator], Operator] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
MAX_FORMULA_LENGTH = 500


class FormulaError(CityCarbonError):
    """A formula that does not parse or uses something outside the whitelist."""


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A named data field (a column of the facts frame)."""

    name: str


@dataclass(frozen=True, slots=True)
class Number:
    """A numeric constant."""

    value: float


@dataclass(frozen=True, slots=True)
class Negate:
    """Unary minus."""

    operand: Expr


@dataclass(frozen=True, slots=True)
class BinaryOp:
    """``left <op> right`` for one of ``+ - * /``."""

    op: Operator
    left: Expr
    right: Expr


Expr = FieldRef | Number | Negate | BinaryOp


@dataclass(frozen=True, slots=True)
class Formula:
    """A parsed formula: its text, its tree and the fields it reads."""

    text: str
    tree: Expr
    fields: frozenset[str]


def _convert(node: ast.AST, text: str) -> Expr:
    if isinstance(node, ast.Expression):
        return _convert(node.body, text)
    if isinstance(node, ast.Name):
        return FieldRef(node.id)
    if (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ):
        return Number(float(node.value))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _convert(node.operand, text)
        return Negate(operand) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return BinaryOp(_OPERATORS[type(node.op)], _convert(node.left, text), _convert(node.right, text))
    construct = type(node).__name__
    if isinstance(node, ast.BinOp | ast.UnaryOp):
        construct = type(node.op).__name__
    raise FormulaError(MSG_FORMULA_NODE, formula=text, construct=construct)


def _fields(expr: Expr) -> set[str]:
    if isinstance(expr, FieldRef):
        return {expr.name}
    if isinstance(expr, Negate):
        return _fields(expr.operand)
    if isinstance(expr, BinaryOp):
        return _fields(expr.left) | _fields(expr.right)
    return set()


def parse_formula(text: str) -> Formula:
    """Parse ``text`` into a :class:`Formula`.

    Raises
    ------
    FormulaError
        When the text is empty, too long, not an expression, or uses anything but field
        names, numbers, ``+ - * /`` and parentheses (calls, attributes, ``**``, comparisons …).

    """
    stripped = text.strip()
    if not stripped:
        raise FormulaError(MSG_FORMULA_EMPTY)
    if len(stripped) > MAX_FORMULA_LENGTH:
        raise FormulaError(MSG_FORMULA_SYNTAX, formula=stripped[:40] + "…", detail="too long")
    try:
        parsed = ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        raise FormulaError(MSG_FORMULA_SYNTAX, formula=stripped, detail=error.msg) from None
    tree = _convert(parsed, stripped)
    return Formula(stripped, tree, frozenset(_fields(tree)))
