"""Every setting of netintel, declared once.

:class:`Settings` (pydantic-settings) reads the environment and a ``.env``
file in the working directory (variables already set win).  Each field is
typed and validated; a bad value raises :class:`core.errors.ConfigError`
naming the variable, e.g. ``NETINTEL_BOLT_PORT='abc': ...``.  Secrets are
:class:`~pydantic.SecretStr` and never appear in a repr or an error.

Variable names: ``NETINTEL_`` + the field name in capitals (``bolt_port`` →
``NETINTEL_BOLT_PORT``), except where a field declares its own name
(``heap`` → ``NETINTEL_NEO4J_HEAP``, ``external_uri`` → ``NEO4J_URI``, ...);
:data:`ENV_NAMES` maps each field to its variable.

:func:`get_settings` returns the current settings, cached until a variable
(or the ``.env`` file, or the working directory) changes, so a test that
sets variables and calls it again gets fresh settings; ``refresh=True``
forces a re-read.  The API's view of these settings is
:class:`api.security.ApiSettings` (derived from this class).

The README's "Configuration" table is generated from the fields
(``python -m graph.settings`` rewrites it; ``tests/test_settings.py`` fails
when it is stale).
"""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import ByteSize, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from core.errors import ConfigError, StoreError

__all__ = ["Settings", "get_settings", "ENV_NAMES", "settings_table", "DEFAULT_NEO4J_VERSION"]

DEFAULT_NEO4J_VERSION = "5.26.30"
_PREFIX = "NETINTEL_"
_SECRETS = {"external_password", "secret_key"}
_MEMORY = re.compile(r"^\d+[kKmMgGtT]?$")  # what both neo4j.conf and the JVM's -Xmx accept
_URI = re.compile(r"^(neo4j|bolt)(\+s|\+ssc)?://\S+$")


class Settings(BaseSettings):
    """All settings of netintel (store, API, read path), from the environment or ``.env``."""

    model_config = SettingsConfigDict(
        env_prefix=_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
        validate_default=True,
        hide_input_in_errors=True,
    )

    # ------------------------------------------------------------ store
    home: Path = Field(
        Path(".netintel"),
        description="data directory: the managed Neo4j's config, store, logs and password; "
        "users, audit log and the generated secret key",
        json_schema_extra={"doc_default": "./.netintel"},
    )
    neo4j_version: str = Field(DEFAULT_NEO4J_VERSION, min_length=1,
                               description="Neo4j Community version installed from Maven Central (5.26 LTS line)")
    bolt_port: int = Field(7687, ge=1, le=65535, description="loopback Bolt port of the managed Neo4j")
    http_port: int = Field(7474, ge=1, le=65535, description="loopback HTTP port of the managed Neo4j")
    heap: str = Field("1g", validation_alias="NETINTEL_NEO4J_HEAP",
                      description="JVM heap of the managed Neo4j (`512m`, `2g`)")
    pagecache: str = Field("1g", validation_alias="NETINTEL_NEO4J_PAGECACHE",
                           description="page cache of the managed Neo4j (`512m`, `2g`)")
    external_uri: str | None = Field(
        None, validation_alias="NEO4J_URI",
        description="use this external Neo4j (`bolt://`, `neo4j://`, `+s`/`+ssc`) instead of the managed one",
        json_schema_extra={"doc_default": "— (the managed Neo4j)"})
    external_user: str = Field("neo4j", min_length=1, validation_alias="NEO4J_USER",
                               description="user on the external Neo4j")
    external_password: SecretStr | None = Field(
        None, validation_alias="NEO4J_PASSWORD",
        description="password on the external Neo4j (required with `NEO4J_URI`)")
    java_home: Path | None = Field(
        None, validation_alias="JAVA_HOME",
        description="JDK (17 or 21) that runs the managed Neo4j",
        json_schema_extra={"doc_default": "`java` on `PATH`"})

    # ----------------------------------------------------------- ingest
    extra_agencies: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="extra agency codes accepted in `source`, comma separated")
    datasets: Path = Field(
        Path("/work/shared/datasets"),
        description="reference datasets read by `scripts/validate_brokers.py`")

    # -------------------------------------------------------------- API
    env: Literal["development", "production"] = Field(
        "production",
        description="`production` refuses to start with unsafe settings; `development` relaxes that")
    secret_key: SecretStr | None = Field(
        None, description="key signing login tokens (≥ 32 random characters)",
        json_schema_extra={"doc_default": "generated into `NETINTEL_HOME/secret_key` (0600)"})
    token_minutes: int = Field(15, ge=1, le=1440,
                               description="lifetime of login tokens (at most 60 outside development)")
    max_body_bytes: ByteSize = Field(
        ByteSize(1 << 20), description="largest accepted request body (bytes, or `512KiB`, `2MiB`); "
        "larger ones get 413", json_schema_extra={"doc_default": "1MiB"})
    max_query_chars: int = Field(8192, ge=256, le=1 << 20,
                                 description="longest accepted query string; longer ones get 414")
    query_timeout: float = Field(30.0, ge=0.1, le=3600.0,
                                 description="seconds a read transaction may run in Neo4j before it is "
                                 "stopped (the request then answers 504)")
    db_retry_seconds: float = Field(5.0, ge=0.0, le=120.0,
                                    description="seconds a request retries transient errors and an "
                                    "unreachable database before it answers 503")
    login_attempts: int = Field(5, ge=1, le=1000,
                                description="failed logins per user name and client address within "
                                "`NETINTEL_LOGIN_WINDOW_SECONDS` before further attempts get 429")
    login_window_seconds: float = Field(300.0, ge=1.0, le=86400.0,
                                        description="window of the failed-login count")
    unauth_audit_per_minute: int = Field(
        60, ge=1, le=100_000,
        description="audit entries per minute that unauthenticated requests (failed logins, refused "
        "forms) may add; beyond it they are counted in one `audit_suppressed` entry (a fifth of it per client)")

    # ------------------------------------------------------- trust
    proxy_headers: bool = Field(
        False, description="trust `X-Forwarded-For`/`-Proto` from `NETINTEL_TRUSTED_PROXIES` (real client "
        "address, Secure cookies behind a TLS proxy); `netintel serve --proxy-headers` sets it")
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = Field(
        ("127.0.0.1", "::1"), description="addresses (or networks) of the reverse proxies whose forwarded "
        "headers are trusted, comma separated", json_schema_extra={"doc_default": "`127.0.0.1,::1`"})
    import_dir: Path | None = Field(
        None, description="the only folder admin ingest (`POST /api/admin/ingest`) loads bundles from",
        json_schema_extra={"doc_default": "`NETINTEL_HOME/import`"})
    audit_key_file: Path | None = Field(
        None, description="key that signs the audit chain's checkpoints; keep it outside `NETINTEL_HOME` "
        "(e.g. `/etc/netintel/audit.key`, root-owned, readable by the service)",
        json_schema_extra={"doc_default": "`<NETINTEL_HOME>.audit-key` (created 0600)"})
    audit_anchor: Path | None = Field(
        None, description="append-only file of signed audit checkpoints, outside `NETINTEL_HOME` "
        "(make it `chattr +a`; see docs/security.md)",
        json_schema_extra={"doc_default": "`<NETINTEL_HOME>.audit-anchor`"})

    # -------------------------------------------------------- read path
    cache_entries: int = Field(256, ge=1, le=1_000_000,
                               description="entries kept by the cache of projections and aggregates "
                               "(per data version and scope class)")
    budget_seconds: float = Field(10.0, ge=0.1, le=3600.0,
                                  description="time budget of one synchronous analytics request; over it "
                                  "the request answers 422 or runs as a job")
    job_workers: int = Field(1, ge=1, le=64, description="worker threads running analytics jobs")
    request_threads: int = Field(40, ge=2, le=512,
                                 description="worker threads of one server process for requests that read the "
                                 "store (answers from memory never wait for one)")
    switch_interval_ms: float = Field(
        5.0, ge=0.1, le=100.0,
        description="how long a server thread may hold Python's interpreter lock before another may run "
        "(`sys.setswitchinterval`; lower: answers from memory wait less behind store reads)")
    hub_degree: int = Field(50, ge=1, le=1_000_000,
                            description="a node with more neighbours than this is returned collapsed "
                            "(with its count) unless its neighbours are asked for")

    # ------------------------------------------------------- validators
    @field_validator("home", "java_home", "datasets", "import_dir", "audit_key_file", "audit_anchor", mode="after")
    @classmethod
    def _resolve(cls, v: Path | None) -> Path | None:
        return v.expanduser().resolve() if v is not None else None

    @field_validator("heap", "pagecache")
    @classmethod
    def _memory(cls, v: str) -> str:
        v = v.strip()
        if not _MEMORY.match(v):
            raise ValueError("a size like 512m or 2g (a number with k, m, g or t)")
        return v

    @field_validator("external_uri", "external_password", "secret_key", "java_home", "import_dir",
                     "audit_key_file", "audit_anchor", mode="before")
    @classmethod
    def _empty_is_unset(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("external_uri")
    @classmethod
    def _uri(cls, v: str | None) -> str | None:
        if v is not None and not _URI.match(v.strip()):
            raise ValueError("a Neo4j URI such as bolt://host:7687 or neo4j+s://host")
        return v.strip() if v else v

    @field_validator("extra_agencies", mode="before")
    @classmethod
    def _comma_list(cls, v: Any) -> Any:
        if isinstance(v, str):
            return tuple(a.strip().upper() for a in v.split(",") if a.strip())
        return tuple(str(a).strip().upper() for a in v if str(a).strip())

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, v: Any) -> Any:
        import ipaddress

        items = [a.strip() for a in v.split(",")] if isinstance(v, str) else [str(a).strip() for a in v]
        out = tuple(a for a in items if a)
        for a in out:
            try:
                ipaddress.ip_network(a, strict=False)
            except ValueError:
                raise ValueError(f"{a!r} is not an IP address or network") from None
        return out

    @field_validator("env", mode="before")
    @classmethod
    def _env(cls, v: Any) -> Any:
        return (v.strip().lower() or "production") if isinstance(v, str) else v

    @field_validator("max_body_bytes")
    @classmethod
    def _body(cls, v: ByteSize) -> ByteSize:
        if not 1024 <= v <= 1 << 30:
            raise ValueError("between 1KiB (1024) and 1GiB")
        return v

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise ConfigError(_explain(exc), [_env_name_of(e["loc"]) for e in exc.errors()]) from exc
        except SettingsError as exc:
            raise ConfigError(f"cannot read the settings: {exc}") from exc

    # ------------------------------------------------ derived (unchanged API)
    @property
    def neo4j_dir(self) -> Path:
        return self.home / "neo4j"

    @property
    def password_file(self) -> Path:
        return self.neo4j_dir / "password"

    @property
    def managed(self) -> bool:
        """True when netintel runs its own Neo4j (no NEO4J_URI given)."""
        return not self.external_uri

    @property
    def uri(self) -> str:
        return self.external_uri or f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def user(self) -> str:
        return self.external_user if self.external_uri else "neo4j"

    @property
    def development(self) -> bool:
        return self.env == "development"

    def password(self) -> str:
        """The password: NEO4J_PASSWORD for an external server, the generated one otherwise.

        :class:`ConfigError` when NEO4J_URI is set without NEO4J_PASSWORD,
        :class:`StoreError` when the managed Neo4j has no password yet.
        """
        if self.external_uri:
            if self.external_password is None:
                raise ConfigError("NEO4J_URI is set but NEO4J_PASSWORD is not")
            return self.external_password.get_secret_value()
        try:
            return self.password_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise StoreError(
                f"no Neo4j password at {self.password_file}: run `netintel neo4j start` first"
            ) from None


def _env_name(field: str) -> str:
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else _PREFIX + field.upper()


#: field name → environment variable
ENV_NAMES: dict[str, str] = {f: _env_name(f) for f in Settings.model_fields}
_FIELD_OF = {v.upper(): k for k, v in ENV_NAMES.items()}


def _env_name_of(loc: tuple[int | str, ...]) -> str:
    key = str(loc[0]) if loc else ""
    return ENV_NAMES.get(key, key)  # a field name, or already the variable (fields with their own name)


def _explain(exc: ValidationError) -> str:
    parts = []
    for e in exc.errors():
        name = _env_name_of(e["loc"])
        field = _FIELD_OF.get(name.upper(), "")
        shown = "" if field in _SECRETS or "input" not in e or isinstance(e["input"], dict) \
            else f"={e['input']!r}"
        msg = str(e["msg"]).removeprefix("Value error, ")
        parts.append(f"{name}{shown}: {msg}")
    return "invalid settings: " + "; ".join(parts)


# --------------------------------------------------------------- caching
_lock = threading.Lock()
_cached: tuple[tuple[Any, ...], Settings] | None = None


def _cache_key() -> tuple[Any, ...]:
    names = set(_FIELD_OF)
    env = tuple(sorted((k.upper(), v) for k, v in os.environ.items() if k.upper() in names))
    cwd = os.getcwd()
    try:
        st = os.stat(".env")
        dotenv: tuple[float, int] | None = (st.st_mtime, st.st_size)
    except OSError:
        dotenv = None
    return cwd, env, dotenv


def get_settings(*, refresh: bool = False) -> Settings:
    """The settings of this process.

    Cached until an environment variable of :data:`ENV_NAMES`, the ``.env``
    file or the working directory changes; ``refresh=True`` re-reads anyway.
    Raises :class:`ConfigError` naming the variable when a value is invalid.
    """
    global _cached
    key = _cache_key()
    with _lock:
        if not refresh and _cached is not None and _cached[0] == key:
            return _cached[1]
        s = Settings()
        _cached = (key, s)
        return s


# ------------------------------------------------------------------ docs
BEGIN = "<!-- BEGIN GENERATED SETTINGS (python -m graph.settings) -->"
END = "<!-- END GENERATED SETTINGS -->"


def _type_doc(field: str) -> str:
    info = Settings.model_fields[field]
    ann = info.annotation
    if field == "env":
        return "`development` \\| `production`"
    if field == "max_body_bytes":
        return "size"
    if field in ("extra_agencies", "trusted_proxies"):
        return "list"
    if field == "proxy_headers":
        return "boolean"
    if field in _SECRETS:
        return "secret"
    lo = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
    hi = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
    names: dict[Any, str] = {int: "integer", float: "seconds", str: "text"}
    base = names.get(ann, "path" if "Path" in str(ann) else "text")
    if field in ("heap", "pagecache"):
        base = "memory size"
    if field.endswith("_port"):
        base = "port"
    if lo is not None and hi is not None and base in ("integer", "seconds"):
        return f"{base} ({_num(lo)}–{_num(hi)})"
    return base


def _num(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _default_doc(field: str) -> str:
    info = Settings.model_fields[field]
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if "doc_default" in extra:
        shown = str(extra["doc_default"])
        return shown if shown.startswith(("—", "generated", "`")) else f"`{shown}`"
    d: Any = info.default
    if d is None or d == ():
        return "—"
    if isinstance(d, float) and d.is_integer():
        d = int(d)
    return f"`{d}`"


def settings_table() -> str:
    """The README's "Configuration" table, generated from :class:`Settings`."""
    rows = [BEGIN, "", "| variable | type | default | meaning |", "|---|---|---|---|"]
    for field, info in Settings.model_fields.items():
        rows.append(f"| `{ENV_NAMES[field]}` | {_type_doc(field)} | {_default_doc(field)} | "
                    f"{info.description or ''} |")
    rows += ["", END]
    return "\n".join(rows)


def render_readme(text: str) -> str:
    """``text`` (the README) with its generated settings table brought up to date."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ConfigError(f"README has no generated settings table ({BEGIN} … {END})")
    return text[:start] + settings_table() + text[end + len(END):]


def main(argv: list[str] | None = None) -> int:
    """``python -m graph.settings [README.md]``: rewrite the README's settings table."""
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else Path(__file__).resolve().parent.parent / "README.md")
    text = path.read_text(encoding="utf-8")
    new = render_readme(text)
    if new != text:
        path.write_text(new, encoding="utf-8")
        print(f"{path}: settings table updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
