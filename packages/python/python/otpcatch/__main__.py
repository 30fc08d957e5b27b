"""``python -m otpcatch ARGS...`` runs the installed ``otpcatch`` binary with ARGS."""

from __future__ import annotations

import os
import subprocess
import sys

from ._binary import find_binary
from ._errors import OtpcatchError


def main() -> int:
    """Run the binary with this process's arguments and return its exit status."""
    try:
        binary = os.fsdecode(find_binary())
    except OtpcatchError as error:
        print(error, file=sys.stderr)
        return 127
    if sys.platform == "win32":
        return subprocess.run([binary, *sys.argv[1:]]).returncode
    os.execv(binary, [binary, *sys.argv[1:]])
    return 0  # not reached: execv replaces this process


if __name__ == "__main__":
    sys.exit(main())
