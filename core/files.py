"""Files private by default: everything netintel writes is for its own OS account only.

``NETINTEL_HOME`` holds the Neo4j store (whose transaction logs contain names, phone numbers and
restricted-unit names in clear), the user store, the audit log, rejects files (raw rejected rows) and
logs.  Every folder there is 0700 and every file 0600 (the owner's execute bit is kept):

* :func:`private_umask` — the process umask ``077`` (set by the CLI, ``netintel serve`` and for the
  Neo4j child process), so whatever is created later is private too;
* :func:`private_dir` / :func:`open_private` — create one folder / file private whatever the umask;
* :func:`harden_tree` — the chmod pass over an existing tree (``netintel neo4j start`` runs it on the
  home before Neo4j starts; stores made by older versions were 0644 in 0755 folders);
* :func:`unsafe_modes` — what is still readable or writable by others (startup refuses to run in
  production while the list is not empty).

Pure standard library; no netintel imports (``ingest``, ``graph``, ``api`` and ``cli`` all use it).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["PRIVATE_UMASK", "private_umask", "set_private_umask", "private_dir", "open_private", "harden_tree",
           "unsafe_modes", "is_inside"]

#: group and others get nothing
PRIVATE_UMASK = 0o077


def set_private_umask() -> int:
    """Set the process umask to 077; return the previous one."""
    return os.umask(PRIVATE_UMASK)


@contextmanager
def private_umask() -> Iterator[None]:
    """Umask 077 inside the block (restored after)."""
    old = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(old)


def private_dir(path: Path | str) -> Path:
    """Create ``path`` (and missing parents) as 0700 folders; an existing ``path`` is chmod 0700."""
    p = Path(path)
    missing = []
    q = p
    while not q.exists():
        missing.append(q)
        if q.parent == q:
            break
        q = q.parent
    p.mkdir(parents=True, exist_ok=True)
    for d in [*missing, p]:
        os.chmod(d, 0o700)
    return p


def open_private(path: Path | str, mode: str = "w", *, encoding: str | None = "utf-8", **kwargs: Any) -> IO[Any]:
    """Open ``path`` for writing as a 0600 file (created so, or chmod-ed when it exists) in a 0700
    folder made if missing.  ``mode`` is ``"w"``, ``"a"``, ``"wb"`` or ``"ab"``."""
    if mode not in ("w", "a", "wb", "ab"):
        raise ValueError(f"open_private writes only (mode {mode!r})")
    p = Path(path)
    if not p.parent.exists():
        private_dir(p.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    fd = os.open(p, flags, 0o600)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, 0o600)  # only when needed: an append-only (chattr +a) file refuses chmod
        if "b" in mode:
            return os.fdopen(fd, mode, **kwargs)
        return os.fdopen(fd, mode, encoding=encoding, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def _walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """``root`` and everything below it (symlinks are reported, not followed)."""
    try:
        st = root.lstat()
    except FileNotFoundError:
        return
    yield root, st
    if not stat.S_ISDIR(st.st_mode):
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in (*dirnames, *filenames):
            p = Path(dirpath) / name
            try:
                yield p, p.lstat()
            except FileNotFoundError:  # removed meanwhile (a Neo4j temp file)
                continue


def harden_tree(root: Path | str) -> int:
    """chmod ``root`` and everything below it: folders 0700, files their mode without group/other
    bits (0600, or 0700 for an executable).  Symlinks are left alone.  Returns how many changed."""
    changed = 0
    for p, st in _walk(Path(root)):
        if stat.S_ISLNK(st.st_mode) or st.st_uid != os.geteuid():
            continue
        mode = stat.S_IMODE(st.st_mode)
        want = 0o700 if stat.S_ISDIR(st.st_mode) else (mode & 0o700) | 0o600
        if mode != want:
            try:
                os.chmod(p, want)
                changed += 1
            except FileNotFoundError:
                continue
    return changed


def unsafe_modes(root: Path | str, limit: int = 20) -> list[str]:
    """Problems that make ``root`` readable or writable by other accounts: entries with group/other
    permission bits, owned by another user, or symlinks leading out of ``root``; at most ``limit``."""
    root = Path(root)
    out: list[str] = []
    real_root = Path(os.path.realpath(root))
    me = os.geteuid()
    for p, st in _walk(root):
        if stat.S_ISLNK(st.st_mode):
            if not is_inside(Path(os.path.realpath(p)), real_root):
                out.append(f"{p} is a symlink out of {root}")
        else:
            mode = stat.S_IMODE(st.st_mode)
            if mode & 0o077:
                out.append(f"{p} has mode {mode:04o} (group/other may access it)")
            elif st.st_uid != me:
                out.append(f"{p} is owned by uid {st.st_uid}, not by this account ({me})")
        if len(out) >= limit:
            out.append("… (more)")
            break
    return out


def is_inside(path: Path, root: Path) -> bool:
    """True when ``path`` is ``root`` or below it (both should be resolved real paths)."""
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True
