"""otpcatch's local mail server as Python sees it: where it listens, and the child that runs it.

:meth:`Server.start` runs ``otpcatch serve --http 127.0.0.1:0 --smtp 127.0.0.1:0 --json`` with a
fresh random API token, reads the ready line, and stops the child (SIGTERM, then SIGKILL) on
:meth:`Server.stop`, when used as a context manager, or when the Python process exits.
:meth:`Server.from_env` describes a server that someone else runs (``otpcatch run`` sets the
variables it reads).
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from typing import IO, Any, Dict, Optional, Type
from types import TracebackType

from ._binary import find_binary
from ._errors import OtpcatchError
from .api import Client

__all__ = ["Server"]

#: Credentials a client would use; serve must not inherit them.
_CLIENT_VARIABLES = ("OTPCATCH_API_URL", "OTPCATCH_TOKEN", "OTPCATCH_ADDRESS", "OTPCATCH_PASSWORD")
_STOP_GRACE = 5.0


def _read_lines(stream: IO[str], lines: "queue.Queue[Optional[str]]") -> None:
    """Forward ``stream``'s lines to ``lines`` (None at end of file), so serve never blocks on a
    full stdout pipe."""
    try:
        for line in stream:
            lines.put(line)
    except (OSError, ValueError):
        pass
    finally:
        lines.put(None)


class Server:
    """A local otpcatch server: ``api_url``, ``smtp_host``, ``smtp_port`` and a ``client`` bound
    to it. The API token is kept private: it never appears in a repr."""

    def __init__(
        self,
        api_url: str,
        token: Optional[str],
        smtp_host: Optional[str] = None,
        smtp_port: Optional[int] = None,
        pid: Optional[int] = None,
        binary: Optional[str] = None,
        cache_dir: Optional[str] = None,
    ) -> None:
        self.api_url = api_url
        self._token = token
        self._smtp_host = smtp_host
        self._smtp_port = smtp_port
        #: The PID of the ``otpcatch serve`` process, when this package started it.
        self.pid = pid
        self._binary = binary
        #: The clients' Bearer cache for a server this package started: it means nothing once
        #: the server is gone, so it is removed with it.
        self._cache_dir = cache_dir
        self._child: Optional["subprocess.Popen[str]"] = None
        self._stderr: Optional[IO[bytes]] = None
        self._client: Optional[Client] = None

    # -- description ---------------------------------------------------------------------------

    @property
    def smtp_host(self) -> str:
        """The host the site under test sends mail to."""
        if self._smtp_host is None:
            raise OtpcatchError(
                "otpcatch: the SMTP address of the server at OTPCATCH_API_URL is unknown: "
                "set OTPCATCH_SMTP_HOST and OTPCATCH_SMTP_PORT (`otpcatch run` sets them)"
            )
        return self._smtp_host

    @property
    def smtp_port(self) -> int:
        """The SMTP port the site under test sends mail to."""
        if self._smtp_port is None:
            self.smtp_host  # raises the explanation
            raise AssertionError("unreachable")
        return self._smtp_port

    @property
    def client(self) -> Client:
        """A :class:`~otpcatch.Client` for this server's API."""
        if self._client is None:
            self._client = Client(api_url=self.api_url, token=self._token, binary=self._binary, cache_dir=self._cache_dir)
        return self._client

    def env(self) -> Dict[str, str]:
        """The variables ``otpcatch run`` gives its command: OTPCATCH_API_URL, OTPCATCH_TOKEN,
        OTPCATCH_SMTP_HOST and OTPCATCH_SMTP_PORT (those that are known), for a child process
        such as the site under test or a script that calls ``otpcatch`` itself."""
        env = {"OTPCATCH_API_URL": self.api_url}
        if self._token:
            env["OTPCATCH_TOKEN"] = self._token
        if self._smtp_host is not None:
            env["OTPCATCH_SMTP_HOST"] = self._smtp_host
        if self._smtp_port is not None:
            env["OTPCATCH_SMTP_PORT"] = str(self._smtp_port)
        if self._cache_dir is not None:
            env["OTPCATCH_CACHE_DIR"] = self._cache_dir
        return env

    def __repr__(self) -> str:
        return (
            f"Server(api_url={self.api_url!r}, smtp_host={self._smtp_host!r}, "
            f"smtp_port={self._smtp_port!r}, pid={self.pid!r})"
        )

    def to_dict(self) -> Dict[str, Any]:
        """This description (token included) as JSON-ready data, for another process."""
        return {
            "api_url": self.api_url,
            "token": self._token,
            "smtp_host": self._smtp_host,
            "smtp_port": self._smtp_port,
            "pid": self.pid,
            "binary": self._binary,
            "cache_dir": self._cache_dir,
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Server":
        """The description :meth:`to_dict` made (it does not own the process)."""
        port = data.get("smtp_port")
        return cls(
            api_url=str(data["api_url"]),
            token=data.get("token"),
            smtp_host=data.get("smtp_host"),
            smtp_port=int(port) if port is not None else None,
            pid=data.get("pid"),
            binary=data.get("binary"),
            cache_dir=data.get("cache_dir"),
        )

    @classmethod
    def from_env(cls, environ: Optional[Dict[str, str]] = None) -> Optional["Server"]:
        """The server that OTPCATCH_API_URL names (token: OTPCATCH_TOKEN; SMTP:
        OTPCATCH_SMTP_HOST/PORT), or None when OTPCATCH_API_URL is not set."""
        env = dict(os.environ) if environ is None else environ
        api_url = env.get("OTPCATCH_API_URL")
        if not api_url:
            return None
        port = env.get("OTPCATCH_SMTP_PORT")
        return cls(
            api_url=api_url,
            token=env.get("OTPCATCH_TOKEN") or None,
            smtp_host=env.get("OTPCATCH_SMTP_HOST") or None,
            smtp_port=int(port) if port else None,
        )

    # -- the process ---------------------------------------------------------------------------

    @classmethod
    def start(cls, binary: Optional[str] = None, ready_timeout: float = 10.0) -> "Server":
        """Start ``otpcatch serve`` on free loopback ports with a random API token and return
        once it is listening. Raises :class:`~otpcatch.OtpcatchError` with serve's stderr if it
        exits or is not ready within ``ready_timeout`` seconds."""
        __tracebackhide__ = True  # pytest must not print the locals (the token)
        exe = find_binary(binary)
        token = secrets.token_hex(16)
        env = {key: value for key, value in os.environ.items() if key not in _CLIENT_VARIABLES}
        env["OTPCATCH_SERVE_API_TOKEN"] = token
        argv = [exe, "serve", "--http", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--json"]
        stderr = tempfile.TemporaryFile()
        try:
            child = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, env=env,
                encoding="utf-8", errors="replace",
            )
        except OSError as error:
            stderr.close()
            message = f"otpcatch: could not run {exe}: {error.strerror or error}"
            raise OtpcatchError(message, 126, message, argv) from None
        assert child.stdout is not None
        lines: "queue.Queue[Optional[str]]" = queue.Queue()
        threading.Thread(target=_read_lines, args=(child.stdout, lines), name="otpcatch-serve-stdout", daemon=True).start()

        def fail(why: str) -> OtpcatchError:
            _stop_child(child)
            stderr.seek(0)
            said = stderr.read().decode("utf-8", "replace").replace(token, "[redacted]").strip()
            stderr.close()
            message = f"otpcatch: `otpcatch serve` {why}" + (f":\n{said}" if said else " (it printed nothing on stderr)")
            return OtpcatchError(message, child.returncode if child.returncode is not None else 1, said, argv)

        deadline = time.monotonic() + ready_timeout
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise fail(f"was not ready within {ready_timeout:g}s") from None
            if line is None:
                try:
                    child.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
                raise fail(f"exited with status {child.returncode} before it was ready")
            if not line.strip():
                continue
            try:
                ready = json.loads(line)
                server = cls(
                    api_url=str(ready["api_url"]),
                    token=token,
                    smtp_host=str(ready["smtp_host"]),
                    smtp_port=int(ready["smtp_port"]),
                    pid=child.pid,
                    binary=binary,
                    cache_dir=tempfile.mkdtemp(prefix="otpcatch-cache-"),
                )
            except (ValueError, KeyError, TypeError):
                raise fail(f"printed an unexpected ready line {line.strip()!r}") from None
            break
        server._child = child
        server._stderr = stderr
        atexit.register(server.stop)
        return server

    @property
    def running(self) -> bool:
        """Whether this object started the server and it is still running."""
        return self._child is not None and self._child.poll() is None

    def stop(self) -> None:
        """Stop the server if this object started it: SIGTERM, then SIGKILL after 5 s."""
        child, self._child = self._child, None
        if child is not None:
            _stop_child(child)
            atexit.unregister(self.stop)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
            # Only the process that started the server made the cache directory.
            if self._cache_dir is not None:
                shutil.rmtree(self._cache_dir, ignore_errors=True)

    def __enter__(self) -> "Server":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.stop()


def _stop_child(child: "subprocess.Popen[str]") -> None:
    """SIGTERM to the child's PID, then SIGKILL if it has not exited after a grace period."""
    if child.poll() is None:
        try:
            if os.name == "nt":
                child.terminate()
            else:
                os.kill(child.pid, signal.SIGTERM)
            child.wait(timeout=_STOP_GRACE)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        except ProcessLookupError:
            child.wait()
    if child.stdout is not None:
        child.stdout.close()
