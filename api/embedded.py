"""The embedded database: SecantusDB (MongoDB wire protocol over TCP) as a child process.

Used when MONGODB_URI is not set, and by the test session. The child is stopped when the parent
stops: explicitly through `stop()`, and by the kernel (PR_SET_PDEATHSIG) if the parent dies hard.
It runs in its own session (process group), so Ctrl-C or a SIGTERM to the whole group (systemd's
default) reaches only the API, which drains its requests and then stops the database.

A database on disk is started with `--sync-on-commit`: a commit is on disk before it is acknowledged,
so the journaled writes of api/store.py survive a crash of the database process.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

PR_SET_PDEATHSIG = 1


class EmbeddedDatabaseError(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _die_with_parent() -> None:
    # Runs in the child between fork and exec: ask the kernel to SIGTERM it if we die first.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class EmbeddedDatabase:
    """One SecantusDB server on a free loopback port; `storage` is a folder, or None for ephemeral."""

    def __init__(self, storage: Path | None, host: str = "127.0.0.1", extra_args: Sequence[str] = ()) -> None:
        self.storage = storage
        self.host = host
        self.extra_args = tuple(extra_args)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        # A file, not a pipe: a chatty server must never block on a full pipe nobody reads.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (lives as long as the server)

    @property
    def uri(self) -> str:
        return f"mongodb://{self.host}:{self.port}/?directConnection=true"

    def start(self, timeout: float = 30.0) -> None:
        storage = ":memory:"
        if self.storage is not None:
            self.storage.mkdir(parents=True, exist_ok=True)
            storage = str(self.storage.resolve())
        self.port = free_port(self.host)
        command = [
            sys.executable, "-m", "secantus",
            "--host", self.host, "--port", str(self.port),
            "--storage-path", storage, "--log-level", "WARNING",
            *(["--sync-on-commit"] if self.storage is not None else []),
            *self.extra_args,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            # Out of the API's process group: the group's SIGINT/SIGTERM must not stop it mid-drain.
            start_new_session=True,
            cwd=self.storage if self.storage is not None else None,
        )
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                self.log.seek(0)
                error = self.log.read().decode(errors="replace")
                raise EmbeddedDatabaseError(
                    f"SecantusDB exited with {self.process.returncode}: {error[-2000:]}"
                )
            if self._answers():
                return
            time.sleep(0.1)
        raise EmbeddedDatabaseError(f"SecantusDB did not answer on port {self.port} within {timeout:g}s")

    def _answers(self) -> bool:
        return database_answers(self.uri, 0.3)

    def stop(self, timeout: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None


def database_answers(uri: str, timeout: float) -> bool:
    """Whether the database at `uri` answers a ping within `timeout` seconds (the driver keeps trying
    to select a server meanwhile, so a database still starting up gets the whole time)."""
    client: MongoClient[dict[str, object]] = MongoClient(
        uri,
        serverSelectionTimeoutMS=max(1, int(timeout * 1000)),
        connectTimeoutMS=max(1, int(timeout * 1000)),
    )
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


@contextlib.contextmanager
def running(storage: Path | None, timeout: float = 30.0) -> Iterator[EmbeddedDatabase]:
    database = EmbeddedDatabase(storage)
    database.start(timeout)
    try:
        yield database
    finally:
        database.stop()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
