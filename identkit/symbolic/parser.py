"""Safe parsing of mechanism expressions into sympy objects.

User text is parsed with Python's :mod:`ast` (``mode="eval"``) and walked node by node; only a
whitelist becomes sympy objects: numbers (floats become exact decimals), declared names,
``+ - * / **``, unary ``+``/``-``, parentheses, and calls of a fixed list of functions with one
positional argument. Nothing is evaluated: no ``eval``, ``sympify`` or ``parse_expr`` ever sees
the text. Errors name where the expression came from, the expression and the offending token.
"""

from __future__ import annotations

import ast
import numbers

import sympy

from ..errors import ParseError

__all__ = ["FUNCTIONS", "parse_expression", "shown"]

MAX_LENGTH = 10_000
MAX_DEPTH = 100
MAX_EXPONENT = 1000
MAX_DEGREE = 10_000
MAX_NODES = 20_000
MAX_CONSTANT_BITS = 10_000  # bits of an exact constant (numerator plus denominator)
MAX_ROOT_BITS = 4_000  # bits of a constant raised to a non-integer power (sympy factors it)
MAX_ROOT_BITS_TOTAL = 20_000  # the same, summed over an expression


SHOWN = 60  # characters of an expression a message quotes


def shown(text, column: int | None = None) -> str:
    """An expression as a message quotes it: whole when short, else its start (or, with
    ``column``, the part around that 1-based column) and its length, so a refusal stays one
    line of about 200 characters however long the expression.

    Examples
    --------
    >>> from identkit.symbolic.parser import shown
    >>> shown("a1 + 2*a2")
    "'a1 + 2*a2'"
    >>> shown("exp(" * 40 + "a1" + ")" * 40)
    "'exp(exp(exp(exp(exp(exp(exp(exp(exp(exp(exp(exp(exp(exp(exp(...' (202 characters)"
    >>> shown("x" * 100 + " ^ y", column=102)
    "'...xxxxxxxxxxxxxxxxxxxxxxxxxxxxx ^ y' (104 characters)"
    """
    text = str(text)
    if len(text) <= SHOWN:
        return repr(text)
    if column is None or column <= SHOWN - 10:
        return f"{text[:SHOWN] + '...'!r} ({len(text)} characters)"
    lo, hi = max(column - 1 - SHOWN // 2, 0), column - 1 + SHOWN // 2
    part = ("..." if lo else "") + text[lo:hi] + ("..." if hi < len(text) else "")
    return f"{part!r} ({len(text)} characters)"


def _sigmoid(x):
    return 1 / (1 + sympy.exp(-x))


FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "exp": sympy.exp, "log": sympy.log,
    "sqrt": sympy.sqrt, "tanh": sympy.tanh, "sinh": sympy.sinh, "cosh": sympy.cosh,
    "atan": sympy.atan, "abs": sympy.Abs, "sigmoid": _sigmoid,
}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_DESCRIBE = {
    ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Lambda: "lambda",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator", ast.Compare: "a comparison",
    ast.BoolOp: "a boolean operator", ast.IfExp: "a conditional expression",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Dict: "a dict", ast.Set: "a set",
    ast.Starred: "unpacking", ast.NamedExpr: "an assignment", ast.JoinedStr: "an f-string",
    ast.Await: "await", ast.Yield: "yield", ast.BitXor: "'^' (use ** for powers)",
    ast.MatMult: "'@'", ast.FloorDiv: "'//'", ast.Mod: "'%'", ast.BitAnd: "'&'",
    ast.BitOr: "'|'", ast.LShift: "'<<'", ast.RShift: "'>>'", ast.Invert: "'~'", ast.Not: "'not'",
}


def parse_expression(text, symbols: dict, *, where: str = "expression") -> sympy.Expr:
    """Parse ``text`` into a sympy expression over the declared ``symbols``.

    Parameters
    ----------
    text : str or number
        The expression (a bare int or float is accepted as a constant).
    symbols : dict of str to sympy.Symbol
        The names the expression may use.
    where : str
        What the expression is, for messages (e.g. ``"mean of z1"``).

    Returns
    -------
    sympy.Expr

    Raises
    ------
    ParseError
        On a syntax error, an undeclared name, a function outside the whitelist, any other
        construct (attribute access, calls of undeclared names, lambdas, comprehensions,
        subscripts, ...), keyword arguments (named), dunder names, expressions longer than
        10,000 characters or nested deeper than 100, numeric exponents above 1,000 in
        magnitude, nested powers whose degrees multiply beyond 10,000, and more than 20,000
        nodes once built. Constants are bounded too, before sympy computes them: an exact
        constant over 10,000 bits (numerator plus denominator; ``(2**64)**64`` has 4,098,
        ``((2**64)**64)**64`` and ``1e-300**1000`` are refused, as is ``exp(c*log(b))``,
        which sympy turns into ``b**c``), a power of constants beyond ``2**±10,000`` in value
        (``((pi**64)**64)**64``, ``exp(exp(10))``), and a root of a constant over 4,000 bits
        or roots of constants over 20,000 bits in all (sympy factors a constant to take its
        root: about 0.3 s at 4,000 bits). These bounds keep the cost of a check bounded:
        every derivative and exact evaluation is polynomial in them.

    Examples
    --------
    >>> import sympy
    >>> from identkit.symbolic import parse_expression
    >>> z, a = sympy.symbols("z1 a1", real=True)
    >>> parse_expression("0.5*sin(z1) + a1**2", {"z1": z, "a1": a})
    a1**2 + sin(z1)/2
    >>> parse_expression("__import__('os')", {"z1": z}, where="mean of z1")
    Traceback (most recent call last):
    ...
    identkit.errors.ParseError: mean of z1: "__import__('os')": dunder name '__import__' is refused (column 1)
    """
    text = _expression_text(text, where)
    tree = _syntax_tree(text, where)
    try:
        expr = _Builder(text, symbols, where).walk(tree, 0)
    except RecursionError:
        raise ParseError(f"{where}: the expression is nested too deeply") from None
    _check_size(expr, text, where)
    return expr


def _expression_text(text, where: str) -> str:
    """The text to parse: a bare int or float becomes its repr; anything else but a non-empty
    string of at most :data:`MAX_LENGTH` characters is refused."""
    if isinstance(text, bool):
        raise ParseError(f"{where}: {text!r} is not an expression")
    if isinstance(text, numbers.Number):
        if isinstance(text, complex):
            raise ParseError(f"{where}: complex numbers are not allowed")
        text = repr(text)
    if not isinstance(text, str):
        raise ParseError(f"{where}: expected an expression string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"{where}: the expression is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ParseError(f"{where}: the expression is empty")
    return text


def _syntax_tree(text: str, where: str) -> ast.Expression:
    """Python's parse of the expression (``mode="eval"``), a syntax error naming its column."""
    try:
        return ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        col = (exc.offset or 1)
        raise ParseError(f"{where}: {shown(text, col)}: syntax error at column {col}: "
                         f"{exc.msg}") from None
    except (ValueError, MemoryError, RecursionError):
        raise ParseError(f"{where}: {shown(text)} cannot be parsed") from None


class _Builder:
    """The walk from the syntax tree to sympy: one method per kind of node on the whitelist,
    everything else refused by :meth:`fail` (naming the expression and the column)."""

    def __init__(self, text: str, symbols: dict, where: str):
        self.text, self.symbols, self.where = text, symbols, where
        self.root_bits = 0  # bits of constants raised to non-integer powers so far

    def fail(self, node, what):
        col = getattr(node, "col_offset", None)
        at = f" (column {col + 1})" if col is not None else ""
        raise ParseError(f"{self.where}: {shown(self.text, None if col is None else col + 1)}: "
                         f"{what}{at}")

    def walk(self, node, depth):
        if depth > MAX_DEPTH:
            self.fail(node, f"nested deeper than {MAX_DEPTH}")
        if isinstance(node, ast.Expression):
            return self.walk(node.body, depth + 1)
        out = self.build(node, depth)
        if out.is_Rational and _bits(out) > MAX_CONSTANT_BITS:
            self.fail(node, f"the constant has {_bits(out)} bits (at most {MAX_CONSTANT_BITS})")
        return out

    def build(self, node, depth):
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        self.fail(node, f"{_DESCRIBE.get(type(node), type(node).__name__)} is not allowed")

    def constant(self, node):
        """An int (at most 10**100 in magnitude) or a finite float, read as an exact decimal."""
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(node, f"the constant {v!r} is not a number")
        if isinstance(v, int):
            if abs(v) > 10**100:
                self.fail(node, "the integer is too large")
            return sympy.Integer(v)
        if v != v or v in (float("inf"), float("-inf")):
            self.fail(node, f"the constant {v!r} is not finite")
        return sympy.Rational(repr(v))

    def name(self, node):
        """A declared symbol, ``pi`` or ``E``; a dunder, a bare function name or an
        undeclared name is refused (the message lists the declared ones)."""
        name = node.id
        if name.startswith("__"):
            self.fail(node, f"dunder name {name!r} is refused")
        if name in self.symbols:
            return self.symbols[name]
        if name in FUNCTIONS:
            self.fail(node, f"the function {name!r} must be called with one argument")
        if name in ("pi", "E"):
            return sympy.pi if name == "pi" else sympy.E
        known = ", ".join(sorted(self.symbols)) or "none"
        self.fail(node, f"undeclared name {name!r} (declared: {known})")

    def binop(self, node, depth):
        """``+ - * / **``; division by a literal zero and oversized powers are refused. A sum
        ``t1 + t2 - t3 ...`` is one level of nesting however many terms it has (Python
        parses it as a left-leaning chain, walked here without recursion)."""
        op = type(node.op)
        if op not in _BINOPS:
            self.fail(node, f"the operator {_DESCRIBE.get(op, op.__name__)} is not allowed")
        if op in (ast.Add, ast.Sub):
            return self.sum(node, depth)
        left = self.walk(node.left, depth + 1)
        right = self.walk(node.right, depth + 1)
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            if right == 0:
                self.fail(node, "division by zero")
            return left / right
        return self.power(node, left, right)

    def sum(self, node, depth):
        """The terms of a chain of ``+`` and ``-``, each walked one level down, added at once."""
        signs, terms = [], []
        while isinstance(node, ast.BinOp) and type(node.op) in (ast.Add, ast.Sub):
            signs.append(type(node.op) is ast.Add)
            terms.append(node.right)
            node = node.left
        total = [self.walk(node, depth + 1)]
        for add, term in zip(reversed(signs), reversed(terms)):
            value = self.walk(term, depth + 1)
            total.append(value if add else -value)
        return sympy.Add(*total)

    def power(self, node, left, right):
        """``left**right`` unless the exponent exceeds :data:`MAX_EXPONENT` in magnitude, the
        exact constants sympy would compute have more than :data:`MAX_CONSTANT_BITS` bits
        (estimated by :func:`_power_bits` before anything is computed), a constant over
        :data:`MAX_ROOT_BITS` bits is raised to a non-integer power (or such constants over
        :data:`MAX_ROOT_BITS_TOTAL` bits in the expression), the value of a power of
        constants lies beyond ``2**±MAX_CONSTANT_BITS``, or a number above 1 is raised beyond
        64 (an exact value too large to expand)."""
        self.check_power(node, left, right)
        return left**right

    def check_power(self, node, left, right):
        """The bounds of :meth:`power`, without building the power (also for the powers
        ``sqrt`` and ``exp`` build)."""
        if right.is_number and _magnitude(right) > MAX_EXPONENT:
            self.fail(node, f"the exponent {right} exceeds {MAX_EXPONENT} in magnitude")
        roots = _power_bits(left, right, roots=True)
        self.root_bits += roots
        if roots > MAX_ROOT_BITS:
            self.fail(node, f"a root of constants of {roots} bits (at most {MAX_ROOT_BITS})")
        if self.root_bits > MAX_ROOT_BITS_TOTAL:
            self.fail(node, f"roots of constants of {self.root_bits} bits in all (at most "
                            f"{MAX_ROOT_BITS_TOTAL})")
        bits = _power_bits(left, right)
        if bits > MAX_CONSTANT_BITS:
            self.fail(node, f"the power's exact value would have about {bits} bits (at most "
                            f"{MAX_CONSTANT_BITS})")
        if left.is_number and right.is_number and not (left.is_Rational and right.is_Rational):
            scale = _log2_magnitude(left) * _magnitude(right)  # pi**262144 is about 2**432900
            if scale > MAX_CONSTANT_BITS:
                self.fail(node, f"the power's value would be about 2**±{int(min(scale, 1e18))} "
                                f"(at most 2**±{MAX_CONSTANT_BITS})")
        if left.is_number and right.is_number and _magnitude(left) > 1 and \
                _magnitude(right) > 64:
            self.fail(node, "the power is too large to expand")

    def unary(self, node, depth):
        """Unary ``-`` and ``+``; ``~`` and ``not`` are refused."""
        if isinstance(node.op, ast.USub):
            return -self.walk(node.operand, depth + 1)
        if isinstance(node.op, ast.UAdd):
            return self.walk(node.operand, depth + 1)
        self.fail(node, f"the operator {_DESCRIBE.get(type(node.op), 'unary')} is not allowed")

    def call(self, node, depth):
        """A whitelisted function (:data:`FUNCTIONS`) of one positional argument."""
        func = node.func
        if isinstance(func, ast.Attribute):
            self.fail(func, f"attribute access ('.{func.attr}') is not allowed")
        if not isinstance(func, ast.Name):
            self.fail(node, "only calls of the whitelisted functions are allowed "
                            f"({', '.join(sorted(FUNCTIONS))})")
        if func.id.startswith("__"):
            self.fail(func, f"dunder name {func.id!r} is refused")
        if func.id not in FUNCTIONS:
            self.fail(func, f"unknown function {func.id!r}; allowed: "
                            f"{', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            names = ", ".join(repr(k.arg) if k.arg else "**" for k in node.keywords)
            self.fail(node, f"{func.id}() takes no keyword arguments (got {names})")
        if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            self.fail(node, f"{func.id}() takes exactly one positional argument")
        arg = self.walk(node.args[0], depth + 1)
        if func.id in ("exp", "sigmoid"):  # sympy turns exp(c*log(b)) into the power b**c
            for base, exponent in _exp_powers(arg if func.id == "exp" else -arg):
                self.check_power(node, base, exponent)
        if func.id == "sqrt":
            self.check_power(node, arg, sympy.Rational(1, 2))
        if func.id in ("exp", "sigmoid", "sinh", "cosh") and arg.is_number:
            # exp(c) is e**c but no Pow: its value is bounded as a power's (exp(exp(10)))
            scale = _magnitude(arg) * 1.4426950408889634  # log2(e)
            if scale > MAX_CONSTANT_BITS:
                self.fail(node, f"{func.id}'s value would be about 2**±{int(min(scale, 1e18))} "
                                f"(at most 2**±{MAX_CONSTANT_BITS})")
        return FUNCTIONS[func.id](arg)


def _check_size(expr, text: str, where: str) -> None:
    """Refuse a built expression over :data:`MAX_NODES` nodes or :data:`MAX_DEGREE`, or
    holding a constant over :data:`MAX_CONSTANT_BITS` bits or a power of constants whose
    value lies beyond ``2**±MAX_CONSTANT_BITS`` (products of many large constants grow one
    step at a time, and merge powers of one constant; each step is within bounds)."""
    nodes, degree = _size(expr)
    big = max((_bits(r) for r in expr.atoms(sympy.Rational)), default=0)
    if big > MAX_CONSTANT_BITS:
        raise ParseError(f"{where}: {shown(text)}: a constant has {big} bits once built (at "
                         f"most {MAX_CONSTANT_BITS})")
    if nodes > MAX_NODES:
        raise ParseError(f"{where}: {shown(text)}: the expression has {nodes} nodes once built "
                         f"(at most {MAX_NODES})")
    if degree > MAX_DEGREE:
        raise ParseError(f"{where}: {shown(text)}: the powers multiply to degree {degree} (at most "
                         f"{MAX_DEGREE}), too costly to differentiate and evaluate exactly")
    # a product merges powers of one constant (pi**a*pi**b, exp(a)*exp(b)), each within bounds
    scale = max((_value_bits(e) for e in sympy.preorder_traversal(expr)
                 if isinstance(e, (sympy.Pow, sympy.exp))), default=0.0)
    if scale > MAX_CONSTANT_BITS:
        raise ParseError(f"{where}: {shown(text)}: a constant's value is about "
                         f"2**±{int(min(scale, 1e18))} once built (at most 2**±{MAX_CONSTANT_BITS})")


def _value_bits(e) -> float:
    """``|log2|`` of the value of a power or ``exp`` of constants that is not an exact rational
    power (0 otherwise), as :meth:`_Builder.check_power` measures it."""
    if isinstance(e, sympy.exp):
        arg = e.args[0]
        return _magnitude(arg) * 1.4426950408889634 if arg.is_number else 0.0
    if e.base.is_number and e.exp.is_number and not (e.base.is_Rational and e.exp.is_Rational):
        return _log2_magnitude(e.base) * _magnitude(e.exp)
    return 0.0


def _bits(r) -> int:
    """Bits of an exact rational: numerator plus denominator.

    >>> import sympy
    >>> from identkit.symbolic.parser import _bits
    >>> _bits(sympy.Integer(2) ** 64), _bits(sympy.Rational(1, 3))
    (66, 3)
    """
    return abs(int(r.p)).bit_length() + int(r.q).bit_length()


def _power_bits(base, exponent, roots: bool = False) -> int:
    """An upper estimate of the bits of the exact constants sympy computes when it builds
    ``base**exponent`` for a rational exponent (0 otherwise): a rational base is raised
    (``bits × |exponent|``); a product distributes the power over its factors (``(2**64*z)**64``
    computes ``2**4096``); a power of a power multiplies the exponents. Sums, functions and
    symbols are left unexpanded and cost nothing. With ``roots``, the bits of the rational
    bases raised to a non-integer power instead (sympy factors them, superlinear in their
    bits). O(size of ``base``'s products).

    >>> import sympy
    >>> from identkit.symbolic.parser import _power_bits
    >>> z = sympy.Symbol("z")
    >>> _power_bits(sympy.Integer(2) ** 64, 64), _power_bits(sympy.Rational(1, 2), 3)
    (4224, 9)
    >>> _power_bits(sympy.sqrt(2) * z, 1000), _power_bits(z + 10**50, 1000)
    (1500, 0)
    """
    exponent = sympy.sympify(exponent)
    if not exponent.is_Rational:
        return 0
    scale = abs(exponent)
    if base.is_Rational:
        if roots:
            return 0 if exponent.is_Integer else _bits(base)
        return int(sympy.ceiling(_bits(base) * scale))
    if base.is_Mul:
        return sum(_power_bits(f, exponent, roots) for f in base.args)
    if base.is_Pow and base.exp.is_Rational:
        return _power_bits(base.base, base.exp * exponent, roots)
    return 0


def _exp_powers(arg):
    """The powers ``(b, c)`` that ``sympy.exp(arg)`` builds by itself: every term ``c*log(b)``
    of a sum, with ``c`` a number, becomes ``b**c``. They are checked as powers before
    ``exp`` is applied.

    >>> import sympy
    >>> from identkit.symbolic.parser import _exp_powers
    >>> _exp_powers(1 + 1000 * sympy.log(10))
    [(10, 1000)]
    >>> _exp_powers(sympy.pi * (sympy.log(2) + sympy.log(3)))
    [(6, pi)]
    """
    out = []
    for term in sympy.Add.make_args(arg):
        factors = sympy.Mul.make_args(term)
        # as sympy's exp does: a factor that combines into one log (log(2) + log(3)) counts
        combined = [sympy.logcombine(f) if f.has(sympy.log) else f for f in factors]
        logs = [k for k, f in enumerate(combined) if isinstance(f, sympy.log)]
        rest = [f for k, f in enumerate(factors) if k not in logs]
        if len(logs) == 1 and all(f.is_comparable for f in rest):
            out.append((combined[logs[0]].args[0], sympy.Mul(*rest)))
    return out


def _log2_magnitude(x) -> float:
    """``|log2 |x||`` of a constant (0 when it is 0 or cannot be evaluated: the other bounds
    apply), computed in mpmath so that values beyond the float range (``pi**4096``) are
    measured rather than overflowing.

    >>> import sympy
    >>> from identkit.symbolic.parser import _log2_magnitude
    >>> round(_log2_magnitude(sympy.pi**4096)), round(_log2_magnitude(1 / sympy.E**1000))
    (6765, 1443)
    """
    import mpmath

    try:
        v = sympy.N(abs(x), 15)
        if not v.is_Float or v == 0:
            return 0.0
        return float(abs(mpmath.log(mpmath.mpf(str(v)), 2)))
    except (TypeError, ValueError, OverflowError, AttributeError):
        return 0.0


def _magnitude(x) -> float:
    """|x| of a constant as a float (15 digits suffice for comparing with limits; a constant
    sympy cannot order exactly, such as cos(e⁻²⁰⁰) against 1, is compared by its value)."""
    try:
        return float(abs(sympy.N(x, 15)))
    except (TypeError, ValueError, OverflowError):
        return float("inf")


def _size(expr):
    """(number of nodes, a degree bound): the degree multiplies through nested integer
    powers, adds over products and is the largest over sums; a function or non-integer power
    counts as degree 1 in its argument's degree. O(nodes) with memoization."""
    memo = {}

    def deg(e):
        if e in memo:
            return memo[e]
        if e.is_Number or e.is_NumberSymbol:
            out = 0
        elif e.is_Symbol:
            out = 1
        elif e.is_Add:
            out = max(deg(a) for a in e.args)
        elif e.is_Mul:
            out = sum(deg(a) for a in e.args)
        elif e.is_Pow and e.exp.is_Integer:
            out = abs(int(e.exp)) * deg(e.base)
        else:
            out = max([deg(a) for a in e.args] + [1])
        memo[e] = out
        return out

    nodes = sum(1 for _ in sympy.preorder_traversal(expr))
    return nodes, deg(expr)
