"""Three-valued zero tests, rigorous evaluation at points, and ranks (internal module).

The engine under the symbolic backend's verdicts; its functions thread one Generator (``rng``)
through a check, like the package's other internals. Users reach it through
:func:`identkit.symbolic.check_mechanism` and :meth:`SymbolicMechanism.derive_graph`.

Every decision here is *zero*, *nonzero* or *undecided*, with the route that decided it:

* **nonzero** needs a witness: a rational point where the expression was evaluated in interval
  arithmetic (mpmath ``iv``, precision raised 30 → 60 → 120 → 240 digits until the interval
  excludes 0), so the sign is proven, not estimated (route ``interval evaluation``); or an exact
  argument (a nonzero rational function cannot vanish on an open set: ``exact``).
* **zero** needs a proof: 0 as written (``structural``), the numerator of a rational function
  expanding to 0 (``exact``), or ``sympy.simplify`` giving 0 for a small expression
  (``simplify``). For functions the parser knows to be *analytic* (built from + − × ÷, integer
  powers, exp, log, sqrt and powers of positive bases, sin, cos, tan, sinh, cosh, tanh, atan),
  vanishing at points drawn at several scales (near zero, order one and large) to 200 digits
  *below its smallest nonzero part* (the smallest magnitude of any subexpression, squared,
  and finer still for long rationals; see :func:`_settle`) is accepted as route ``vanishes at sampled points
  (analytic)``: a nonzero analytic function vanishes only on a set of measure zero.
* **undecided** otherwise: a non-analytic expression (``abs`` and what differentiating it makes:
  ``sign``, ``DiracDelta``) that vanishes at every point tried; too few points where the
  expression could be evaluated (none evaluable never yields a certificate); or the time budget
  ran out.

Points are exact rationals; values that would overflow (``exp`` of more than 10⁵) are not
evaluated at that point. Time per point O(n · P²) for an expression tree of n nodes at P digits.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy

__all__ = ["ZeroDecision", "decide_zero", "random_point", "evaluate", "rank_at_points",
           "PRECISION", "is_analytic", "interval", "Undefined", "Unknown", "Budget",
           "BudgetExpired", "SCALES", "active_budget", "is_rational", "interval_many"]

PRECISION = 60
_DPS = (30, 60, 120, 240)
_TINY = mpmath.mpf(10) ** -40
_EXP_CAP = 10**5
_RELATIVE_ZERO = mpmath.mpf(10) ** -200
_MAX_DPS = 1500
#: the scales points are drawn at: near zero, order one, large
SCALES = (sympy.Rational(1, 8), sympy.Integer(2), sympy.Integer(64))

_NONANALYTIC = (sympy.Abs, sympy.sign, sympy.Heaviside, sympy.DiracDelta, sympy.Piecewise,
                sympy.Max, sympy.Min, sympy.floor, sympy.ceiling, sympy.re, sympy.im,
                sympy.arg)


class Undefined(ArithmeticError):
    """The expression is provably undefined (not real, or infinite) at the point."""


class Unknown(ArithmeticError):
    """The expression cannot be bounded at the point (on a domain boundary, a denominator
    whose interval contains 0, an overflow, or a construct the evaluator does not know)."""


class BudgetExpired(BaseException):
    """The time budget of a check ran out (internal: a check catches it and reports
    ``undecided (time budget)``). A BaseException so that no library code swallows it."""


class Budget:
    """A per-check time budget with optional progress messages.

    Parameters
    ----------
    seconds : float or None
        None: no budget.
    progress : callable or None
        Called with one line of text at most every 2 s once 2 s have passed.
    start : float, optional
        When the budget began (a :func:`time.monotonic` reading; default now), so that work
        done before the budget object exists (reading the file) counts against it too.

    Attributes
    ----------
    stage : str
        What the work is doing now (set by the work, shown in progress lines).
    stopped_at : str
        The stage the work had reached when the budget ran out ("" while it has not).
    """

    def __init__(self, seconds=None, progress=None, start=None):
        self.start = time.monotonic() if start is None else float(start)
        self.seconds = seconds
        self.deadline = None if seconds is None else self.start + float(seconds)
        self.progress = progress
        self.expired = False
        self._last = self.start
        self.stage = ""
        self.stopped_at = ""

    def expire(self):
        """Mark the budget spent, keeping in :attr:`stopped_at` the stage reached the first
        time (the work calls it when it meets :class:`BudgetExpired`)."""
        if not self.expired:
            self.stopped_at = self.stage
        self.expired = True

    def check(self):
        """Raise :class:`BudgetExpired` once the deadline has passed."""
        now = time.monotonic()
        if self.expired or (self.deadline is not None and now > self.deadline):
            self.expire()
            raise BudgetExpired
        if self.progress is not None and now - self._last >= 2 and now - self.start >= 2:
            self._last = now
            self.progress(f"identkit: {self.stage} ({now - self.start:.0f} s)")

    @contextmanager
    def alarm(self):
        """Interrupt a long single computation (a sympy call) at the deadline: SIGALRM in the
        main thread of a POSIX process, otherwise only the checks between steps apply.

        The alarm interrupts at most once, and never after :meth:`check` has found the budget
        spent: from then on the work only meets :class:`BudgetExpired` at its own checks, so
        it can mark what is left undecided without being interrupted again."""
        usable = (self.deadline is not None and hasattr(signal, "setitimer")
                  and threading.current_thread() is threading.main_thread())
        if not usable:
            yield self
            return

        def handler(signum, frame):
            if self.expired:  # already spent (seen by a check): the work is winding down
                return
            self.expire()
            raise BudgetExpired

        old = signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, max(self.deadline - time.monotonic(), 1e-3))
        try:
            yield self
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)

    @contextmanager
    def active(self):
        """Make this the budget every zero test and rank test checks, with the alarm set."""
        _ACTIVE.append(self)
        try:
            with self.alarm():
                yield self
        finally:
            _ACTIVE.pop()


_NO_BUDGET = Budget()
_ACTIVE = [_NO_BUDGET]


def active_budget() -> Budget:
    """The budget of the check in progress (a budget without limit outside checks)."""
    return _ACTIVE[-1]


@dataclass(frozen=True)
class ZeroDecision:
    """Whether an expression is identically zero (True), not (False) or undecided (None), how
    that was decided, and a witness point with its value when there is one."""

    zero: bool | None
    route: str
    point: dict | None = None
    value: str | None = None

    @property
    def state(self) -> str:
        return {True: "zero", False: "nonzero", None: "undecided"}[self.zero]

    def to_dict(self):
        return {"zero": self.zero, "state": self.state, "route": self.route,
                "point": None if self.point is None else {str(k): str(v) for k, v in self.point.items()},
                "value": self.value}


def is_analytic(expr) -> bool:
    """Whether the expression is built from analytic pieces only (no abs, sign, max, ...).

    >>> import sympy
    >>> from identkit.symbolic._exact import is_analytic
    >>> x = sympy.Symbol("x", real=True)
    >>> is_analytic(sympy.sin(x) + sympy.sqrt(x**2 + 1)), is_analytic(abs(x))
    (True, False)
    """
    return not sympy.sympify(expr).has(*_NONANALYTIC)


def is_rational(expr) -> bool:
    """Whether ``expr`` is a rational function with rational coefficients, read from its tree
    (no function calls, no constants such as π or √2, integer powers only). O(nodes).

    >>> import sympy
    >>> from identkit.symbolic._exact import is_rational
    >>> x = sympy.Symbol("x", real=True)
    >>> is_rational((x**2 + 1) / (x - 3)), is_rational(sympy.sqrt(2) * x), is_rational(sympy.sin(x))
    (True, False, False)
    """
    for e in sympy.preorder_traversal(expr):
        if e.is_Symbol or e.is_Rational or e.is_Add or e.is_Mul:
            continue
        if e.is_Pow and e.exp.is_Integer:
            continue
        if e.is_Integer:
            continue
        return False
    return True


_PRIMES = (11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47)


def random_point(symbols, rng, spread=2, generic: bool = False, domain=None) -> dict:
    """A random rational point.

    Each symbol gets p/q · spread with 0 < |p/q| < 1; q in 2..7, or a prime from 11 to 47 when
    ``generic`` (to avoid special values such as 1 or 1/2). ``domain`` maps a symbol to a
    tuple ``(lo, hi)`` (a declared range: the value is drawn inside it) or a list of values (a
    declared discrete set: one of them is drawn).
    """
    out = {}
    spread = sympy.Rational(spread)
    for s in symbols:
        dom = (domain or {}).get(s)
        if isinstance(dom, list):
            out[s] = sympy.Rational(dom[int(rng.integers(len(dom)))])
            continue
        q = int(rng.choice(_PRIMES)) if generic else int(rng.integers(2, 8))
        if isinstance(dom, tuple):
            lo, hi = (sympy.Rational(x) for x in dom)
            out[s] = lo + (hi - lo) * sympy.Rational(int(rng.integers(1, q)), q)
            continue
        p = int(rng.integers(1, q)) * (1 if rng.random() < 0.5 else -1)
        out[s] = sympy.Rational(p, q) * spread
    return out


# ------------------------------------------------------------------ interval evaluation

_iv = mpmath.iv


def _lo(x):
    return mpmath.make_mpf(x._mpi_[0])


def _hi(x):
    return mpmath.make_mpf(x._mpi_[1])


def _has_zero(x) -> bool:
    return _lo(x) <= 0 <= _hi(x)


def _rat(v):
    v = sympy.Rational(v)
    return _iv.mpf(int(v.p)) / _iv.mpf(int(v.q))


def _monotone(fn, x, pad):
    lo, hi = fn(_lo(x)), fn(_hi(x))
    return _iv.mpf([lo - abs(lo) * pad - pad, hi + abs(hi) * pad + pad])


def _exp(x):
    if _hi(x) > _EXP_CAP:
        raise Unknown("overflow")
    return _iv.exp(x)


class _Evaluator:
    """Interval value of a sympy expression at a rational point; also tracks the largest
    magnitude of the terms of every sum (the scale a cancellation is judged against)."""

    def __init__(self, point, dps):
        self.point = point
        self.dps = dps
        self.cache = {}
        self.top = mpmath.mpf(0)
        self.pad = mpmath.mpf(2) ** (-(int(dps * 3.33) - 8))

    def __call__(self, e):
        hit = self.cache.get(e)
        if hit is None:
            hit = self.cache[e] = self._eval(e)
        return hit

    def _eval(self, e):
        if e.is_Integer or e.is_Rational:
            return _rat(e)
        if e.is_Float:
            return _iv.mpf(str(e))
        if e is sympy.pi:
            return _iv.pi
        if e is sympy.E:
            return _iv.e
        if e.is_Symbol:
            if e not in self.point:
                raise Unknown(f"no value for {e}")
            return _rat(self.point[e])
        f = e.func
        if f is sympy.Add:
            vals = [self(a) for a in e.args]
            for v in vals:
                self.top = max(self.top, abs(_lo(v)), abs(_hi(v)))
            out = vals[0]
            for v in vals[1:]:
                out = out + v
            return out
        if f is sympy.Mul:
            out = self(e.args[0])
            for a in e.args[1:]:
                out = out * self(a)
            return out
        if f is sympy.Pow:
            return self._pow(*e.args)
        if f is sympy.exp:
            return _exp(self(e.args[0]))
        if f is sympy.log:
            x = self(e.args[0])
            if _hi(x) <= 0:
                raise Undefined(f"log of a value ≤ 0 at {self._where()}")
            if _lo(x) <= 0:
                raise Unknown("log near 0")
            return _iv.log(x)
        if f is sympy.sin:
            return _iv.sin(self(e.args[0]))
        if f is sympy.cos:
            return _iv.cos(self(e.args[0]))
        if f is sympy.tan:
            x = self(e.args[0])
            c = _iv.cos(x)
            if _has_zero(c):
                raise Unknown("tan at a pole")
            return _iv.sin(x) / c
        if f in (sympy.sinh, sympy.cosh, sympy.tanh):
            x = self(e.args[0])
            if max(abs(_lo(x)), abs(_hi(x))) > _EXP_CAP:
                raise Unknown("overflow")
            fn = {sympy.sinh: mpmath.sinh, sympy.tanh: mpmath.tanh}.get(f)
            if fn is not None:  # increasing
                with mpmath.workdps(self.dps + 10):
                    return _monotone(fn, x, self.pad)
            with mpmath.workdps(self.dps + 10):  # cosh: decreasing then increasing
                lo = mpmath.mpf(0) if _has_zero(x) else min(abs(_lo(x)), abs(_hi(x)))
                a, b = mpmath.cosh(lo), mpmath.cosh(max(abs(_lo(x)), abs(_hi(x))))
                return _iv.mpf([a * (1 - self.pad), b * (1 + self.pad)])
        if f is sympy.atan:
            with mpmath.workdps(self.dps + 10):
                return _monotone(mpmath.atan, self(e.args[0]), self.pad)
        if f is sympy.Abs:
            x = self(e.args[0])
            if _lo(x) >= 0:
                return x
            if _hi(x) <= 0:
                return -x
            return _iv.mpf([0, max(-_lo(x), _hi(x))])
        if f is sympy.sign:
            x = self(e.args[0])
            if _lo(x) > 0:
                return _iv.mpf(1)
            if _hi(x) < 0:
                return _iv.mpf(-1)
            raise Unknown("sign at 0")
        if f is sympy.Heaviside:
            x = self(e.args[0])
            if _lo(x) > 0:
                return _iv.mpf(1)
            if _hi(x) < 0:
                return _iv.mpf(0)
            raise Unknown("step at 0")
        if f is sympy.DiracDelta:
            if not _has_zero(self(e.args[0])):
                return _iv.mpf(0)
            raise Unknown("delta at 0")
        if f in (sympy.Max, sympy.Min):
            vals = [self(a) for a in e.args]
            pick = max if f is sympy.Max else min
            return _iv.mpf([pick(_lo(v) for v in vals), pick(_hi(v) for v in vals)])
        raise Unknown(f"cannot evaluate {f.__name__}")

    def _pow(self, b, x):
        if x.is_Integer:
            n = int(x)
            base = self(b)
            if n >= 0:
                return base ** n
            if _has_zero(base):
                if _lo(base) == 0 == _hi(base):
                    raise Undefined(f"division by zero at {self._where()}")
                raise Unknown("a denominator is near 0")
            return 1 / base ** (-n)
        base = self(b)
        if _hi(base) < 0 or (_hi(base) == 0 and (x.is_negative or not x.is_Rational)):
            raise Undefined(f"a power of a negative number at {self._where()}")
        if _lo(base) <= 0:
            raise Unknown("a power near 0")
        if x.is_Rational and x.q == 2:
            r = _iv.sqrt(base)
            return r ** int(x.p) if x.p > 0 else 1 / r ** int(-x.p)
        return _exp(self(x) * _iv.log(base))

    def _where(self):
        return "{" + ", ".join(f"{k} = {v}" for k, v in self.point.items()) + "}"


def interval(expr, point: dict, dps: int = PRECISION):
    """The value of ``expr`` at a rational ``point`` as an mpmath interval at ``dps`` digits.

    Returns ``(interval, top)`` where ``top`` bounds the terms of the sums met on the way.

    Raises
    ------
    Undefined
        When the expression is provably not a real number at the point.
    Unknown
        When it cannot be bounded there.
    """
    val, ev = _interval_ev(expr, point, dps)
    return val, ev.top


def _interval_ev(expr, point, dps):
    """:func:`interval`, returning the evaluator (its cache holds every subexpression)."""
    old = _iv.prec
    _iv.dps = dps
    try:
        ev = _Evaluator(point, dps)
        with mpmath.workdps(dps):
            val = ev(sympy.sympify(expr))
        return val, ev
    except (ZeroDivisionError, OverflowError):
        raise Unknown("arithmetic error") from None
    finally:
        _iv.prec = old


def interval_many(exprs, point: dict, dps: int = PRECISION) -> list:
    """Intervals of several expressions at one point, sharing the evaluation of common
    subexpressions (the rows of a rank test). Raises like :func:`interval`."""
    old = _iv.prec
    _iv.dps = dps
    try:
        ev = _Evaluator(point, dps)
        with mpmath.workdps(dps):
            return [ev(e) for e in exprs]
    except (ZeroDivisionError, OverflowError):
        raise Unknown("arithmetic error") from None
    finally:
        _iv.prec = old


def _floor(ev):
    """The smallest magnitude among the subexpression values proven nonzero at the point (1
    when there is none smaller): the scale below which a nonzero value can hide."""
    out = mpmath.mpf(1)
    for v in ev.cache.values():
        if not _has_zero(v):
            out = min(out, abs(_lo(v)), abs(_hi(v)))
    return out


def _rational_digits(expr) -> int:
    """The most decimal digits in a numerator or denominator of the expression's rationals
    (a q-digit rational can approximate an irrational to about 10^(−2q))."""
    return max([len(str(abs(int(r.p)))) for r in expr.atoms(sympy.Rational)]
               + [len(str(int(r.q))) for r in expr.atoms(sympy.Rational)] + [1])


def _settle(expr, point):
    """Raise the precision until the interval at ``point`` excludes 0 (nonzero) or is
    narrower than ``10⁻²⁰⁰ · f² · 10^(−2q)``, where f is the smallest magnitude of any
    subexpression proven nonzero there (a tiny term such as e⁻⁶⁰⁰, or a small value that a
    Taylor term squares) and q the most digits of a rational in the expression. Judging the
    width against the *largest* term instead let a term of size 1 beside one of size e⁶⁰⁰
    vanish, and a fixed 10⁻²⁰⁰ let e⁻⁶⁰⁰ vanish. When that needs more than ``_MAX_DPS`` digits
    the point is ``"wide"`` (not evaluable). Returns ``("nonzero" | "vanishes" | "wide",
    interval, dps)``."""
    digits = _rational_digits(expr)
    ladder = list(_DPS)
    idx = 0
    while idx < len(ladder):
        dps = ladder[idx]
        val, ev = _interval_ev(expr, point, dps)
        if not _has_zero(val):
            return "nonzero", val, dps
        floor = _floor(ev)
        width = _hi(val) - _lo(val)
        with mpmath.workdps(30):
            limit = _RELATIVE_ZERO * floor**2 * mpmath.mpf(10) ** (-2 * digits)
            if width <= limit:
                return "vanishes", val, dps
            if idx == len(ladder) - 1:  # the digits the limit needs, with a margin
                scale = max(ev.top, abs(_lo(val)), abs(_hi(val)), mpmath.mpf(1))
                need = int(mpmath.log10(scale) - mpmath.log10(limit)) + 40
                if dps < need <= _MAX_DPS:
                    ladder.append(need)
        idx += 1
    return "wide", val, dps


def evaluate(expr, point: dict):
    """Exact value (sympy Rational) when possible, else a 60-digit Float from a tight interval;
    None when the expression is undefined or cannot be bounded at the point."""
    try:
        val = sympy.sympify(expr).xreplace(point)
    except (ZeroDivisionError, TypeError):
        return None
    if val.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    if val.is_Rational:
        return val
    try:
        iv_val, _ = interval(val, {}, PRECISION + 10)
    except (Undefined, Unknown):
        return None
    mid = (_lo(iv_val) + _hi(iv_val)) / 2
    return sympy.Float(mpmath.nstr(mid, PRECISION), PRECISION)


def short(v) -> str:
    """A rational as written when short, else its 15-digit decimal (huge values stay cheap)."""
    v = sympy.Rational(v)
    if max(int(v.p).bit_length(), int(v.q).bit_length()) <= 200:
        return str(v)
    with mpmath.workdps(15):
        return mpmath.nstr(mpmath.mpf(int(v.p)) / int(v.q), 15)


def _fmt(val):
    mid = (_lo(val) + _hi(val)) / 2
    rad = (_hi(val) - _lo(val)) / 2
    return f"{mpmath.nstr(mid, 15)} ± {mpmath.nstr(rad, 3)}"


def _small(expr, limit=60) -> bool:
    try:
        return sympy.count_ops(expr, visual=False) <= limit
    except (RecursionError, TypeError, ValueError):
        return False


def decide_zero(expr, rng, n_points: int = 6, simplify: bool = True, *, domain=None,
                budget: Budget | None = None) -> ZeroDecision:
    """Decide whether ``expr`` is identically zero on its domain (see module docs).

    Parameters
    ----------
    expr : sympy.Expr
    rng : numpy.random.Generator
    n_points : int
        How many points must be evaluated for a sampled verdict (spread over the scales).
    simplify : bool
        Try ``sympy.simplify`` on small expressions that vanish at every point.
    domain : dict, optional
        Symbol → ``(lo, hi)`` range or list of values (default: the reals).
    budget : Budget, optional
        Checked between points; raises :class:`BudgetExpired` when it runs out.

    Returns
    -------
    ZeroDecision
        ``zero`` is True, False or None (undecided).

    Examples
    --------
    >>> import numpy as np, sympy
    >>> from identkit.symbolic._exact import decide_zero
    >>> x, y = sympy.symbols("x y", real=True)
    >>> rng = np.random.default_rng(0)
    >>> decide_zero(sympy.exp(-100) * y, rng).zero    # tiny, but proven nonzero
    False
    >>> decide_zero(sympy.sin(x)**2 + sympy.cos(x)**2 - 1, rng).route
    'simplify'
    >>> decide_zero((x - 3 + abs(x - 3))**3 * y, rng).zero   # nonzero for x > 3 only
    False
    >>> decide_zero(sympy.sqrt(-1 - x**2) * y, rng).zero is None   # never evaluable
    True
    """
    budget = budget or active_budget()
    expr = sympy.sympify(expr)
    if expr == 0:
        return ZeroDecision(True, "structural")
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    analytic = is_analytic(expr)
    rational = is_rational(expr)
    evaluated, scales_hit, undefined, unknown, wide = 0, set(), 0, 0, 0
    last_pt = None
    for attempt in range(n_points * 4):
        budget.check()
        scale_idx = attempt % len(SCALES)
        pt = random_point(free, rng, spread=SCALES[scale_idx], generic=True, domain=domain)
        if rational:
            v = expr.xreplace(pt)
            if v.has(sympy.zoo, sympy.nan):
                undefined += 1
                continue
            if v.is_Rational:
                if v != 0:
                    return ZeroDecision(False, "exact evaluation", pt, short(v))
                evaluated += 1
                scales_hit.add(scale_idx)
                last_pt = pt
                if analytic and evaluated >= n_points and len(scales_hit) >= 2:
                    break
                continue
        try:
            kind, val, dps = _settle(expr, pt)
        except Undefined:
            undefined += 1
            continue
        except Unknown:
            unknown += 1
            continue
        if kind == "nonzero":
            return ZeroDecision(False, f"interval evaluation ({dps} digits)", pt, _fmt(val))
        if kind == "wide":
            wide += 1
            continue
        evaluated += 1
        scales_hit.add(scale_idx)
        last_pt = pt
        # a non-analytic expression may vanish on whole regions: try every point
        if analytic and evaluated >= n_points and len(scales_hit) >= 2:
            break
    budget.check()
    if rational and evaluated:
        num, _ = sympy.fraction(sympy.together(expr))
        if sympy.expand(num) == 0:
            return ZeroDecision(True, "exact (the numerator expands to 0)")
    if simplify and evaluated and _small(expr):
        try:
            simple = sympy.simplify(expr)
        except (RecursionError, TypeError, ValueError, NotImplementedError):
            simple = None
        if simple == 0:
            return ZeroDecision(True, "simplify")
    if evaluated == 0:
        why = (f"{undefined} point(s) undefined, {unknown} not evaluable, {wide} not "
               f"resolved within {_MAX_DPS} digits below the expression's smallest part"
               if undefined + unknown + wide else "no point tried")
        return ZeroDecision(None, f"undecided: no point where the expression could be "
                                  f"evaluated ({why})")
    if not analytic:
        return ZeroDecision(None, f"undecided: not analytic (abs, sign, ...) and vanishes at the "
                                  f"{evaluated} point(s) evaluated, which proves nothing",
                            last_pt, "0")
    if evaluated < n_points:
        return ZeroDecision(None, f"undecided: vanishes at the {evaluated} point(s) that could "
                                  f"be evaluated, fewer than the {n_points} required",
                            last_pt, "0")
    return ZeroDecision(True, f"vanishes at sampled points (analytic; {evaluated} points at "
                              f"{len(scales_hit)} scales, to 200 digits below its smallest part)",
                        last_pt, "0")


# ---------------------------------------------------------------------------------- ranks


def _to_mp(v):
    if hasattr(v, "_mpi_"):
        return (_lo(v) + _hi(v)) / 2
    if isinstance(v, mpmath.mpf):
        return v
    v = sympy.sympify(v)
    if v.is_Rational:
        return mpmath.mpf(int(v.p)) / mpmath.mpf(int(v.q))
    return mpmath.mpf(str(sympy.N(v, PRECISION)))


def _to_iv(v):
    if hasattr(v, "_mpi_"):
        return v
    if isinstance(v, mpmath.mpf):
        return _iv.mpf(v)
    v = sympy.sympify(v)
    if v.is_Rational:
        return _rat(v)
    return interval(v, {}, PRECISION)[0]


def _is_rational(v) -> bool:
    return not hasattr(v, "_mpi_") and not isinstance(v, mpmath.mpf) and \
        sympy.sympify(v).is_Rational


def _eliminate(rows, exact: bool):
    """Gaussian elimination with partial pivoting; returns (rank, independent rows, pivot
    columns). Exact over fractions, or in 60-digit arithmetic where a pivot counts when it
    exceeds 1e-40 times the largest entry. O(N k²) operations for N rows of length k."""
    if exact:
        from fractions import Fraction

        M = [[Fraction(int(v.p), int(v.q)) for v in map(sympy.Rational, r)] for r in rows]
        tiny = 0
    else:
        M = [[_to_mp(v) for v in r] for r in rows]
        top = max((abs(v) for r in M for v in r), default=mpmath.mpf(0))
        tiny = top * _TINY
    n_rows, n_cols = len(M), len(M[0])
    T = [[M[i][j] for i in range(n_rows)] for j in range(n_cols)]
    rank = 0
    picked, cols = [], []
    perm = list(range(n_cols))
    for col in range(n_rows):
        if rank == n_cols:
            break
        piv = max(range(rank, n_cols), key=lambda r: abs(T[r][col]))
        if abs(T[piv][col]) <= tiny:
            continue
        T[rank], T[piv] = T[piv], T[rank]
        perm[rank], perm[piv] = perm[piv], perm[rank]
        for r in range(rank + 1, n_cols):
            if T[r][col] != 0:
                f = T[r][col] / T[rank][col]
                T[r] = [a - f * b for a, b in zip(T[r], T[rank])]
        picked.append(col)
        rank += 1
    return rank, picked, perm[:rank]


def _weyl_nonsingular(M) -> bool:
    """A quick certificate that every matrix in the interval matrix ``M`` is nonsingular:
    with midpoints C (rounded to float64) and radii R, Weyl's inequality gives
    σ_min(C + E) ≥ σ_min(C) − ‖E‖₂, and LAPACK's backward-stable SVD computes σ_min(C) to within
    p(n)·ε·‖C‖₂ (p(n) = 10 n taken here). So σ_min − 10 n ε σ_max > ‖R‖_F + ‖C − C₆₄‖_F
    suffices. O(n³) in float64."""
    n = len(M)
    mid = [[(_lo(x) + _hi(x)) / 2 for x in r] for r in M]
    C = np.array([[float(x) for x in r] for r in mid])
    if not np.all(np.isfinite(C)):
        return False
    rad = max((_hi(x) - _lo(x)) / 2 for r in M for x in r)
    err = max(abs(mid[i][j] - mpmath.mpf(C[i, j])) for i in range(n) for j in range(n))
    s = np.linalg.svd(C, compute_uv=False)
    slack = s[-1] - 10 * n * np.finfo(float).eps * s[0]
    bound = n * (float(rad) + float(err)) * 1.01 + np.finfo(float).tiny
    return bool(slack > bound)


def _float_rank(rows):
    """A quick candidate: rows picked by QR with column pivoting of the transposed float64
    matrix (full rank only, clear gaps only; the caller proves the minor). None when the
    values overflow float64 or the rank is ambiguous. O(N k²) in LAPACK."""
    from scipy.linalg import qr

    A = np.array([[float(_to_mp(v)) for v in r] for r in rows])
    if not np.all(np.isfinite(A)) or not A.any():
        return None
    _, R, P = qr(A.T, pivoting=True, mode="economic")
    diag = np.abs(np.diag(R))
    k = A.shape[1]
    if diag.size < k or diag[k - 1] <= 1e-8 * diag[0]:
        return None
    return k, sorted(int(i) for i in P[:k])


def _interval_det_nonzero(rows, picked, cols) -> bool:
    """Whether the minor (rows ``picked`` × columns ``cols``) is provably nonsingular: by
    :func:`_weyl_nonsingular`, else by interval Gaussian elimination whose pivots all exclude
    0. O(k³)."""
    old = _iv.prec
    _iv.dps = PRECISION
    try:
        M = [[_to_iv(rows[i][j]) for j in cols] for i in picked]
        if _weyl_nonsingular(M):
            return True
        n = len(M)
        for c in range(n):
            piv = max(range(c, n), key=lambda r: abs((_lo(M[r][c]) + _hi(M[r][c])) / 2))
            if _has_zero(M[piv][c]):
                return False
            M[c], M[piv] = M[piv], M[c]
            for r in range(c + 1, n):
                f = M[r][c] / M[c][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
        return True
    finally:
        _iv.prec = old


def rank_at_points(rows, with_rows: bool = False):
    """Rank of a list of rows of values (sympy numbers or mpmath intervals): exact when every
    value is rational; otherwise the rank found by 60-digit elimination, *proven* only when the
    chosen minor is nonsingular in interval arithmetic (route ``interval minor``; else the
    route says ``numerical``). Returns (rank, route), or (rank, route, independent row indices)
    with ``with_rows``."""
    rows = [list(r) for r in rows]
    if not rows or not rows[0]:
        return (0, "empty", []) if with_rows else (0, "empty")
    exact = all(_is_rational(v) for r in rows for v in r)
    if exact:
        rank, picked, _ = _eliminate(rows, True)
        route = "exact rational rank"
    else:
        fast = _float_rank(rows)
        if fast is not None and fast[0] == len(rows[0]) and \
                _interval_det_nonzero(rows, fast[1], list(range(len(rows[0])))):
            rank, picked, proven = fast[0], fast[1], True
        else:
            with mpmath.workdps(PRECISION):
                rank, picked, cols = _eliminate(rows, False)
            proven = rank == 0 or _interval_det_nonzero(rows, picked, cols)
        route = "interval minor" if proven else "60-digit elimination (numerical)"
    return (rank, route, picked) if with_rows else (rank, route)


def _rref_null_vector(M, zero):
    """A null vector from the reduced row echelon form: 1 at the first free column, minus that
    column's entries at the pivots (coefficients come out simple, e.g. ±1, when the functions
    have simple dependencies). ``zero(x)`` says when an entry counts as 0. O(N k²)."""
    n_cols = len(M[0])
    pivots, r = [], 0
    for c in range(n_cols):
        piv = max(range(r, len(M)), key=lambda i: abs(M[i][c]), default=None)
        if piv is None or zero(M[piv][c]):
            continue
        M[r], M[piv] = M[piv], M[r]
        lead = M[r][c]
        M[r] = [x / lead for x in M[r]]
        for i in range(len(M)):
            if i != r and not zero(M[i][c]):
                f = M[i][c]
                M[i] = [a - f * b for a, b in zip(M[i], M[r])]
        pivots.append(c)
        r += 1
        if r == len(M):
            break
    free = [c for c in range(n_cols) if c not in pivots]
    if not free:
        return None
    f = free[0]
    vec = [0] * n_cols
    vec[f] = 1
    for i, c in enumerate(pivots):
        vec[c] = -M[i][f]
    return vec


def null_vector(rows):
    """A nonzero vector c with ``rows @ c = 0``: exact over fractions when the rows are
    rational (no string conversions, so huge rationals stay cheap), otherwise from a 60-digit
    reduced row echelon form with coefficients rounded to simple closed forms (nsimplify).
    None when the rows have full column rank."""
    from fractions import Fraction

    if all(_is_rational(v) for r in rows for v in r):
        M = [[Fraction(int(v.p), int(v.q)) for v in map(sympy.Rational, r)] for r in rows]
        vec = _rref_null_vector(M, lambda x: x == 0)
        return None if vec is None else [sympy.Rational(x.numerator, x.denominator)
                                         for x in map(Fraction, vec)]
    with mpmath.workdps(PRECISION):
        M = [[_to_mp(v) for v in r] for r in rows]
        top = max((abs(v) for r in M for v in r), default=mpmath.mpf(0))
        tiny = top * _TINY
        vec = _rref_null_vector(M, lambda x: abs(x) <= tiny)
        if vec is None:
            return None
        return [sympy.nsimplify(sympy.Float(mpmath.nstr(mpmath.mpf(x), 30), 30),
                                tolerance=1e-25, rational=False) for x in vec]


def as_floats(values) -> np.ndarray:
    return np.array([float(_to_mp(v)) for v in values])
