"""Command line, configuration and startup of the baton binary."""
import json
import os
import re
import sqlite3
import subprocess

import pytest
import requests

from conftest import BATON, free_port

T = 10  # seconds for any one process run or HTTP call


def run(args, tmp_path, env=None):
    """Run baton to completion (it must exit by itself) with no BATON_* variables but `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BATON_")}
    return subprocess.run([BATON, *args], cwd=tmp_path, env={**clean, **(env or {})},
                          capture_output=True, text=True, timeout=T, stdin=subprocess.DEVNULL)


def serve_args(tmp_path):
    return ["serve", "--host", "127.0.0.1", "--port", str(free_port()), "--db", str(tmp_path / "cli.db")]


def test_help(tmp_path):
    r = run(["--help"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Usage" in r.stdout and "--max-body-bytes" in r.stdout and "BATON_PORT" in r.stdout


def test_version(tmp_path):
    r = run(["--version"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert re.fullmatch(r"baton \d+\.\d+\.\d+\S*\n?", r.stdout), r.stdout


@pytest.mark.parametrize("flags, named", [
    (["--port", "abc"], "--port"),
    (["--port", "70000"], "--port"),
    (["--max-connections", "0"], "--max-connections"),
    (["--max-body-bytes", "-1"], "--max-body-bytes"),
    (["--head-timeout-seconds", "soon"], "--head-timeout-seconds"),
    (["--log-level", "loud"], "--log-level"),
    (["--no-such-flag", "1"], "--no-such-flag"),
])
def test_bad_flag_is_refused_naming_it(tmp_path, flags, named):
    r = run([*serve_args(tmp_path), *flags], tmp_path)
    assert r.returncode != 0
    assert named in r.stderr, r.stderr


@pytest.mark.parametrize("var, value", [("BATON_PORT", "abc"), ("BATON_MAX_BODY_BYTES", "lots"),
                                        ("BATON_IDLE_TIMEOUT_SECONDS", "0")])
def test_bad_environment_variable_is_refused_naming_it(tmp_path, var, value):
    r = run(["serve", "--db", str(tmp_path / "cli.db")], tmp_path, env={var: value})
    assert r.returncode != 0
    assert var in r.stderr, r.stderr


@pytest.mark.parametrize("via", ["flag", "env"])
def test_unknown_key_in_config_file_is_refused_naming_it(tmp_path, via):
    config = tmp_path / "baton.json"
    config.write_text(json.dumps({"port": 8080, "maxBodyByte": 5}))      # typo of maxBodyBytes
    args = serve_args(tmp_path) + (["--config", str(config)] if via == "flag" else [])
    r = run(args, tmp_path, env={"BATON_CONFIG": str(config)} if via == "env" else None)
    assert r.returncode != 0
    assert "maxBodyByte" in r.stderr, r.stderr


def test_bad_value_in_config_file_is_refused_naming_it(tmp_path):
    config = tmp_path / "baton.json"
    config.write_text(json.dumps({"maxConnections": "many"}))
    r = run([*serve_args(tmp_path), "--config", str(config)], tmp_path)
    assert r.returncode != 0 and "maxConnections" in r.stderr, r.stderr


def test_settings_from_file_env_and_flags(start_server, tmp_path):
    # File says 50 bytes, the environment 100, a flag 1000: the flag wins, so 500 bytes pass ...
    config = tmp_path / "limits.json"
    config.write_text(json.dumps({"maxBodyBytes": 50}))
    body = json.dumps([{"name": "x" * 450}])
    srv = start_server(flags=["--config", str(config), "--max-body-bytes", "1000"],
                       env={"BATON_MAX_BODY_BYTES": "100"})
    assert requests.post(srv.url + "/api/metadata/taskdefs", data=body, timeout=T).status_code == 200
    # ... and without the flag the environment (100) beats the file (50).
    srv = start_server(flags=["--config", str(config)], env={"BATON_MAX_BODY_BYTES": "100"})
    assert requests.post(srv.url + "/api/metadata/taskdefs", data="[" + " " * 60 + "]", timeout=T).status_code == 400
    assert requests.post(srv.url + "/api/metadata/taskdefs", data=body, timeout=T).status_code == 413


def test_memory_database(start_server, unique):
    srv = start_server(db=":memory:")
    name = unique("mem")
    assert requests.post(srv.url + "/api/metadata/taskdefs", json=[{"name": name}], timeout=T).status_code == 200
    assert requests.get(f"{srv.url}/api/metadata/taskdefs/{name}", timeout=T).json()["name"] == name


def test_newer_schema_database_is_refused_untouched(tmp_path):
    db = tmp_path / "future.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                  "applied_at INTEGER NOT NULL)")
        c.executemany("INSERT INTO schema_migrations VALUES (?, ?, 0)", [(1, "metadata"), (9999, "from_the_future")])
    c.close()
    before, files = db.read_bytes(), sorted(os.listdir(tmp_path))
    r = run(["serve", "--host", "127.0.0.1", "--port", str(free_port()), "--db", str(db)], tmp_path)
    assert r.returncode != 0
    assert "newer" in r.stderr, r.stderr
    assert db.read_bytes() == before                  # not migrated, not even touched
    assert sorted(os.listdir(tmp_path)) == files      # no -wal/-shm left behind either


def test_startup_time_and_idle_memory(start_server):
    # Reported, never asserted: performance is the benchmarks' business.
    srv = start_server()
    status = open(f"/proc/{srv.proc.pid}/status").read()
    rss = re.search(r"VmRSS:\s+(\d+) kB", status).group(1)
    print(f"\nstartup to healthy /health: {srv.ready_seconds * 1000:.1f} ms (empty db), idle RSS: {int(rss) / 1024:.1f} MiB")
    assert srv.running
