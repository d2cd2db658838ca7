"""Heavy work off the request path: bounded waits, jobs, progress, cancel.

A view whose work may exceed its time budget calls :func:`run_bounded`: the
work runs in a separate **process** (so it never holds the server's GIL or
starves other requests; ``nice`` 10, so interactive requests win the CPU) and
the caller waits at most the budget.  Finished in time: the result is
returned (and cached by the caller).  Not finished: :class:`JobAccepted` is
raised, which the API answers with ``202`` and the job's URL; the job then
reports progress, its result when done, and can be cancelled (the process
is killed).  Work stops when its client goes away: a running job that
nobody has asked about for ``abandon_seconds`` is cancelled.

Jobs belong to the user that started them (nobody else can read or cancel
them) and are kept ``keep_seconds`` after they end.  The same work asked
for twice while it runs (same key) shares one job.
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.errors import NetintelError, NotFound

__all__ = ["Job", "JobAccepted", "JobFailed", "JobManager", "jobs", "run_bounded", "configure"]

_PRELOAD = ["pandas", "networkx", "analytics.keyplayers", "analytics.brokers", "analytics.communities"]


class JobAccepted(NetintelError):
    """The work became a job: ``job`` says where to follow it (the API answers 202)."""

    status, code = 202, "accepted"

    def __init__(self, job: Job) -> None:
        super().__init__(f"{job.kind} takes longer than a request may: follow the job at {job.url}",
                         {"job": job.public()})
        self.job = job


class JobFailed(NetintelError):
    status, code = 500, "job_failed"


@dataclass
class Job:
    id: str
    owner: str
    kind: str
    key: Any
    params: dict[str, Any]
    status: str = "queued"  # queued, running, done, failed, cancelled
    progress: float = 0.0
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None
    result: Any = None
    last_seen: float = field(default_factory=time.monotonic)
    #: the request that started the job: asked again once the job is done, it answers at once (cached)
    request_url: str | None = None
    _proc: Any = None
    _on_result: Any = None
    _done: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"/api/jobs/{self.id}"

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed", "cancelled")

    def public(self) -> dict[str, Any]:
        """What the owner may see of the job (no result: that comes from the job's result URL)."""

        def iso(t: float | None) -> str | None:
            return None if t is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

        return {"id": self.id, "kind": self.kind, "status": self.status, "progress": round(self.progress, 3),
                "params": self.params, "created_at": iso(self.created_at), "started_at": iso(self.started_at),
                "finished_at": iso(self.finished_at), "error": self.error, "url": self.url,
                "result_url": self.request_url if self.status == "done" else None}


def _child(conn: Any, target: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Runs in the job process: call ``module:function`` with a progress callback."""
    try:
        os.nice(10)
    except OSError:
        pass
    try:
        mod, _, name = target.partition(":")
        fn = getattr(importlib.import_module(mod), name)

        def progress(x: float) -> None:
            conn.send(("progress", float(x)))

        conn.send(("done", fn(*args, progress=progress, **kwargs)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it to the owner
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


class JobManager:
    """Runs jobs in worker processes, at most ``workers`` at a time."""

    def __init__(self, workers: int = 1, abandon_seconds: float = 60.0, keep_seconds: float = 900.0) -> None:
        self.workers = max(1, int(workers))
        self.abandon_seconds = abandon_seconds
        self.keep_seconds = keep_seconds
        self._jobs: dict[str, Job] = {}
        self._by_key: dict[Any, str] = {}
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(self.workers)
        self._ctx: Any = None

    def _context(self) -> Any:
        if self._ctx is None:
            ctx = mp.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            self._ctx = ctx
        return self._ctx

    # ------------------------------------------------------------ submit
    def submit(self, owner: str, kind: str, key: Any, target: str, args: tuple[Any, ...] = (),
               kwargs: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
               on_result: Callable[[Any], None] | None = None) -> Job:
        """Start ``target`` (``"module:function"``, which takes ``progress=``) as a job,
        or return the running job of the same owner and key."""
        self._sweep()
        with self._lock:
            jid = self._by_key.get((owner, key))
            if jid is not None:
                job = self._jobs.get(jid)
                if job is not None and job.status in ("queued", "running", "done"):
                    job.last_seen = time.monotonic()
                    return job
            job = Job(uuid.uuid4().hex[:16], owner, kind, key, params or {}, _on_result=on_result)
            self._jobs[job.id] = job
            self._by_key[(owner, key)] = job.id
        threading.Thread(target=self._run, args=(job, target, args, kwargs or {}), daemon=True,
                         name=f"job-{job.id}").start()
        return job

    def _run(self, job: Job, target: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        with self._slots:
            if job.status == "cancelled":
                job._done.set()
                return
            ctx = self._context()
            parent, child = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(child, target, args, kwargs), daemon=True)
            job._proc = proc
            job.status, job.started_at = "running", time.time()
            proc.start()
            child.close()
            try:
                while True:
                    if job.status == "cancelled":
                        break
                    if time.monotonic() - job.last_seen > self.abandon_seconds:
                        job.status, job.error = "cancelled", "nobody asked for the result any more"
                        break
                    if parent.poll(0.2):
                        try:
                            kind, value = parent.recv()
                        except EOFError:
                            if job.status == "running":
                                job.status, job.error = "failed", "the job process ended without a result"
                            break
                        if kind == "progress":
                            job.progress = max(job.progress, min(1.0, value))
                        elif kind == "done":
                            job.result, job.progress, job.status = value, 1.0, "done"
                            if job._on_result is not None:
                                job._on_result(value)  # e.g. cache it for the next identical request
                            break
                        else:
                            job.status, job.error = "failed", str(value)
                            break
                    elif not proc.is_alive() and not parent.poll(0):
                        job.status, job.error = "failed", f"the job process died (exit code {proc.exitcode})"
                        break
            finally:
                if proc.is_alive():
                    proc.kill()
                proc.join(5)
                parent.close()
                job.finished_at = time.time()
                job._done.set()

    # ------------------------------------------------------------ follow
    def get(self, job_id: str, owner: str) -> Job:
        """The job, for its owner only (anyone else: not found)."""
        self._sweep()
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or job.owner != owner:
            raise NotFound(f"no job {job_id!r}")
        job.last_seen = time.monotonic()
        return job

    def wait(self, job: Job, seconds: float | None) -> bool:
        """Wait up to ``seconds`` (None: until it ends) while keeping the job wanted; True when finished."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while True:
            job.last_seen = time.monotonic()
            left = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
            if left <= 0:
                return job.finished
            if job._done.wait(left):
                return True

    def cancel(self, job_id: str, owner: str) -> Job:
        job = self.get(job_id, owner)
        if not job.finished:
            job.status, job.error = "cancelled", "cancelled by its owner"
            proc = job._proc
            if proc is not None and proc.is_alive():
                proc.kill()
        return job

    def list(self, owner: str) -> list[Job]:
        self._sweep()
        with self._lock:
            return [j for j in self._jobs.values() if j.owner == owner]

    def _sweep(self) -> None:
        now = time.time()
        with self._lock:
            for jid, job in list(self._jobs.items()):
                if job.finished and job.finished_at is not None and now - job.finished_at > self.keep_seconds:
                    del self._jobs[jid]
                    if self._by_key.get((job.owner, job.key)) == jid:
                        del self._by_key[(job.owner, job.key)]


#: the process's job manager (sized by ``NETINTEL_JOB_WORKERS`` through :func:`configure`)
jobs = JobManager()


def configure(workers: int) -> None:
    global jobs
    if workers != jobs.workers:
        jobs = JobManager(workers, jobs.abandon_seconds, jobs.keep_seconds)


def run_bounded(owner: str, kind: str, key: Any, target: str, args: tuple[Any, ...] = (),
                kwargs: dict[str, Any] | None = None, *, budget: float | None,
                params: dict[str, Any] | None = None,
                on_result: Callable[[Any], None] | None = None) -> Any:
    """Run ``target`` as a job and wait for it at most ``budget`` seconds (None: no limit).

    ``on_result(result)`` is called when the work ends, in time or later (callers
    cache the result with it).  Returns the result when it ends in time; raises :class:`JobAccepted` when it does not, and
    :class:`JobFailed` when the work failed.
    """
    job = jobs.submit(owner, kind, key, target, args, kwargs, params, on_result)
    if not jobs.wait(job, budget):
        raise JobAccepted(job)
    if job.status != "done":
        raise JobFailed(f"{kind} failed: {job.error or job.status}", {"job": job.public()})
    return job.result
