"""Install, start, stop and inspect the project's own Neo4j Community server.

Neo4j Community 5.26 LTS is resolved from Maven Central with Maven (the jars
are cached in ``~/.m2``) and started with
``org.neo4j.server.CommunityEntryPoint`` and the JVM options of Neo4j's
default ``neo4j.conf``.  The server binds to 127.0.0.1 only, keeps
authentication on, and gets a random password on first start, stored with
0600 permissions.  Every operation is idempotent.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import StoreError

from .settings import Settings

__all__ = ["Neo4jServer", "ServerError", "ServerStatus"]

#: JVM options from the default neo4j.conf of Neo4j 5.26.
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
)

POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>org.netintel</groupId>
  <artifactId>neo4j-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.neo4j.app</groupId><artifactId>neo4j-server</artifactId><version>{v}</version></dependency>
    <dependency><groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>{v}</version></dependency>
  </dependencies>
</project>
"""


class ServerError(StoreError):
    """The managed Neo4j could not be installed, started or stopped (a :class:`core.errors.StoreError`)."""


@dataclass
class ServerStatus:
    installed: bool
    running: bool
    pid: int | None
    bolt_open: bool
    uri: str
    version: str
    home: str

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


class Neo4jServer:
    """The Neo4j that netintel manages under ``settings.home``."""

    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.dir = settings.neo4j_dir
        self.conf_dir = self.dir / "conf"
        self.data_dir = self.dir / "data"
        self.logs_dir = self.dir / "logs"
        self.run_dir = self.dir / "run"
        self.pid_file = self.run_dir / "netintel-neo4j.pid"
        self.classpath_file = self.dir / f"classpath-{settings.neo4j_version}.txt"

    # ---------------------------------------------------------------- install
    def installed(self) -> bool:
        if not self.classpath_file.is_file():
            return False
        jars = self.classpath_file.read_text().strip().split(os.pathsep)
        return bool(jars) and all(Path(j).is_file() for j in jars)

    def install(self, log: Callable[[str], None] = print) -> Path:
        """Resolve Neo4j's jars from Maven Central into ~/.m2 (cached)."""
        if self.installed():
            return self.classpath_file
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ServerError("Maven (`mvn`) is needed to install Neo4j; install it (apt-get install maven)")
        _java(self.s.java_home)  # fail early with a clear message
        build = self.dir / "maven"
        build.mkdir(parents=True, exist_ok=True)
        (build / "pom.xml").write_text(POM.format(v=self.s.neo4j_version))
        log(f"Installing Neo4j Community {self.s.neo4j_version} from Maven Central (cached in ~/.m2) ...")
        tmp = self.classpath_file.with_suffix(".tmp")
        proc = subprocess.run(
            [mvn, "-q", "-B", "dependency:build-classpath", f"-Dmdep.outputFile={tmp}", "-Dmdep.includeScope=runtime"],
            cwd=build,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0 or not tmp.is_file():
            raise ServerError("Maven could not resolve Neo4j:\n" + (proc.stdout + proc.stderr)[-3000:])
        tmp.replace(self.classpath_file)
        return self.classpath_file

    # ----------------------------------------------------------------- config
    def write_config(self) -> Path:
        for d in (self.conf_dir, self.data_dir, self.logs_dir, self.run_dir, self.dir / "plugins", self.dir / "import"):
            d.mkdir(parents=True, exist_ok=True)
        conf = self.conf_dir / "neo4j.conf"
        lines = [
            "# Written by netintel; edit NETINTEL_* settings instead.",
            f"server.directories.data={self.data_dir}",
            f"server.directories.logs={self.logs_dir}",
            f"server.directories.run={self.run_dir}",
            f"server.directories.plugins={self.dir / 'plugins'}",
            f"server.directories.import={self.dir / 'import'}",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{self.s.bolt_port}",
            f"server.http.listen_address=127.0.0.1:{self.s.http_port}",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            "dbms.usage_report.enabled=false",
            f"server.memory.heap.initial_size={self.s.heap}",
            f"server.memory.heap.max_size={self.s.heap}",
            f"server.memory.pagecache.size={self.s.pagecache}",
            "db.tx_log.rotation.retention_policy=1G size",
            "dbms.security.allow_csv_import_from_file_urls=true",
            "db.transaction.timeout=300s",
        ]
        conf.write_text("\n".join(lines) + "\n")
        return conf

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["NEO4J_HOME"] = str(self.dir)
        env["NEO4J_CONF"] = str(self.conf_dir)
        return env

    def _classpath(self) -> str:
        return self.classpath_file.read_text().strip()

    def _ensure_password(self) -> None:
        pw_file = self.s.password_file
        if pw_file.is_file():
            return
        if (self.data_dir / "databases" / "system").exists():
            raise ServerError(
                f"Neo4j data exists in {self.data_dir} but the password file {pw_file} is gone; "
                "restore it or remove the data directory to start afresh"
            )
        # never starting with "-": neo4j-admin would read such a password as an option
        password = "n" + secrets.token_urlsafe(24)
        proc = subprocess.run(
            [_java(self.s.java_home), "-cp", self._classpath(), "org.neo4j.cli.AdminTool", "dbms", "set-initial-password", password],
            env=self._env(),
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise ServerError("could not set the initial password:\n" + proc.stdout + proc.stderr)
        pw_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(pw_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(password + "\n")
        os.chmod(pw_file, 0o600)

    # ---------------------------------------------------------- start / stop
    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        # guard against pid reuse: the process must be our Neo4j
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"CommunityEntryPoint" not in cmdline:
                return None
        except FileNotFoundError:
            return None
        return pid

    def bolt_open(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.s.bolt_port)) == 0

    def status(self) -> ServerStatus:
        pid = self.pid()
        return ServerStatus(
            installed=self.installed(),
            running=pid is not None,
            pid=pid,
            bolt_open=self.bolt_open() if pid else False,
            uri=self.s.uri,
            version=self.s.neo4j_version,
            home=str(self.dir),
        )

    def start(self, timeout: float = 180.0, log: Callable[[str], None] = print) -> ServerStatus:
        """Start the managed Neo4j (or wait for the running one).  Files are private: a chmod pass
        makes ``NETINTEL_HOME`` 0700/0600 first (stores of older versions were 0644 in 0755 folders),
        and everything written from here on — config, store, transaction logs, logs — is created
        under umask 077, the Neo4j process's included."""
        from core.files import harden_tree, private_umask

        if self.s.home.exists():
            harden_tree(self.s.home)
        with private_umask():
            return self._start(timeout, log)

    def _start(self, timeout: float, log: Callable[[str], None]) -> ServerStatus:
        if self.pid() is not None:
            self.wait_ready(timeout)
            return self.status()
        if self.bolt_open():
            raise ServerError(
                f"port {self.s.bolt_port} is taken by another process; set NETINTEL_BOLT_PORT "
                "or point NEO4J_URI at that server"
            )
        self.install(log=log)
        self.write_config()
        self._ensure_password()
        heap = self.s.heap
        cmd = [
            _java(self.s.java_home),
            f"-Xms{heap}",
            f"-Xmx{heap}",
            *JVM_OPTIONS,
            "-cp",
            self._classpath(),
            "org.neo4j.server.CommunityEntryPoint",
            f"--home-dir={self.dir}",
            f"--config-dir={self.conf_dir}",
        ]
        console = open(self.logs_dir / "console.log", "ab")  # noqa: SIM115 - handed to the child
        log(f"Starting Neo4j {self.s.neo4j_version} on bolt://127.0.0.1:{self.s.bolt_port} ...")
        proc = subprocess.Popen(
            cmd,
            env=self._env(),
            stdout=console,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=self.dir,
            umask=0o077,  # the store and its transaction logs hold personal data
        )
        console.close()
        self.pid_file.write_text(str(proc.pid))
        self.wait_ready(timeout, proc=proc)
        return self.status()

    def wait_ready(self, timeout: float = 180.0, proc: subprocess.Popen[bytes] | None = None) -> None:
        """Wait until Bolt accepts an authenticated query."""
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise ServerError(f"Neo4j exited with code {proc.returncode}:\n{self._tail()}")
            if self.bolt_open():
                try:
                    with GraphDatabase.driver(self.s.uri, auth=(self.s.user, self.s.password())) as drv:
                        drv.verify_connectivity()
                        drv.execute_query("RETURN 1")
                    return
                except AuthError as exc:
                    raise ServerError(f"Neo4j rejected the stored password: {exc}") from exc
                except (ServiceUnavailable, OSError, Exception) as exc:  # still starting
                    last = exc
            time.sleep(0.5)
        raise ServerError(f"Neo4j did not answer on Bolt within {timeout:.0f}s ({last}):\n{self._tail()}")

    def request_stop(self) -> bool:
        """Ask the server to shut down (SIGTERM) without waiting; True if it was running.
        :meth:`stop` then waits for it."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        return True

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server (also one told to by :meth:`request_stop`) and wait until it has
        exited; True if it was running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.pid() is None:
                break
            time.sleep(0.3)
        else:
            os.kill(pid, signal.SIGKILL)
            time.sleep(0.5)
        self.pid_file.unlink(missing_ok=True)
        return True

    def _tail(self, n: int = 30) -> str:
        out = []
        for name in ("console.log", "neo4j.log"):
            p = self.logs_dir / name
            if p.is_file():
                out.append(f"--- {p} ---")
                out.extend(p.read_text(errors="replace").splitlines()[-n:])
        return "\n".join(out)


def _java(java_home: Path | None = None) -> str:
    """The ``java`` of ``JAVA_HOME`` (``Settings.java_home``), else the one on ``PATH``."""
    java = str(java_home / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise ServerError("Java 17 or 21 is needed to run Neo4j 5.26; install a JDK (apt-get install openjdk-17-jre-headless)")
    return java
