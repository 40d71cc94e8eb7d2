"""``caravan-dashboard``: serve the student dashboard on this machine only (127.0.0.1).

The server binds to 127.0.0.1 and answers only requests that name this machine
(:class:`sim.dashboard.guard.LocalOnly`, a DNS-rebinding guard). Solara's
front-end files come from ``SOLARA_ASSETS_PROXY_CACHE_DIR`` if set, else from
``~/.cache/caravan/solara-cdn`` when ``.ci/browser-deps`` has filled it, else
from Solara's CDN; if none loads, the page says what to run.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import MutableMapping, Sequence
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "sim.dashboard.app"
ASSET_CACHE = Path(
    os.environ.get("CARAVAN_SOLARA_CDN")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "caravan" / "solara-cdn"
)
"""Where ``.ci/browser-deps`` puts Solara's npm packages."""
CORE_ASSET = "requirejs@2.3.6/require.js"


def use_asset_cache(env: MutableMapping[str, str]) -> str | None:
    """Point Solara at the local asset cache when it exists and nothing else is set.

    Returns:
        The asset folder in use, or None (Solara's CDN).
    """
    if env.get("SOLARA_ASSETS_PROXY_CACHE_DIR"):
        return env["SOLARA_ASSETS_PROXY_CACHE_DIR"]
    if (ASSET_CACHE / CORE_ASSET).is_file():
        env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(ASSET_CACHE)
        return str(ASSET_CACHE)
    return None


def guard_server() -> None:
    """Wrap Solara's ASGI app in :class:`~sim.dashboard.guard.LocalOnly` before it serves.

    ``solara run`` serves ``solara.server.starlette:app``, imported by name, so
    replacing the module's ``app`` wraps what it serves. Solara reads the app to
    serve from ``SOLARA_APP`` when that module is first imported, so it is set first.
    """
    os.environ["SOLARA_APP"] = APP
    import solara.server.starlette as server

    from sim.dashboard.guard import LocalOnly

    if not isinstance(server.app, LocalOnly):
        server.app = LocalOnly(server.app)


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
    assets = use_asset_cache(os.environ)
    guard_server()
    if assets is None:
        print(
            "note: no local copy of Solara's front-end files; if the page stays blank, run "
            "bash .ci/browser-deps and restart",
            flush=True,
        )
    print(f"Caravan dashboard: http://{HOST}:{args.port}  (Ctrl-C to stop)", flush=True)
    sys.exit(cli(solara_args(args.port, args.open), standalone_mode=True))
