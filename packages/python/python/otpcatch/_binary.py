"""Finding the ``otpcatch`` binary that this package runs.

The wheel carries the binary in its scripts directory (maturin's ``bindings = "bin"``), so pip puts
it next to ``python`` in a virtual environment, in the user's scripts directory for
``pip install --user``, or in ``<target>/bin`` for ``pip install --target``. The lookup follows
ruff's ``find_ruff_bin``; ``OTPCATCH_BINARY`` overrides it. Nothing is ever downloaded.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from typing import List, Optional

from ._errors import BinaryNotFound

__all__ = ["BINARY_ENV", "find_binary"]

#: The environment variable that names the binary to run instead of the installed one.
BINARY_ENV = "OTPCATCH_BINARY"


def _exe_name() -> str:
    suffix = sysconfig.get_config_var("EXE") or (".exe" if os.name == "nt" else "")
    return "otpcatch" + str(suffix)


def _user_scheme() -> str:
    if sys.version_info >= (3, 10):
        return sysconfig.get_preferred_scheme("user")
    if os.name == "nt":
        return "nt_user"
    if sys.platform == "darwin" and getattr(sys, "_framework", None):
        return "osx_framework_user"
    return "posix_user"


def _candidates() -> List[str]:
    """Where pip may have put the binary, in the order they are tried."""
    exe = _exe_name()
    found: List[str] = [os.path.join(sysconfig.get_path("scripts"), exe)]
    try:
        found.append(os.path.join(sysconfig.get_path("scripts", scheme=_user_scheme()), exe))
    except KeyError:  # an interpreter built without a user scheme
        pass
    # `pip install --target DIR` puts the package in DIR/otpcatch and the scripts in DIR/bin.
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    found.append(os.path.join(package_root, "bin", exe))
    return found


def find_binary(override: Optional[str] = None) -> str:
    """The path of the ``otpcatch`` binary to run.

    ``override`` (a :class:`~otpcatch.Client`'s ``binary``) wins, then the ``OTPCATCH_BINARY``
    environment variable (read at each call), then the binary installed with this package.
    Raises :class:`~otpcatch.BinaryNotFound` naming the platform and the places looked in.
    """
    chosen = override or os.environ.get(BINARY_ENV)
    if chosen:
        if not os.path.isfile(chosen):
            where = "binary=" if override else f"{BINARY_ENV}="
            raise BinaryNotFound(f"otpcatch: {where}{chosen!r} is not a file")
        return chosen
    candidates = _candidates()
    for path in candidates:
        if os.path.isfile(path):
            return path
    looked = "\n".join(f"  {path}" for path in candidates)
    raise BinaryNotFound(
        f"otpcatch: the otpcatch binary for {sys.platform} ({sysconfig.get_platform()}) is not "
        f"installed; looked in:\n{looked}\n"
        "hint: reinstall the package from a wheel built for this platform "
        "(`pip install --force-reinstall otpcatch`), or set OTPCATCH_BINARY to the path of an "
        "otpcatch binary"
    )
