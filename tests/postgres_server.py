"""A throwaway PostgreSQL server for the storage tests.

It uses the machine's PostgreSQL binaries (installing Debian's ``postgresql``
with apt-get when they are missing and we are root), makes a cluster in a
temporary folder, starts it on a free loopback port, and stops it afterwards.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class NoServer(RuntimeError):
    """No PostgreSQL server could be started on this machine."""


@dataclass
class Server:
    url: str
    data_dir: Path
    bin_dir: Path
    run_as: list[str]

    def stop(self) -> None:
        subprocess.run([*self.run_as, str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir),
                        "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def _bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = shutil.which("initdb") or (candidates[0] if candidates else None)
    return Path(found).resolve().parent if found else None


def _install() -> None:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], env=env, capture_output=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start() -> Server:
    bin_dir = _bin_dir()
    if bin_dir is None:
        _install()
        bin_dir = _bin_dir()
    if bin_dir is None:
        raise NoServer("no PostgreSQL binaries (initdb) on this machine and none could be installed")
    # PostgreSQL refuses to run as root: run it as the postgres user then.
    run_as: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            raise NoServer("running as root without runuser to start PostgreSQL as another user")
        run_as = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="monitoring-pg-"))
    data_dir = base / "data"
    if run_as:
        shutil.chown(base, "postgres")
    port = _free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*run_as, *args], capture_output=True, text=True)
        if done.returncode != 0:
            shutil.rmtree(base, ignore_errors=True)
            raise NoServer(f"{' '.join(args[:1])} failed: {done.stderr.strip()[-500:]}")

    run(str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres", "-A", "trust",
        "-E", "UTF8", "--no-sync")
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off " \
              "-c synchronous_commit=off -c full_page_writes=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-o", options, "-l", str(base / "log"),
        "-w", "-t", "60", "start")
    server = Server(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", data_dir, bin_dir, run_as)
    _wait(server)
    return server


def _wait(server: Server, seconds: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + seconds
    plain = server.url.replace("postgresql+psycopg", "postgresql")
    while True:
        try:
            psycopg.connect(plain, connect_timeout=2).close()
            return
        except psycopg.OperationalError as error:
            if time.monotonic() > deadline:
                server.stop()
                raise NoServer("the PostgreSQL server did not accept connections") from error
            time.sleep(0.2)
