"""otpcatch for Python: fresh email addresses, the verification code or link in the mail that
arrives, and TOTP codes, for tests of sign-up and sign-in flows on sites you own or may test.

Uses the 22.do temp-mail API (https://22.do) or otpcatch's own local server. Every call runs the
``otpcatch`` binary that ships in this package's wheel (``OTPCATCH_BINARY`` overrides it).

    import otpcatch

    address = otpcatch.new_address()
    ...  # sign up with it
    code = otpcatch.wait_for_code(address, subject="confirm", timeout="30s")

The pytest plugin adds the ``otpcatch_server`` and ``mailbox`` fixtures (see
:mod:`otpcatch.pytest_plugin`).
"""

from __future__ import annotations

from ._binary import find_binary
from ._errors import (
    AuthError,
    BinaryNotFound,
    NothingExtracted,
    OtpcatchError,
    Unavailable,
    UnexpectedMessage,
    UsageError,
    WaitTimeout,
)
from ._serve import Server
from ._types import Extraction, Message, MessageSummary
from .api import (
    Client,
    Mailbox,
    Pattern,
    expect_none,
    extract,
    inbox,
    new_address,
    totp,
    wait_for_code,
    wait_for_link,
    wait_for_message,
)


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover
        return "0.0.0"
    try:
        return version("otpcatch")
    except PackageNotFoundError:
        return "0.0.0"


__version__ = _version()

__all__ = [
    "__version__",
    "Client",
    "Mailbox",
    "Server",
    "Message",
    "MessageSummary",
    "Extraction",
    "Pattern",
    "new_address",
    "wait_for_code",
    "wait_for_link",
    "wait_for_message",
    "expect_none",
    "inbox",
    "extract",
    "totp",
    "find_binary",
    "OtpcatchError",
    "UsageError",
    "WaitTimeout",
    "NothingExtracted",
    "UnexpectedMessage",
    "AuthError",
    "Unavailable",
    "BinaryNotFound",
]
