"""Real services for the deployment tests, each on 127.0.0.1 and gone when its block ends.

- `postgres()`: a throwaway PostgreSQL cluster (Debian's server, `initdb` + `pg_ctl` in a
  temporary directory), password authentication, one database; yields its URL.
- `chroma_server()`: `chroma run` from the chromadb package on a free port.
- `start_replica()`: `python app.py` in its own process, as deployed, with the given environment.

PostgreSQL refuses to run as root: when the tests run as root, the cluster's files belong to,
and its programs run as, the `postgres` user that Debian's package creates (else `nobody`).
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ui.load import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def postgres_bin() -> Path:
    """The directory of Debian's initdb/pg_ctl (/usr/lib/postgresql/<version>/bin, newest)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise RuntimeError("PostgreSQL is not installed: `make test` installs Debian's postgresql")


def _service_user() -> pwd.struct_passwd | None:
    """Who runs PostgreSQL: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root, and neither a postgres nor a nobody user exists")


def _as(user: pwd.struct_passwd | None) -> dict[str, Any]:
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _owned_tempdir(prefix: str, user: pwd.struct_passwd | None) -> Path:
    # Directly under /tmp: pytest's own temporary directories are private to root.
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
    return folder


@dataclass(frozen=True)
class Postgres:
    url: str  # with the password, for the tests' own connections
    port: int
    password: str  # what a server gets in PGPASSWORD
    data: Path
    home: Path
    options: str
    run_as: dict[str, Any]

    def pg_ctl(self, *action: str, check: bool = True) -> None:
        """`pg_ctl start|stop|restart` on the cluster, as the user that owns it."""
        options = ["-o", self.options, "-l", str(self.home / "log")] if action[0] != "stop" else []
        subprocess.run(
            [postgres_bin() / "pg_ctl", "-D", self.data, *options, "-m", "fast", "-w", *action],
            cwd=self.home,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
            check=check,
            capture_output=True,
            **self.run_as,
        )


@contextmanager
def postgres(database: str = "hcc") -> Iterator[Postgres]:
    """A fresh cluster on 127.0.0.1:<free port>; stopped and deleted afterwards."""
    binaries, user = postgres_bin(), _service_user()
    home = _owned_tempdir("hcc-pg-", user)
    data, password, port = home / "data", secrets.token_hex(16), free_port()
    pwfile = home / "pwfile"
    pwfile.write_text(password + "\n", encoding="utf-8")
    if user is not None:
        os.chown(pwfile, user.pw_uid, user.pw_gid)
    env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -k {home} "
        "-c fsync=off -c max_connections=100"  # a throwaway cluster: speed over durability
    )
    url = f"postgresql://hcc:{password}@127.0.0.1:{port}"
    cluster = Postgres(f"{url}/{database}", port, password, data, home, options, _as(user))
    try:
        subprocess.run(
            [binaries / "initdb", "-D", data, "-U", "hcc", "--pwfile", pwfile,
             "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8"],
            cwd=home, env=env, check=True, capture_output=True, **_as(user),
        )  # fmt: skip
        cluster.pg_ctl("start")
        import psycopg

        with psycopg.connect(f"{url}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{database}"')
        yield cluster
    except subprocess.CalledProcessError as error:
        log = (home / "log").read_text(errors="replace") if (home / "log").exists() else ""
        raise RuntimeError(
            f"PostgreSQL failed: {error.stderr.decode(errors='replace')}\n{log}"
        ) from None
    finally:
        if (data / "postmaster.pid").exists():
            cluster.pg_ctl("stop", check=False)
        shutil.rmtree(home, ignore_errors=True)


@dataclass(frozen=True)
class ChromaServer:
    host: str
    port: int
    path: Path


def chroma_command(path: Path, port: int) -> list[str]:
    return [
        str(BIN / "chroma"),
        "run",
        "--path",
        str(path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


@contextmanager
def chroma_server(path: Path) -> Iterator[ChromaServer]:
    """`chroma run` on 127.0.0.1:<free port>, storing in `path`; stopped afterwards."""
    port = free_port()
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    process = subprocess.Popen(
        chroma_command(path, port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v2/heartbeat", process, timeout_s=60)
        yield ChromaServer("127.0.0.1", port, path)
    finally:
        stop(process)


def wait_for(
    url: str, process: subprocess.Popen[Any], timeout_s: float = 180, status: int = 200
) -> None:
    """Poll `url` until it answers `status`; fail at once if the process died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == status:
                    return
        except urllib.error.HTTPError as error:
            if error.code == status:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer {status} within {timeout_s:.0f} s")


def stop(process: subprocess.Popen[Any], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@dataclass
class Replica:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def app_command(port: int, *extra: str) -> list[str]:
    return [sys.executable, "app.py", "--port", str(port), *extra]


def start_replica(
    env: Mapping[str, str], log_dir: Path, port: int, argv: list[str] | None = None
) -> Replica:
    """`argv` (default `python app.py --port PORT`) in the checkout with exactly `env`;
    returns once its /healthz on PORT says ready."""
    log = log_dir / f"replica-{port}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv or app_command(port), cwd=ROOT, env=dict(env), stdout=out, stderr=out
        )
    server = Replica(process, port, log)
    try:
        wait_for(f"{server.url}/healthz", process)
    except Exception:
        stop(process)
        raise RuntimeError(f"replica on {port} not ready:\n{log.read_text()[-3000:]}") from None
    return server


def post_json(
    url: str, body: Mapping[str, Any], token: str | None = None, timeout_s: float = 120
) -> tuple[int, dict[str, Any]]:
    """POST a JSON body; (status, decoded JSON body), 4xx/5xx included."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
