"""Where netintel keeps its data and how it reaches Neo4j.

All settings come from the environment (or a ``.env`` file in the working
directory); nothing is hard-coded elsewhere.

``NETINTEL_HOME``
    Project data directory (default ``./.netintel``): the managed Neo4j's
    configuration, store, logs and generated password live here.
``NETINTEL_NEO4J_VERSION``
    Neo4j Community version to install from Maven Central (default 5.26.30).
``NETINTEL_BOLT_PORT`` / ``NETINTEL_HTTP_PORT``
    Loopback ports of the managed Neo4j (default 7687 / 7474).
``NETINTEL_NEO4J_HEAP`` / ``NETINTEL_NEO4J_PAGECACHE``
    Memory of the managed Neo4j (default 1g / 1g).
``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``
    Point every command at an external Neo4j instead of the managed one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "get_settings", "load_dotenv"]

DEFAULT_NEO4J_VERSION = "5.26.30"


def load_dotenv(path: Path | str = ".env") -> None:
    """Read ``KEY=VALUE`` lines of a ``.env`` file into ``os.environ``
    (variables already set win)."""
    p = Path(path)
    if not p.is_file():
        return
    for raw in p.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip().strip('"').strip("'")
        os.environ.setdefault(key, value)


@dataclass(frozen=True)
class Settings:
    home: Path
    neo4j_version: str
    bolt_port: int
    http_port: int
    heap: str
    pagecache: str
    external_uri: str | None
    external_user: str
    external_password: str | None

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

    def password(self) -> str:
        """The password: NEO4J_PASSWORD for an external server, the generated one otherwise."""
        if self.external_uri:
            if not self.external_password:
                raise RuntimeError("NEO4J_URI is set but NEO4J_PASSWORD is not")
            return self.external_password
        try:
            return self.password_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            raise RuntimeError(
                f"no Neo4j password at {self.password_file}: run `netintel neo4j start` first"
            ) from None


def get_settings() -> Settings:
    load_dotenv()
    env = os.environ
    return Settings(
        home=Path(env.get("NETINTEL_HOME", ".netintel")).expanduser().resolve(),
        neo4j_version=env.get("NETINTEL_NEO4J_VERSION", DEFAULT_NEO4J_VERSION),
        bolt_port=int(env.get("NETINTEL_BOLT_PORT", "7687")),
        http_port=int(env.get("NETINTEL_HTTP_PORT", "7474")),
        heap=env.get("NETINTEL_NEO4J_HEAP", "1g"),
        pagecache=env.get("NETINTEL_NEO4J_PAGECACHE", "1g"),
        external_uri=env.get("NEO4J_URI") or None,
        external_user=env.get("NEO4J_USER", "neo4j"),
        external_password=env.get("NEO4J_PASSWORD") or None,
    )
