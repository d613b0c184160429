"""Deprecated: the exact-arithmetic engine is internal now (``identkit.symbolic._exact``).

Importing this module still works, with a ``DeprecationWarning``, and gives the same objects;
use :func:`identkit.symbolic.check_mechanism` and :meth:`SymbolicMechanism.derive_graph`
instead of its functions.
"""

import warnings

from ._exact import *  # noqa: F401,F403  (the same objects, for old imports)
from ._exact import __all__  # noqa: F401

warnings.warn("identkit.symbolic.exact is internal now; use identkit.symbolic.check_mechanism "
              "and SymbolicMechanism.derive_graph", DeprecationWarning, stacklevel=2)
