"""``caravan-dashboard``: serve the student dashboard on this machine only (127.0.0.1)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "sim.dashboard.app"


def solara_args(port: int, open_browser: bool) -> list[str]:
    """Arguments for ``solara run`` (always bound to 127.0.0.1, production mode)."""
    return [
        "run",
        APP,
        "--host",
        HOST,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
        "--log-level",
        "warning",
    ]


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        prog="caravan-dashboard",
        description="Serve the Caravan student dashboard at http://127.0.0.1:PORT (local only).",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = any)"
    )
    parser.add_argument("--open", action="store_true", help="open a browser tab")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Start the Solara server for :mod:`sim.dashboard.app` (blocks until Ctrl-C)."""
    args = parse(argv)
    from solara.__main__ import cli

    # Solara's own environment variables must not move the server off localhost.
    for name in ("HOST", "SOLARA_HOST"):
        os.environ.pop(name, None)
    print(f"Caravan dashboard: http://{HOST}:{args.port}  (Ctrl-C to stop)", flush=True)
    sys.exit(cli(solara_args(args.port, args.open), standalone_mode=True))
