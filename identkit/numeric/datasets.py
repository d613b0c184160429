"""The paper's synthetic datasets (§8 and Appendix C.1), drawn from the same law as the paper's.

A dataset is a fixed *data-generating process* (:class:`DataProcess`: a graph, a transition
mechanism and a mixing network, with the random weights drawn once) from which independent
splits are sampled (fresh actions, initial states and noise; the same weights). Defaults are
the paper's: ``d = 10`` latents, ``x_dim = 20`` observations, transition variance ``1e-4``,
observation noise of standard deviation ``0.01`` added after standardising each dimension of x.

Action datasets (no time; one latent vector per example): ``a ~ Uniform(-2, 2)^m`` and
``z ~ N(μ(a), σ² I)``.

* ``ActionDiag``: ``Ga = I``, ``μ_i = sin(a_i)``.
* ``ActionNonDiag``: ``Ga = I`` plus the cyclic sub-diagonal (eq. 72), ``μ_i = Σ_j Ga[i, j]
  sin(a_j (i+3)/π + i)`` (eq. 73, rows 0-based).
* ``ActionNonDiagK2``: as ActionNonDiag with the variance of eq. (74),
  ``σ_i² = (1/(10 m)) exp(Σ_j Ga[i, j] cos(a_j (i+3)/π + i))``.
* ``ActionNonDiagNoSuffInf``: as ActionNonDiag with ``μ = (Ga ⊙ W) a``, ``W_ij ~ N(0, 1)``.
* ``ActionBlockDiag`` (``m = d/2``, latents 2k and 2k+1 read action k) and
  ``ActionBlockNonDiag`` (also rows 8 and 9 read a_0; d = 10 only), means of eq. (73).
* ``ActionRandomGraphs``: ``Ga[i, j] ~ Bernoulli(p)`` i.i.d. (m = d), means of eq. (73).

Temporal datasets (sequences of length 2, no actions): ``z^0 ~ N(0, I)`` and
``z^1 ~ N(μ(z^0), σ² I)``; both steps are observed.

* ``TimeDiag``: ``Gz = I``, ``μ = z + 0.5 sin(z)``.
* ``TimeNonDiag``: ``Gz`` the full lower triangle with the diagonal (eq. 75),
  ``μ_i = z_i + 0.5 Σ_j Gz[i, j] sin(z_j (i+3)/π + i)`` (eq. 76).
* ``TimeNonDiagK2``: as TimeNonDiag with the variance of eq. (77), ``(1/(10 d)) exp(Σ_j
  Gz[i, j] cos(z_j (i+3)/π + i))``.
* ``TimeNonDiagNoSuffInf``: as TimeNonDiag with ``μ = z + 0.5 (Gz ⊙ W) z``.
* ``TimeBlockDiag`` (2×2 all-ones blocks) and ``TimeBlockNonDiag`` (rows 0, 1 also read z_8,
  z_9; rows 8, 9 also read z_0, z_1, z_4, z_5; d = 10 only), means of eq. (76).
* ``TimeRandomGraphs``: ``Gz[i, j] ~ Bernoulli(p)`` off the diagonal, self-loops forced.

Observations: ``x = f(z)`` with the mixing network :class:`~identkit.numeric.PaperMixing`, each
dimension standardised with the mean and (population) standard deviation of the generated split
(pooled over both time steps), then ``N(0, obs_noise²)`` added.

Arrays of a generated split (float64 unless said):

* ``x`` (n, x_dim): observations of the last step (x^1, or x for action datasets);
* ``z`` (n, d): latents of the last step;
* ``a`` (n, m): actions (m = 0 for temporal datasets);
* ``z_prev`` (n, T-1, d): earlier latents (z^0 for temporal datasets, T-1 = 0 otherwise);
* ``x_prev`` (n, T-1, x_dim): earlier observations;
* ``x_mean``, ``x_std`` (x_dim,): the standardisation, ``x = (f(z) - x_mean) / x_std + noise``;
* ``Gz``/``Ga`` (int8, when present) and the string arrays ``latents``/``actions``: the graph.

The graph arrays make the file a graph file for ``identkit check``; ``z`` is what ``identkit
score --true`` reads.
"""

from __future__ import annotations

import math
import os

import numpy as np

from .. import examples
from .._compat import keyword_only
from .._rng import as_generator
from ..errors import DatasetError, ExampleNotFoundError, did_you_mean
from ..graphs import LatentGraph
from .mechanisms import GaussianMechanism, make_mechanism
from .mixing import PaperMixing

__all__ = ["DATASETS", "SPLITS", "DataProcess", "dataset_graph", "dataset_name", "dataset_process",
           "generate", "generate_splits", "is_dataset_name", "write_dataset"]

_BASE = ["ActionDiag", "ActionNonDiag", "ActionBlockDiag", "ActionBlockNonDiag",
         "TimeDiag", "TimeNonDiag", "TimeBlockDiag", "TimeBlockNonDiag"]
DATASETS = _BASE + ["ActionNonDiagNoSuffInf", "TimeNonDiagNoSuffInf", "ActionNonDiagK2",
                    "TimeNonDiagK2", "ActionRandomGraphs", "TimeRandomGraphs"]
SPLITS = ("train", "valid", "test")
_FRACTIONS = (0.7, 0.15, 0.15)         # the paper's split of its 10^6 examples
_CHUNK = 1 << 11                       # rows per vectorised block: bounds the temporaries, and
                                       # keeps d×d products below threaded-BLAS sizes
_ACTION_RANGE = 2.0                    # a ~ Uniform(-2, 2)


def dataset_name(name: str) -> str:
    """The canonical spelling of a dataset name: one of :data:`DATASETS`.

    Names are matched case-insensitively, and ``k=2`` may be written for ``K2`` (the paper's
    notation). This is the one place dataset names are normalised; :func:`dataset_graph`,
    :func:`dataset_process` and the command line all go through it.

    Raises
    ------
    ExampleNotFoundError
        For an unknown name (or one that is not a string), with the closest name suggested.

    Examples
    --------
    >>> from identkit.numeric import dataset_name
    >>> dataset_name("timenondiagk=2")
    'TimeNonDiagK2'
    >>> dataset_name("TimeNonDag")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    identkit.errors.ExampleNotFoundError: no dataset named 'TimeNonDag' (did you mean 'TimeNonDiag'?); known: ...
    """
    key = name.lower().replace("k=2", "k2") if isinstance(name, str) else None
    canon = {n.lower(): n for n in DATASETS}
    if key not in canon:
        raise ExampleNotFoundError(f"no dataset named {name!r}{did_you_mean(name, DATASETS)}; "
                                   f"known: {', '.join(DATASETS)}")
    return canon[key]


def is_dataset_name(name) -> bool:
    """Whether :func:`dataset_name` accepts ``name`` (a string naming one of :data:`DATASETS`).

    Examples
    --------
    >>> from identkit.numeric import is_dataset_name
    >>> is_dataset_name("actionnondiagk=2"), is_dataset_name("graph.yaml")
    (True, False)
    """
    try:
        dataset_name(name)
    except ExampleNotFoundError:
        return False
    return True


def _paper_graph(base: str, d: int, p: float, seed) -> LatentGraph:
    """The graph of a base dataset name for d latents (eqs. 72 and 75, Figures 5 and 7)."""
    if not isinstance(d, (int, np.integer)) or isinstance(d, bool) or d < 1:
        raise DatasetError(f"d must be a positive integer, got {d!r}")
    eye = np.eye(d, dtype=np.int8)
    if "Block" in base and d % 2:
        raise DatasetError(f"{base} pairs the latents: d must be even, got {d}")
    if base.endswith("BlockNonDiag") and d != 10:
        raise DatasetError(f"{base} is defined by the paper for d = 10 only, got d = {d}")
    if base == "ActionDiag":
        return LatentGraph(Ga=eye)
    if base == "ActionNonDiag":
        Ga = eye.copy()
        Ga[np.arange(d), (np.arange(d) - 1) % d] = 1
        return LatentGraph(Ga=Ga)
    if base in ("ActionBlockDiag", "ActionBlockNonDiag"):
        Ga = np.repeat(np.eye(d // 2, dtype=np.int8), 2, axis=0)
        if base == "ActionBlockNonDiag":
            Ga[8:10, 0] = 1
        return LatentGraph(Ga=Ga)
    if base == "TimeDiag":
        return LatentGraph(Gz=eye)
    if base == "TimeNonDiag":
        return LatentGraph(Gz=np.tril(np.ones((d, d), dtype=np.int8)))
    if base in ("TimeBlockDiag", "TimeBlockNonDiag"):
        Gz = np.kron(np.eye(d // 2, dtype=np.int8), np.ones((2, 2), dtype=np.int8))
        if base == "TimeBlockNonDiag":
            Gz[0:2, 8:10] = 1
            Gz[8:10, 0:2] = 1
            Gz[8:10, 4:6] = 1
        return LatentGraph(Gz=Gz)
    kind = "action" if base.startswith("Action") else "time"
    return examples.random_graph(d, kind=kind, p=p, seed=seed)


@keyword_only("seed")
def dataset_graph(name: str, p: float = 0.5, *, seed=0, d: int = 10
                  ) -> tuple[LatentGraph, str, str]:
    """The graph, mean family and variance family of a dataset name.

    Parameters
    ----------
    name : str
        One of :data:`DATASETS` (case-insensitive; ``k=2`` may be written for ``K2``).
    p : float
        Edge probability of the random-graph datasets.
    seed : int, numpy.random.Generator or None, keyword-only
        Default 0: deterministic by default (it used to be None, fresh entropy, which
        ``seed=None`` still gives); positional use is deprecated.
        Draws the random graphs.
    d : int
        Number of latents (the paper: 10).

    Returns
    -------
    graph : LatentGraph
    mean : {"sinusoidal", "linear"}
    variance : {"constant", "heteroscedastic"}

    Raises
    ------
    ExampleNotFoundError
        For an unknown name (the closest is suggested).
    DatasetError
        For a ``d`` the dataset is not defined for.
    GraphError
        For ``p`` outside [0, 1].

    Examples
    --------
    >>> from identkit.numeric import dataset_graph
    >>> g, mean, variance = dataset_graph("TimeNonDiagK2")
    >>> g.n_latents, int(g.Gz.sum()), mean, variance
    (10, 55, 'sinusoidal', 'heteroscedastic')
    """
    name = dataset_name(name)
    base = name.replace("NoSuffInf", "").replace("K2", "")
    g = _paper_graph(base, d, p, seed)
    mean = "linear" if name.endswith("NoSuffInf") else "sinusoidal"
    var = "heteroscedastic" if name.endswith("K2") else "constant"
    return g, mean, var


class DataProcess:
    """One fixed data-generating process: graph, transition mechanism and mixing network.

    Build it with :func:`dataset_process`; :meth:`sample` draws a split from it. Every split
    shares the graph, the mechanism's weights and the mixing weights; only the actions, initial
    latents and noises are fresh.

    Attributes
    ----------
    name : str
        The dataset name, or ``"graph"`` for a user's graph.
    graph : LatentGraph
    mechanism : GaussianMechanism
    mixing : PaperMixing
    temporal : bool
        True when the graph has ``Gz``: examples are sequences ``(z^0, z^1)``.
    obs_noise : float
        Standard deviation of the observation noise.
    standardize : bool
        Whether x is standardised per dimension before the noise is added.
    """

    def __init__(self, name, graph, mechanism, mixing, obs_noise, standardize, split_seeds):
        self.name, self.graph, self.mechanism, self.mixing = name, graph, mechanism, mixing
        self._split_seeds = dict(zip(SPLITS, split_seeds))
        self.temporal = graph.Gz_sparse is not None
        self.obs_noise, self.standardize = float(obs_noise), bool(standardize)
        self.d, self.m, self.x_dim = graph.n_latents, graph.n_actions, mixing.x_dim

    def __repr__(self):
        return (f"<DataProcess {self.name}: d={self.d}, m={self.m}, x_dim={self.x_dim}, "
                f"{self.mechanism.mean_family}/{self.mechanism.variance_family}>")

    @property
    def bytes_per_example(self) -> int:
        """Bytes one example takes in the returned arrays (float64 x, z, a, z_prev, x_prev)."""
        T = 2 if self.temporal else 1
        return 8 * (self.d * T + self.m + self.x_dim * T)

    def nbytes(self, n: int) -> int:
        """Bytes of the arrays a split of n examples returns (plus O(chunk) working memory)."""
        return int(n) * self.bytes_per_example

    def _working_bytes(self, n: int) -> int:
        """The sampling blocks of n examples, as :func:`_memory_estimate` counts them."""
        mech = self.mechanism
        edges = int(np.count_nonzero(mech.Gz)) + int(np.count_nonzero(mech.Ga))
        return _memory_estimate(self.d, self.m, edges, self.temporal, self.x_dim, [n],
                                mech.mean_family)["working"]

    def split(self, split: str, n: int, *, memory_limit: int | None = None) -> dict:
        """The ``train``, ``valid`` or ``test`` split of n examples: :meth:`sample` with that
        split's own seed (derived from the process seed), so the same call gives the same bytes.

        Raises
        ------
        DatasetError
            For an unknown split name, and as :meth:`sample`.
        """
        if split not in SPLITS:
            raise DatasetError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
        rng = np.random.default_rng(self._split_seeds[split])
        return self.sample(n, seed=rng, memory_limit=memory_limit)

    @keyword_only("seed")
    def sample(self, n: int, *, seed=0, memory_limit: int | None = None) -> dict:
        """Draw n examples from this process with any seed (see also :meth:`split`).

        Parameters
        ----------
        n : int
            Number of examples (sequences of length 2 for temporal datasets).
        seed : int, numpy.random.Generator or None, keyword-only
            Default 0: deterministic by default (it used to be None, fresh entropy, which
            ``seed=None`` still gives); positional use is deprecated.
            The split's randomness: actions or initial latents, then the transition noise,
            then the observation noise (always drawn, also when ``obs_noise = 0``).
        memory_limit : int, optional
            Refuse when the output would need more bytes than this (default: the memory the
            machine has available).

        Returns
        -------
        dict of numpy arrays
            See the module documentation for the names and shapes.

        Raises
        ------
        DatasetError
            If n is not a positive integer, or the output would not fit in memory (the message
            states the bytes needed).

        Notes
        -----
        O(n (edges + x_dim²)) time; memory is the output plus O(2^11 (edges + x_dim)) for the
        vectorised blocks.
        """
        _check_count(n)
        _check_size(n, self.bytes_per_example, self.name, memory_limit,
                    overhead=self._working_bytes(n))
        rng = as_generator(seed)
        mech, f = self.mechanism, self.mixing
        d, m, T = self.d, self.m, 2 if self.temporal else 1
        # draws, in a fixed order, straight into the output arrays
        if self.temporal:
            z_prev = rng.standard_normal((n, 1, d))
            a = np.zeros((n, m))
            if m:
                a = _draw_actions(mech, n, rng)
        else:
            z_prev = np.zeros((n, 0, d))
            a = _draw_actions(mech, n, rng)
        z = rng.standard_normal((n, d))
        x = np.empty((n, f.x_dim))
        x_prev = np.empty((n, T - 1, f.x_dim))
        for lo in range(0, n, _CHUNK):
            hi = min(n, lo + _CHUNK)
            hist, act = z_prev[lo:hi], a[lo:hi]
            mu, var = mech.moments(hist, act)
            z[lo:hi] *= np.sqrt(var)
            z[lo:hi] += mu
            x[lo:hi] = f(z[lo:hi])
            if T == 2:
                x_prev[lo:hi, 0] = f(z_prev[lo:hi, 0])
        mean, std = _moments(x, x_prev) if self.standardize else \
            (np.zeros(f.x_dim), np.ones(f.x_dim))
        for arr in (x_prev.reshape(-1, f.x_dim), x):   # x^0 first, then x^1
            for lo in range(0, arr.shape[0], _CHUNK):
                block = arr[lo:lo + _CHUNK]
                block -= mean
                block /= std
                block += self.obs_noise * rng.standard_normal(block.shape)
        out = {"x": x, "z": z, "a": a, "z_prev": z_prev, "x_prev": x_prev,
               "x_mean": mean, "x_std": std}
        g = self.graph
        if g.Gz_sparse is not None:
            out["Gz"] = g.Gz.astype(np.int8)
        if g.Ga_sparse is not None:
            out["Ga"] = g.Ga.astype(np.int8)
            out["actions"] = np.array(g.actions, dtype=str)
        out["latents"] = np.array(g.latents, dtype=str)
        return out


def _draw_actions(mech: GaussianMechanism, n: int, rng) -> np.ndarray:
    if mech.discrete:                         # interventions: uniform on {0, e_1, .., e_m}
        vals = mech.action_values
        return vals[rng.integers(0, len(vals), n)]
    return rng.uniform(-_ACTION_RANGE, _ACTION_RANGE, (n, mech.m))


def _moments(x, x_prev):
    """Per-dimension mean and population standard deviation of the rows of x and x_prev, in
    blocks (two passes, so no full-size temporary)."""
    arrays = [x_prev.reshape(-1, x.shape[1]), x]
    rows = sum(a.shape[0] for a in arrays)
    total = np.zeros(x.shape[1])
    for arr in arrays:
        for lo in range(0, arr.shape[0], _CHUNK):
            total += arr[lo:lo + _CHUNK].sum(0)
    mean = total / rows
    sq = np.zeros(x.shape[1])
    for arr in arrays:
        for lo in range(0, arr.shape[0], _CHUNK):
            sq += ((arr[lo:lo + _CHUNK] - mean) ** 2).sum(0)
    std = np.sqrt(sq / rows)
    if np.any(std == 0):
        raise DatasetError("an observed dimension is constant on this split: it cannot be "
                           "standardised (ask for more samples or standardize=False)")
    return mean, std


def _available_memory() -> int | None:
    """MemAvailable of /proc/meminfo (free plus reclaimable), else the free physical pages, else
    None (no limit known); at most what the address-space limit of this process (``ulimit -v``,
    ``prlimit --as``) leaves beyond its current size."""
    found = None
    if os.path.exists("/proc/meminfo"):
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    found = int(line.split()[1]) * 1024
                    break
    if found is None:
        try:
            found = int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, ValueError, OSError):
            pass
    left = _address_space_left()
    if left is not None:
        found = left if found is None else min(found, left)
    return found


def _address_space_left() -> int | None:
    """RLIMIT_AS minus the process's current virtual size, or None without a limit."""
    try:
        import resource
        soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, AttributeError, ValueError, OSError):
        return None
    if soft == resource.RLIM_INFINITY or soft < 0:
        return None
    used = 0
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    used = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    return max(0, soft - used)


def _human(nbytes: float, digits: int = 1) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB", "EB"):
        if nbytes < 1000 or unit == "EB":
            return f"{nbytes:.{digits}f} {unit}" if unit != "B" else f"{int(nbytes)} B"
        nbytes /= 1000
    raise AssertionError("unreachable")


def _apart(need: float, limit: float) -> tuple[str, str]:
    """``need`` and ``limit`` in decimal units, with as many decimals as it takes for a need
    over the limit not to print as the same number ("needs 1.1 GB; only 1.1 GB").

    >>> _apart(1.10e9, 1.0737e9)
    ('1.10 GB', '1.07 GB')
    >>> _apart(18.4e9, 5.9e9)
    ('18.4 GB', '5.9 GB')
    """
    for digits in range(1, 4):
        a, b = _human(need, digits), _human(limit, digits)
        if a != b:
            break
    return a, b


def _check_count(n) -> None:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise DatasetError(f"the number of samples must be a positive integer, got {n!r}")


def _check_size(n, bytes_per_example, name, memory_limit, overhead: int = 0):
    _check_count(n)
    nbytes = int(n) * bytes_per_example
    limit = _available_memory() if memory_limit is None else int(memory_limit)
    if limit is not None and nbytes + overhead > limit:
        more = f", and drawing them takes {_human(overhead)} more" if overhead else ""
        raise DatasetError(f"{n} samples of {name} need {_human(nbytes)} of memory; only "
                           f"{_human(limit)} is available{more}: ask for fewer samples")


# -------------------------------------------------------------------------- memory estimate
#
# ``identkit generate --latents 10000`` used to build 8 GB of d×d and x_dim×x_dim matrices (the
# mechanism's weights, the mixing network and its QR factorisations) before a single sample was
# checked. Everything the process builds is a closed form of (d, m, edges, x_dim, mechanism),
# so it is estimated from the options first and refused before anything is allocated.

# The API's keywords, as a refusal names them; the command line passes its options instead.
_API_WORDS = {"d": "d", "x_dim": "x_dim", "n_samples": "n_samples",
              "memory_limit": "memory_limit", "=": "="}
_SMALL = 1 << 16                      # Python objects, small arrays: a constant margin
_MARGIN = 1.25                        # process and working memory: allocator slack, and the
                                      # buffers of LAPACK (QR) and numpy that no array holds
_SAVEZ_BUFFER = 16 * 2**20            # numpy.save writes an array in blocks of this many bytes


def _named_shape(name: str, d: int) -> tuple[int, int, int, bool]:
    """``(d, m, edges, temporal)`` of a named dataset with d latents, before its graph is built
    (the random graphs: every possible edge, an upper bound; see :func:`_memory_estimate`)."""
    base = name.replace("NoSuffInf", "").replace("K2", "")
    temporal = base.startswith("Time")
    m = 0 if temporal else (d // 2 if "Block" in base else d)
    edges = {"ActionDiag": d, "ActionNonDiag": min(2 * d, d * d), "ActionBlockDiag": d,
             "ActionBlockNonDiag": d + 2, "TimeDiag": d, "TimeNonDiag": d * (d + 1) // 2,
             "TimeBlockDiag": 2 * d, "TimeBlockNonDiag": 2 * d + 12}.get(base, d * max(m, d))
    return d, m, edges, temporal


def _memory_estimate(d: int, m: int, edges: int, temporal: bool, x_dim: int, sizes,
                     mean: str = "sinusoidal", name_chars: int = 8, write: bool = False,
                     exact_edges: bool = True) -> dict:
    """Bytes a dataset takes at its peak, by part: ``process`` (graph, mechanism weights and
    mixing network, with the temporaries of their construction), ``arrays`` (the returned
    arrays of every split in ``sizes``) and ``working`` (the blocks of sampling, and of
    writing an .npz when ``write``). An upper bound by construction: every array the code
    allocates is counted at its full size, and buffers freed before the next are still summed.
    ``exact_edges=False`` says ``edges`` is only an upper bound (a random graph not drawn yet).

    Closed form, O(1): with ``c`` = the graph cells ``d m + d²`` (temporal), ``h = x_dim``
    and ``r = min(max(sizes), 2^11)`` the rows of a block,

    * process = ``10 c + 48 E + 24 d² + 48 d m + 8 (d h + 3 h²) + 32 h²``: the dense graphs
      and their random draws, the edge lists, the mechanism's ``Gz``, ``Ga``, two d×d and four
      d×m weight matrices, the four mixing matrices and the QR factorisation of the largest;
    * arrays = ``Σ_n 8 n (d T + m + h T)`` plus the graph and name arrays of each split;
    * working = ``8 r (10 k + 8 d + 4 h) + 16 r E'`` (the sinusoids of one block on the
      ``k = max(d, m)`` inputs, or on the ``E'`` edges when that route is the cheaper one) plus
      the per-block products of the linear and intervention families;

    ``process`` and ``working`` are then raised by a quarter (``_MARGIN``). Checked against
    measured peaks (tracemalloc and the resident size) in ``tests/test_bounds_generate.py``:
    the estimate is above the measure and within a small factor of it.
    """
    sizes = [int(n) for n in sizes]
    T = 2 if temporal else 1
    h = x_dim
    cells = d * m + (d * d if temporal else 0)
    process = (10 * cells + 48 * edges + 24 * d * d + 48 * d * m
               + 8 * (d * h + 3 * h * h) + 32 * h * h + _SMALL)
    graph_arrays = cells + 4 * name_chars * (d + m)
    arrays = sum(8 * n * (d * T + m + h * T) + graph_arrays for n in sizes)
    rows = min(max(sizes, default=0), _CHUNK)
    k = max(d if temporal else 0, m)
    # GaussianMechanism._edge_sums evaluates per edge only when 18 E <= 25 k + 3.6 d k (k the
    # inputs of that graph); with E only bounded, the largest E that route would take. The
    # intervention families ask the action graph for no sinusoid at all, a cost of 0, so that
    # route is always taken there (and still builds its (rows, E) argument)
    direct = 0.0
    for graph, on, k_in in (("z", temporal, d), ("a", m > 0, m)):
        if on and graph == "a" and mean in ("hard", "soft"):
            direct = max(direct, edges)
            continue
        cheaper = (25 * k_in + 3.6 * d * k_in) / 18
        if on and (18 * edges <= 25 * k_in + 3.6 * d * k_in or not exact_edges):
            direct = max(direct, min(edges, cheaper))
    working = int(8 * rows * (10 * k + 8 * d + 4 * h) + 16 * rows * direct)
    if mean == "linear":
        working += 16 * (d * d + d * m)          # (Gz ⊙ W) and (Ga ⊙ Wa) of each block
    if mean in ("hard", "soft"):
        working += 16 * (d * m + (m + 1) * m) + 8 * max(sizes, default=0)   # {0, e_l}, draws
    if write:
        largest = max([8 * n * (d * T + m + h * T) for n in sizes] + [graph_arrays])
        working += 2 * min(_SAVEZ_BUFFER, largest)
    return {"process": int(_MARGIN * process), "arrays": int(arrays),
            "working": int(_MARGIN * working)}


def _source_estimate(source, sizes, knobs, write=False) -> tuple[dict, dict] | None:
    """The estimate of :func:`_memory_estimate` for a source and the knobs of
    :func:`dataset_process`, and the sizes it was computed for; None when a knob is invalid
    (the builder then refuses it in its own words)."""
    x_dim = knobs.get("x_dim")
    if isinstance(source, LatentGraph):
        g = source
        d, m, temporal = g.n_latents, g.n_actions, g.Gz_sparse is not None
        edges = sum(G.nnz for G in (g.Gz_sparse, g.Ga_sparse) if G is not None)
        mean = {"linear": "linear", "hard": "hard", "soft": "soft"}.get(
            knobs.get("mechanism"), "sinusoidal")
        chars = max(len(s) for s in g.latents + g.actions)
        name = "graph"
    else:
        name = dataset_name(source)
        d = knobs.get("d", 10)
        if not isinstance(d, (int, np.integer)) or isinstance(d, bool) or d < 1:
            return None
        d, m, edges, temporal = _named_shape(name, int(d))
        mean = "linear" if name.endswith("NoSuffInf") else "sinusoidal"
        chars = 1 + len(str(max(d, m)))
    if x_dim is None:
        x_dim = max(20, d)
    elif not isinstance(x_dim, (int, np.integer)) or isinstance(x_dim, bool) or x_dim < 1:
        return None
    exact = isinstance(source, LatentGraph) or "RandomGraphs" not in name
    est = _memory_estimate(d, m, edges, temporal, int(x_dim), sizes, mean, chars, write, exact)
    return est, {"name": name, "d": d, "m": m, "x_dim": int(x_dim), "default_x": max(20, d),
                 "n": sum(int(n) for n in sizes), "graph": isinstance(source, LatentGraph)}


def refusal_text(refusal: dict, words: dict) -> str:
    """The one-line refusal of a dataset that does not fit, naming the options in ``words``
    (the API's keywords, or the command line's options)."""
    est, info, limit = refusal["estimate"], refusal["info"], refusal["limit"]
    total = sum(est.values())
    fixed = est["process"] + est["working"]
    lim = f"only {_apart(total, limit)[1]} is available ({words['memory_limit']})"
    if est["arrays"] >= est["process"]:
        return (f"{info['n']} samples of {info['name']} need {_human(est['arrays'])} of memory; "
                f"{lim}, with {_human(fixed)} more to build and draw them: ask for fewer "
                f"({words['n_samples']})")
    eq = words["="]
    x_dim = f", {words['x_dim']}{eq}{info['x_dim']}" if info["x_dim"] != info["default_x"] else ""
    if info["graph"]:
        what = f"a graph of {info['d']} latents and {info['m']} actions{x_dim}"
        fix = f"lower {words['x_dim']} or use a smaller graph" if x_dim else \
            "use a smaller graph"
    else:
        what = f"{info['name']} with {words['d']}{eq}{info['d']}{x_dim}"
        fix = f"lower {words['d']} or {words['x_dim']}" if x_dim else \
            f"ask for fewer latents ({words['d']})"
    return (f"{what} needs {_apart(total, limit)[0]} of memory ({_human(est['process'])} for "
            f"its graphs, weights and mixing); {lim}: {fix}")


def _refuse_if_too_large(source, sizes, knobs, memory_limit, write=False) -> None:
    """Raise DatasetError, before anything is built, when the estimate exceeds the limit (by
    default the memory available). The error carries ``refusal`` so that the command line can
    say it in its options."""
    found = _source_estimate(source, sizes, knobs, write)
    if found is None:
        return
    est, info = found
    limit = _available_memory() if memory_limit is None else int(memory_limit)
    if limit is None or sum(est.values()) <= limit:
        return
    refusal = {"estimate": est, "info": info, "limit": limit}
    exc = DatasetError(refusal_text(refusal, _API_WORDS))
    exc.refusal = refusal
    raise exc


@keyword_only("seed")
def dataset_process(source, *, seed=0, d: int = 10, x_dim: int | None = None,
                    transition_variance: float | None = None, obs_noise: float = 0.01,
                    standardize: bool = True, p: float = 0.5, graph_seed=None,
                    mechanism: str | None = None, memory_limit: int | None = None
                    ) -> DataProcess:
    """The fixed data-generating process of a named dataset (or of any graph).

    Parameters
    ----------
    source : str or LatentGraph
        A name of :data:`DATASETS` (see the module documentation for each one's equations), or
        a model whose mechanism ``mechanism`` names.
    seed : int, numpy.random.Generator or None, keyword-only
        Default 0; positional use is deprecated.
        Split into four independent streams: the first draws, in this order, the random graph
        (unless ``graph_seed`` is given), the weights of the mechanism and the mixing weights;
        the others seed the ``train``, ``valid`` and ``test`` splits (:meth:`DataProcess.split`).
    d : int
        Number of latents of a named dataset (the paper: 10; the block datasets need an even d,
        the BlockNonDiag ones d = 10).
    x_dim : int, optional
        Observation dimension and hidden width of the mixing (the paper: 20; default
        ``max(20, d)``).
    transition_variance : float, optional
        σ² of ``z^t`` given its parents (the paper: 1e-4). For the k = 2 datasets it is the base
        σ₀² of eqs. (74) and (77), default ``1/(10 n)`` with n the number of inputs.
    obs_noise : float
        Standard deviation of the Gaussian noise added to x (the paper: 0.01; >= 0).
    standardize : bool
        Standardise each dimension of f(z) on the split before adding noise (the paper: yes).
    p : float
        Edge probability of ``ActionRandomGraphs`` and ``TimeRandomGraphs``.
    graph_seed : None, int or numpy.random.Generator
        A separate seed for the random graph, to keep one graph while changing ``seed``.
    mechanism : str, optional
        For a LatentGraph source: a :func:`~identkit.numeric.make_mechanism` name (default
        ``nonlinear``, the sinusoidal means of eqs. 73 and 76).
    memory_limit : int, optional
        Bytes the process may take (default: the machine's available memory). Its size is
        estimated from ``d`` (or the graph), ``x_dim`` and the mechanism before anything is
        built: O(d² + d m + x_dim²) bytes, the d×d weights and the mixing's x_dim×x_dim layers.

    Returns
    -------
    DataProcess

    Raises
    ------
    ExampleNotFoundError
        For an unknown dataset name.
    DatasetError
        For a knob out of range, ``mechanism`` given with a named dataset, or a process larger
        than ``memory_limit`` (the message names ``d`` and states the estimate).
    MechanismError
        For an unknown mechanism name.

    Examples
    --------
    >>> from identkit.numeric import dataset_process
    >>> proc = dataset_process("ActionNonDiag", seed=0)
    >>> proc
    <DataProcess ActionNonDiag: d=10, m=10, x_dim=20, sinusoidal/constant>
    >>> train, test = proc.split("train", 1000), proc.split("test", 500)
    >>> train["x"].shape, test["a"].shape
    ((1000, 20), (500, 10))
    """
    rng, *split_seeds = as_generator(seed).bit_generator.seed_seq.spawn(1 + len(SPLITS))
    rng = np.random.default_rng(rng)
    if transition_variance is not None and not (
            isinstance(transition_variance, (int, float)) and np.isfinite(transition_variance)
            and transition_variance > 0):
        raise DatasetError(f"transition_variance must be a positive number, got "
                           f"{transition_variance!r}")
    if not (isinstance(obs_noise, (int, float)) and np.isfinite(obs_noise) and obs_noise >= 0):
        raise DatasetError(f"obs_noise must be a non-negative number, got {obs_noise!r}")
    _refuse_if_too_large(source, [], dict(d=d, x_dim=x_dim, mechanism=mechanism), memory_limit)
    if isinstance(source, LatentGraph):
        g, name = source, "graph"
        mech = make_mechanism(g, mechanism or "nonlinear", seed=rng,
                              noise=1e-4 if transition_variance is None else transition_variance)
    else:
        if mechanism is not None:
            raise DatasetError("a named dataset fixes its mechanism; omit mechanism")
        name = dataset_name(source)
        g, mean, var = dataset_graph(name, p=p, seed=rng if graph_seed is None else graph_seed,
                                     d=d)
        noise = transition_variance
        if noise is None and var == "constant":
            noise = 1e-4
        plain = name in ("ActionDiag", "TimeDiag")     # sin(a), z + 0.5 sin(z): no ω, φ
        mech = GaussianMechanism(g, mean=mean, variance=var, noise=noise, seed=rng,
                                 frequency=1.0 if plain else None, phase=0.0 if plain else None)
    x_dim = max(20, g.n_latents) if x_dim is None else x_dim
    f = PaperMixing(g.n_latents, x_dim, seed=rng)
    return DataProcess(name, g, mech, f, obs_noise, standardize, split_seeds)


@keyword_only("seed")
def generate(source, n_samples: int, *, seed=0, split: str = "train",
             memory_limit: int | None = None, **knobs) -> dict:
    """Generate one split of a dataset.

    ``dataset_process(source, seed=seed, **knobs).split(split, n_samples)``: the process (graph,
    weights, mixing) depends on ``seed`` and the knobs only, so the ``train``, ``valid`` and
    ``test`` splits of one seed share it; each split has its own noise.

    Parameters
    ----------
    source : str or LatentGraph
        A dataset name (see :data:`DATASETS` and the module documentation) or any model.
    n_samples : int
    seed : int, numpy.random.Generator or None, keyword-only
        Default 0; positional use is deprecated.
    split : {"train", "valid", "test"}
    memory_limit : int, optional
        Bytes the whole call may take: the process (graph, weights, mixing), the output and
        the sampling blocks, estimated before anything is built (default: the machine's
        available memory).
    **knobs
        ``d``, ``x_dim``, ``transition_variance``, ``obs_noise``, ``standardize``, ``p``,
        ``graph_seed``, ``mechanism``: see :func:`dataset_process`.

    Returns
    -------
    dict of numpy arrays
        ``x``, ``z``, ``a``, ``z_prev``, ``x_prev``, ``x_mean``, ``x_std`` and the graphs (see
        the module documentation).

    Raises
    ------
    DatasetError
        For a bad size or knob, or an estimate larger than ``memory_limit`` (the message names
        ``d`` or ``n_samples``, whichever dominates, and states the bytes).
    ExampleNotFoundError
        For an unknown name.

    Examples
    --------
    >>> from identkit.numeric import generate
    >>> data = generate("TimeBlockDiag", 100, seed=0)
    >>> data["x"].shape, data["z"].shape, data["x_prev"].shape
    ((100, 20), (100, 10), (100, 1, 20))
    >>> test = generate("TimeBlockDiag", 100, seed=0, split="test")
    >>> bool((test["x"] != data["x"]).all())
    True
    """
    if split not in SPLITS:
        raise DatasetError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    _check_count(n_samples)                             # before the estimate's arithmetic
    _refuse_if_too_large(source, [n_samples], knobs, memory_limit)
    return dataset_process(source, seed=seed, memory_limit=memory_limit, **knobs).split(
        split, n_samples, memory_limit=memory_limit)


def _split_sizes(n_samples, fractions) -> list[int]:
    """The train, valid and test sizes of :func:`generate_splits`."""
    fr = tuple(float(v) for v in fractions)
    if len(fr) != 3 or min(fr) <= 0 or sum(fr) > 1 + 1e-12:
        raise DatasetError(f"fractions must be three positive numbers summing to at most 1, "
                           f"got {fractions!r}")
    if not isinstance(n_samples, (int, np.integer)) or isinstance(n_samples, bool) or \
            n_samples < 1:
        raise DatasetError(f"the number of samples must be a positive integer, got "
                           f"{n_samples!r}")
    # floor each share (with a margin for products such as 90 · 0.7 = 62.99999...), and when
    # the fractions sum to 1 give the remainder to train, so the splits hold n_samples in all
    sizes = [int(math.floor(n_samples * f + 1e-9)) for f in fr]
    if abs(sum(fr) - 1.0) <= 1e-12:
        sizes[0] = int(n_samples) - sizes[1] - sizes[2]
    if min(sizes) < 1:
        raise DatasetError(f"{n_samples} samples leave a split empty (sizes {sizes})")
    return sizes


@keyword_only("seed")
def generate_splits(source, n_samples: int, *, seed=0, fractions=_FRACTIONS,
                    memory_limit: int | None = None, **knobs) -> dict:
    """Generate the train, validation and test splits of one data-generating process.

    ``n_samples`` examples in all, split by ``fractions`` (the paper: 70 %, 15 %, 15 % of 10^6):
    the validation and test sizes are ``⌊n · fraction⌋`` and, when the fractions sum to 1, the
    training split takes the rest (so the three hold exactly ``n_samples``); each split equals
    :func:`generate` with the same seed, knobs and its own size.

    Returns
    -------
    dict
        ``{"train": arrays, "valid": arrays, "test": arrays}``.

    Raises
    ------
    DatasetError
        For fractions that are not three positive numbers summing to at most 1, a split that
        would be empty, or an estimate (the process and all three splits together) larger than
        ``memory_limit``.

    Examples
    --------
    >>> from identkit.numeric import generate_splits
    >>> splits = generate_splits("ActionDiag", 1000, seed=0)
    >>> {k: v["x"].shape[0] for k, v in splits.items()}
    {'train': 700, 'valid': 150, 'test': 150}
    """
    sizes = _split_sizes(n_samples, fractions)
    _refuse_if_too_large(source, sizes, knobs, memory_limit)
    proc = dataset_process(source, seed=seed, memory_limit=memory_limit, **knobs)
    _check_size(sum(sizes), proc.bytes_per_example, proc.name, memory_limit)
    return {s: proc.split(s, k, memory_limit=memory_limit) for s, k in zip(SPLITS, sizes)}


def write_dataset(source, path, n_samples: int, *, seed=0, split: str = "train",
                  **knobs) -> dict:
    """Write a dataset as ``.npz``: one split to ``path``, or with ``split="all"`` the three
    splits of :func:`generate_splits` to ``STEM_train.npz``, ``STEM_valid.npz`` and
    ``STEM_test.npz`` beside it (``path`` is ``STEM.npz``). The files are written all or
    nothing (:func:`identkit.io.atomic_write_all`): when one cannot be written, none is, and
    files already there keep their content. Everything is estimated first
    (``memory_limit``, a knob as for :func:`generate`, also bounds the writing buffers) and
    refused before anything is built. This is what ``identkit generate`` writes.

    Parameters
    ----------
    source : str or LatentGraph
        As for :func:`generate`.
    path : str or path-like
        The output; it must end in ``.npz``.
    n_samples : int
        Examples in the split, or in the three together for ``split="all"``.
    seed : int, numpy.random.Generator or None
        Keyword-only; default 0: the same files every call.
    split : {"train", "valid", "test", "all"}
    **knobs
        As for :func:`generate`.

    Returns
    -------
    dict
        ``{path written: its arrays}``, in the order written.

    Raises
    ------
    OutputError
        If ``path`` does not end in ``.npz`` (checked before anything is drawn), or a file
        cannot be written.
    DatasetError
        As :func:`generate` and :func:`generate_splits`.

    Examples
    --------
    >>> import os, tempfile
    >>> from identkit.numeric import write_dataset
    >>> stem = os.path.join(tempfile.mkdtemp(), "ad")
    >>> files = write_dataset("ActionDiag", stem + ".npz", 100, split="all", d=3)
    >>> [(os.path.basename(p), data["x"].shape) for p, data in files.items()]
    [('ad_train.npz', (70, 20)), ('ad_valid.npz', (15, 20)), ('ad_test.npz', (15, 20))]
    """
    from ..errors import OutputError
    from ..io import atomic_write_all

    try:
        path = os.fsdecode(path)
    except TypeError:
        raise OutputError(f"path: the output path is a str or os.PathLike, got "
                          f"{type(path).__name__} {path!r}") from None
    if not path.endswith(".npz"):
        raise OutputError(f"{path}: the output must be an .npz file")
    if split == "all":
        stem = path[:-len(".npz")]
        sizes = _split_sizes(n_samples, _FRACTIONS)
    else:
        if split not in SPLITS:
            raise DatasetError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
        _check_count(n_samples)
        sizes = [n_samples]
    estimated = {k: v for k, v in knobs.items() if k != "memory_limit"}
    _refuse_if_too_large(source, sizes, estimated, knobs.get("memory_limit"), write=True)
    if split == "all":
        splits = generate_splits(source, n_samples, seed=seed, **knobs)
        files = {f"{stem}_{name}.npz": data for name, data in splits.items()}
    else:
        files = {path: generate(source, n_samples, seed=seed, split=split, **knobs)}
    atomic_write_all({target: (lambda fh, data=data: np.savez(fh, **data))
                      for target, data in files.items()}, binary=True)
    return files
