"""The estimators: the paper's mechanism-sparsity VAE and the disentangled-VAE baselines.

Every estimator follows the scikit-learn convention: hyper-parameters in the constructor,
``fit(x, actions=None)`` learns and returns the estimator, ``transform(x)`` gives the encoder
means, learned attributes end with an underscore (``history_``, ``graph_``, ...), and
``save(path)`` / :func:`load` keep a fitted model in an ``.npz`` file (arrays plus a JSON
header; no pickle).

Data. ``x`` is ``(n, x_dim)`` (one observation per example) or ``(n, 2, x_dim)`` (temporal
pairs ``(x^{t-1}, x^t)``, what ``identkit generate`` stores as ``x_prev`` and ``x``). ``actions``
is ``(n, m)``, the auxiliary variables ``a^{t-1}`` of each example.

Training. Adam on every network parameter and edge logit, one minibatch per step drawn by
shuffling the examples once per epoch (numpy, from ``seed``), jit-compiled chunks of
``log_every`` steps (``jax.lax.scan``), one history row per chunk. Ctrl-C stops at the end of
the running chunk: the estimator keeps what was learned so far (``history_["interrupted"]``)
and the ``KeyboardInterrupt`` propagates.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np

import jax
import jax.numpy as jnp
import optax

from .. import __version__
from .._progress import Progress
from ..errors import LearnError
from ..graphs import LatentGraph
from ..metrics import aggregate_log_densities, gaussian_log_density
from . import _nets as nets

__all__ = ["AnnealedVAE", "BetaTCVAE", "BetaVAE", "MechanismSparsityVAE", "bound_schedule",
           "dual_step", "load"]

_VAR_FLOOR = 1e-4          # encoder variance = softplus(raw) + 1e-4 (paper App. C.2)
_PRIOR_VAR_FLOOR = 1e-6    # transition variance = softplus(raw) + 1e-6
_PRIOR_VAR_INIT = 1e-4     # the transition variance at initialisation
_LOGIT_INIT = 5.0          # log α at initialisation: σ(5) ≈ 0.993, every edge almost surely on
_DEC_LOGVAR_INIT = -10.0
_CHUNK_ROWS = 8192         # rows per encoder call in transform


def _widths(value, name: str) -> tuple:
    """A sequence of positive layer widths, or a LearnError naming ``name``."""
    try:
        widths = tuple(value)
    except TypeError:
        raise LearnError(f"{name} must be a sequence of layer widths, got {value!r}") from None
    return tuple(_positive_int(w, f"each {name} width") for w in widths)


def _positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise LearnError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _positive_float(value, name, allow_zero=False):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise LearnError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise LearnError(f"{name} must be a finite number {'>=' if allow_zero else '>'} 0, "
                         f"got {value!r}")
    return v


def _array(value, name) -> np.ndarray:
    """A finite float array; the message names the argument and the first bad row."""
    if isinstance(value, np.ma.MaskedArray):
        raise LearnError(f"{name} is a masked array: fill or drop the masked rows first")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise LearnError(f"{name} is not an array of numbers ({exc})") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                   or arr.dtype == np.bool_):
        raise LearnError(f"{name} must hold numbers, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise LearnError(f"{name} holds complex numbers")
    arr = arr.astype(np.float64, copy=False)
    finite = np.isfinite(arr)
    if not finite.all():
        row = int(np.argwhere(~finite)[0][0])
        raise LearnError(f"{name} has a NaN or infinite value in row {row}")
    return arr


def _as_data(x, actions, n_latents):
    """``(X (n, T, x_dim), A (n, m))`` as float32, after checking shapes and values."""
    X = _array(x, "x")
    if X.ndim == 2:
        X = X[:, None, :]
    elif X.ndim != 3 or X.shape[1] != 2:
        raise LearnError(f"x must be (n, x_dim) or temporal pairs (n, 2, x_dim), got shape "
                         f"{X.shape}")
    n, _, x_dim = X.shape
    if n == 0 or x_dim == 0:
        raise LearnError(f"x has shape {X.shape}: no examples or no observed dimension")
    if actions is None:
        A = np.zeros((n, 0))
    else:
        A = _array(actions, "actions")
        if A.ndim == 1:
            A = A[:, None]
        if A.ndim != 2:
            raise LearnError(f"actions must be (n, m), got shape {A.shape}")
        if A.shape[0] != n:
            raise LearnError(f"actions has {A.shape[0]} rows but x has {n}")
    return X.astype(np.float32), A.astype(np.float32)


def bound_schedule(step, full: float, bound: float, schedule_steps: int, warmup_steps: int = 0):
    """The constraint's budget B(t): ``full`` until ``warmup_steps``, then decreasing linearly
    to ``bound`` over ``schedule_steps`` steps, then ``bound`` (the paper's §5 schedule has no
    warm-up).

    Examples
    --------
    >>> [float(bound_schedule(t, 100, 20, 40)) for t in (0, 10, 40, 90)]
    [100.0, 80.0, 20.0, 20.0]
    >>> [float(bound_schedule(t, 100, 20, 40, warmup_steps=10)) for t in (0, 10, 20, 50)]
    [100.0, 100.0, 80.0, 20.0]
    """
    t = jnp.maximum(0.0, jnp.asarray(step, jnp.float32) - warmup_steps)
    frac = jnp.minimum(1.0, t / schedule_steps)
    return full - (full - bound) * frac


def dual_step(multiplier, defect, eta: float):
    """One projected gradient-ascent step of a Lagrange multiplier with dual restarts:
    ``max(0, λ + η · defect)``, and 0 as soon as the constraint holds (``defect <= 0``;
    Gallego-Posada et al. 2021).

    Examples
    --------
    >>> float(dual_step(1.0, 2.0, 0.5)), float(dual_step(1.0, -0.1, 0.5))
    (2.0, 0.0)
    """
    return jnp.where(defect <= 0, 0.0, jnp.maximum(0.0, multiplier + eta * defect))


class _VAE:
    """What every estimator shares: encoder, decoder, data checks, the training loop, the
    history, transform, save. Subclasses give ``_init_extra``, ``_objective`` and (for a
    constraint) ``_dual_update``."""

    _hyper: tuple = ()          # extra constructor arguments a subclass saves

    def __init__(self, n_latents, *, hidden=(128, 128, 128), steps=30000, batch_size=512,
                 learning_rate=1e-3, log_every=50, seed=0, progress=None):
        self.n_latents = n_latents
        self.hidden = hidden
        self.steps = steps
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.log_every = log_every
        self.seed = seed
        self.progress = progress

    # -- hyper-parameters ------------------------------------------------------------------
    def get_params(self) -> dict:
        """The constructor's arguments (JSON-friendly), as scikit-learn's ``get_params``."""
        keys = ("n_latents", "hidden", "steps", "batch_size", "learning_rate", "log_every",
                "seed") + self._hyper
        out = {k: getattr(self, k) for k in keys}
        out["hidden"] = [int(h) for h in out["hidden"]]
        return out

    def _check_hyper(self):
        self._d = _positive_int(self.n_latents, "n_latents")
        self._hidden = _widths(self.hidden, "hidden")
        _positive_int(self.steps, "steps")
        _positive_int(self.batch_size, "batch_size")
        _positive_int(self.log_every, "log_every")
        _positive_float(self.learning_rate, "learning_rate")
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) \
                or self.seed < 0:
            raise LearnError(f"seed must be a non-negative integer, got {self.seed!r}")

    # -- the model pieces every estimator has --------------------------------------------
    def _init_params(self, key, x_dim, m, T):
        k_enc, k_dec, k_extra = jax.random.split(key, 3)
        d, h = self._d, self._hidden
        params = {"encoder": nets.init_mlp(k_enc, (x_dim, *h, 2 * d)),
                  "decoder": nets.init_mlp(k_dec, (d, *h, x_dim)),
                  "decoder_logvar": jnp.asarray(_DEC_LOGVAR_INIT, jnp.float32)}
        params.update(self._init_extra(k_extra, x_dim, m, T))
        return params

    def _init_extra(self, key, x_dim, m, T):
        return {}

    def _optimizer(self, params):
        return optax.adam(float(self.learning_rate))

    def _encode(self, params, x):
        out = nets.mlp(params["encoder"], x)
        d = self._d
        return out[..., :d], jax.nn.softplus(out[..., d:]) + _VAR_FLOOR

    def _reconstruction(self, params, key, x):
        """One reparametrised sample per example: ``(mu, var, z, log p(x|z) summed over x_dim
        and averaged over the time steps)``."""
        mu, var = self._encode(params, x)
        z = mu + jnp.sqrt(var) * jax.random.normal(key, mu.shape)
        x_hat = nets.mlp(params["decoder"], z)
        rec = nets.gaussian_loglik(x, x_hat, jnp.exp(params["decoder_logvar"]))
        return mu, var, z, jnp.mean(jnp.sum(rec, axis=-1), axis=-1)

    def _dual_init(self):
        return jnp.zeros((), jnp.float32)

    def _dual_update(self, dual, aux, it):
        return dual

    def _prepare(self, X, A):
        """Shape checks that depend on the estimator (the data are already finite arrays)."""

    def _sparsity(self, params, dual, it, x_dim):
        """What the sparsity adds to the objective, and what it reports."""
        return 0.0, {}

    def _objective(self, params, dual, key, xb, ab, it):
        """The minibatch objective and its diagnostics (loss, ELBO and KL per x_dim)."""
        t = self._terms(params, key, xb, ab, it, True)
        x_dim = xb.shape[-1]
        rec, kl, reg = t.pop("rec"), t.pop("kl"), t.pop("reg")
        loss = jnp.mean(reg - rec) / x_dim
        extra, aux = self._sparsity(params, dual, it, x_dim)
        aux.update({"loss": loss, "elbo": jnp.mean(rec - kl) / x_dim, "kl": jnp.mean(kl) / x_dim})
        aux.update({k: jnp.mean(v) for k, v in t.items()})
        return loss + extra, aux

    def elbo(self, x, actions=None, *, seed=0) -> np.ndarray:
        """The evidence lower bound of each example, in nats per time step, with one
        reparametrised sample of ``q(z|x)`` (drawn from ``seed``).

        For :class:`MechanismSparsityVAE` the prior uses the learned graph (the hard masks
        ``σ(log α) > 0.5``), not sampled masks.

        Returns
        -------
        ndarray (n,)

        Raises
        ------
        LearnError
            Before ``fit``, or for data of another shape than the training data.
        """
        self._check_fitted()
        X, A = _as_data(x, actions, self._d)
        if X.shape[2] != self.x_dim_ or A.shape[1] != self.n_actions_ or \
                (X.shape[1] == 2) != self.temporal_:
            raise LearnError(f"x and actions must be shaped as the training data "
                             f"(x_dim {self.x_dim_}, {self.n_actions_} actions, "
                             f"{'temporal pairs' if self.temporal_ else 'one step'})")
        step = jax.jit(lambda p, k, xb, ab: self._terms(p, k, xb, ab, 0, False))
        key = jax.random.PRNGKey(int(seed))
        out = np.empty(X.shape[0])
        for lo in range(0, X.shape[0], _CHUNK_ROWS):
            key, sub = jax.random.split(key)
            t = step(self.params_, sub, X[lo:lo + _CHUNK_ROWS], A[lo:lo + _CHUNK_ROWS])
            out[lo:lo + _CHUNK_ROWS] = np.asarray(t["rec"] - t["kl"], dtype=np.float64)
        return out

    def loss_function(self, x, actions=None, *, seed=0):
        """The training objective on one batch as a pure function of the parameters:
        ``f(params) -> scalar`` (one fixed draw of masks and reparametrisation from ``seed``,
        multiplier 0, step 0), for checks by finite differences or custom optimisers.
        """
        self._check_fitted()
        X, A = _as_data(x, actions, self._d)
        key = jax.random.PRNGKey(int(seed))
        dual = self._dual_init()
        return lambda params: self._objective(params, dual, key, X, A, 0)[0]

    # -- training --------------------------------------------------------------------------
    def fit(self, x, actions=None):
        """Learn from ``x`` (and ``actions``); returns the estimator.

        Parameters
        ----------
        x : array_like, (n, x_dim) or (n, 2, x_dim)
            Observations, or temporal pairs ``(x^{t-1}, x^t)``.
        actions : array_like (n, m), optional
            Auxiliary variables (actions, intervention indicators) of each example.

        Raises
        ------
        LearnError
            NaN or infinite values (the row is named), wrong shapes, actions whose row count
            differs from x, fewer examples than ``batch_size``, invalid hyper-parameters.
        KeyboardInterrupt
            After keeping the chunks finished so far (``history_["interrupted"]`` is True).
        """
        self._check_hyper()
        X, A = _as_data(x, actions, self._d)
        n, T, x_dim = X.shape
        if n < self.batch_size:
            raise LearnError(f"x has {n} examples, fewer than batch_size={self.batch_size}: "
                             "pass a smaller batch_size")
        self._prepare(X, A)
        self.x_dim_, self.n_actions_, self.temporal_ = x_dim, A.shape[1], T == 2
        self.n_train_ = n
        key = jax.random.PRNGKey(int(self.seed))
        k_init, k_train = jax.random.split(key)
        params = self._init_params(k_init, x_dim, A.shape[1], T)
        opt = self._optimizer(params)
        carry = (params, opt.init(params), self._dual_init(), k_train,
                 jnp.zeros((), jnp.int32))
        run = jax.jit(self._chunk_runner(opt))
        order = np.random.default_rng(int(self.seed))
        perm, pos = order.permutation(n), 0
        B, steps, every = int(self.batch_size), int(self.steps), int(self.log_every)
        rows = []
        self.params_ = params
        self.history_ = {"step": [], "interrupted": False}
        bar = Progress(steps, type(self).__name__, unit="steps", enabled=self.progress)
        Xd, Ad = jnp.asarray(X), jnp.asarray(A)
        done = 0
        try:
            while done < steps:
                k = min(every, steps - done)
                idx = np.empty((k, B), dtype=np.int32)
                for j in range(k):
                    if pos + B > n:
                        perm, pos = order.permutation(n), 0
                    idx[j] = perm[pos:pos + B]
                    pos += B
                carry, aux = run(carry, jnp.asarray(idx), Xd, Ad)
                done += k
                row = {name: float(np.mean(v)) for name, v in aux.items()}
                row.update({name: float(np.asarray(v)[-1]) for name, v in aux.items()
                            if name in self._last_of_chunk})
                row["step"] = done
                rows.append(row)
                self.params_ = carry[0]
                bar.update(done, self._progress_note(row))
        except KeyboardInterrupt:
            self.history_["interrupted"] = True
            self._finish(rows, done)
            bar.close()
            raise
        self._finish(rows, done)
        bar.close()
        return self

    _last_of_chunk = ("multiplier", "bound", "expected_edges")

    def _progress_note(self, row):
        return f"loss {row['loss']:.4g}"

    def _finish(self, rows, done):
        keys = sorted({k for r in rows for k in r} - {"step"})
        self.history_["step"] = [r["step"] for r in rows]
        for k in keys:
            self.history_[k] = [r.get(k, float("nan")) for r in rows]
        self.steps_done_ = done
        self._after_fit()

    def _after_fit(self):
        pass

    def _chunk_runner(self, opt):
        def step(carry, idx, X, A):
            params, opt_state, dual, key, it = carry
            key, sub = jax.random.split(key)
            xb, ab = X[idx], A[idx]

            def objective(p):
                return self._objective(p, dual, sub, xb, ab, it)

            (_, aux), grads = jax.value_and_grad(objective, has_aux=True)(params)
            updates, opt_state = opt.update(grads, opt_state, params)
            params = optax.apply_updates(params, updates)
            dual = self._dual_update(dual, aux, it)
            return (params, opt_state, dual, key, it + 1), aux

        def run(carry, idxs, X, A):
            return jax.lax.scan(lambda c, i: step(c, i, X, A), carry, idxs)

        return run

    # -- using a fitted model --------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise LearnError(f"this {type(self).__name__} is not fitted yet: call fit first")

    def transform(self, x) -> np.ndarray:
        """Encoder means for observations ``x`` of shape ``(..., x_dim)`` → ``(..., d)``.

        Raises
        ------
        LearnError
            Before ``fit``, for NaN/inf values or a last dimension other than ``x_dim``.

        Notes
        -----
        O(n Σ layer sizes) in blocks of 8192 rows.
        """
        self._check_fitted()
        X = _array(x, "x")
        if X.ndim < 1 or X.shape[-1] != self.x_dim_:
            raise LearnError(f"x must end with x_dim = {self.x_dim_} columns, got shape "
                             f"{X.shape}")
        flat = X.reshape(-1, self.x_dim_).astype(np.float32)
        enc = jax.jit(lambda p, v: self._encode(p, v)[0])
        out = np.empty((flat.shape[0], self._d), dtype=np.float64)
        for lo in range(0, flat.shape[0], _CHUNK_ROWS):
            out[lo:lo + _CHUNK_ROWS] = np.asarray(enc(self.params_, flat[lo:lo + _CHUNK_ROWS]))
        return out.reshape(X.shape[:-1] + (self._d,))

    def fit_transform(self, x, actions=None) -> np.ndarray:
        """``fit(x, actions)`` then ``transform`` of the last time step of x."""
        self.fit(x, actions)
        X = np.asarray(x)
        return self.transform(X[:, -1] if X.ndim == 3 else X)

    @property
    def decoder_variance_(self) -> float:
        """The learned observation-noise variance ``σ²`` of ``p(x|z) = N(f̂(z), σ² I)``."""
        self._check_fitted()
        return float(np.exp(np.asarray(self.params_["decoder_logvar"])))

    # -- persistence -----------------------------------------------------------------------
    def save(self, path) -> None:
        """Write the fitted model to ``path`` (``.npz``: the parameters, and a JSON header with
        the class, hyper-parameters, data dimensions and history). Atomic: a failure leaves no
        partial file.

        Raises
        ------
        LearnError
            Before ``fit``.
        OutputError
            When the file cannot be written (the message names it).
        """
        from ..io import atomic_write

        self._check_fitted()
        leaves = jax.tree_util.tree_leaves(self.params_)
        meta = {"format": "identkit.learn model", "version": 1, "identkit": __version__,
                "class": type(self).__name__, "params": self.get_params(),
                "data": {"x_dim": self.x_dim_, "n_actions": self.n_actions_,
                         "temporal": self.temporal_, "n_train": self.n_train_},
                "steps_done": self.steps_done_, "history": self.history_}
        meta.update(self._extra_meta())
        arrays = {f"p{i:03d}": np.asarray(v) for i, v in enumerate(leaves)}
        arrays["meta"] = np.array(json.dumps(meta))
        path = os.fspath(path)
        atomic_write(path, lambda fh: np.savez(fh, **arrays), binary=True)

    def _extra_meta(self) -> dict:
        return {}

    def _restore(self, meta, leaves):
        self._check_hyper()
        data = meta["data"]
        self.x_dim_, self.n_actions_ = int(data["x_dim"]), int(data["n_actions"])
        self.temporal_, self.n_train_ = bool(data["temporal"]), int(data["n_train"])
        self._restore_extra(meta)
        template = self._init_params(jax.random.PRNGKey(0), self.x_dim_, self.n_actions_,
                                     2 if self.temporal_ else 1)
        flat, tree = jax.tree_util.tree_flatten(template)
        if len(flat) != len(leaves) or any(a.shape != b.shape for a, b in zip(flat, leaves)):
            raise LearnError("the parameters do not match the model the header describes")
        self.params_ = jax.tree_util.tree_unflatten(tree, [jnp.asarray(v) for v in leaves])
        self.history_ = meta["history"]
        self.steps_done_ = int(meta["steps_done"])
        self._after_fit()

    def _restore_extra(self, meta):
        pass

    def __repr__(self):
        return f"{type(self).__name__}(n_latents={self.n_latents!r})"


class _StandardPrior(_VAE):
    """The baselines' shared model: a standard-normal prior and a regulariser of ``q(z|x)``
    against it that each subclass gives in ``_kl_term``; temporal pairs are two observations."""

    def _kl_term(self, mu, var, z, it):
        """The regulariser of the loss (per example) and the diagnostics it reports."""
        raise NotImplementedError

    def _terms(self, params, key, xb, ab, it, train):
        T, d = xb.shape[1], self._d
        mu, var, z, rec = self._reconstruction(params, key, xb)
        reg, parts = self._kl_term(mu.reshape(-1, d), var.reshape(-1, d), z.reshape(-1, d), it)
        parts["reg"] = reg
        out = {k: (jnp.mean(v.reshape(-1, T), axis=-1) if jnp.ndim(v) else v)
               for k, v in parts.items()}
        out["rec"] = rec
        return out


class BetaVAE(_StandardPrior):
    """β-VAE (Higgins et al. 2017): a standard-normal prior and the loss ``−(E log p(x|z) −
    β KL(q(z|x) ‖ N(0, I))) / x_dim``; β = 1 is the plain VAE.

    Temporal pairs are treated as independent observations (both steps are reconstructed and
    each is held against N(0, I)), which is how the paper trains its baselines on time data.

    Parameters
    ----------
    n_latents : int
    beta : float, keyword-only
        Weight of the KL term (default 4).
    hidden, steps, batch_size, learning_rate, log_every, seed, progress
        As :class:`MechanismSparsityVAE`.

    Examples
    --------
    >>> import numpy as np
    >>> from identkit.learn import BetaVAE
    >>> x = np.random.default_rng(0).standard_normal((256, 4))
    >>> model = BetaVAE(2, beta=4, hidden=(16,), steps=20, batch_size=64, seed=0).fit(x)
    >>> model.transform(x).shape, len(model.history_["loss"])
    ((256, 2), 1)
    """

    _hyper = ("beta",)

    def __init__(self, n_latents, *, beta=4.0, hidden=(128, 128, 128), steps=30000,
                 batch_size=512, learning_rate=1e-3, log_every=50, seed=0, progress=None):
        super().__init__(n_latents, hidden=hidden, steps=steps, batch_size=batch_size,
                         learning_rate=learning_rate, log_every=log_every, seed=seed,
                         progress=progress)
        self.beta = beta

    def _check_hyper(self):
        super()._check_hyper()
        _positive_float(self.beta, "beta", allow_zero=True)

    def _kl_term(self, mu, var, z, it):
        kl = jnp.sum(nets.gaussian_kl(mu, var, 0.0, 1.0), axis=-1)
        return float(self.beta) * kl, {"kl": kl}

class AnnealedVAE(_StandardPrior):
    """β-VAE with capacity annealing (Burgess et al. 2018): the loss ``−(E log p(x|z) −
    γ |KL − C(t)|) / x_dim`` with the capacity C increased linearly from 0 to ``capacity`` nats
    over ``capacity_steps`` steps, then held.

    Parameters
    ----------
    n_latents : int
    gamma : float, keyword-only
        Weight of the capacity term (default 100).
    capacity : float
        The final capacity C_max in nats (default 25, as disentanglement_lib's default).
    capacity_steps : int, optional
        Steps to reach C_max (default: half of ``steps``).
    hidden, steps, batch_size, learning_rate, log_every, seed, progress
        As :class:`MechanismSparsityVAE`.
    """

    _hyper = ("gamma", "capacity", "capacity_steps")
    _last_of_chunk = ("capacity",)

    def __init__(self, n_latents, *, gamma=100.0, capacity=25.0, capacity_steps=None,
                 hidden=(128, 128, 128), steps=30000, batch_size=512, learning_rate=1e-3,
                 log_every=50, seed=0, progress=None):
        super().__init__(n_latents, hidden=hidden, steps=steps, batch_size=batch_size,
                         learning_rate=learning_rate, log_every=log_every, seed=seed,
                         progress=progress)
        self.gamma, self.capacity, self.capacity_steps = gamma, capacity, capacity_steps

    def _check_hyper(self):
        super()._check_hyper()
        _positive_float(self.gamma, "gamma", allow_zero=True)
        _positive_float(self.capacity, "capacity", allow_zero=True)
        if self.capacity_steps is not None:
            _positive_int(self.capacity_steps, "capacity_steps")

    def capacity_at(self, step):
        """C(t) = capacity · min(1, t / capacity_steps)."""
        total = self.capacity_steps or max(1, int(self.steps) // 2)
        return float(self.capacity) * jnp.minimum(1.0, step / total)

    def _kl_term(self, mu, var, z, it):
        kl = jnp.sum(nets.gaussian_kl(mu, var, 0.0, 1.0), axis=-1)
        c = self.capacity_at(it)
        return float(self.gamma) * jnp.abs(kl - c), {"kl": kl, "capacity": c}


class BetaTCVAE(BetaVAE):
    """β-TCVAE (Chen et al. 2018): the KL of the β-VAE split into index-code mutual information,
    total correlation and dimension-wise KL, weighted ``α MI + β TC + γ DWKL``.

    The three terms are estimated on each minibatch by minibatch-weighted sampling, with
    ``dataset_size`` the number of training examples, through
    :func:`identkit.metrics.aggregate_log_densities` (the formulas
    :func:`identkit.metrics.kl_decomposition` reports with).

    Parameters
    ----------
    n_latents : int
    alpha, beta, gamma : float, keyword-only
        Weights of MI, TC and dimension-wise KL (defaults 1, 6, 1; β = 6 as in the paper's
        baseline tables' best configurations is a common choice).
    hidden, steps, batch_size, learning_rate, log_every, seed, progress
        As :class:`MechanismSparsityVAE`.
    """

    _hyper = ("alpha", "beta", "gamma")

    def __init__(self, n_latents, *, alpha=1.0, beta=6.0, gamma=1.0, hidden=(128, 128, 128),
                 steps=30000, batch_size=512, learning_rate=1e-3, log_every=50, seed=0,
                 progress=None):
        super().__init__(n_latents, beta=beta, hidden=hidden, steps=steps,
                         batch_size=batch_size, learning_rate=learning_rate,
                         log_every=log_every, seed=seed, progress=progress)
        self.alpha, self.gamma = alpha, gamma

    def _check_hyper(self):
        super()._check_hyper()
        _positive_float(self.alpha, "alpha", allow_zero=True)
        _positive_float(self.gamma, "gamma", allow_zero=True)

    def _kl_term(self, mu, var, z, it):
        logvar = jnp.log(var)
        n = self.n_train_ * (2 if self.temporal_ else 1)
        log_qz, log_prod = aggregate_log_densities(z, mu, logvar, dataset_size=n, xp=jnp)
        log_qzx = jnp.sum(gaussian_log_density(z, mu, logvar, xp=jnp), axis=-1)
        log_pz = jnp.sum(gaussian_log_density(z, 0.0, 0.0, xp=jnp), axis=-1)
        mi, tc, dw = log_qzx - log_qz, log_qz - log_prod, log_prod - log_pz
        reg = float(self.alpha) * mi + float(self.beta) * tc + float(self.gamma) * dw
        kl = jnp.sum(nets.gaussian_kl(mu, var, 0.0, 1.0), axis=-1)
        return reg, {"kl": kl, "mutual_information": mi, "total_correlation": tc,
                     "dimension_wise_kl": dw}


_SPARSITY = ("constraint", "penalty", None)


class MechanismSparsityVAE(_VAE):
    """The paper's estimator: a VAE whose prior is a learned causal transition model with
    learned sparse graphs, kept sparse by a constraint (Lachapelle et al., JMLR 2026, §5 and
    App. C.2).

    Model. Encoder ``q(z|x) = N(μ(x), diag(softplus(·) + 1e-4))``; decoder ``p(x|z) = N(f̂(z),
    σ² I)`` with one learned ``log σ²``; both MLPs with LeakyReLU(0.2). Prior ``p(z^t | z^{t-1},
    a^{t-1}) = Π_i N(μ̂_i, σ̂_i²)``: latent i has its own MLP ``μ̂_i`` whose inputs are
    ``(M^z_i ⊙ z^{t-1}, M^a_i ⊙ a^{t-1})`` (temporal means are ``z^{t-1}_i + μ̂_i``), and its
    own variance ``softplus(·) + 1e-6``, which does not depend on the inputs. The masks of the
    regularised graphs are Gumbel-sigmoid samples with logits log α (initialised at 5,
    temperature 1, soft samples, one sample per minibatch); the other graph's mask is all ones.
    The learned edge ``(i, j)`` is on when ``σ(log α_ij) > 0.5``. For temporal pairs both steps
    are reconstructed; the last step's KL is taken against the transition prior given a sample
    of ``q(z^{t-1}|x^{t-1})``, the first step's against a learned ``N(μ₀, σ₀²)`` initialised at
    ``N(0, I)``; both KLs and reconstructions are averaged over the two steps. Loss
    ``−ELBO / x_dim``.

    Sparsity (``sparsity=``):

    * ``"constraint"`` (the JMLR runs): ``Σ σ(log α) ≤ B(t)``, with the Lagrangian
      ``loss + λ (Σ σ(log α) − B(t))``; Adam descends in the parameters, λ ascends by projected
      gradient ascent ``λ ← max(0, λ + η (Σσ − B(t)))`` with η = ``dual_learning_rate``, and
      dual restarts (λ = 0 as soon as the constraint holds). ``B(t)`` decreases linearly from
      the full edge count to ``bound`` over ``schedule_steps`` steps, then stays at ``bound``.
    * ``"penalty"`` (the CLeaR runs): ``loss + penalty_weight · Σ σ(log α) / x_dim``.
    * ``None``: masks frozen at all ones, the paper's no-sparsity baseline.

    Departures from the paper, and why:

    * defaults scaled to a CPU: three hidden layers of 128 (paper: six of 512), prior MLPs of
      two hidden layers of 64 (paper: five of 512), minibatches of 512 (paper: 1024), 30,000
      steps (paper: 300,000, with a schedule of 150,000);
    * the budget stays at the full edge count for ``warmup_steps`` (default a quarter of
      ``steps``) before it decreases over ``schedule_steps`` (default two fifths): with a
      schedule that starts at step 0 the encoder is still far from a good fit when edges go,
      and on ActionNonDiag the MCC after 30,000 steps was 0.84 without the warm-up and 0.90
      with it (``benchmarks/reproduce_learning.py``);
    * Adam's learning rate defaults to 1e-3 (paper: 5e-4) for the shorter run, and the edge
      logits have their own Adam with ``mask_learning_rate`` (default 3e-3): Adam rescales
      each logit's gradient, so the constraint's uniform push moves every logit at the same
      pace whatever its size, and the logits' rate sets how fast edges can leave;
    * masked inputs are multiplied by the mask (a masked input reads as 0), which is what a
      frozen dummy value of 0 gives in the paper's code;
    * minibatches are drawn by shuffling once per epoch with numpy, from ``seed``;
    * the multiplier's step η defaults to the Adam learning rate times 100: the constraint is
      in edges, the loss per observed dimension, and with the paper's η and our 60 times
      shorter schedule the multiplier lags the schedule by thousands of steps.

    Parameters
    ----------
    n_latents : int
        d, the number of latents to learn (the paper uses the true one).
    regularize : {"a", "z", "az"}, optional, keyword-only
        Which learned graphs are sparse. Default: every graph the data have (``a`` with
        actions, ``z`` with temporal pairs).
    sparsity : {"constraint", "penalty", None}
    bound : int, optional
        B, the edge budget of the constraint (needed with ``"constraint"``); the paper sets it
        to the true graphs' edge count.
    warmup_steps : int, optional
        Steps before B(t) starts to decrease (default a quarter of ``steps``).
    schedule_steps : int, optional
        Steps for B(t) to reach ``bound`` after the warm-up (default two fifths of ``steps``).
    mask_learning_rate : float
        Adam learning rate of the edge logits log α (default 3e-3).
    dual_learning_rate : float, optional
        η of the multiplier's ascent (default ``100 * learning_rate``).
    penalty_weight : float
        λ of ``"penalty"`` (default 1).
    prior_hidden : sequence of int
        Hidden widths of each latent's transition MLP (default (64, 64)).
    hidden : sequence of int
        Hidden widths of the encoder and of the decoder (default (128, 128, 128)).
    steps, batch_size, learning_rate : int, int, float
        Adam steps (default 30,000), minibatch size (512) and learning rate (1e-3).
    log_every : int
        Steps per history row (and per compiled chunk).
    seed : int
        Every draw (initialisation, minibatches, masks, reparametrisation) derives from it.
    progress : bool, optional
        Show a progress line on stderr (default: when stderr is a terminal).

    Attributes
    ----------
    params_ : pytree of jax arrays
    history_ : dict of lists
        One entry per logged chunk: ``step``, ``loss``, ``elbo``, ``kl``, ``expected_edges``
        (Σ σ(log α)), ``bound`` (B(t)), ``multiplier`` (λ), ``edges`` (σ > 0.5); and
        ``interrupted``.
    edge_probabilities_ : dict
        ``{"a": (d, m), "z": (d, d)}``: σ(log α) of the learned graphs (ones where not learned).
    graph_ : LatentGraph
        The learned ``Ĝa``/``Ĝz`` (σ(log α) > 0.5), rows the learned latents.

    Examples
    --------
    Two latents, each driven by its own action: the learned Ĝa has two edges.

    >>> import numpy as np
    >>> from identkit.learn import MechanismSparsityVAE
    >>> rng = np.random.default_rng(0)
    >>> a = rng.uniform(-2, 2, (512, 2))
    >>> z = np.sin(a) + 0.01 * rng.standard_normal((512, 2))
    >>> x = np.c_[z, z @ [[1.0, 0.5], [-0.5, 1.0]]]
    >>> model = MechanismSparsityVAE(2, bound=2, hidden=(16,), prior_hidden=(8,), steps=20,
    ...                              batch_size=128, seed=0).fit(x, a)
    >>> model.edge_probabilities_["a"].shape, model.graph_.Ga.shape
    ((2, 2), (2, 2))
    """

    _hyper = ("regularize", "sparsity", "bound", "warmup_steps", "schedule_steps",
              "dual_learning_rate",
              "mask_learning_rate", "penalty_weight", "prior_hidden")

    def __init__(self, n_latents, *, regularize=None, sparsity="constraint", bound=None,
                 warmup_steps=None, schedule_steps=None, dual_learning_rate=None,
                 mask_learning_rate=3e-3, penalty_weight=1.0, prior_hidden=(64, 64),
                 hidden=(128, 128, 128), steps=30000, batch_size=512, learning_rate=1e-3,
                 log_every=50, seed=0, progress=None):
        super().__init__(n_latents, hidden=hidden, steps=steps, batch_size=batch_size,
                         learning_rate=learning_rate, log_every=log_every, seed=seed,
                         progress=progress)
        self.regularize, self.sparsity, self.bound = regularize, sparsity, bound
        self.schedule_steps, self.dual_learning_rate = schedule_steps, dual_learning_rate
        self.warmup_steps = warmup_steps
        self.penalty_weight, self.prior_hidden = penalty_weight, prior_hidden
        self.mask_learning_rate = mask_learning_rate

    def get_params(self):
        out = super().get_params()
        out["prior_hidden"] = [int(h) for h in out["prior_hidden"]]
        return out

    def _check_hyper(self):
        super()._check_hyper()
        if self.sparsity not in _SPARSITY:
            raise LearnError(f"sparsity must be 'constraint', 'penalty' or None, got "
                             f"{self.sparsity!r}")
        if self.regularize is not None and (not isinstance(self.regularize, str) or
                                            self.regularize not in ("a", "z", "az", "za")):
            raise LearnError(f"regularize must be 'a', 'z' or 'az', got {self.regularize!r}")
        self._prior_hidden = _widths(self.prior_hidden, "prior_hidden")
        _positive_float(self.mask_learning_rate, "mask_learning_rate")
        if self.sparsity == "constraint":
            if self.bound is None:
                raise LearnError("sparsity='constraint' needs bound= (the edge budget; the "
                                 "paper uses the true graphs' edge count)")
            _positive_int(self.bound, "bound", minimum=0)
            if self.schedule_steps is not None:
                _positive_int(self.schedule_steps, "schedule_steps")
            if self.warmup_steps is not None:
                _positive_int(self.warmup_steps, "warmup_steps", minimum=0)
            if self.dual_learning_rate is not None:
                _positive_float(self.dual_learning_rate, "dual_learning_rate")
        if self.sparsity == "penalty":
            _positive_float(self.penalty_weight, "penalty_weight", allow_zero=True)

    def _resolve(self, m, temporal):
        """The regularised graphs, checked against the data."""
        reg = self.regularize
        if reg is None:
            reg = ("a" if m else "") + ("z" if temporal else "")
            if not reg:
                raise LearnError("the mechanism-sparsity prior needs actions or temporal pairs "
                                 "(x of shape (n, 2, x_dim)); got neither")
        reg = "".join(sorted(set(reg)))
        if "a" in reg and not m:
            raise LearnError("regularize includes 'a' but no actions were given")
        if "z" in reg and not temporal:
            raise LearnError("regularize includes 'z' but x holds no temporal pairs "
                             "(shape (n, 2, x_dim))")
        return reg

    def max_edges(self, m=None, temporal=None) -> int:
        """Edges the regularised graphs can have: ``d·m`` for Ĝa, ``d²`` for Ĝz."""
        m = self.n_actions_ if m is None else m
        temporal = self.temporal_ if temporal is None else temporal
        d, reg = self._d, self._reg
        return ("a" in reg) * d * m + ("z" in reg) * d * d

    def _prepare(self, X, A):
        m, temporal = A.shape[1], X.shape[1] == 2
        self._reg = self._resolve(m, temporal)
        full = self.max_edges(m, temporal)
        if self.sparsity == "constraint" and self.bound > full:
            raise LearnError(f"bound={self.bound} is larger than the {full} edges the learned "
                             f"graph{'s' if len(self._reg) > 1 else ''} can have")

    def _restore_extra(self, meta):
        self._reg = meta["regularize"]

    def _optimizer(self, params):
        """Adam on the networks at ``learning_rate`` and on the edge logits at
        ``mask_learning_rate``."""
        labels = {k: jax.tree_util.tree_map(lambda _: "mask" if k == "logits" else "net", v)
                  for k, v in params.items()}
        return optax.multi_transform({"net": optax.adam(float(self.learning_rate)),
                                      "mask": optax.adam(float(self.mask_learning_rate))},
                                     labels)

    def _extra_meta(self):
        return {"regularize": self._reg}

    def _init_extra(self, key, x_dim, m, T):
        d = self._d
        temporal = T == 2
        k_prior, _ = jax.random.split(key)
        n_in = (d if temporal else 0) + m
        out = {"prior": nets.init_stacked_mlp(k_prior, d, (n_in, *self._prior_hidden, 1)),
               "prior_var": jnp.full(
                   (d,), nets.inverse_softplus(_PRIOR_VAR_INIT - _PRIOR_VAR_FLOOR), jnp.float32)}
        logits = {}
        if self.sparsity is not None:
            if "z" in self._reg:
                logits["z"] = jnp.full((d, d), _LOGIT_INIT, jnp.float32)
            if "a" in self._reg:
                logits["a"] = jnp.full((d, m), _LOGIT_INIT, jnp.float32)
        out["logits"] = logits
        if temporal:
            out["initial_mean"] = jnp.zeros((d,), jnp.float32)
            out["initial_var"] = jnp.full((d,), nets.inverse_softplus(1.0), jnp.float32)
        return out

    # -- the constraint --------------------------------------------------------------------
    def bound_at(self, step):
        """B(t): from the full edge count down to ``bound`` linearly over ``schedule_steps``."""
        total = self.schedule_steps or max(1, 2 * int(self.steps) // 5)
        warmup = int(self.steps) // 4 if self.warmup_steps is None else int(self.warmup_steps)
        return bound_schedule(step, float(self.max_edges()), float(self.bound), total, warmup)

    def _eta(self):
        lr = self.dual_learning_rate
        return float(100 * self.learning_rate if lr is None else lr)

    def _dual_update(self, dual, aux, it):
        if self.sparsity != "constraint":
            return dual
        return dual_step(dual, aux["expected_edges"] - aux["bound"], self._eta())

    # -- the loss --------------------------------------------------------------------------
    def _masks(self, params, key, d, m, temporal, sample=True):
        """The (d, n_in) input mask: sampled for the regularised graphs (the learned graph when
        not ``sample``), ones elsewhere."""
        parts = []
        keys = jax.random.split(key)
        for j, (name, width, on) in enumerate((("z", d, temporal), ("a", m, m > 0))):
            if not on:
                continue
            logits = params["logits"].get(name)
            if logits is None:
                parts.append(jnp.ones((d, width), jnp.float32))
            elif sample:
                parts.append(nets.sample_mask(keys[j], logits))
            else:
                parts.append((logits > 0).astype(jnp.float32))
        return jnp.concatenate(parts, axis=1)

    def _prior_moments(self, params, mask, z_prev, a):
        """Means (B, d) and variances (d,) of the transition prior."""
        parts = ([z_prev] if z_prev is not None else []) + ([a] if a.shape[1] else [])
        u = jnp.concatenate(parts, axis=1)                       # (B, n_in)
        mean = nets.stacked_mlp(params["prior"], mask[None] * u[:, None, :])[..., 0]
        if z_prev is not None:
            mean = z_prev + mean
        return mean, jax.nn.softplus(params["prior_var"]) + _PRIOR_VAR_FLOOR

    def expected_edges(self, params):
        """Σ σ(log α) over the regularised graphs (0 without sparsity)."""
        return sum((jnp.sum(nets.edge_probabilities(v)) for v in params["logits"].values()),
                   jnp.zeros((), jnp.float32))

    def _terms(self, params, key, xb, ab, it, train):
        k_rec, k_mask = jax.random.split(key)
        d, m, temporal = self._d, ab.shape[1], xb.shape[1] == 2
        mu, var, z, rec = self._reconstruction(params, k_rec, xb)
        mask = self._masks(params, k_mask, d, m, temporal, sample=train)
        z_prev = z[:, 0] if temporal else None
        pm, pv = self._prior_moments(params, mask, z_prev, ab)
        kl = jnp.sum(nets.gaussian_kl(mu[:, -1], var[:, -1], pm, pv), axis=-1)
        if temporal:
            v0 = jax.nn.softplus(params["initial_var"]) + _PRIOR_VAR_FLOOR
            kl0 = jnp.sum(nets.gaussian_kl(mu[:, 0], var[:, 0], params["initial_mean"], v0),
                          axis=-1)
            kl = 0.5 * (kl + kl0)
        return {"rec": rec, "kl": kl, "reg": kl}

    def _sparsity(self, params, dual, it, x_dim):
        edges = self.expected_edges(params)
        aux = {"expected_edges": edges,
               "edges": sum((jnp.sum(v > 0) for v in params["logits"].values()),
                            jnp.zeros((), jnp.int32)).astype(jnp.float32)}
        if self.sparsity == "constraint":
            bound = self.bound_at(it)
            aux.update(bound=bound, multiplier=dual)
            return jax.lax.stop_gradient(dual) * (edges - bound), aux
        if self.sparsity == "penalty":
            return float(self.penalty_weight) * edges / x_dim, aux
        return 0.0, aux

    def _progress_note(self, row):
        note = f"loss {row['loss']:.4g}  edges {row.get('edges', 0):.0f}"
        if "bound" in row:
            note += f"/{row['bound']:.0f}  λ {row['multiplier']:.3g}"
        return note

    # -- what was learned ------------------------------------------------------------------
    def _after_fit(self):
        d, m = self._d, self.n_actions_
        probs = {}
        for name, width, on in (("z", d, self.temporal_), ("a", m, m > 0)):
            if not on:
                continue
            logits = self.params_["logits"].get(name)
            probs[name] = (np.ones((d, width)) if logits is None
                           else np.asarray(nets.edge_probabilities(logits), dtype=np.float64))
        self.edge_probabilities_ = probs
        graphs = {f"G{k}": (v > 0.5).astype(np.int8) for k, v in probs.items()}
        self.graph_ = LatentGraph(**graphs, latents=[f"zhat{i + 1}" for i in range(d)])

    def learned_regularize(self) -> str:
        """The regularised graphs this fit used (``"a"``, ``"z"`` or ``"az"``)."""
        self._check_fitted()
        return self._reg


_CLASSES = {c.__name__: c for c in (MechanismSparsityVAE, BetaVAE, AnnealedVAE, BetaTCVAE)}


def load(path, *, max_bytes: int | None = None, max_memory: int | None = None):
    """Read a model written by ``save``; returns an estimator of the saved class, fitted.

    ``max_bytes`` and ``max_memory`` (``--max-bytes``, ``--max-memory``), when given, bound the
    file's size and the memory its arrays declare, checked before any is loaded.

    Raises
    ------
    LearnError
        When the file is missing, is over a limit, is not an ``.npz`` written by ``save``, or
        its header and parameters disagree (the message names the file).

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> from identkit.learn import BetaVAE, load
    >>> x = np.random.default_rng(0).standard_normal((128, 3))
    >>> m = BetaVAE(2, hidden=(8,), steps=10, batch_size=64).fit(x)
    >>> path = os.path.join(tempfile.mkdtemp(), "m.npz")
    >>> m.save(path)
    >>> bool(np.array_equal(load(path).transform(x), m.transform(x)))
    True
    """
    import zipfile

    path = os.fspath(path)
    if max_bytes is not None or max_memory is not None:
        from .data import check_limits

        check_limits(path, max_bytes, max_memory)
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(str(npz["meta"][()]))
            leaves = [npz[f"p{i:03d}"] for i in range(sum(k.startswith("p") for k in npz.files))]
    except FileNotFoundError:
        raise LearnError(f"{path}: no such file") from None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise LearnError(f"{path}: not a model written by identkit.learn ({exc})") from None
    if not isinstance(meta, dict) or meta.get("format") != "identkit.learn model" or \
            meta.get("class") not in _CLASSES:
        raise LearnError(f"{path}: not a model written by identkit.learn")
    try:
        model = _CLASSES[meta["class"]](**meta["params"])
        model._restore(meta, leaves)
    except (TypeError, KeyError, ValueError) as exc:
        if isinstance(exc, LearnError):
            raise LearnError(f"{path}: {exc}") from None
        raise LearnError(f"{path}: a damaged model header ({exc})") from None
    return model
