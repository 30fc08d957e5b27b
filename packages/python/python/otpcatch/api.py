"""The Python API: a :class:`Client` that runs the ``otpcatch`` binary, the :class:`Mailbox` of one
address, and module-level functions bound to a default client.

The default client (and any client made without arguments) reads ``OTPCATCH_API_URL``,
``OTPCATCH_TOKEN`` and ``OTPCATCH_BINARY`` from :data:`os.environ` at each call, so a test run
under ``otpcatch run`` (or a CI job that sets them) needs no configuration.

Methods set ``__tracebackhide__``: a failing test's traceback in pytest ends at the test's own
call, and never prints the arguments of the frames below it (the child's environment holds the
token; a TOTP secret is written to the child's standard input).
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Dict, List, Optional, Union

from ._binary import find_binary
from ._durations import Duration, Instant, duration_flag, duration_seconds, unix_seconds
from ._errors import OtpcatchError
from ._run import run
from ._types import Extraction, Message, MessageSummary

__all__ = [
    "Client",
    "Mailbox",
    "Pattern",
    "new_address",
    "wait_for_code",
    "wait_for_link",
    "wait_for_message",
    "expect_none",
    "inbox",
    "extract",
    "totp",
]

#: A filter: a regular expression as a string or a compiled pattern (its ``.pattern`` is used).
#: The binary matches it case-insensitively, with Rust's regex syntax (which Python's simple
#: patterns share).
Pattern = Union[str, "re.Pattern[str]"]

#: Seconds allowed beyond a command's own timeout before the child is killed.
_MARGIN = 20.0
#: The backstop for a command that does not wait (new-address, inbox, extract).
_PLAIN_DEADLINE = 120.0
#: The backstop when a wait's length is unknown (timeout=None without a readable OTPCATCH_TIMEOUT).
_UNKNOWN_DEADLINE = 600.0


def _pattern(value: Pattern) -> str:
    if isinstance(value, re.Pattern):
        return str(value.pattern)
    if isinstance(value, str):
        return value
    raise TypeError(f"a filter must be a str or a compiled re.Pattern, not {type(value).__name__}")


def _message_id(value: Union[str, Message]) -> str:
    return value.id if isinstance(value, Message) else str(value)


def _filter_args(
    from_: Optional[Pattern],
    subject: Optional[Pattern],
    body: Optional[Pattern],
    since: Optional[Instant],
    since_now: bool,
    after_id: Optional[Union[str, Message]],
) -> List[str]:
    args: List[str] = []
    if from_ is not None:
        args += ["--from", _pattern(from_)]
    if subject is not None:
        args += ["--subject", _pattern(subject)]
    if body is not None:
        args += ["--body", _pattern(body)]
    if since is not None:
        args += ["--since", str(unix_seconds(since))]
    if since_now:
        args.append("--since-now")
    if after_id is not None:
        args += ["--after-id", _message_id(after_id)]
    return args


def _deadline(wait: Optional[float]) -> float:
    return _UNKNOWN_DEADLINE if wait is None else wait * 1.1 + _MARGIN


def _json_object(stdout: str, command: str, argv: List[str]) -> Dict[str, Any]:
    try:
        value = json.loads(stdout)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        message = f"otpcatch: `otpcatch {command} --json` printed no JSON object: {stdout[:200]!r}"
        raise OtpcatchError(message, 0, "", argv)
    return value


class Client:
    """Runs the ``otpcatch`` binary against one API.

    Args:
        api_url: the API base URL (22.do's by default, or a local server's such as
            ``http://127.0.0.1:8025/api/v2``); None: ``OTPCATCH_API_URL``, read at each call.
        token: the API token; None: ``OTPCATCH_TOKEN``, read at each call. It reaches the binary
            only through its environment, and never appears in a repr, an error or a command line.
        binary: the ``otpcatch`` binary to run; None: ``OTPCATCH_BINARY`` (read at each call),
            then the binary installed with this package.
        cache_dir: where the binary keeps its Bearer cache and quota log
            (``OTPCATCH_CACHE_DIR``); None: the environment's, else the user's cache directory.
    """

    def __init__(
        self,
        api_url: Optional[str] = None,
        token: Optional[str] = None,
        binary: Optional[str] = None,
        cache_dir: Optional[str] = None,
    ) -> None:
        self._api_url = api_url
        self._token = token
        self._binary = binary
        self._cache_dir = cache_dir

    @property
    def api_url(self) -> Optional[str]:
        """The API URL this client was given (None: the environment's at each call)."""
        return self._api_url

    @property
    def binary(self) -> str:
        """The path of the binary this client runs (looked up now)."""
        return find_binary(self._binary)

    def __repr__(self) -> str:
        token = "<set>" if self._token else None
        return f"Client(api_url={self._api_url!r}, token={token}, binary={self._binary!r})"

    # -- running ------------------------------------------------------------------------------

    def _run(self, args: List[str], deadline: float, stdin: Optional[str] = None) -> str:
        __tracebackhide__ = True
        env = dict(os.environ)
        if self._api_url:
            env["OTPCATCH_API_URL"] = self._api_url
        if self._token:
            env["OTPCATCH_TOKEN"] = self._token
        if self._cache_dir:
            env["OTPCATCH_CACHE_DIR"] = self._cache_dir
        secrets = [self._token, env.get("OTPCATCH_TOKEN"), env.get("OTPCATCH_PASSWORD"), stdin and stdin.strip()]
        return run(find_binary(self._binary), args, env=env, deadline=deadline, stdin=stdin, secrets=secrets)

    def _wait(
        self,
        command: str,
        address: str,
        *,
        from_: Optional[Pattern],
        subject: Optional[Pattern],
        body: Optional[Pattern],
        since: Optional[Instant],
        since_now: bool,
        after_id: Optional[Union[str, Message]],
        timeout: Optional[Duration],
        latest: bool,
        nth: Optional[int],
        rule: Optional[str],
        delete: bool,
    ) -> Message:
        __tracebackhide__ = True
        args = [command, "--address", address]
        args += _filter_args(from_, subject, body, since, since_now, after_id)
        if timeout is not None:
            args += ["--timeout", duration_flag(timeout)]
            wait = duration_seconds(timeout)
        else:
            wait = duration_seconds(os.environ.get("OTPCATCH_TIMEOUT") or None)
        if latest:
            args.append("--latest")
        if nth is not None:
            args += ["--nth", str(int(nth))]
        if rule is not None:
            args += ["--rule", rule]
        if delete:
            args.append("--delete")
        args.append("--json")
        stdout = self._run(args, _deadline(wait))
        return Message.from_json(_json_object(stdout, command, args))

    # -- the API ------------------------------------------------------------------------------

    def new_address(self) -> str:
        """Create a fresh address and return it (``otpcatch new-address``)."""
        __tracebackhide__ = True
        args = ["new-address", "--json"]
        data = _json_object(self._run(args, _PLAIN_DEADLINE), "new-address", args)
        return str(data["email"])

    def mailbox(self) -> "Mailbox":
        """A :class:`Mailbox` on a fresh address."""
        __tracebackhide__ = True
        return Mailbox(self, self.new_address())

    def wait_for_code(
        self,
        address: str,
        *,
        from_: Optional[Pattern] = None,
        subject: Optional[Pattern] = None,
        body: Optional[Pattern] = None,
        since: Optional[Instant] = None,
        since_now: bool = False,
        after_id: Optional[Union[str, Message]] = None,
        timeout: Optional[Duration] = "60s",
        latest: bool = False,
        nth: Optional[int] = None,
        rule: Optional[str] = None,
        delete: bool = False,
    ) -> str:
        """Wait for a matching message with a one-time code and return the code.

        Every message the address received counts, including one that arrived before the call,
        unless ``since``/``since_now``/``after_id`` say otherwise. Filters (``from_``,
        ``subject``, ``body``) are case-insensitive regular expressions. ``timeout`` is a
        duration (``"30s"``, seconds, a timedelta; None: the binary's default, OTPCATCH_TIMEOUT
        or 60 s). ``latest`` takes the newest match, ``nth`` the Nth in order of arrival;
        ``rule`` extracts with one rule only; ``delete`` deletes the message once read.

        Raises :class:`WaitTimeout` (the message lists what arrived and why it did not match),
        :class:`NothingExtracted` (messages matched but had no code), :class:`UsageError`,
        :class:`AuthError`, :class:`Unavailable` or :class:`OtpcatchError`.
        """
        __tracebackhide__ = True
        message = self._wait(
            "wait-for-code", address, from_=from_, subject=subject, body=body, since=since,
            since_now=since_now, after_id=after_id, timeout=timeout, latest=latest, nth=nth,
            rule=rule, delete=delete,
        )
        if message.code is None:
            raise OtpcatchError("otpcatch: wait-for-code returned a message without a code", 0, "", [])
        return message.code

    def wait_for_link(
        self,
        address: str,
        *,
        from_: Optional[Pattern] = None,
        subject: Optional[Pattern] = None,
        body: Optional[Pattern] = None,
        since: Optional[Instant] = None,
        since_now: bool = False,
        after_id: Optional[Union[str, Message]] = None,
        timeout: Optional[Duration] = "60s",
        latest: bool = False,
        nth: Optional[int] = None,
        rule: Optional[str] = None,
        delete: bool = False,
    ) -> str:
        """Wait for a matching message with a confirmation or sign-in link and return the link.

        The arguments and errors are those of :meth:`wait_for_code`.
        """
        __tracebackhide__ = True
        message = self._wait(
            "wait-for-link", address, from_=from_, subject=subject, body=body, since=since,
            since_now=since_now, after_id=after_id, timeout=timeout, latest=latest, nth=nth,
            rule=rule, delete=delete,
        )
        if message.link is None:
            raise OtpcatchError("otpcatch: wait-for-link returned a message without a link", 0, "", [])
        return message.link

    def wait_for_message(
        self,
        address: str,
        *,
        from_: Optional[Pattern] = None,
        subject: Optional[Pattern] = None,
        body: Optional[Pattern] = None,
        since: Optional[Instant] = None,
        since_now: bool = False,
        after_id: Optional[Union[str, Message]] = None,
        timeout: Optional[Duration] = "60s",
        latest: bool = False,
        nth: Optional[int] = None,
        rule: Optional[str] = None,
        delete: bool = False,
    ) -> Message:
        """Wait for any matching message (it need not carry a code or a link) and return it,
        with the code and link found in it, if any.

        The arguments and errors are those of :meth:`wait_for_code`.
        """
        __tracebackhide__ = True
        return self._wait(
            "wait", address, from_=from_, subject=subject, body=body, since=since,
            since_now=since_now, after_id=after_id, timeout=timeout, latest=latest, nth=nth,
            rule=rule, delete=delete,
        )

    def expect_none(
        self,
        address: str,
        *,
        for_: Duration = "5s",
        from_: Optional[Pattern] = None,
        subject: Optional[Pattern] = None,
        body: Optional[Pattern] = None,
        since: Optional[Instant] = None,
        since_now: bool = False,
        after_id: Optional[Union[str, Message]] = None,
    ) -> None:
        """Return once ``for_`` has passed with no matching message; raise
        :class:`UnexpectedMessage` (naming the message) as soon as one is there."""
        __tracebackhide__ = True
        args = ["expect-none", "--address", address]
        args += _filter_args(from_, subject, body, since, since_now, after_id)
        args += ["--for", duration_flag(for_)]
        self._run(args, _deadline(duration_seconds(for_)))

    def inbox(self, address: str) -> List[MessageSummary]:
        """The messages the address holds, oldest first."""
        __tracebackhide__ = True
        args = ["inbox", "--address", address, "--json"]
        stdout = self._run(args, _PLAIN_DEADLINE)
        return [
            MessageSummary.from_json(_json_object(line, "inbox", args))
            for line in stdout.splitlines()
            if line.strip()
        ]

    def extract(self, path: Union[str, "os.PathLike[str]"]) -> Extraction:
        """The code and the link in an email file (a raw ``.eml``, a 22.do message ``.json``, an
        ``.html`` or a ``.txt`` body). Raises :class:`NothingExtracted` when it has neither."""
        __tracebackhide__ = True
        args = ["extract", "--file", os.fspath(path), "--json"]
        return Extraction.from_json(_json_object(self._run(args, _PLAIN_DEADLINE), "extract", args))

    def totp(
        self,
        secret: str,
        digits: Optional[int] = None,
        period: Optional[int] = None,
        algorithm: Optional[str] = None,
        at: Optional[Instant] = None,
        fresh: Optional[Duration] = None,
    ) -> str:
        """The RFC 6238 one-time password for a base32 ``secret`` or an ``otpauth://totp/`` URI.

        ``digits`` (6 to 8), ``period`` (seconds) and ``algorithm`` (``"SHA1"``, ``"SHA256"``,
        ``"SHA512"``) default to the URI's, else 6, 30 and SHA1. ``at`` is the instant (Unix
        seconds or a datetime; default: now). ``fresh`` (such as ``"5s"``): when less than that
        is left of the current code's window, wait for the next code, so it is still valid when
        the site checks it. The secret is written to the binary's standard input, never on its
        command line, and never appears in an error.
        """
        __tracebackhide__ = True
        args = ["totp", "-"]
        if digits is not None:
            args += ["--digits", str(int(digits))]
        if period is not None:
            args += ["--period", str(int(period))]
        if algorithm is not None:
            args += ["--algorithm", algorithm.upper()]
        if at is not None:
            args += ["--at", str(unix_seconds(at))]
        wait: Optional[float] = 0.0
        if fresh is not None:
            args += ["--fresh", duration_flag(fresh)]
            wait = duration_seconds(fresh)
        args.append("--json")
        stdout = self._run(args, _deadline(wait), stdin=secret.strip() + "\n")
        return str(_json_object(stdout, "totp", args)["code"])


class Mailbox:
    """One address and the client that reads it: what the ``mailbox`` fixture gives a test.

    ``str(mailbox)`` is the address. Each method is the client's, for this address.
    """

    def __init__(self, client: Client, address: str) -> None:
        self.client = client
        self.address = address

    def __str__(self) -> str:
        return self.address

    def __repr__(self) -> str:
        return f"Mailbox(address={self.address!r})"

    def code(
        self,
        *,
        from_: Optional[Pattern] = None,
        subject: Optional[Pattern] = None,
        body: Optional[Pattern] = None,
        since: Optional[Instant] = None,
        since_now: bool = False,
        after_id: Optional[Union[str, Message]] = None,
        timeout: Optional[Duration] = "60s",
        latest: bool = False,
        nth: Optional[int] = None,
        rule: Optional[str] = None,
        delete: bool = False,
    ) -> str:
        """The code in the matching message (see :meth:`Client.wait_for_code`)."""
        __tracebackhide__ = True
        return self.client.wait_for_code(
            self.address, from_=from_, subject=subject, body=body, since=since, since_now=since_now,
            after_id=after_id, timeout=timeout, latest=latest, nth=nth, rule=rule, delete=delete,
        )

    def link(
        self,
        *,
        from_: Optional[Pattern] = None,
        subject: Optional[Pattern] = None,
        body: Optional[Pattern] = None,
        since: Optional[Instant] = None,
        since_now: bool = False,
        after_id: Optional[Union[str, Message]] = None,
        timeout: Optional[Duration] = "60s",
        latest: bool = False,
        nth: Optional[int] = None,
        rule: Optional[str] = None,
        delete: bool = False,
    ) -> str:
        """The link in the matching message (see :meth:`Client.wait_for_link`)."""
        __tracebackhide__ = True
        return self.client.wait_for_link(
            self.address, from_=from_, subject=subject, body=body, since=since, since_now=since_now,
            after_id=after_id, timeout=timeout, latest=latest, nth=nth, rule=rule, delete=delete,
        )

    def message(
        self,
        *,
        from_: Optional[Pattern] = None,
        subject: Optional[Pattern] = None,
        body: Optional[Pattern] = None,
        since: Optional[Instant] = None,
        since_now: bool = False,
        after_id: Optional[Union[str, Message]] = None,
        timeout: Optional[Duration] = "60s",
        latest: bool = False,
        nth: Optional[int] = None,
        rule: Optional[str] = None,
        delete: bool = False,
    ) -> Message:
        """The matching message (see :meth:`Client.wait_for_message`)."""
        __tracebackhide__ = True
        return self.client.wait_for_message(
            self.address, from_=from_, subject=subject, body=body, since=since, since_now=since_now,
            after_id=after_id, timeout=timeout, latest=latest, nth=nth, rule=rule, delete=delete,
        )

    def expect_none(
        self,
        *,
        for_: Duration = "5s",
        from_: Optional[Pattern] = None,
        subject: Optional[Pattern] = None,
        body: Optional[Pattern] = None,
        since: Optional[Instant] = None,
        since_now: bool = False,
        after_id: Optional[Union[str, Message]] = None,
    ) -> None:
        """Raise :class:`UnexpectedMessage` if a matching message arrives within ``for_``."""
        __tracebackhide__ = True
        self.client.expect_none(
            self.address, for_=for_, from_=from_, subject=subject, body=body, since=since,
            since_now=since_now, after_id=after_id,
        )

    def messages(self) -> List[MessageSummary]:
        """The messages this address holds, oldest first."""
        __tracebackhide__ = True
        return self.client.inbox(self.address)


#: The client behind the module-level functions: it reads the environment at each call.
default_client = Client()

new_address = default_client.new_address
wait_for_code = default_client.wait_for_code
wait_for_link = default_client.wait_for_link
wait_for_message = default_client.wait_for_message
expect_none = default_client.expect_none
inbox = default_client.inbox
extract = default_client.extract
totp = default_client.totp
