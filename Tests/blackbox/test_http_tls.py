"""The HTTP task over https://: libcurl's TLS with the system CA store plus `httpCaFile`, certificate
errors failing the task with a reason that says so (issue: OSS parity)."""
import http.server
import json
import ssl
import subprocess
import threading

import pytest
import requests

from execution_support import register_workflow, wf_def


class Echo(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        out = json.dumps({"got": json.loads(body or b"{}"), "path": self.path, "auth": self.headers.get("Authorization")}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    """A local HTTPS server with a certificate made for this run (CN and SAN 127.0.0.1)."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{srv.server_address[1]}", cert
    srv.shutdown()


def run_http_task(api, unique, uri):
    name = unique("https_wf")
    register_workflow(api, wf_def(name, [{"name": "call", "taskReferenceName": "call", "type": "HTTP", "inputParameters": {
        "http_request": {"uri": uri, "method": "POST", "body": {"k": "v"}, "headers": {"Authorization": "Bearer t"}}}}]))
    r = requests.post(f"{api}/workflow/execute/{name}/1", params={"waitForSeconds": 10}, json={"name": name, "input": {}})
    assert r.status_code == 200, r.text
    return r.json()


def test_https_with_the_servers_ca_trusted(https_server, start_server, unique):
    url, cert = https_server
    srv = start_server(env={"BATON_HTTP_CA_FILE": str(cert)})
    wf = run_http_task(srv.url + "/api", unique, url + "/hook?x=1")
    assert wf["status"] == "COMPLETED", wf
    response = wf["tasks"][0]["outputData"]["response"]
    assert response["statusCode"] == 201 and response["reasonPhrase"] == "Created"
    assert response["body"] == {"got": {"k": "v"}, "path": "/hook?x=1", "auth": "Bearer t"}
    assert response["headers"]["Content-Type"] == ["application/json"]


def test_an_untrusted_certificate_fails_the_task_saying_so(https_server, clients, unique):
    url, _ = https_server
    wf = run_http_task(clients.api, unique, url + "/hook")
    assert wf["status"] == "FAILED"
    reason = wf["tasks"][0]["reasonForIncompletion"]
    assert "TLS certificate verification failed" in reason and "self-signed" in reason, reason


def test_an_unreadable_ca_file_stops_the_server_with_a_clear_message(tmp_path):
    import os
    binary = os.environ.get("BATON_BIN")
    r = subprocess.run([binary, "serve", "--port", "0", "--db", ":memory:", "--http-ca-file", str(tmp_path / "missing.pem")],
                       capture_output=True, text=True, timeout=10, cwd=tmp_path)
    assert r.returncode != 0 and "httpCaFile" in r.stderr and "cannot be read" in r.stderr
