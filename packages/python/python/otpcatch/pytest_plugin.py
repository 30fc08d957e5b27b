"""The pytest plugin (registered through the ``pytest11`` entry point): the ``otpcatch_server``
and ``mailbox`` fixtures.

``otpcatch_server`` (session scope) is the server named by ``OTPCATCH_API_URL`` when it is set
(as under ``otpcatch run``), and otherwise a local ``otpcatch serve`` that the plugin starts on
free loopback ports with a random API token. Without pytest-xdist it starts on first use and
stops when the session ends. With pytest-xdist it starts once, in the controller, before the
workers, which all get its address and token; the controller stops it at the end. ``mailbox``
(function scope) is a :class:`~otpcatch.Mailbox` on a fresh address of that server.
"""

from __future__ import annotations

import threading
from typing import Any, Optional

import pytest

from ._errors import OtpcatchError
from ._serve import Server
from .api import Mailbox

__all__ = ["otpcatch_server", "mailbox"]

_WORKERINPUT_KEY = "otpcatch_server"


class _SessionServer:
    """The server of one pytest run: described by the environment, or started once, here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: Optional[Server] = None
        self._error: Optional[OtpcatchError] = None

    def get(self) -> Server:
        """The server, started on the first call; a failed start is raised again, not retried."""
        __tracebackhide__ = True
        with self._lock:
            if self._error is not None:
                raise self._error
            if self._server is None:
                try:
                    self._server = Server.from_env() or Server.start()
                except OtpcatchError as error:
                    self._error = error
                    raise
            return self._server

    def stop(self) -> None:
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()


_STATE = pytest.StashKey[_SessionServer]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE] = _SessionServer()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist, in the controller, before each worker starts: hand it the one server (or
    why it could not start, which each test that asks for it then reports)."""
    try:
        description = node.config.stash[_STATE].get().to_dict()
    except OtpcatchError as error:
        description = {"error": str(error)}
    node.workerinput[_WORKERINPUT_KEY] = description


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is not None:
        state.stop()


@pytest.fixture(scope="session")
def otpcatch_server(request: pytest.FixtureRequest) -> Server:
    """The otpcatch server of this test run: ``.api_url``, ``.smtp_host``, ``.smtp_port`` (where
    the site under test sends its mail), ``.client`` (a Client bound to it) and ``.env()``."""
    workerinput = getattr(request.config, "workerinput", None)
    if isinstance(workerinput, dict) and _WORKERINPUT_KEY in workerinput:
        description = workerinput[_WORKERINPUT_KEY]
        if "error" in description:
            raise OtpcatchError(str(description["error"]))
        return Server.from_dict(description)
    return request.config.stash[_STATE].get()


@pytest.fixture
def mailbox(otpcatch_server: Server) -> Mailbox:
    """A fresh address on the test run's server: ``.address``, ``.code()``, ``.link()``,
    ``.message()``, ``.expect_none()`` and ``.messages()``."""
    return otpcatch_server.client.mailbox()
