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
        _check_size(n, self.bytes_per_example, self.name, memory_limit)
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
    None (no limit known)."""
    if os.path.exists("/proc/meminfo"):
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None


def _human(nbytes: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB", "PB", "EB"):
        if nbytes < 1000 or unit == "EB":
            return f"{nbytes:.1f} {unit}" if unit != "B" else f"{int(nbytes)} B"
        nbytes /= 1000
    raise AssertionError("unreachable")


def _check_size(n, bytes_per_example, name, memory_limit):
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise DatasetError(f"the number of samples must be a positive integer, got {n!r}")
    nbytes = int(n) * bytes_per_example
    limit = _available_memory() if memory_limit is None else int(memory_limit)
    if limit is not None and nbytes > limit:
        raise DatasetError(f"{n} samples of {name} need {_human(nbytes)} of memory; only "
                           f"{_human(limit)} is available: ask for fewer samples")


@keyword_only("seed")
def dataset_process(source, *, seed=0, d: int = 10, x_dim: int | None = None,
                    transition_variance: float | None = None, obs_noise: float = 0.01,
                    standardize: bool = True, p: float = 0.5, graph_seed=None,
                    mechanism: str | None = None) -> DataProcess:
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

    Returns
    -------
    DataProcess

    Raises
    ------
    ExampleNotFoundError
        For an unknown dataset name.
    DatasetError
        For a knob out of range, or ``mechanism`` given with a named dataset.
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
        Bytes the output may take (default: the machine's available memory).
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
        For a bad size or knob, or an output larger than ``memory_limit``.
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
    return dataset_process(source, seed=seed, **knobs).split(split, n_samples,
                                                        memory_limit=memory_limit)


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
        would be empty, or an output larger than ``memory_limit`` (all three together).

    Examples
    --------
    >>> from identkit.numeric import generate_splits
    >>> splits = generate_splits("ActionDiag", 1000, seed=0)
    >>> {k: v["x"].shape[0] for k, v in splits.items()}
    {'train': 700, 'valid': 150, 'test': 150}
    """
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
    proc = dataset_process(source, seed=seed, **knobs)
    _check_size(sum(sizes), proc.bytes_per_example, proc.name, memory_limit)
    return {s: proc.split(s, k, memory_limit=memory_limit) for s, k in zip(SPLITS, sizes)}


def write_dataset(source, path, n_samples: int, *, seed=0, split: str = "train",
                  **knobs) -> dict:
    """Write a dataset as ``.npz``: one split to ``path``, or with ``split="all"`` the three
    splits of :func:`generate_splits` to ``STEM_train.npz``, ``STEM_valid.npz`` and
    ``STEM_test.npz`` beside it (``path`` is ``STEM.npz``). Each file is written whole or not
    at all (:func:`identkit.io.atomic_write`); this is what ``identkit generate`` writes.

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
    from ..io import atomic_write

    try:
        path = os.fsdecode(path)
    except TypeError:
        raise OutputError(f"path: the output path is a str or os.PathLike, got "
                          f"{type(path).__name__} {path!r}") from None
    if not path.endswith(".npz"):
        raise OutputError(f"{path}: the output must be an .npz file")
    if split == "all":
        stem = path[:-len(".npz")]
        splits = generate_splits(source, n_samples, seed=seed, **knobs)
        files = {f"{stem}_{name}.npz": data for name, data in splits.items()}
    else:
        files = {path: generate(source, n_samples, seed=seed, split=split, **knobs)}
    for target, data in files.items():
        atomic_write(target, lambda fh, data=data: np.savez(fh, **data), binary=True)
    return files
