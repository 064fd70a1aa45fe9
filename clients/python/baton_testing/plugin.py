"""pytest plugin (registered by installing this package): the `baton` and `baton_clean` fixtures.

    def test_waits_an_hour(baton):
        wf_id = baton.workflow_client.start_workflow(...)
        baton.advance(hours=1)
        assert baton.workflow_client.get_workflow(wf_id, False).status == "COMPLETED"
"""
import pytest

from .server import BatonServer


def pytest_addoption(parser):
    group = parser.getgroup("baton")
    group.addoption("--baton-bin", default=None, help="the baton binary (default: $BATON_BIN, then PATH)")
    parser.addini("baton_args", type="args", default=[], help="extra arguments for `baton serve`")


@pytest.fixture(scope="session")
def baton(request):
    """One Baton server for the session: in memory, manual clock, stopped cleanly at the end."""
    server = BatonServer(binary=request.config.getoption("--baton-bin"), extra_args=request.config.getini("baton_args"))
    server.start()
    yield server
    code = server.stop()
    if code != 0:
        raise RuntimeError(f"baton exited with {code}:\n{server.log()[-4000:]}")


@pytest.fixture
def baton_clean(baton):
    """The session's server after a reset: no executions, ids from the start (definitions stay)."""
    baton.reset()
    return baton
