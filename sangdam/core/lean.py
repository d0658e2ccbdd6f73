"""Keep what no Sangdam process uses out of its memory.

httpx's package imports its command-line client (``httpx._main``: click, rich and
pygments, ~5 MB per process) whenever those happen to be installed, and every Sangdam
process imports httpx. Upstream would import it only for the command line
(encode/httpx#3547); until then a stand-in takes its place before httpx is imported. The
``httpx`` command, a separate program, is not affected.
"""

from __future__ import annotations

import sys
import types


def keep_httpx_cli_out() -> None:
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return  # too late, or already done: leave httpx as it is
    stand_in = types.ModuleType("httpx._main")

    def main() -> None:
        raise SystemExit("httpx's command line is not loaded in a Sangdam process; run `httpx`")

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in
