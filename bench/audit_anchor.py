"""Cost of audit anchoring: ``AuditLog.record`` latency with and without the per-entry checkpoint.

Each entry is one SQLite transaction (synchronous=FULL, WAL); anchoring adds one append + fsync of
the anchor file inside it.  Run: ``.venv/bin/python bench/audit_anchor.py [entries]`` (no Neo4j needed);
the two modes alternate twice, as the machine's other load makes single runs noisy.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# bench/api.py would shadow the api package when this file runs as a script
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]


def _audit_log(path: Path) -> Any:
    from api.audit import AuditLog

    return AuditLog(path)


def run(anchor: bool, n: int) -> tuple[float, float]:
    """(median, p95) milliseconds per ``record`` over ``n`` entries."""
    with tempfile.TemporaryDirectory() as tmp:
        log = _audit_log(Path(tmp) / "home" / "audit.sqlite")
        if not anchor:
            log._checkpoint = lambda *a, **k: None
        ts = []
        for i in range(n):
            t = time.perf_counter()
            log.record("u", "read_personal", f"P{i}", {"i": i}, "192.0.2.1")
            ts.append(time.perf_counter() - t)
        ts.sort()
        return statistics.median(ts) * 1000, ts[int(0.95 * (n - 1))] * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    for anchor in (False, True, False, True):
        med, p95 = run(anchor, n)
        print(f"{'anchored  ' if anchor else 'chain only'}  {n} entries: median {med:.2f} ms, p95 {p95:.2f} ms")


if __name__ == "__main__":
    main()
