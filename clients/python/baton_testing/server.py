"""One Baton process on a free port, with the manual clock, and conductor-python clients for it."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from functools import cached_property

import requests


def find_binary():
    """The `baton` binary: $BATON_BIN, else `baton` on PATH."""
    path = os.environ.get("BATON_BIN") or shutil.which("baton")
    if not path:
        raise RuntimeError("cannot find the baton binary: put it on PATH or set BATON_BIN "
                           "(swift build -c release leaves it at .build/release/baton)")
    return path


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BatonServer:
    """A Baton server for tests.

    Starts `baton serve --db :memory: --clock manual --ids sequential` on a free port: time stands
    still until `advance` moves it, and ids are the same on every run (and after every `reset`).
    `configuration` and `clients` are conductor-python's, ready to use.
    """

    def __init__(self, binary=None, db=":memory:", clock="manual", ids="sequential", extra_args=(), start_timeout=20.0):
        self.binary = binary or find_binary()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.api_url = self.url + "/api"
        self.args = [self.binary, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--db", db,
                     "--clock", clock, "--ids", ids, "--allow-reset", "true", *extra_args]
        self.start_timeout = start_timeout
        self.proc = None
        self._http = requests.Session()
        self._log = None

    # Running

    def start(self):
        # Its own directory: a config/baton.json where the tests run is never picked up.
        self._workdir = tempfile.mkdtemp(prefix="baton-")
        self._log = open(os.path.join(self._workdir, "baton.log"), "wb")
        self.proc = subprocess.Popen(self.args, cwd=self._workdir, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self._log)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"baton exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if self._http.get(self.url + "/health", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"baton did not become healthy in {self.start_timeout}s:\n{self.log()}")

    def stop(self, timeout=15.0):
        """SIGTERM and wait (in-flight requests finish, parked polls answer); returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log:
            self._log.close()
        return self.proc.returncode

    def log(self):
        try:
            with open(os.path.join(self._workdir, "baton.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # Time

    def now(self):
        """The server's clock, epoch milliseconds."""
        return self._call("GET", "/admin/clock")["now"]

    def advance(self, seconds=0, *, minutes=0, hours=0, days=0, millis=0):
        """Moves the clock forward; everything due on the way fires, in due order, each at its own
        time. Returns when it is all committed: the next read sees it."""
        total = millis + round(1000 * (seconds + 60 * minutes + 3600 * hours + 86400 * days))
        return self._call("POST", "/admin/clock/advance", json={"millis": total})

    # State

    def reset(self, definitions=False):
        """Removes every execution (and with `definitions=True`, every definition); ids start over."""
        return self._call("POST", "/admin/reset", json={"definitions": definitions})

    def snapshot(self, path):
        """A consistent copy of the database at `path`; `BatonServer(db=copy)` starts from it."""
        return self._call("POST", "/admin/snapshot", json={"path": str(path)})

    def _call(self, method, path, **kw):
        r = self._http.request(method, self.api_url + path, timeout=120, **kw)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text}")
        return r.json()

    # conductor-python

    @cached_property
    def configuration(self):
        from conductor.client.configuration.configuration import Configuration
        # Baton has no authentication; keys in the environment would make the SDK ask for a token.
        for var in ("CONDUCTOR_AUTH_KEY", "CONDUCTOR_AUTH_SECRET"):
            os.environ.pop(var, None)
        return Configuration(server_api_url=self.api_url)

    @cached_property
    def clients(self):
        from conductor.client.orkes_clients import OrkesClients
        return OrkesClients(self.configuration)

    @cached_property
    def metadata_client(self):
        return self.clients.get_metadata_client()

    @cached_property
    def workflow_client(self):
        return self.clients.get_workflow_client()

    @cached_property
    def task_client(self):
        return self.clients.get_task_client()

    @cached_property
    def executor(self):
        return self.clients.get_workflow_executor()
