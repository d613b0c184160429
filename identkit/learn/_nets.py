"""The pieces the learned models are made of, as pure jax functions of parameter pytrees: MLPs
(one, or d stacked per-latent ones evaluated at once), Gaussian densities and KLs, and the
Gumbel-sigmoid edge masks. Nothing here holds state or draws without an explicit key."""

from __future__ import annotations

import jax
import jax.numpy as jnp

__all__ = ["LEAKY_SLOPE", "edge_probabilities", "gaussian_kl", "gaussian_loglik", "init_mlp",
           "init_stacked_mlp", "inverse_softplus", "logistic_noise", "mlp", "sample_mask",
           "stacked_mlp"]

LEAKY_SLOPE = 0.2          # LeakyReLU negative slope of every hidden layer (paper App. C.2)
_LOG_2PI = 1.8378770664093453


def _uniform(key, shape, bound):
    return jax.random.uniform(key, shape, jnp.float32, -bound, bound)


def init_mlp(key, sizes) -> list:
    """Layers ``[(W, b), ...]`` for widths ``sizes = (in, h1, ..., out)``.

    Weights and biases ~ U(-1/√fan_in, 1/√fan_in), the default initialisation of the paper's
    PyTorch layers.
    """
    layers = []
    for k, (i, o) in zip(jax.random.split(key, len(sizes) - 1), zip(sizes[:-1], sizes[1:])):
        kw, kb = jax.random.split(k)
        bound = 1.0 / max(i, 1) ** 0.5
        layers.append((_uniform(kw, (i, o), bound), _uniform(kb, (o,), bound)))
    return layers


def mlp(layers, h):
    """Apply an MLP: LeakyReLU(0.2) after every layer but the last. ``h`` is (..., in)."""
    for W, b in layers[:-1]:
        h = jax.nn.leaky_relu(h @ W + b, LEAKY_SLOPE)
    W, b = layers[-1]
    return h @ W + b


def init_stacked_mlp(key, n: int, sizes) -> list:
    """n independent MLPs of the same widths, stacked: layers ``[(W (n, i, o), b (n, o)), ...]``.

    Each of the n networks is initialised as :func:`init_mlp` would (one key per network).
    """
    per = [init_mlp(k, sizes) for k in jax.random.split(key, n)]
    return [(jnp.stack([p[j][0] for p in per]), jnp.stack([p[j][1] for p in per]))
            for j in range(len(sizes) - 1)]


def stacked_mlp(layers, h):
    """Apply n stacked MLPs to their own inputs: ``h`` (B, n, in) → (B, n, out).

    One ``einsum`` per layer evaluates the n networks together (network i sees ``h[:, i]``):
    O(B n Σ i·o) work, the same as n separate networks, in one vectorised kernel.
    """
    for W, b in layers[:-1]:
        h = jax.nn.leaky_relu(jnp.einsum("bni,nio->bno", h, W) + b, LEAKY_SLOPE)
    W, b = layers[-1]
    return jnp.einsum("bni,nio->bno", h, W) + b


def inverse_softplus(y: float) -> float:
    """x with softplus(x) = y (y > 0), for initialising a softplus-parametrised variance."""
    import math

    return y + math.log(-math.expm1(-y))


def gaussian_loglik(x, mean, var):
    """Element-wise ``log N(x; mean, var)``."""
    return -0.5 * (_LOG_2PI + jnp.log(var) + (x - mean) ** 2 / var)


def gaussian_kl(m_q, v_q, m_p, v_p):
    """Element-wise ``KL(N(m_q, v_q) ‖ N(m_p, v_p))`` (variances, not log-variances)."""
    return 0.5 * (jnp.log(v_p) - jnp.log(v_q) + (v_q + (m_q - m_p) ** 2) / v_p - 1.0)


def logistic_noise(key, shape):
    """Standard logistic samples ``log u − log(1 − u)``, u ~ U(0, 1) kept away from 0 and 1."""
    u = jax.random.uniform(key, shape, jnp.float32, 1e-6, 1.0 - 1e-6)
    return jnp.log(u) - jnp.log1p(-u)


def sample_mask(key, logits, temperature: float = 1.0):
    """A soft Gumbel-sigmoid (binary concrete) sample ``σ((log α + L) / τ)``, L logistic.

    Maddison et al. (2017), Jang et al. (2017). Its hard version ``1[log α + L > 0]`` is
    Bernoulli(σ(log α)); the soft sample is differentiable in ``log α``.
    """
    return jax.nn.sigmoid((logits + logistic_noise(key, logits.shape)) / temperature)


def edge_probabilities(logits):
    """σ(log α): each edge's probability; the expected edge count is their sum."""
    return jax.nn.sigmoid(logits)
