"""The errors the binary's exit codes turn into.

Every error carries the binary's own explanation (its stderr: for a timeout, what arrived and why
it did not match, and a ``hint:``) as its message, its exit code, and the command it ran. The
command never holds a secret: tokens go through the child's environment and TOTP secrets through
its standard input.
"""

from __future__ import annotations

from typing import Dict, Sequence, Tuple, Type

__all__ = [
    "OtpcatchError",
    "UsageError",
    "WaitTimeout",
    "NothingExtracted",
    "UnexpectedMessage",
    "AuthError",
    "Unavailable",
    "BinaryNotFound",
    "error_for_exit",
]


class OtpcatchError(Exception):
    """Any failure of an otpcatch call.

    Attributes:
        exit_code: the binary's exit status (negative: killed by that signal; 127: not found).
        stderr: what the binary wrote on stderr: ``otpcatch: <message>`` and ``hint:`` lines.
        argv: the command that was run (it never contains a token or a TOTP secret).
    """

    exit_code: int
    stderr: str
    argv: Tuple[str, ...]

    def __init__(self, message: str, exit_code: int = 1, stderr: str = "", argv: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.stderr = stderr
        self.argv = tuple(argv)

    @property
    def message(self) -> str:
        """The explanation (the same as ``str(error)``)."""
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(exit_code={self.exit_code}, message={self.message!r})"


class UsageError(OtpcatchError):
    """Exit 2: a bad flag, filter (an invalid regex) or setting."""


class WaitTimeout(OtpcatchError):
    """Exit 3: no matching message arrived in time. The message lists what did arrive."""


class NothingExtracted(WaitTimeout):
    """Exit 4: messages matched, but none had the code (or link) asked for."""


class UnexpectedMessage(OtpcatchError):
    """``expect_none``: a matching message arrived (the message says which)."""


class AuthError(OtpcatchError):
    """Exit 5: the API refused the token or the login."""


class Unavailable(OtpcatchError):
    """Exit 6: the API's quota was exhausted or the network failed, after retries."""


class BinaryNotFound(OtpcatchError):
    """The ``otpcatch`` binary is not installed where pip puts it (exit code 127)."""

    def __init__(self, message: str, exit_code: int = 127, stderr: str = "", argv: Sequence[str] = ()) -> None:
        super().__init__(message, exit_code, stderr or message, argv)


_BY_EXIT: Dict[int, Type[OtpcatchError]] = {
    2: UsageError,
    3: WaitTimeout,
    4: NothingExtracted,
    5: AuthError,
    6: Unavailable,
}


for _cls in (OtpcatchError, UsageError, WaitTimeout, NothingExtracted, UnexpectedMessage, AuthError,
             Unavailable, BinaryNotFound):
    _cls.__module__ = "otpcatch"  # tracebacks say otpcatch.WaitTimeout, where users import it


def error_for_exit(command: str, exit_code: int, stderr: str, argv: Sequence[str]) -> OtpcatchError:
    """The error for a failed run of ``otpcatch <command>``."""
    cls = _BY_EXIT.get(exit_code, OtpcatchError)
    if command == "expect-none" and exit_code == 3:
        cls = UnexpectedMessage
    explanation = stderr.strip()
    if not explanation:
        explanation = f"otpcatch {command} exited {exit_code}"
    return cls(explanation, exit_code, stderr, argv)
