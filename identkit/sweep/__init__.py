"""Sweeps: grids of random graphs and of training runs, computed on ``dask.distributed``
(needs the ``[sweep]`` extra).
"""

try:  # the one place the extra is checked
    import distributed as _distributed  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised in a subprocess without the extra
    from ..errors import DependencyError

    raise DependencyError(
        f"identkit.sweep needs dask.distributed ({exc.name or 'distributed'} is missing): "
        "pip install 'identkit[sweep]'") from None

__all__: list[str] = []
