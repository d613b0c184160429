"""Text for the streams a command prints to, in whatever encoding they have.

identkit's reports speak in the paper's symbols (``‖Ĝa‖₀ ≤ ‖Ga‖₀``, ``∅ ⊆ {torque}``,
``⌊m/2⌋``). A terminal or a redirected stream whose encoding lacks one (ASCII under
``PYTHONIOENCODING=ascii`` or a C locale, cp1252 on Windows) gets an ASCII form instead:
``||Ga_hat||_0 <= ||Ga||_0``, ``{} <= {torque}``, ``floor(m/2)``. Only the characters the
encoding cannot hold are replaced; a character without an ASCII form (a user's name in another
script) is written as its escape, ``\\u03b8``, so nothing is lost. JSON output replaces them
with JSON escapes instead, so it still parses to the same document.

:class:`Stream` wraps a text stream with that rule; the command line writes through it.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

__all__ = ["Stream", "ascii_forms"]

# identkit's own symbols and their ASCII forms (letters and operators of the reports, the
# certificates and the catalogue listing)
_FORMS = {
    "‖": "||", "≤": "<=", "≥": ">=", "≠": "!=", "≈": "~=", "≡": "==", "⊆": "<=", "⊂": "<",
    "⊄": "not <=", "⊇": ">=", "∅": "{}", "∈": "in", "∉": "not in", "∩": "&", "∪": "|",
    "←": "<-", "→": "->", "↔": "<->", "⇒": "=>", "⇔": "<=>", "∧": "and", "∨": "or",
    "¬": "not ", "×": "x", "·": "*", "⊙": "*", "∘": "o", "÷": "/", "−": "-", "–": "-",
    "—": "--", "…": "...", "±": "+/-", "∞": "inf", "√": "sqrt", "∂": "d", "∇": "grad",
    "Σ": "sum", "Π": "prod", "⌊": "floor(", "⌋": ")", "⌈": "ceil(", "⌉": ")", "§": "Sec. ",
    "½": "1/2", "°": " deg", "“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " ",
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "φ": "phi", "χ": "chi", "ψ": "psi",
    "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Φ": "Phi",
    "Ψ": "Psi", "Ω": "Omega",
}
# words that need a space from a neighbouring letter or digit ("i∈S" reads "i in S")
_WORDS = {"in", "not in", "and", "or", "sum", "prod"}
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ᵢⱼₖₗₘₙₜ", "0123456789+-=()ijklmnt"))
_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵀⁱⁿ", "0123456789+-=()Tin"))
# accents written after a letter: ĝ and ẑ are g and z with U+0302
_MARKS = {"\u0302": "_hat", "\u0304": "_bar", "\u0303": "_tilde", "\u0307": "_dot"}
_PATTERN = re.compile(
    "(?P<marked>[A-Za-z][\u0302\u0304\u0303\u0307])(?P<rest>[A-Za-z0-9]*)"
    f"|(?P<sub>[{''.join(_SUB)}]+)|(?P<sup>[{''.join(_SUP)}]+)|(?P<other>[^\\x00-\\x7f])")
_UTF = {"utf-8", "utf-16", "utf-32", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be",
        "utf-8-sig"}


def _escape(ch: str, json: bool) -> str:
    n = ord(ch)
    if json:  # JSON escapes, a surrogate pair beyond the first plane
        if n > 0xFFFF:
            n -= 0x10000
            return f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}"
        return f"\\u{n:04x}"
    return ch.encode("ascii", "backslashreplace").decode("ascii")


def ascii_forms(text: str, encoding: str = "ascii", *, json: bool = False) -> str:
    """``text`` with every character ``encoding`` cannot hold replaced (see the module).

    Parameters
    ----------
    text : str
    encoding : str
        The codec of the stream the text goes to; characters it holds are kept.
    json : bool
        Replace with JSON escapes (``\\u2016``), for text that is a JSON document.

    Notes
    -----
    One pass over the text, O(len(text)); each distinct character is tried in the codec once.

    Examples
    --------
    >>> from identkit._console import ascii_forms
    >>> ascii_forms("‖Ĝa‖₀ ≤ ‖Ga‖₀")
    '||Ga_hat||_0 <= ||Ga||_0'
    >>> ascii_forms("Pa_a(tree) = ∅ ⊆ {torque}; C(m, ⌊m/2⌋); S_5 × S_2")
    'Pa_a(tree) = {} <= {torque}; C(m, floor(m/2)); S_5 x S_2'
    >>> ascii_forms("±1 and Ĝa", "cp1252")   # cp1252 has ±, not Ĝ
    '±1 and Ga_hat'
    >>> ascii_forms('{"target": "λ", "name": "θ"}', json=True)
    '{"target": "\\\\u03bb", "name": "\\\\u03b8"}'
    """
    held: dict[str, bool] = {}

    def holds(ch: str) -> bool:
        if ch not in held:
            try:
                ch.encode(encoding)
                held[ch] = True
            except UnicodeEncodeError:
                held[ch] = False
        return held[ch]

    def form(ch: str) -> str:
        return _escape(ch, json) if json else _FORMS.get(ch) or _escape(ch, json)

    def replace(m: re.Match) -> str:
        s = m.group(0)
        if all(holds(c) for c in s):
            return s
        if json:
            return "".join(c if holds(c) else form(c) for c in s)
        if m.group("marked"):
            return m.group("marked")[0] + m.group("rest") + _MARKS[m.group("marked")[1]]
        if m.group("sub"):
            return "_" + "".join(_SUB[c] for c in s)
        if m.group("sup"):
            return "^" + "".join(_SUP[c] for c in s)
        out = form(s)
        if out in _WORDS:
            start, end = m.span()
            if start and m.string[start - 1].isalnum():
                out = " " + out
            if end < len(m.string) and m.string[end].isalnum():
                out += " "
        return out

    if json:  # the same characters, escaped
        return _PATTERN.sub(replace, text)
    # precomposed accented letters (Ĝ, ẑ) are a letter and a mark for the pattern
    decomposed = "".join(_split_mark(c) if ord(c) > 0x7F and not holds(c) else c for c in text)
    return _PATTERN.sub(replace, decomposed)


def _split_mark(ch: str) -> str:
    parts = unicodedata.decomposition(ch).split()
    if len(parts) == 2 and parts[1] in ("0302", "0304", "0303", "0307"):
        base = chr(int(parts[0], 16))
        if base.isascii() and base.isalpha():
            return base + chr(int(parts[1], 16))
    return ch


def _codec(stream) -> str | None:
    """The codec name of ``stream``'s encoding, None for streams that hold any text."""
    enc = getattr(stream, "encoding", None)
    if not isinstance(enc, str):  # io.StringIO and friends: no encoding, any text
        return None
    try:
        name = codecs.lookup(enc).name
    except LookupError:
        return None
    return None if name in _UTF else name


class Stream:
    """A text stream that writes what its encoding cannot hold in ASCII forms.

    Everything else (``flush``, ``isatty``, ``fileno``, ``encoding``...) is the wrapped
    stream's. ``json`` switches the replacement to JSON escapes (for a command printing JSON).

    Examples
    --------
    >>> import io
    >>> from identkit._console import Stream
    >>> raw = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    >>> s = Stream(raw)
    >>> _ = s.write("{tree, ball} ← {robot}\\n")
    >>> s.flush(); raw.buffer.getvalue()
    b'{tree, ball} <- {robot}\\n'
    """

    def __init__(self, stream, *, json: bool = False):
        self.stream = stream
        self.json = json

    def write(self, text: str) -> int:
        codec = _codec(self.stream)
        if codec is not None:
            try:
                text.encode(codec)
            except UnicodeEncodeError:
                text = ascii_forms(text, codec, json=self.json)
        try:
            return self.stream.write(text)
        except UnicodeEncodeError:  # lone surrogates (from undecodable bytes) even in UTF-8
            return self.stream.write(ascii_forms(text, codec or "utf-8", json=self.json))

    def __getattr__(self, name):
        return getattr(self.stream, name)
