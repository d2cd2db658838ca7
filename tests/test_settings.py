"""One typed Settings for every setting, docs that cannot drift, one exception tree.

A failure here names what a user would see broken: a setting that the README
does not list, a bad value whose message does not say which variable is
wrong, or an error that the API's one handler (and the CLI) would not know.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

from api.security import (
    ApiSettings,
    UnknownUser,
    UnsafeSettings,
    UserExists,
    UserStore,
    check_settings,
    get_api_settings,
)
from core.errors import ConfigError, Conflict, InvalidInput, NetintelError, NotFound, StoreError
from graph.settings import ENV_NAMES, Settings, get_settings, render_readme, settings_table

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No netintel variable set, no ``.env`` (the working directory is a fresh one)."""
    for name in ENV_NAMES.values():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------ docs
def test_readme_settings_table_is_generated_from_settings() -> None:
    text = README.read_text(encoding="utf-8")
    assert render_readme(text) == text, "README's Configuration table is stale: run `python -m graph.settings`"
    config = text[text.index("## Configuration"):]
    config = config[: config.index("\n## ", 1)]
    assert settings_table() in config
    for field, name in ENV_NAMES.items():
        assert f"`{name}`" in config, f"README does not document {name} (Settings.{field})"
        assert Settings.model_fields[field].description, f"Settings.{field} has no description"


def _code_files() -> list[Path]:
    skip = {".venv", "tests", "netintel.egg-info", ".git", ".netintel", "node_modules"}
    return [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]


def test_only_graph_settings_reads_the_environment() -> None:
    """A setting read anywhere else would escape validation and the README table.

    Variables of the process rather than of netintel (``PYTHONPATH`` passed on to a child, the
    user's ``XDG_CACHE_HOME``) may be read.
    """
    reads = re.compile(r"""(?:os\.environ\.get\(|os\.environ\[|getenv\(|environ\.setdefault\()\s*(['"]?)(\w*)""")
    process_vars = {"PYTHONPATH", "PATH", "XDG_CACHE_HOME"}
    offenders = [f"{p.relative_to(ROOT)}:{i}" for p in _code_files() if p.name != "settings.py"
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 for quote, var in reads.findall(line) if not (quote and var in process_vars)]
    assert not offenders, f"read settings through graph.settings.get_settings(), not os.environ: {offenders}"


def test_every_variable_named_in_code_or_docs_is_a_setting() -> None:
    """A ``NETINTEL_*`` name in the code or the docs that Settings does not know is a typo or a stale doc."""
    known = set(ENV_NAMES.values()) | {"NEO4J_HOME", "NEO4J_CONF"}  # set for the Neo4j child process
    pattern = re.compile(r"\b((?:NETINTEL|NEO4J)_[A-Z0-9_]*[A-Z0-9])\b")
    files = _code_files() + [README, *sorted((ROOT / "docs").glob("*.md")), ROOT / "Makefile"]
    unknown = {f"{m} ({p.relative_to(ROOT)})" for p in files if p.is_file()
               for m in pattern.findall(p.read_text(encoding="utf-8")) if m not in known}
    assert not unknown, f"not declared in graph.settings.Settings: {sorted(unknown)}"


# -------------------------------------------------------------- defaults
def test_defaults_and_names(clean_env: Path) -> None:
    s = get_settings(refresh=True)
    assert s.home == (clean_env / ".netintel").resolve()
    assert (s.bolt_port, s.http_port, s.heap, s.pagecache) == (7687, 7474, "1g", "1g")
    assert s.managed and s.uri == "bolt://127.0.0.1:7687" and s.user == "neo4j"
    assert s.neo4j_dir == s.home / "neo4j" and s.password_file == s.neo4j_dir / "password"
    assert s.env == "production" and not s.development
    assert (s.cache_entries, s.budget_seconds, s.job_workers, s.hub_degree) == (256, 10.0, 1, 50)
    assert ENV_NAMES["heap"] == "NETINTEL_NEO4J_HEAP" and ENV_NAMES["external_uri"] == "NEO4J_URI"
    assert ENV_NAMES["cache_entries"] == "NETINTEL_CACHE_ENTRIES"


def test_environment_and_dotenv(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (clean_env / ".env").write_text(
        "# comment\nNETINTEL_BOLT_PORT=7711\nexport NETINTEL_NEO4J_HEAP='2g'\nNETINTEL_HUB_DEGREE=7\n"
        "NEO4J_URI=bolt://db.example:7687\nNEO4J_PASSWORD=from-dotenv\nUNRELATED=1\n", encoding="utf-8")
    s = get_settings()
    assert (s.bolt_port, s.heap, s.hub_degree) == (7711, "2g", 7)
    assert not s.managed and s.uri == "bolt://db.example:7687" and s.password() == "from-dotenv"
    monkeypatch.setenv("NETINTEL_BOLT_PORT", "7722")  # a variable that is set wins over .env
    monkeypatch.setenv("NETINTEL_EXTRA_AGENCIES", " ngo1, ,Ngo2 ")
    monkeypatch.setenv("NETINTEL_MAX_BODY_BYTES", "2MiB")
    monkeypatch.setenv("NETINTEL_ENV", " Development ")
    s = get_settings()
    assert s.bolt_port == 7722 and s.extra_agencies == ("NGO1", "NGO2")
    assert s.max_body_bytes == 2 << 20 and s.development


def test_get_settings_is_cached_until_the_environment_changes(clean_env: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    a = get_settings()
    assert get_settings() is a
    monkeypatch.setenv("NETINTEL_JOB_WORKERS", "3")
    b = get_settings()
    assert b is not a and b.job_workers == 3
    assert get_settings() is b and get_settings(refresh=True) is not b


def test_secrets_never_shown(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://db.example:7687")
    monkeypatch.setenv("NEO4J_PASSWORD", "hunter2-very-secret")
    monkeypatch.setenv("NETINTEL_SECRET_KEY", "k" * 40)
    s = get_settings()
    assert "hunter2" not in repr(s) and "k" * 40 not in repr(s)
    assert "k" * 40 not in repr(get_api_settings(clean_env))
    assert s.password() == "hunter2-very-secret"


# ------------------------------------------------------------ validation
@pytest.mark.parametrize(("name", "value", "says"), [
    ("NETINTEL_BOLT_PORT", "abc", "valid integer"),
    ("NETINTEL_HTTP_PORT", "70000", "less than or equal to 65535"),
    ("NETINTEL_NEO4J_HEAP", "lots", "512m"),
    ("NETINTEL_ENV", "staging", "'development' or 'production'"),
    ("NETINTEL_QUERY_TIMEOUT", "-1", "greater than or equal to 0.1"),
    ("NETINTEL_MAX_BODY_BYTES", "10", "1KiB"),
    ("NETINTEL_TOKEN_MINUTES", "soon", "valid integer"),
    ("NETINTEL_CACHE_ENTRIES", "0", "greater than or equal to 1"),
    ("NETINTEL_BUDGET_SECONDS", "ten", "valid number"),
    ("NEO4J_URI", "http://db.example", "bolt://"),
])
def test_a_bad_value_names_its_variable(clean_env: Path, monkeypatch: pytest.MonkeyPatch,
                                        name: str, value: str, says: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        get_settings()
    msg = str(info.value)
    assert f"{name}={value!r}" in msg and says in msg, msg
    assert info.value.details == [name]
    assert "pydantic" not in msg


def test_several_bad_values_are_all_named(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETINTEL_BOLT_PORT", "x")
    monkeypatch.setenv("NETINTEL_JOB_WORKERS", "0")
    with pytest.raises(ConfigError, match="NETINTEL_BOLT_PORT='x'.*NETINTEL_JOB_WORKERS='0'"):
        get_settings()


def test_password_errors_are_in_the_tree(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(StoreError, match="netintel neo4j start"):
        get_settings().password()
    monkeypatch.setenv("NEO4J_URI", "neo4j+s://db.example")
    with pytest.raises(ConfigError, match="NEO4J_PASSWORD"):
        get_settings().password()


def test_settings_built_directly_keep_working() -> None:
    s = Settings(home=Path("/tmp/x"), neo4j_version="x", bolt_port=1, http_port=1, heap="1g",
                 pagecache="1g", external_uri="bolt://127.0.0.1:1", external_user="neo4j",
                 external_password="nope")
    assert s.uri == "bolt://127.0.0.1:1" and s.password() == "nope" and s.user == "neo4j"
    with pytest.raises(ConfigError, match="NETINTEL_BOLT_PORT"):
        Settings(bolt_port=0)


# ------------------------------------------------------------------- API
def test_api_settings_derive_from_settings(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETINTEL_MAX_BODY_BYTES", "64KiB")
    monkeypatch.setenv("NETINTEL_DB_RETRY_SECONDS", "1.5")
    monkeypatch.setenv("NETINTEL_BUDGET_SECONDS", "3")
    monkeypatch.setenv("NETINTEL_HUB_DEGREE", "20")
    a = get_api_settings(clean_env)
    assert a.home == clean_env and a.max_body_bytes == 65536 and a.db_retry_seconds == 1.5
    assert (a.budget_seconds, a.hub_degree, a.cache_entries, a.job_workers) == (3.0, 20, 256, 1)
    assert a.users_db == clean_env / "users.sqlite" and a.audit_db == clean_env / "audit.sqlite"
    assert not a.secret_from_env and len(a.secret_key) >= 32 and not a.problems
    check_settings(a)
    d = ApiSettings(home=clean_env, env="development", secret_key="k" * 48)
    assert d.development and d.max_query_chars == 8192 and d.login_window_seconds == 300.0


def test_unsafe_settings_are_a_config_error(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETINTEL_TOKEN_MINUTES", "90")
    monkeypatch.setenv("NETINTEL_SECRET_KEY", "changeme")
    a = get_api_settings(clean_env)
    assert len(a.problems) == 2
    with pytest.raises(ConfigError, match="NETINTEL_TOKEN_MINUTES=90") as info:
        check_settings(a)
    assert isinstance(info.value, UnsafeSettings) and isinstance(info.value, RuntimeError)
    monkeypatch.setenv("NETINTEL_ENV", "development")
    check_settings(get_api_settings(clean_env))


def test_user_store_errors_are_in_the_tree(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.sqlite")
    with pytest.raises(InvalidInput, match="password"):
        store.add("alice", "short", "viewer")
    store.add("alice", "a-long-password", "viewer")
    with pytest.raises(UserExists) as exists:
        store.add("alice", "a-long-password", "viewer")
    assert isinstance(exists.value, Conflict) and isinstance(exists.value, ValueError)
    with pytest.raises(UnknownUser) as missing:
        store.set_role("bob", "viewer")
    assert isinstance(missing.value, NotFound) and isinstance(missing.value, KeyError)
    assert str(missing.value) == "no user 'bob'"


# ------------------------------------------------------- exception tree
PACKAGES = ("core", "graph", "ingest", "analytics", "views", "api", "cli", "viz")

#: private exceptions that are control flow, not errors (each says why)
EXEMPT = {
    "api.routers.ui._LoginRedirect": "a UI page answers it with a redirect to the login page",
    "api.app._BodyTooLarge": "an HTTPException raised inside the size-limit middleware; "
                             "the handler already answers it in the error shape",
}


def _netintel_modules() -> list[str]:
    names = []
    for pkg in PACKAGES:
        if not (ROOT / pkg / "__init__.py").is_file():
            continue
        names.append(pkg)
        names += [m.name for m in pkgutil.walk_packages([str(ROOT / pkg)], prefix=f"{pkg}.")
                  if not m.name.endswith("__main__")]
    return names


def test_every_netintel_exception_derives_from_netintel_error() -> None:
    outside, broken = [], []
    for name in _netintel_modules():
        try:
            mod = importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - report every module that cannot be imported
            broken.append(f"{name}: {exc!r}")
            continue
        for cls_name, cls in inspect.getmembers(mod, inspect.isclass):
            qual = f"{name}.{cls_name}"
            if cls.__module__ != name or not issubclass(cls, BaseException) or qual in EXEMPT:
                continue
            if not issubclass(cls, NetintelError):
                outside.append(qual)
    assert not broken, f"modules that cannot be imported: {broken}"
    assert not outside, f"exceptions outside the core.errors tree (derive from NetintelError): {outside}"


def test_rebased_exceptions() -> None:
    from graph.server import ServerError
    from ingest.normalise import FieldError

    assert issubclass(ServerError, StoreError) and issubclass(ServerError, RuntimeError)
    assert issubclass(FieldError, InvalidInput) and issubclass(FieldError, ValueError)
    assert issubclass(UnsafeSettings, ConfigError)
    assert str(FieldError("not a date")) == "not a date"

