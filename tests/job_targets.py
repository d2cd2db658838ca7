"""Job targets for tests of :mod:`views.jobs` (importable in a job process)."""

from __future__ import annotations

import time
from collections.abc import Callable


def sleep(seconds: float, *, progress: Callable[[float], None] | None = None) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.05)
    return "slept"


def fail(*, progress: Callable[[float], None] | None = None) -> None:
    raise RuntimeError("boom")
