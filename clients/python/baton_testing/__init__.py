"""Run a Baton server from tests: `BatonServer` by hand, or the `baton` pytest fixture (plugin.py)."""
from .server import BatonServer, find_binary

__all__ = ["BatonServer", "find_binary"]
