"""HTTP/1.1 behaviour on raw sockets: framing, limits, timeouts, concurrency and shutdown."""
import json
import random
import select
import signal
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

import pytest

TIMEOUT = 5.0  # seconds; every socket read is bounded by this


class Response:
    def __init__(self, status, reason, headers, body):
        self.status, self.reason, self.headers, self.body = status, reason, headers, body

    def header(self, name):
        values = self.headers.get(name.lower())
        return values[-1] if values else None

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<{self.status} {self.reason} {self.headers} {self.body[:200]!r}>"


class Conn:
    """A raw client connection with a read buffer, so pipelined responses can be read one by one."""

    def __init__(self, url, timeout=TIMEOUT):
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)
        return self

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("server closed the connection")
        self.buf += chunk

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def response(self):
        """Read one response. Every response except 1xx/204 must carry Content-Length."""
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        version, status, reason = (status_line.split(" ", 2) + [""])[:3]
        assert version.startswith("HTTP/1."), status_line
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        status = int(status)
        if status < 200 or status == 204:
            assert "content-length" not in headers or status != 204, f"204 with Content-Length: {headers}"
            return Response(status, reason, headers, b"")
        assert "content-length" in headers, f"{status} response without Content-Length: {headers}"
        return Response(status, reason, headers, self._take(int(headers["content-length"][0])))

    def request(self, method, path, body=None, headers=()):
        return self.send(http(method, path, body, headers)).response()

    def closed_within(self, seconds):
        """True once the server closes (EOF or reset) within `seconds`; unread bytes are kept in buf."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                self._fill()
            except (EOFError, ConnectionResetError):
                return True
            except socket.timeout:
                return False
        return False

    def close(self):
        self.sock.close()


def http(method, path, body=None, headers=(), version="HTTP/1.1"):
    """Bytes of one request; a Content-Length is added for a body unless a header already frames it."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    lines = [f"{method} {path} {version}", "Host: 127.0.0.1", *headers]
    framed = any(h.lower().startswith(("content-length:", "transfer-encoding:")) for h in headers)
    if body is not None and not framed:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def chunked(data, size):
    out = b""
    for i in range(0, len(data), size):
        piece = data[i:i + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def taskdef_body(name):
    return json.dumps([{"name": name}]).encode()


@pytest.fixture
def conn(server):
    c = Conn(server)
    yield c
    c.close()


def healthy(url):
    c = Conn(url)
    try:
        return c.request("GET", "/health").status == 200
    finally:
        c.close()


# ---- connection management ----------------------------------------------------------------------

def test_keep_alive_is_the_default(conn):
    for _ in range(3):
        r = conn.request("GET", "/health")
        assert r.status == 200
        assert r.json() == {"healthResults": [], "suppressedHealthResults": [], "healthy": True}
    assert not conn.closed_within(0.2)


def test_connection_close_is_honoured(conn):
    r = conn.request("GET", "/health", headers=["Connection: close"])
    assert r.status == 200 and r.header("connection").lower() == "close"
    assert conn.closed_within(TIMEOUT)


def test_http10_closes_by_default(conn):
    r = conn.send(http("GET", "/health", version="HTTP/1.0")).response()
    assert r.status == 200
    assert conn.closed_within(TIMEOUT)


def test_http10_keep_alive_keeps_the_connection(conn):
    for _ in range(2):
        r = conn.send(http("GET", "/health", headers=["Connection: keep-alive"], version="HTTP/1.0")).response()
        assert r.status == 200
    assert not conn.closed_within(0.2)


def test_pipelined_requests_answered_in_order(conn, unique):
    name = unique("pipe")
    conn.send(http("GET", "/health")
              + http("POST", "/api/metadata/taskdefs", taskdef_body(name))
              + http("GET", f"/api/metadata/taskdefs/{name}")
              + http("GET", f"/api/metadata/taskdefs/{name}-absent")
              + http("GET", "/health"))
    statuses = [conn.response() for _ in range(5)]
    assert [r.status for r in statuses] == [200, 200, 200, 404, 200]
    assert statuses[2].json()["name"] == name


def test_repeated_connection_header_close_wins(conn):
    # Connection is a token list: keep-alive on one line and close on another still means close.
    r = conn.request("GET", "/health", headers=["Connection: keep-alive", "Connection: close"])
    assert r.status == 200
    assert conn.closed_within(TIMEOUT)


def test_header_names_are_case_insensitive(conn, unique):
    name = unique("case")
    body = taskdef_body(name)
    r = conn.request("POST", "/api/metadata/taskdefs", body,
                     headers=["cOnTeNt-TyPe: application/json", f"CONTENT-LENGTH: {len(body)}",
                              "x-authorization: a", "X-Authorization: b"])   # repeated, ignored
    assert r.status == 200
    assert conn.request("GET", f"/api/metadata/taskdefs/{name}").status == 200
    r = conn.request("GET", "/health", headers=["CONNECTION: CLOSE"])
    assert r.status == 200 and conn.closed_within(TIMEOUT)


# ---- request bodies -----------------------------------------------------------------------------

def test_content_length_body(conn, unique):
    name = unique("cl")
    assert conn.request("POST", "/api/metadata/taskdefs", taskdef_body(name)).status == 200
    assert conn.request("GET", f"/api/metadata/taskdefs/{name}").json()["name"] == name


def test_chunked_body(conn, unique):
    name = unique("chunked")
    body = chunked(taskdef_body(name), 7)   # many small chunks, split mid-token
    r = conn.request("POST", "/api/metadata/taskdefs", body,
                     headers=["Content-Type: application/json", "Transfer-Encoding: chunked"])
    assert r.status == 200
    # The connection stays usable: the chunked framing was consumed exactly.
    assert conn.request("GET", f"/api/metadata/taskdefs/{name}").json()["name"] == name


def test_chunked_body_sent_in_pieces(conn, unique):
    name = unique("chunked")
    body = chunked(taskdef_body(name), 5)
    conn.send(http("POST", "/api/metadata/taskdefs", headers=["Transfer-Encoding: chunked"]))
    for i in range(0, len(body), 9):        # the server must wait for the rest, not parse early
        conn.send(body[i:i + 9])
        time.sleep(0.005)
    assert conn.response().status == 200
    assert conn.request("GET", f"/api/metadata/taskdefs/{name}").status == 200


def test_expect_100_continue(conn, unique):
    name = unique("expect")
    body = taskdef_body(name)
    conn.send(http("POST", "/api/metadata/taskdefs", headers=[
        "Content-Type: application/json", f"Content-Length: {len(body)}", "Expect: 100-continue"]))
    interim = conn.response()                # before any body byte was sent
    assert (interim.status, interim.reason) == (100, "Continue")
    conn.send(body)
    assert conn.response().status == 200
    assert conn.request("GET", f"/api/metadata/taskdefs/{name}").status == 200


# ---- paths and queries --------------------------------------------------------------------------

def test_path_segments_are_percent_decoded(conn, unique):
    name = f"sp ace+plus é {uuid.uuid4().hex[:8]}"
    r = conn.request("POST", "/api/metadata/workflow",
                     {"name": name, "tasks": [{"name": "t", "taskReferenceName": "t"}]})
    assert r.status == 200
    r = conn.request("GET", "/api/metadata/workflow/" + quote(name, safe="+"))   # %20 for space, + kept
    assert r.status == 200 and r.json()["name"] == name
    # In a path "+" is a literal plus, never a space.
    r = conn.request("GET", "/api/metadata/workflow/" + quote(name.replace(" ", "+"), safe="+"))
    assert r.status == 404


def test_query_uses_form_decoding(conn, unique):
    r = conn.request("POST", "/api/metadata/workflow?overwrite=maybe+not%21", {"name": unique("q"), "tasks": []})
    assert r.status == 400 and "'maybe not!'" in r.json()["message"]   # + is a space, %21 is !
    name = unique("q")
    wf = {"name": name, "tasks": [{"name": "t", "taskReferenceName": "t"}]}
    assert conn.request("POST", "/api/metadata/workflow?overwrite=false", wf).status == 200
    assert conn.request("POST", "/api/metadata/workflow?overwrite=%54rue", wf).status == 200   # "True"


# ---- status codes and error bodies --------------------------------------------------------------

def test_unknown_route_is_404_json(conn):
    r = conn.request("GET", "/api/no/such/route")
    assert r.status == 404 and r.header("content-type").startswith("application/json")
    assert r.json()["status"] == 404 and r.json()["retryable"] is False
    assert conn.request("GET", "/health/").status == 404     # no trailing-slash matching


def test_wrong_method_is_405_with_allow(conn):
    r = conn.request("PATCH", "/health")
    assert r.status == 405 and "GET" in r.header("allow")
    assert r.json()["status"] == 405 and r.json()["message"] == "Request method 'PATCH' is not supported"
    r = conn.request("DELETE", "/api/metadata/workflow/somename", b"{}")   # DELETE needs /{version}
    assert r.status == 405 and "GET" in r.header("allow")


def test_every_response_has_content_length(conn, unique):
    name = unique("cl")
    wf = {"name": name, "tasks": [{"name": "t", "taskReferenceName": "t"}]}
    cases = [("GET", "/health", None, 200), ("POST", "/api/metadata/workflow", wf, 200),
             ("POST", "/api/metadata/workflow?overwrite=false", wf, 409),
             ("POST", "/api/metadata/workflow", {"tasks": []}, 400), ("GET", "/nope", None, 404),
             ("PUT", "/health", b"", 405), ("DELETE", f"/api/metadata/workflow/{name}/1", b"{}", 200)]
    for method, path, body, status in cases:
        r = conn.request(method, path, body)     # Conn.response() asserts Content-Length itself
        assert r.status == status, (method, path, r)
        assert int(r.header("content-length")) == len(r.body)


def test_204_has_no_content_length_and_no_body(conn, unique):
    # A single poll of a task type with nothing queued answers 204; pipelining proves no body follows.
    conn.send(http("GET", f"/api/tasks/poll/{unique('empty')}?workerid=bb") + http("GET", "/health"))
    r = conn.response()
    assert r.status == 204 and "content-length" not in r.headers and "content-type" not in r.headers
    assert conn.response().status == 200


# ---- limits -------------------------------------------------------------------------------------

def test_head_over_16k_is_431(conn):
    r = conn.send(http("GET", "/health", headers=["X-Big: " + "a" * (17 * 1024)])).response()
    assert r.status == 431


def test_head_just_under_limit_is_fine(conn):
    assert conn.request("GET", "/health", headers=["X-Big: " + "a" * (15 * 1024)]).status == 200


def test_body_over_max_is_413_without_reading_it(conn):
    # Only the head is sent: the answer must come from Content-Length alone (default max 10 MiB).
    conn.send(http("POST", "/api/metadata/taskdefs", headers=[f"Content-Length: {10 * 1024 * 1024 + 1}"]))
    r = conn.response()
    assert r.status == 413 and r.json()["status"] == 413


def test_expect_100_continue_over_max_gets_413_not_continue(conn):
    conn.send(http("POST", "/api/metadata/taskdefs",
                   headers=[f"Content-Length: {64 * 1024 * 1024}", "Expect: 100-continue"]))
    assert conn.response().status == 413


def test_body_limits_on_small_server(start_server, unique):
    srv = start_server(flags=["--max-body-bytes", "1024"])
    name = unique("lim")
    exact = taskdef_body(name).ljust(1024)          # JSON padded with spaces to exactly the limit
    c = Conn(srv.url)
    assert c.request("POST", "/api/metadata/taskdefs", exact).status == 200
    c.close()
    c = Conn(srv.url)
    assert c.request("POST", "/api/metadata/taskdefs", exact + b" ").status == 413
    c.close()
    # Chunked: refused once the running total passes the limit, while chunks keep coming.
    c = Conn(srv.url)
    c.send(http("POST", "/api/metadata/taskdefs", headers=["Transfer-Encoding: chunked"]))
    c.send(b"200\r\n" + b" " * 0x200 + b"\r\n" + b"200\r\n" + b" " * 0x200 + b"\r\n" + b"10\r\n" + b" " * 16 + b"\r\n")
    assert c.response().status == 413
    c.close()


@pytest.mark.parametrize("raw", [
    b"GARBAGE\r\n\r\n",
    b"GET /health\r\n\r\n",
    b"GET /health HTTP/1.1\r\nNoColonHere\r\n\r\n",
    b"POST /api/metadata/taskdefs HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    b"POST /api/metadata/taskdefs HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n[{}] ",
    b"POST /api/metadata/taskdefs HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"GET /health HTTP/1.1\r\nHost: a\r\n Folded: header\r\n\r\n",
], ids=["garbage", "no-version", "no-colon", "bad-length", "two-lengths", "bad-chunk", "obs-fold"])
def test_malformed_request_is_400_and_close(conn, raw):
    r = conn.send(raw).response()
    assert r.status == 400
    assert conn.closed_within(TIMEOUT)


# ---- timeouts (private server, 1 s each) --------------------------------------------------------

@pytest.fixture
def quick(start_server):
    return start_server(flags=["--head-timeout-seconds", "1", "--read-timeout-seconds", "1",
                               "--idle-timeout-seconds", "1"])


def test_partial_head_gets_408_and_close(quick):
    c = Conn(quick.url)
    c.send(b"GET /health HTTP/1.1\r\nHost: x\r\n")     # never finished
    started = time.monotonic()
    r = c.response()
    assert r.status == 408 and time.monotonic() - started < 4
    assert c.closed_within(TIMEOUT)
    c.close()


def test_idle_keep_alive_connection_is_closed(quick):
    c = Conn(quick.url)
    assert c.request("GET", "/health").status == 200
    assert not c.closed_within(0.3)                    # not closed straight away
    assert c.closed_within(4)                          # but within a few seconds of a 1 s timeout
    c.close()


def test_stalled_body_is_dropped(quick):
    c = Conn(quick.url)
    c.send(http("POST", "/api/metadata/taskdefs", headers=["Content-Length: 100"]) + b"[{")
    assert c.closed_within(4)                          # read timeout 1 s: the server gives up
    assert healthy(quick.url)
    c.close()


# ---- connection cap -----------------------------------------------------------------------------

def test_connections_beyond_max_get_503(start_server):
    srv = start_server(flags=["--max-connections", "5"])
    # The readiness probe's connection is closed by the client but counted until the server reads its
    # EOF, which happens asynchronously: a held connection may meet that moment and get a 503, so each
    # is opened again until it is served (within a deadline).
    held = []
    deadline = time.monotonic() + 5
    while len(held) < 5:
        c = Conn(srv.url)
        try:
            if c.request("GET", "/health").status == 200:
                held.append(c)
                continue
        except (EOFError, ConnectionResetError):
            pass
        c.close()
        assert time.monotonic() < deadline, f"only {len(held)} of 5 connections were served"
        time.sleep(0.05)
    extra = Conn(srv.url)
    # The server may answer before reading anything; read first so a reset cannot eat the 503.
    if not select.select([extra.sock], [], [], 0.5)[0]:
        extra.send(http("GET", "/health"))
    r = extra.response()
    assert r.status == 503 and r.json()["status"] == 503
    assert extra.closed_within(TIMEOUT)
    extra.close()
    held.pop().close()                                 # a slot frees up
    deadline = time.monotonic() + 5
    while True:
        c = Conn(srv.url)
        try:
            if c.request("GET", "/health").status == 200:
                break
        except (EOFError, ConnectionResetError):
            pass
        finally:
            c.close()
        assert time.monotonic() < deadline, "no slot after a connection closed"
        time.sleep(0.1)
    for c in held:
        c.close()


# ---- robustness and load ------------------------------------------------------------------------

def test_random_bytes_leave_the_server_healthy(server):
    rng = random.Random(20240601)                      # reproducible garbage

    def garbage(i):
        c = Conn(server, timeout=2)
        try:
            payload = rng.randbytes(rng.randint(1, 4096))
            if i % 2:
                payload += b"\r\n\r\n"                 # half of them end like a complete head
            c.send(payload)
            c.closed_within(1.5)
            if c.buf.startswith(b"HTTP/"):
                status = int(c.buf.split(b" ", 2)[1])
                assert 400 <= status < 500, c.buf[:200]
        except (ConnectionResetError, BrokenPipeError):
            pass                                       # being hung up on is fine
        finally:
            c.close()

    with ThreadPoolExecutor(10) as pool:
        list(pool.map(garbage, range(50), timeout=60))
    assert healthy(server)


def test_64_clients_x_200_keep_alive_requests(server, unique):
    name = unique("load")
    c = Conn(server)
    assert c.request("POST", "/api/metadata/workflow",
                     {"name": name, "tasks": [{"name": "t", "taskReferenceName": "t"}]}).status == 200
    c.close()
    paths = ["/health", f"/api/metadata/workflow/{name}"]

    def client(i):
        conn, ok = Conn(server, timeout=20), 0
        try:
            for n in range(200):
                r = conn.request("GET", paths[n % 2])
                ok += r.status == 200 and (n % 2 == 0 or r.json()["name"] == name)
        finally:
            conn.close()
        return ok

    started = time.monotonic()
    with ThreadPoolExecutor(64) as pool:
        results = list(pool.map(client, range(64), timeout=300))
    print(f"\n64x200 keep-alive requests in {time.monotonic() - started:.2f}s")
    assert results == [200] * 64


def test_hundreds_of_idle_connections_do_not_block_a_new_client(server):
    idle, address = [], ("127.0.0.1", urlsplit(server).port)
    try:
        for _ in range(300):
            idle.append(socket.create_connection(address, timeout=TIMEOUT))
        time.sleep(0.2)                                # let the server accept them all
        started = time.monotonic()
        c = Conn(server, timeout=3)                    # "promptly": well under the head timeout
        assert c.request("GET", "/health").status == 200
        c.close()
        print(f"\n/health with 300 idle connections open: {(time.monotonic() - started) * 1000:.1f} ms")
    finally:
        for s in idle:
            s.close()


# ---- shutdown and durability --------------------------------------------------------------------

def test_sigterm_finishes_in_flight_request(start_server, tmp_path, unique):
    db = tmp_path / "drain.db"
    srv = start_server(db=db)
    before, during = unique("before"), unique("during")
    c = Conn(srv.url)
    assert c.request("POST", "/api/metadata/taskdefs", taskdef_body(before)).status == 200
    body = taskdef_body(during)
    c.send(http("POST", "/api/metadata/taskdefs", headers=[f"Content-Length: {len(body)}"]) + body[:5])
    time.sleep(0.3)                                    # the server is now waiting for the body
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    # It stops accepting: a new connection is refused or hung up on without an answer.
    try:
        late = Conn(srv.url, timeout=2)
        try:
            late.send(http("GET", "/health"))
            assert late.closed_within(2) and late.buf == b"", "a new connection after SIGTERM was neither refused nor closed"
        except (ConnectionResetError, BrokenPipeError):
            pass
        finally:
            late.close()
    except ConnectionRefusedError:
        pass
    c.send(body[5:])
    assert c.response().status == 200                  # the in-flight request completes
    c.close()
    assert srv.proc.wait(timeout=15) == 0, srv.stderr()[-3000:]
    again = start_server(db=db)
    c = Conn(again.url)
    for name in (before, during):
        assert c.request("GET", f"/api/metadata/taskdefs/{name}").status == 200, name
    c.close()


def test_acknowledged_write_survives_kill_9(start_server, tmp_path, unique):
    db = tmp_path / "crash.db"
    srv = start_server(db=db)
    name = unique("durable")
    c = Conn(srv.url)
    assert c.request("POST", "/api/metadata/workflow",
                     {"name": name, "tasks": [{"name": "t", "taskReferenceName": "t"}]}).status == 200
    c.close()
    srv.proc.send_signal(signal.SIGKILL)               # no chance to flush or close anything
    assert srv.proc.wait(timeout=10) == -signal.SIGKILL
    again = start_server(db=db)
    c = Conn(again.url)
    r = c.request("GET", f"/api/metadata/workflow/{name}")
    assert r.status == 200 and r.json()["name"] == name
    c.close()


def test_sigint_also_stops_cleanly(start_server):
    srv = start_server()
    assert healthy(srv.url)
    assert srv.stop(signal.SIGINT) == 0, srv.stderr()[-3000:]
