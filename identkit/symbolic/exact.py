"""Deciding zero, evaluating at points and measuring ranks, exactly where possible.

* :func:`decide_zero`: an expression is nonzero when it evaluates to a nonzero value at a random
  rational point, exactly (a rational) or with 60 significant digits and a value far above the
  working precision (routes ``exact evaluation`` and ``60-digit evaluation``, with the point as
  certificate); it is zero when it is 0 as written (``structural``) or sympy simplifies it to 0
  (``simplify``). When simplification is inconclusive and every evaluation vanishes to 60 digits,
  the result is zero by route ``evaluation`` (a probabilistic verdict, said as such).
* :func:`rank_at_points`: the rank of a matrix of values, exact (sympy rationals) when every
  entry is rational, otherwise from a 60-digit singular value decomposition (mpmath) with a
  relative threshold of 1e-40.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
import sympy

__all__ = ["ZeroDecision", "decide_zero", "random_point", "evaluate", "rank_at_points",
           "PRECISION"]

PRECISION = 60
_TINY = mpmath.mpf(10) ** -40


@dataclass(frozen=True)
class ZeroDecision:
    """Whether an expression is identically zero, how that was decided, and a witness."""

    zero: bool
    route: str
    point: dict | None = None
    value: str | None = None

    def to_dict(self):
        return {"zero": self.zero, "route": self.route,
                "point": None if self.point is None else {str(k): str(v) for k, v in self.point.items()},
                "value": self.value}


_PRIMES = (11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47)


def random_point(symbols, rng, spread: int = 2, generic: bool = False) -> dict:
    """A random rational point: each symbol gets p/q with |p/q| < spread; q in 2..7, or a prime
    from 11 to 47 when ``generic`` (to avoid special values such as 1 or 1/2)."""
    out = {}
    for s in symbols:
        q = int(rng.choice(_PRIMES)) if generic else int(rng.integers(2, 8))
        p = int(rng.integers(-spread * q + 1, spread * q))
        out[s] = sympy.Rational(p, q)
    return out


def evaluate(expr, point: dict):
    """Exact value (sympy Rational) when possible, else a 60-digit float; None if undefined."""
    try:
        val = sympy.sympify(expr).xreplace(point)
    except (ZeroDivisionError, TypeError):
        return None
    if val.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    if val.is_Rational:
        return val
    try:
        num = val.evalf(PRECISION)
    except (TypeError, ValueError):
        return None
    if not num.is_number or num.has(sympy.zoo, sympy.nan) or not num.is_real:
        if num.is_number and num.is_real is None:
            re = sympy.re(num)
            if abs(sympy.im(num)) < 10**-(PRECISION - 10):
                return re
        return None
    return num


def decide_zero(expr, rng, n_points: int = 4, simplify: bool = True) -> ZeroDecision:
    """Decide whether ``expr`` is identically zero (see module docs for the routes)."""
    expr = sympy.sympify(expr)
    if expr == 0:
        return ZeroDecision(True, "structural")
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    # a nonzero value at a point settles it; try cheap evaluation first
    for _ in range(n_points * 3):
        pt = random_point(free, rng)
        val = evaluate(expr, pt)
        if val is None:
            continue
        if val.is_Rational:
            if val != 0:
                return ZeroDecision(False, "exact evaluation", pt, str(val))
        elif abs(val) > _TINY:
            return ZeroDecision(False, "60-digit evaluation", pt, str(sympy.N(val, 15)))
        n_points -= 1
        if n_points <= 0:
            break
    if simplify:
        try:
            if sympy.simplify(expr) == 0:
                return ZeroDecision(True, "simplify")
        except (RecursionError, TypeError, ValueError):
            pass
    return ZeroDecision(True, "evaluation (vanishes to 60 digits at random points)")


def _to_mp(v):
    if v.is_Rational:
        return mpmath.mpf(int(v.p)) / mpmath.mpf(int(v.q))
    return mpmath.mpf(str(sympy.N(v, PRECISION)))


def _eliminate(rows, exact: bool):
    """Gaussian elimination with partial pivoting; returns (rank, indices of independent rows).

    Exact over fractions, or in 60-digit arithmetic where a pivot counts when it exceeds 1e-40
    times the largest entry. O(N k²) operations for N rows of length k.
    """
    if exact:
        from fractions import Fraction

        M = [[Fraction(int(v.p), int(v.q)) for v in r] for r in rows]
        tiny = 0
    else:
        M = [[_to_mp(v) for v in r] for r in rows]
        top = max((abs(v) for r in M for v in r), default=mpmath.mpf(0))
        tiny = top * _TINY
    # eliminate on the transpose so that pivots pick rows
    n_rows, n_cols = len(M), len(M[0])
    T = [[M[i][j] for i in range(n_rows)] for j in range(n_cols)]
    order = list(range(n_rows))
    rank = 0
    picked = []
    for col in range(n_rows):
        if rank == n_cols:
            break
        piv = max(range(rank, n_cols), key=lambda r: abs(T[r][col]))
        if abs(T[piv][col]) <= tiny:
            continue
        T[rank], T[piv] = T[piv], T[rank]
        for r in range(rank + 1, n_cols):
            if T[r][col] != 0:
                f = T[r][col] / T[rank][col]
                T[r] = [a - f * b for a, b in zip(T[r], T[rank])]
        picked.append(order[col])
        rank += 1
    return rank, picked


def rank_at_points(rows, with_rows: bool = False):
    """Rank of a list of rows of values (sympy numbers): exact when every value is rational,
    else in 60-digit arithmetic. Returns (rank, route), or (rank, route, independent row indices)
    with ``with_rows``."""
    rows = [list(r) for r in rows]
    if not rows or not rows[0]:
        return (0, "empty", []) if with_rows else (0, "empty")
    exact = all(v.is_Rational for r in rows for v in r)
    if exact:
        rank, picked = _eliminate(rows, True)
        route = "exact rational rank"
    else:
        with mpmath.workdps(PRECISION):
            rank, picked = _eliminate(rows, False)
        route = "60-digit elimination"
    return (rank, route, picked) if with_rows else (rank, route)


def null_vector(rows):
    """A nonzero vector c with ``rows @ c = 0`` (exact when rows are rational), or None."""
    M = sympy.Matrix([list(r) for r in rows])
    if all(v.is_Rational for v in M):
        ns = M.nullspace()
        return list(ns[0]) if ns else None
    with mpmath.workdps(PRECISION):
        A = mpmath.matrix([[_to_mp(v) for v in r] for r in M.tolist()])
        U, S, V = mpmath.svd_r(A)
        k = V.rows - 1
        c = [V[k, j] for j in range(V.cols)]
        return [sympy.nsimplify(sympy.Float(str(x), 30), tolerance=1e-25, rational=False)
                for x in c]


def as_floats(values) -> np.ndarray:
    return np.array([float(v) for v in values])
