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

import base64
import builtins
import datetime as dt
import hashlib
import hmac
import os
import secrets
import sqlite3
import stat
import threading
import time
from collections import OrderedDict, deque
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
    "UnknownToken",
    "User",
    "UserStore",
    "hash_password",
    "verify_password",
    "create_access_token",
    "decode_access_token",
    "TOKEN_PREFIX",
    "LoginLimiter",
    "TOKEN_SCOPES",
    "ApiToken",
    "csrf_token_for",
    "new_session_id",
    "home_problems",
]

ROLES: tuple[str, ...] = ("viewer", "investigator", "analyst", "admin")
TOKEN_PREFIX = "nit_"
#: scopes of an API token: ``read-only`` (no state-changing request) or a role that caps the user's
TOKEN_SCOPES: tuple[str, ...] = ("read-only", *ROLES)
_MAX_TOKEN_DAYS = 365
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


class UnknownToken(NotFound):
    """No such API token (or not one of the caller's)."""


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
    request_threads: int = 40
    switch_interval_ms: float = 5.0
    hub_degree: int = 50
    unauth_audit_per_minute: int = 60
    proxy_headers: bool = False
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    import_dir: Path | None = None
    audit_key_file: Path | None = None
    audit_anchor: Path | None = None

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def imports(self) -> Path:
        """The only folder admin ingest loads from (``NETINTEL_IMPORT_DIR``, default ``home/import``)."""
        return self.import_dir if self.import_dir is not None else self.home / "import"

    @property
    def audit_key_path(self) -> Path:
        """The audit checkpoint key: ``NETINTEL_AUDIT_KEY_FILE``, default beside (not inside) the home."""
        return self.audit_key_file if self.audit_key_file is not None else _sibling(self.home, ".audit-key")

    @property
    def audit_anchor_path(self) -> Path:
        """The append-only checkpoint file: ``NETINTEL_AUDIT_ANCHOR``, default beside (not inside) the home."""
        return self.audit_anchor if self.audit_anchor is not None else _sibling(self.home, ".audit-anchor")

    @property
    def users_db(self) -> Path:
        return self.home / "users.sqlite"

    @property
    def audit_db(self) -> Path:
        return self.home / "audit.sqlite"

    @property
    def admin_password_file(self) -> Path:
        return self.home / "admin-password"


def _sibling(home: Path, suffix: str) -> Path:
    h = Path(home).expanduser().absolute()
    return h.with_name(h.name + suffix)


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
    problems += home_problems(home, (s.audit_key_file or _sibling(home, ".audit-key"),
                                     s.audit_anchor or _sibling(home, ".audit-anchor")))
    return ApiSettings(home=home, env=s.env, secret_key=key, secret_from_env=from_env,
                       token_minutes=s.token_minutes, problems=tuple(problems),
                       max_body_bytes=int(s.max_body_bytes), max_query_chars=s.max_query_chars,
                       query_timeout=s.query_timeout, db_retry_seconds=s.db_retry_seconds,
                       login_attempts=s.login_attempts, login_window_seconds=s.login_window_seconds,
                       cache_entries=s.cache_entries, budget_seconds=s.budget_seconds,
                       job_workers=s.job_workers, request_threads=s.request_threads,
                       switch_interval_ms=s.switch_interval_ms, hub_degree=s.hub_degree,
                       unauth_audit_per_minute=s.unauth_audit_per_minute, proxy_headers=s.proxy_headers,
                       trusted_proxies=s.trusted_proxies, import_dir=s.import_dir,
                       audit_key_file=s.audit_key_file, audit_anchor=s.audit_anchor)


def home_problems(home: Path, audit_files: Iterable[Path] = ()) -> list[str]:
    """Why ``home`` is not private (modes, owners, symlinks out: :func:`core.files.unsafe_modes`), and
    audit key/anchor files kept inside it (where whoever can rewrite the log can rewrite them too)."""
    from core.files import is_inside, unsafe_modes

    out = [f"NETINTEL_HOME is not private: {p}; run `netintel neo4j start` (it fixes modes) or "
           f"chmod -R go= {home}" for p in unsafe_modes(home, limit=5)] if Path(home).exists() else []
    real_home = Path(os.path.realpath(home))
    for f in audit_files:
        if is_inside(Path(os.path.realpath(f)), real_home):
            out.append(f"{f} is inside NETINTEL_HOME: keep the audit key and anchor elsewhere "
                       "(NETINTEL_AUDIT_KEY_FILE, NETINTEL_AUDIT_ANCHOR)")
    return out


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
def new_session_id() -> str:
    """A random session id (the ``sid`` claim; the CSRF token is derived from it)."""
    return secrets.token_urlsafe(18)


def create_access_token(settings: ApiSettings, username: str, role: str, minutes: int | None = None,
                        password_changed_at: str | None = None, *, session_version: int = 0,
                        sid: str | None = None, started: float | None = None) -> str:
    """A signed HS256 JWT for ``username`` that expires after ``minutes``.

    ``password_changed_at`` (claim ``pwc``) ties the token to the current
    password and ``session_version`` (claim ``sv``) to the user's session
    version: a reset, a disable, an enable or a logout bumps the version and so
    ends every token issued before.  ``sid`` names the session (a renewed UI
    cookie keeps it, and the CSRF token with it); ``started`` (claim ``st``,
    epoch seconds) is when the session began.
    """
    import jwt

    now = dt.datetime.now(dt.UTC)
    claims = {"sub": username, "role": role, "iat": now, "nbf": now,
              "exp": now + dt.timedelta(minutes=minutes or settings.token_minutes), "typ": "access",
              "pwc": password_changed_at or "", "sv": int(session_version), "sid": sid or new_session_id(),
              "st": int(started if started is not None else now.timestamp())}
    return str(jwt.encode(claims, settings.secret_key, algorithm="HS256"))


def csrf_token_for(settings: ApiSettings, sid: str) -> str:
    """The CSRF token of session ``sid``: HMAC-SHA256 under the secret key (not guessable
    without the key, bound to the session, so a cookie tossed in from another site cannot
    bring its own token)."""
    mac = hmac.new(settings.secret_key.encode("utf-8"), b"csrf\0" + sid.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii").rstrip("=")


#: tokens whose signature was verified, with their claims: a client sends the same token with every
#: request, and verifying it again (PyJWT also probes an HMAC key for JSON each time) is a measurable share
#: of a request's CPU; expiry is checked on every use, revocation by the session version (per request)
_VERIFIED: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
_VERIFIED_MAX = 4096
_verified_lock = threading.Lock()


def decode_access_token(settings: ApiSettings, token: str) -> dict[str, Any] | None:
    """The claims of a valid, unexpired token, else None."""
    import jwt

    key = (settings.secret_key, token)
    with _verified_lock:
        hit = _VERIFIED.get(key)
        if hit is not None:
            _VERIFIED.move_to_end(key)
    if hit is not None:
        now = time.time()
        if float(hit["exp"]) > now and float(hit.get("nbf", 0)) <= now:
            return dict(hit)
        with _verified_lock:
            _VERIFIED.pop(key, None)
        return None
    try:
        claims = jwt.decode(token, settings.secret_key, algorithms=["HS256"],
                            options={"require": ["exp", "sub", "iat"]})
    except jwt.PyJWTError:
        return None
    if claims.get("typ") != "access":
        return None
    with _verified_lock:
        _VERIFIED[key] = dict(claims)
        while len(_VERIFIED) > _VERIFIED_MAX:
            _VERIFIED.popitem(last=False)
    return claims


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
    read_only: bool = False  # an API token of scope read-only
    token_id: str = ""  # the API token used (via api_token)
    session_id: str = ""  # the login session (via jwt / cookie)

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

#: columns added after the first release (ALTER TABLE on older stores)
_MIGRATIONS: dict[str, dict[str, str]] = {
    "users": {"units": "TEXT NOT NULL DEFAULT ''", "session_version": "INTEGER NOT NULL DEFAULT 0"},
    # tokens made before expiry existed expire at once (expires_at ''): they had no scope either
    "api_tokens": {"expires_at": "TEXT NOT NULL DEFAULT ''", "scope": "TEXT NOT NULL DEFAULT 'read-only'",
                   "revoked_at": "TEXT NOT NULL DEFAULT ''", "revoked_by": "TEXT NOT NULL DEFAULT ''",
                   "last_used_at": "TEXT NOT NULL DEFAULT ''"},
}


@dataclass(frozen=True)
class ApiToken:
    """What is known about an API token (never the token itself): ``id`` is a prefix of its digest."""

    id: str
    username: str
    name: str
    scope: str
    created_at: str
    expires_at: str
    revoked: bool
    revoked_at: str = ""
    revoked_by: str = ""
    last_used_at: str = ""

    @property
    def active(self) -> bool:
        return not self.revoked and bool(self.expires_at) and self.expires_at > _now()


def _effective_role(role: str, scope: str) -> str:
    """The role a token acts with: the user's, capped by a role scope."""
    if scope in ROLES and ROLES.index(scope) < ROLES.index(role):
        return scope
    return role


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
            for table, columns in _MIGRATIONS.items():
                have = {r[1] for r in c.execute(f"PRAGMA table_info({table})")}
                for col, decl in columns.items():
                    if col not in have:  # stores made before the column existed
                        c.execute(f"ALTER TABLE {table} ADD COLUMN {col} {decl}")
        if new:
            os.chmod(self.path, 0o600)
        self._readers = threading.local()

    def _read_one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """One row of a read asked with every request (the session check): on a connection kept
        open per thread, not a new one each time; the statement is run to its end, so no read
        lock outlives the call."""
        c = getattr(self._readers, "conn", None)
        if c is None:
            c = self._readers.conn = sqlite3.connect(self.path, timeout=30)
        rows = c.execute(sql, params).fetchall()
        return tuple(rows[0]) if rows else None

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

    def set_disabled(self, username: str, disabled: bool = True, by: str = "") -> None:
        """Disable (or enable) a user.  Both end every session of the user (session version + 1);
        disabling also revokes all their API tokens, so enabling again revives nothing."""
        with self._conn() as c:
            n = c.execute("UPDATE users SET disabled = ?, session_version = session_version + 1 "
                          "WHERE username = ?", (int(disabled), username)).rowcount
            if disabled:
                self._revoke_all(c, username, by or "disable")
        if not n:
            raise UnknownUser(f"no user {username!r}")

    @staticmethod
    def _revoke_all(c: sqlite3.Connection, username: str, by: str) -> int:
        return int(c.execute("UPDATE api_tokens SET revoked = 1, revoked_at = ?, revoked_by = ? "
                             "WHERE username = ? AND revoked = 0", (_now(), by, username)).rowcount)

    def end_sessions(self, username: str) -> None:
        """End every login session (UI cookie, login JWT) of ``username``: logout."""
        with self._conn() as c:
            if not c.execute("UPDATE users SET session_version = session_version + 1 WHERE username = ?",
                             (username,)).rowcount:
                raise UnknownUser(f"no user {username!r}")

    def session_state(self, username: str) -> tuple[User, str, int] | None:
        """``(user, password_changed_at, session_version)`` in one read, or None."""
        r = self._read_one("SELECT username, role, disabled, created_at, units, password_changed_at, "
                           "session_version FROM users WHERE username = ?", (username,))
        if r is None:
            return None
        return User(r[0], r[1], bool(r[2]), r[3], units=_units(r[4])), r[5], int(r[6])

    def session_version(self, username: str) -> int:
        st = self.session_state(username)
        if st is None:
            raise UnknownUser(f"no user {username!r}")
        return st[2]

    def set_role(self, username: str, role: str) -> None:
        self._check(username, role, None)
        with self._conn() as c:
            if not c.execute("UPDATE users SET role = ? WHERE username = ?", (role, username)).rowcount:
                raise UnknownUser(f"no user {username!r}")

    def reset_password(self, username: str, password: str, by: str = "") -> None:
        """Set a new password: ends every session and revokes every API token of the user."""
        self._check(username, None, password)
        with self._conn() as c:
            n = c.execute("UPDATE users SET password_hash = ?, password_changed_at = ?, "
                          "session_version = session_version + 1 WHERE username = ?",
                          (hash_password(password), _now(), username)).rowcount
            if n:
                self._revoke_all(c, username, by or "password reset")
        if not n:
            raise UnknownUser(f"no user {username!r}")

    def password_changed_at(self, username: str) -> str | None:
        with self._conn() as c:
            r = c.execute("SELECT password_changed_at FROM users WHERE username = ?", (username,)).fetchone()
        return r[0] if r else None

    # API tokens for scripts
    def create_token(self, username: str, name: str = "script", *, days: int = 90,
                     scope: str = "read-only") -> tuple[str, ApiToken]:
        """A new API token (returned once; only its SHA-256 digest is kept) that expires after
        ``days`` (1–365) and acts with ``scope``: ``read-only`` (GET only, the user's role) or a
        role that caps the user's (``analyst`` for an admin's analysis script)."""
        if self.get(username) is None:
            raise UnknownUser(f"no user {username!r}")
        if scope not in TOKEN_SCOPES:
            raise InvalidInput(f"scope must be one of {', '.join(TOKEN_SCOPES)}")
        if not 1 <= days <= _MAX_TOKEN_DAYS:
            raise InvalidInput(f"days must be 1–{_MAX_TOKEN_DAYS}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = dt.datetime.now(dt.UTC)
        created = now.isoformat(timespec="microseconds")
        expires = (now + dt.timedelta(days=days)).isoformat(timespec="microseconds")
        digest = _digest(token)
        with self._conn() as c:
            c.execute("INSERT INTO api_tokens (digest, username, name, created_at, revoked, expires_at, scope) "
                      "VALUES (?, ?, ?, ?, 0, ?, ?)", (digest, username, name[:80], created, expires, scope))
        return token, ApiToken(digest[:16], username, name[:80], scope, created, expires, False)

    def user_for_token(self, token: str) -> User | None:
        """The user an unexpired, unrevoked token of an enabled user acts as (role capped by its scope)."""
        digest = _digest(token)
        now = _now()
        with self._conn() as c:
            r = c.execute(
                "SELECT u.username, u.role, u.disabled, u.created_at, u.units, t.scope, t.expires_at, t.last_used_at "
                "FROM api_tokens t JOIN users u ON u.username = t.username WHERE t.digest = ? AND t.revoked = 0",
                (digest,)).fetchone()
            if r is None or r[2] or not r[6] or r[6] <= now:
                return None
            if r[7][:16] != now[:16]:  # last use, to the minute (one write a minute per token at most)
                c.execute("UPDATE api_tokens SET last_used_at = ? WHERE digest = ?", (now, digest))
        scope = r[5]
        return User(r[0], _effective_role(r[1], scope), False, r[3], via="api_token", units=_units(r[4]),
                    read_only=scope == "read-only", token_id=digest[:16])

    def list_tokens(self, username: str | None = None) -> builtins.list[ApiToken]:
        """API tokens (of ``username``, or all), newest first."""
        with self._conn() as c:
            rows = c.execute("SELECT digest, username, name, scope, created_at, expires_at, revoked, revoked_at, "
                             "revoked_by, last_used_at FROM api_tokens WHERE (? IS NULL OR username = ?) "
                             "ORDER BY created_at DESC", (username, username)).fetchall()
        return [ApiToken(r[0][:16], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], r[9]) for r in rows]

    def revoke_token(self, token_id: str, *, by: str, owner: str | None = None) -> ApiToken:
        """Revoke one token by its id; with ``owner``, only a token of that user (else :class:`UnknownToken`)."""
        if not token_id or len(token_id) != 16 or not all(ch in "0123456789abcdef" for ch in token_id):
            raise UnknownToken(f"no API token {token_id!r}")
        with self._conn() as c:
            rows = c.execute("SELECT digest, username FROM api_tokens WHERE substr(digest, 1, 16) = ?",
                             (token_id,)).fetchall()
            if len(rows) != 1 or (owner is not None and rows[0][1] != owner):
                raise UnknownToken(f"no API token {token_id!r}")
            c.execute("UPDATE api_tokens SET revoked = 1, revoked_at = ?, revoked_by = ? "
                      "WHERE digest = ? AND revoked = 0", (_now(), by, rows[0][0]))
        return next(t for t in self.list_tokens(rows[0][1]) if t.id == token_id)

    def revoke_tokens(self, username: str, by: str = "") -> int:
        """Revoke every API token of ``username``; the number revoked."""
        with self._conn() as c:
            return self._revoke_all(c, username, by or "revoke all")


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
