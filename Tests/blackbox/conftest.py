"""Shared fixtures: run the real `baton` binary on 127.0.0.1 and talk to it over HTTP."""
import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

# The SDK logs in with CONDUCTOR_AUTH_KEY/SECRET when they are set; Baton has no auth, so drop them
# before any Configuration is built.
for _var in ("CONDUCTOR_AUTH_KEY", "CONDUCTOR_AUTH_SECRET"):
    os.environ.pop(_var, None)

from conductor.client.configuration.configuration import Configuration  # noqa: E402
from conductor.client.orkes_clients import OrkesClients  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
BATON = os.environ.get("BATON_BIN") or str(REPO / ".build" / "release" / "baton")
START_TIMEOUT = 20.0   # seconds for a fresh server to answer /health
STOP_TIMEOUT = 15.0    # seconds for SIGTERM to end it (default grace is 10 s)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One baton process. stderr goes to a file so a chatty server never blocks on a full pipe."""

    def __init__(self, workdir, db=None, flags=(), env=None, port=None):
        self.workdir = Path(workdir)
        self.db = str(db or self.workdir / "baton.db")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [BATON, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--db", self.db, *flags]
        self.env = {**os.environ, **(env or {})}
        self.log_path = self.workdir / f"baton-{self.port}.log"
        self.proc = None

    def start(self):
        self.started_at = time.monotonic()
        # cwd is the temp dir so a config/baton.json in the caller's directory is never picked up.
        self.proc = subprocess.Popen(self.args, cwd=self.workdir, env=self.env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=open(self.log_path, "wb"))
        self.wait_healthy()
        return self

    def wait_healthy(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"baton exited with {self.proc.returncode} before it was healthy:\n{self.stderr()}")
            try:
                if requests.get(self.url + "/health", timeout=1).status_code == 200:
                    self.ready_seconds = time.monotonic() - self.started_at
                    return
            except requests.RequestException:
                pass
            time.sleep(0.02)
        self.kill()
        pytest.fail(f"baton not healthy after {START_TIMEOUT}s:\n{self.stderr()}")

    def stderr(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Send `sig` and return the exit code; a server still running after `timeout` is killed: None."""
        if not self.running:
            return self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.running:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Base URL of the server shared by the whole session; it must stop cleanly on SIGTERM."""
    srv = Server(tmp_path_factory.mktemp("session")).start()
    yield srv.url
    code = srv.stop()
    assert code == 0, f"session server after SIGTERM: exit code {code}\n{srv.stderr()[-4000:]}"


@pytest.fixture
def start_server(tmp_path):
    """Factory for private servers (restart, kill, limits): start_server(flags=[...], env={...}, db=path)."""
    started = []

    def start(flags=(), env=None, db=None, port=None):
        srv = Server(tmp_path, db=db, flags=flags, env=env, port=port).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        if srv.running:
            code = srv.stop()
            assert code == 0, f"private server after SIGTERM: exit code {code}\n{srv.stderr()[-4000:]}"


@pytest.fixture(scope="session")
def clients(server):
    """conductor-python 2.0.0 clients pointed at the session server."""
    orkes = OrkesClients(Configuration(server_api_url=server + "/api"))
    return SimpleNamespace(api=server + "/api",
                           metadata=orkes.get_metadata_client(),
                           workflows=orkes.get_workflow_client(),
                           tasks=orkes.get_task_client(),
                           executor=orkes.get_workflow_executor())


@pytest.fixture
def unique():
    """unique("wf") -> "wf_3f2a..."; lets tests share the session server without colliding."""
    return lambda prefix: f"{prefix}_{uuid.uuid4().hex[:12]}"
