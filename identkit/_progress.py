"""One progress line on standard error for long work (training, sweeps): shown when stderr is a
terminal, silent otherwise, so logs and pipes stay clean."""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


def _clock(seconds: float) -> str:
    seconds = int(max(0.0, seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class Progress:
    """A one-line progress bar: ``label [####----] done/total  rate/s  ETA  extra``.

    Parameters
    ----------
    total : int
        Units of work (steps, cells).
    label : str
        What is counted, printed first.
    unit : str
        The unit of the rate (``"steps"``).
    stream : file, optional
        Default ``sys.stderr``.
    enabled : bool, optional
        Default: whether the stream is a terminal.

    Examples
    --------
    Quiet unless enabled (a doctest's stderr is no terminal):

    >>> import io
    >>> out = io.StringIO()
    >>> bar = Progress(4, "fit", unit="steps", stream=out, enabled=True)
    >>> bar.update(2, "loss 1.5")
    >>> bar.close()
    >>> "2/4" in out.getvalue() and "loss 1.5" in out.getvalue()
    True
    """

    def __init__(self, total: int, label: str, *, unit: str = "steps", stream=None,
                 enabled: bool | None = None):
        self.total, self.label, self.unit = max(1, int(total)), label, unit
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            try:
                enabled = bool(self.stream.isatty())
            except (AttributeError, ValueError):
                enabled = False
        self.enabled = enabled
        self.start = time.perf_counter()
        self.done = 0

    def update(self, done: int, extra: str = "") -> None:
        """Redraw the line with ``done`` units finished and an ``extra`` note."""
        self.done = int(done)
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        width = 20
        fill = int(width * min(1.0, self.done / self.total))
        line = (f"\r{self.label} [{'#' * fill}{'-' * (width - fill)}] {self.done}/{self.total}"
                f"  {rate:.1f} {self.unit}/s  ETA {_clock(eta)}  {extra}")
        try:
            self.stream.write(line.ljust(100))
            self.stream.flush()
        except (OSError, ValueError, UnicodeEncodeError):
            self.enabled = False

    def close(self) -> None:
        """End the line (a newline) when anything was drawn."""
        if self.enabled:
            try:
                self.stream.write("\n")
                self.stream.flush()
            except (OSError, ValueError):
                pass
