"""Helpers for the system-task black-box tests: build definitions with the SDK, run them over raw HTTP."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from conductor.client.http.api_client import ApiClient
from conductor.client.workflow.conductor_workflow import ConductorWorkflow

from execution_support import get_wf, register_workflow, start, wait_status, wait_until

_api_client = ApiClient()


def to_json(obj):
    """SDK model (WorkflowDef, WorkflowTask ...) -> plain JSON dict, exactly as the SDK would send it."""
    return _api_client.sanitize_for_serialization(obj)


def build(clients, name, *tasks, version=1, **fields):
    """ConductorWorkflow built from SDK task objects, returned as a JSON dict (extra top-level fields merged)."""
    wf = ConductorWorkflow(executor=clients.executor, name=name, version=version)
    wf.timeout_seconds(0)
    for t in tasks:
        wf.add(t)
    d = to_json(wf.to_workflow_def())
    d.update(fields)
    return d


def wt(task):
    """SDK task -> WorkflowTask JSON dict (for hand-editing fields the SDK does not expose)."""
    out = task.to_workflow_task()
    if isinstance(out, list):
        return [to_json(o) for o in out]
    return to_json(out)


def run(api, definition, input=None, register=True, **fields):
    if register:
        register_workflow(api, definition)
    return start(api, definition["name"], input or {}, **fields)


def summary(wf):
    return [(t["referenceTaskName"], t["taskType"], t["status"]) for t in sorted(wf["tasks"], key=lambda t: t["seq"])]


def by_ref(wf, ref):
    got = [t for t in wf["tasks"] if t["referenceTaskName"] == ref]
    assert len(got) == 1, f"expected exactly one task {ref}, got {len(got)}: {summary(wf)}"
    return got[0]


def ordered(wf):
    return sorted(wf["tasks"], key=lambda t: t["seq"])


def update_by_ref(api, wid, ref, status="COMPLETED", output=None, sync=False):
    url = f"{api}/tasks/{wid}/{ref}/{status}" + ("/sync" if sync else "")
    r = requests.post(url, json=output or {}, params={"workerid": "bb"}, timeout=30)
    assert r.status_code == 200, f"update by ref {ref}: {r.status_code} {r.text}"
    return r


def terminate(api, wid, reason=None):
    params = {"reason": reason} if reason is not None else {}
    r = requests.delete(f"{api}/workflow/{wid}", params=params, timeout=30)
    assert r.status_code == 200, f"terminate {wid}: {r.status_code} {r.text}"


class LocalHTTP:
    """A tiny HTTP server on 127.0.0.1 recording requests. Routes:
       /json          -> 200 {"hello": "world", "n": 3, "list": [1, 2]} (+ X-Test-Header)
       /echo          -> 200 JSON {"method", "path", "headers", "body"} with the parsed request body
       /text          -> 200 text/plain "plain text body"
       /status/<code> -> that status with JSON {"error": "boom <code>"}
       /slow/<ms>     -> sleeps then 200 {"slow": true}
    """

    def __init__(self):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _send(self, code, body, ctype="application/json", extra=None):
                data = body if isinstance(body, bytes) else (json.dumps(body).encode() if ctype == "application/json"
                                                              else body.encode())
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def _handle(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = raw.decode(errors="replace")
                outer.requests.append({"method": self.command, "path": self.path,
                                       "headers": {k.lower(): v for k, v in self.headers.items()},
                                       "body": parsed, "raw": raw})
                p = self.path.split("?")[0]
                if p == "/json":
                    self._send(200, {"hello": "world", "n": 3, "list": [1, 2]}, extra={"X-Test-Header": "abc"})
                elif p == "/echo":
                    self._send(200, {"method": self.command, "path": self.path,
                                     "headers": {k.lower(): v for k, v in self.headers.items()}, "body": parsed})
                elif p == "/text":
                    self._send(200, "plain text body", ctype="text/plain")
                elif p.startswith("/status/"):
                    code = int(p.rsplit("/", 1)[1])
                    self._send(code, {"error": f"boom {code}"})
                elif p.startswith("/slow/"):
                    time.sleep(int(p.rsplit("/", 1)[1]) / 1000)
                    self._send(200, {"slow": True})
                else:
                    self._send(404, {"error": "no route"})

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
