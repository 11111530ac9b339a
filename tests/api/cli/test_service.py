"""The running service: embedded database lifecycle, `rfpmarket serve`, health and readiness."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from api.embedded import EmbeddedDatabase, free_port, pid_alive
from tests.conftest import Api, MakeApp


def test_embedded_database_keeps_data_across_a_restart(tmp_path: Path) -> None:
    first = EmbeddedDatabase(tmp_path / "db")
    first.start()
    try:
        with MongoClient(first.uri) as client:
            client.rfpmarket.things.insert_one({"name": "kept"})
    finally:
        first.stop()
    second = EmbeddedDatabase(tmp_path / "db")
    second.start()
    try:
        with MongoClient(second.uri) as client:
            assert client.rfpmarket.things.find_one({}, {"_id": 0}) == {"name": "kept"}
    finally:
        second.stop()


async def test_health_and_readiness(api: Api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


async def test_readyz_is_503_when_the_database_is_gone(tmp_path: Path, make_app: MakeApp) -> None:
    from api.settings import Settings

    database = EmbeddedDatabase(None)
    database.start()
    app = make_app(Settings(db="gone"), uri=database.uri)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.get("/readyz")).status_code == 200
            database.stop()
            response = await client.get("/readyz")
            assert response.status_code == 503


def _child_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc to find the database process")
def test_serve_answers_and_stops_its_database_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key != "MONGODB_URI"}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--data-dir", str(tmp_path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        ready = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready is not None and ready.status_code == 200, process.stderr.read() if process.stderr else ""
        database_pids = _child_pids(process.pid)
        assert database_pids, "the embedded database runs as a child process"
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        for pid in database_pids:
            for _ in range(50):
                if not pid_alive(pid):
                    break
                time.sleep(0.1)
            assert not pid_alive(pid), f"database process {pid} outlived the server"
        assert (tmp_path / "db").is_dir()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
