"""Running the binary: one child per call, an argv list (no shell), a hard deadline.

Secrets never go on the command line, where ``ps`` shows them: the API token travels in the
child's environment and a TOTP secret on its standard input. A failed run becomes the error its
exit code stands for (see :mod:`otpcatch._errors`), with the binary's stderr as its message.
"""

from __future__ import annotations

import subprocess
from typing import Iterable, Mapping, Optional, Sequence

from ._errors import OtpcatchError, error_for_exit

__all__ = ["run", "redact"]

_REDACTED = "[redacted]"


def redact(text: str, secrets: Iterable[Optional[str]]) -> str:
    """``text`` with every occurrence of each secret replaced."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, _REDACTED)
    return text


def run(
    binary: str,
    args: Sequence[str],
    *,
    env: Mapping[str, str],
    deadline: float,
    stdin: Optional[str] = None,
    secrets: Iterable[Optional[str]] = (),
) -> str:
    """Run ``binary args...`` and return its stdout.

    ``deadline`` (seconds) is a backstop beyond the command's own timeout: past it the child is
    killed and :class:`~otpcatch.OtpcatchError` is raised. A non-zero exit raises the error for
    that exit code, whose message is the child's stderr.
    """
    __tracebackhide__ = True  # pytest must not print `env` (the token) or `stdin` (a secret)
    argv = [binary, *args]
    command = args[0] if args else ""
    hidden = list(secrets)
    try:
        child = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env),
            encoding="utf-8",
            errors="replace",
        )
    except OSError as error:
        message = f"otpcatch: could not run {binary}: {error.strerror or error}"
        raise OtpcatchError(message, 126, message, argv) from None
    try:
        stdout, stderr = child.communicate(input=stdin, timeout=deadline)
    except subprocess.TimeoutExpired:
        child.kill()
        _, stderr = child.communicate()
        stderr = redact(stderr or "", hidden)
        message = (
            f"otpcatch: `otpcatch {command}` was still running after {deadline:g}s and was killed"
            + (f"\n{stderr.strip()}" if stderr.strip() else "")
        )
        raise OtpcatchError(message, child.returncode, stderr, argv) from None
    except BaseException:  # KeyboardInterrupt and the like: leave no child behind
        child.kill()
        child.wait()
        raise
    if child.returncode != 0:
        raise error_for_exit(command, child.returncode, redact(stderr, hidden), argv)
    return stdout
