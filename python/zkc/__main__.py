"""``python -m zkc ...`` (and the ``zkc`` script the package installs): the zkc command line,
run by the same code as the Rust binary."""

from __future__ import annotations

import sys
from typing import List, Optional

from . import _native


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        _native.cli(args)
    except _native.ZkcError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2 if isinstance(e, _native.UsageError) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
