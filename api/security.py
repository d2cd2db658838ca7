"""Users, passwords, tokens and roles.

Users live in SQLite (``NETINTEL_HOME/users.sqlite``), not in Neo4j: the
graph is cleared and reloaded (``netintel db clear``, tests) and is read
broadly by the analytics, while credentials must survive reloads and never
come back from a graph query.  Passwords are hashed with Argon2id
(``argon2-cffi``).  Interactive logins get a short-lived HS256 JWT (OAuth2
password flow); scripts use long-lived API tokens (``nit_…``) of which only a
SHA-256 digest is stored.

Roles are cumulative levels::

    viewer < investigator < analyst < admin

* viewer: aggregates and route maps only, no personal data;
* investigator: + entities, searches, networks, brokers;
* analyst: + money trails, typologies, entity resolution;
* admin: + users, ingest, audit log.

Settings
--------
Every setting (``NETINTEL_ENV``, ``NETINTEL_SECRET_KEY``,
``NETINTEL_TOKEN_MINUTES``, ``NETINTEL_MAX_BODY_BYTES``,
``NETINTEL_QUERY_TIMEOUT``, ``NETINTEL_DB_RETRY_SECONDS``,
``NETINTEL_LOGIN_ATTEMPTS``, ...) is declared once, typed and validated, in
:class:`graph.settings.Settings`; :class:`ApiSettings` is the API's view of
it, made by :func:`get_api_settings`.  Outside development the app refuses
to start with unsafe settings (see :func:`check_settings`).  Without
``NETINTEL_SECRET_KEY`` a random key is generated once into
``NETINTEL_HOME/secret_key`` (mode 0600).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import sqlite3
import stat
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ConfigError, Conflict, InvalidInput, NotFound

__all__ = [
    "ROLES",
    "role_allows",
    "ApiSettings",
    "get_api_settings",
    "check_settings",
    "UnsafeSettings",
    "UnknownUser",
    "UserExists",
    "User",
    "UserStore",
    "hash_password",
    "verify_password",
    "create_access_token",
    "decode_access_token",
    "TOKEN_PREFIX",
    "LoginLimiter",
]

ROLES: tuple[str, ...] = ("viewer", "investigator", "analyst", "admin")
TOKEN_PREFIX = "nit_"
_WEAK_SECRETS = {"secret", "changeme", "change-me", "changethis", "password", "netintel", "development", "dev"}
_MIN_SECRET = 32
_MIN_PASSWORD = 12


def role_allows(role: str, needed: str) -> bool:
    """True when ``role`` is at least ``needed`` in the role order."""
    if role not in ROLES or needed not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


class UnsafeSettings(ConfigError):
    """Settings that must not be used outside development."""


class UnknownUser(NotFound, KeyError):
    """No such user (a :class:`KeyError` too, as callers have always caught)."""

    def __str__(self) -> str:  # not KeyError's quoted repr
        return self.message


class UserExists(Conflict, ValueError):
    """A user of that name exists already (a :class:`ValueError` too, as callers have always caught)."""


@dataclass(frozen=True)
class ApiSettings:
    """The API's view of :class:`graph.settings.Settings` (made by :func:`get_api_settings`).

    Tests may build one directly; the defaults are those of ``Settings``.
    """

    home: Path
    env: str = "production"
    secret_key: str = field(default="", repr=False)
    secret_from_env: bool = False
    token_minutes: int = 15
    problems: tuple[str, ...] = field(default=())
    max_body_bytes: int = 1 << 20
    max_query_chars: int = 8192
    query_timeout: float = 30.0
    db_retry_seconds: float = 5.0
    login_attempts: int = 5
    login_window_seconds: float = 300.0
    cache_entries: int = 256
    budget_seconds: float = 10.0
    job_workers: int = 1
    hub_degree: int = 50

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def users_db(self) -> Path:
        return self.home / "users.sqlite"

    @property
    def audit_db(self) -> Path:
        return self.home / "audit.sqlite"

    @property
    def admin_password_file(self) -> Path:
        return self.home / "admin-password"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def _load_or_create_secret(home: Path) -> tuple[str, list[str]]:
    path = home / "secret_key"
    problems: list[str] = []
    if not path.exists():
        try:
            _write_private(path, secrets.token_urlsafe(48))
        except FileExistsError:  # another process won the race
            pass
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        problems.append(f"{path} is readable by others (mode {mode:o}); chmod 600 it")
    return path.read_text(encoding="utf-8").strip(), problems


def get_api_settings(home: Path | None = None) -> ApiSettings:
    """The API's settings, derived from :func:`graph.settings.get_settings` (``home`` overrides
    ``NETINTEL_HOME``).  Invalid values raise :class:`core.errors.ConfigError`; values that are
    valid but unsafe outside development are listed in ``problems`` (see :func:`check_settings`)."""
    from graph.settings import get_settings

    s = get_settings()
    home = Path(home) if home is not None else s.home
    problems: list[str] = []
    from_env = s.secret_key is not None
    if s.secret_key is not None:
        key = s.secret_key.get_secret_value()
        if len(key) < _MIN_SECRET or key.lower() in _WEAK_SECRETS:
            problems.append(f"NETINTEL_SECRET_KEY is weak (needs ≥ {_MIN_SECRET} random characters)")
    else:
        key, more = _load_or_create_secret(home)
        problems += more
    if s.token_minutes > 60:
        problems.append(f"NETINTEL_TOKEN_MINUTES={s.token_minutes}: login tokens must live 1–60 minutes")
    return ApiSettings(home=home, env=s.env, secret_key=key, secret_from_env=from_env,
                       token_minutes=s.token_minutes, problems=tuple(problems),
                       max_body_bytes=int(s.max_body_bytes), max_query_chars=s.max_query_chars,
                       query_timeout=s.query_timeout, db_retry_seconds=s.db_retry_seconds,
                       login_attempts=s.login_attempts, login_window_seconds=s.login_window_seconds,
                       cache_entries=s.cache_entries, budget_seconds=s.budget_seconds,
                       job_workers=s.job_workers, hub_degree=s.hub_degree)


def check_settings(settings: ApiSettings) -> None:
    """Raise :class:`UnsafeSettings` when unsafe settings are used outside development."""
    if settings.problems and not settings.development:
        raise UnsafeSettings("refusing to start with unsafe settings: " + "; ".join(settings.problems))


# ------------------------------------------------------------- passwords
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()  # Argon2id, library defaults (RFC 9106 low-memory profile)


def hash_password(password: str) -> str:
    """Argon2id hash of a password."""
    return str(_hasher().hash(password))


def verify_password(stored: str, password: str) -> bool:
    """Check a password against its stored Argon2 hash (constant-time inside argon2)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


# ---------------------------------------------------------------- tokens
def create_access_token(settings: ApiSettings, username: str, role: str, minutes: int | None = None,
                        password_changed_at: str | None = None) -> str:
    """A signed HS256 JWT for ``username`` that expires after ``minutes``.

    ``password_changed_at`` (claim ``pwc``) ties the token to the current
    password: a reset invalidates every token issued before it.
    """
    import jwt

    now = dt.datetime.now(dt.UTC)
    claims = {"sub": username, "role": role, "iat": now, "nbf": now,
              "exp": now + dt.timedelta(minutes=minutes or settings.token_minutes), "typ": "access",
              "pwc": password_changed_at or ""}
    return str(jwt.encode(claims, settings.secret_key, algorithm="HS256"))


def decode_access_token(settings: ApiSettings, token: str) -> dict[str, Any] | None:
    """The claims of a valid, unexpired token, else None."""
    import jwt

    try:
        claims = jwt.decode(token, settings.secret_key, algorithms=["HS256"],
                            options={"require": ["exp", "sub", "iat"]})
    except jwt.PyJWTError:
        return None
    return claims if claims.get("typ") == "access" else None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------- users
@dataclass(frozen=True)
class User:
    username: str
    role: str
    disabled: bool = False
    created_at: str = ""
    via: str = "password"  # password | jwt | api_token | cookie
    units: tuple[str, ...] = ()

    @property
    def principals(self) -> tuple[str, ...]:
        """The names a case's ``restricted_to`` may give to let this user in."""
        return (self.username, *self.units)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    password_changed_at TEXT NOT NULL,
    units TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS api_tokens (
    digest TEXT PRIMARY KEY,
    username TEXT NOT NULL REFERENCES users(username),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);
"""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class UserStore:
    """Users and API tokens in a SQLite file (one short connection per call, thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        with self._conn() as c:
            c.executescript(_SCHEMA)
            cols = {r[1] for r in c.execute("PRAGMA table_info(users)")}
            if "units" not in cols:  # stores made before units existed
                c.execute("ALTER TABLE users ADD COLUMN units TEXT NOT NULL DEFAULT ''")
        if new:
            os.chmod(self.path, 0o600)

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        c = sqlite3.connect(self.path, timeout=30)
        try:
            with c:
                yield c
        finally:
            c.close()

    @staticmethod
    def _check(username: str, role: str | None, password: str | None) -> None:
        if not username or not username.replace("_", "").replace("-", "").replace(".", "").isalnum() \
                or len(username) > 64:
            raise InvalidInput("username: 1–64 letters, digits, '.', '_' or '-'")
        if role is not None and role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}")
        if password is not None and len(password) < _MIN_PASSWORD:
            raise InvalidInput(f"password must have at least {_MIN_PASSWORD} characters")

    def add(self, username: str, password: str, role: str) -> User:
        self._check(username, role, password)
        now = _now()
        try:
            with self._conn() as c:
                c.execute("INSERT INTO users (username, password_hash, role, disabled, created_at, "
                          "password_changed_at) VALUES (?, ?, ?, 0, ?, ?)",
                          (username, hash_password(password), role, now, now))
        except sqlite3.IntegrityError:
            raise UserExists(f"user {username!r} already exists") from None
        return User(username, role, False, now)

    def get(self, username: str) -> User | None:
        with self._conn() as c:
            r = c.execute("SELECT username, role, disabled, created_at, units FROM users WHERE username = ?",
                          (username,)).fetchone()
        return User(r[0], r[1], bool(r[2]), r[3], units=_units(r[4])) if r else None

    def list(self) -> list[User]:
        with self._conn() as c:
            rows = c.execute("SELECT username, role, disabled, created_at, units FROM users "
                             "ORDER BY username").fetchall()
        return [User(r[0], r[1], bool(r[2]), r[3], units=_units(r[4])) for r in rows]

    def set_units(self, username: str, units: Iterable[str]) -> None:
        """The units (teams, agencies) a user belongs to; a case restricted to a unit is visible to its members."""
        clean = sorted({u.strip() for u in units if u.strip()})
        for u in clean:
            self._check(u, None, None)
        with self._conn() as c:
            n = c.execute("UPDATE users SET units = ? WHERE username = ?", (",".join(clean), username)).rowcount
        if not n:
            raise UnknownUser(f"no user {username!r}")

    def authenticate(self, username: str, password: str) -> User | None:
        with self._conn() as c:
            r = c.execute("SELECT password_hash, role, disabled, created_at, units FROM users WHERE username = ?",
                          (username,)).fetchone()
        if r is None:
            verify_password(_DUMMY_HASH(), password)  # same work whether or not the user exists
            return None
        if not verify_password(r[0], password) or r[2]:
            return None
        return User(username, r[1], False, r[3], units=_units(r[4]))

    def set_disabled(self, username: str, disabled: bool = True) -> None:
        with self._conn() as c:
            n = c.execute("UPDATE users SET disabled = ? WHERE username = ?", (int(disabled), username)).rowcount
            if disabled:
                c.execute("UPDATE api_tokens SET revoked = 1 WHERE username = ?", (username,))
        if not n:
            raise UnknownUser(f"no user {username!r}")

    def set_role(self, username: str, role: str) -> None:
        self._check(username, role, None)
        with self._conn() as c:
            if not c.execute("UPDATE users SET role = ? WHERE username = ?", (role, username)).rowcount:
                raise UnknownUser(f"no user {username!r}")

    def reset_password(self, username: str, password: str) -> None:
        self._check(username, None, password)
        with self._conn() as c:
            n = c.execute("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE username = ?",
                          (hash_password(password), _now(), username)).rowcount
        if not n:
            raise UnknownUser(f"no user {username!r}")

    def password_changed_at(self, username: str) -> str | None:
        with self._conn() as c:
            r = c.execute("SELECT password_changed_at FROM users WHERE username = ?", (username,)).fetchone()
        return r[0] if r else None

    # API tokens for scripts
    def create_token(self, username: str, name: str = "script") -> str:
        if self.get(username) is None:
            raise UnknownUser(f"no user {username!r}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._conn() as c:
            c.execute("INSERT INTO api_tokens VALUES (?, ?, ?, ?, 0)", (_digest(token), username, name[:80], _now()))
        return token

    def user_for_token(self, token: str) -> User | None:
        with self._conn() as c:
            r = c.execute(
                "SELECT u.username, u.role, u.disabled, u.created_at, u.units FROM api_tokens t JOIN users u "
                "ON u.username = t.username WHERE t.digest = ? AND t.revoked = 0", (_digest(token),)).fetchone()
        if r is None or r[2]:
            return None
        return User(r[0], r[1], False, r[3], via="api_token", units=_units(r[4]))

    def revoke_tokens(self, username: str) -> int:
        with self._conn() as c:
            return c.execute("UPDATE api_tokens SET revoked = 1 WHERE username = ?", (username,)).rowcount


_dummy: list[str] = []


def _DUMMY_HASH() -> str:  # noqa: N802 - lazily computed constant
    if not _dummy:
        _dummy.append(hash_password(secrets.token_hex(16)))
    return _dummy[0]


def _units(raw: str | None) -> tuple[str, ...]:
    return tuple(u for u in (raw or "").split(",") if u)


class LoginLimiter:
    """Failed-login throttle, in memory (one API process).

    After ``attempts`` failures for one user name from one client address, or
    ``4 × attempts`` failures from one address for any names, within
    ``window`` seconds, :meth:`retry_after` is positive until the oldest of
    those failures leaves the window.  A success clears the user name's
    failures from that address.
    """

    def __init__(self, attempts: int = 5, window: float = 300.0) -> None:
        self.attempts, self.window = attempts, window
        self._fail: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _prune(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._fail.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, username: str, client: str) -> float:
        """Seconds until a new attempt is allowed (0: allowed now)."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for key, limit in (((username.lower(), client), self.attempts), (("", client), 4 * self.attempts)):
                q = self._prune(key, now)
                if len(q) >= limit:
                    waits.append(q[-limit] + self.window - now)
            return max(waits, default=0.0)

    def failed(self, username: str, client: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._prune((username.lower(), client), now).append(now)
            self._prune(("", client), now).append(now)
            if len(self._fail) > 100_000:  # bounded memory under a spraying attack
                self._fail = {k: v for k, v in self._fail.items() if v and v[-1] > now - self.window}

    def succeeded(self, username: str, client: str) -> None:
        with self._lock:
            self._fail.pop((username.lower(), client), None)
