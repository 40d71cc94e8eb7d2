"""End to end: the dashboard in headless Chromium (Debian's /usr/bin/chromium via Playwright).

Starts ``caravan-dashboard`` on a free 127.0.0.1 port, steps the baseline once,
moves the tariff-cut slider to 100 %, presses Reset and Step, and checks that the
plotted intra-CIS trade share changed. Saves screenshots under ``artifacts/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ASSET_CACHE = Path(
    os.environ.get("CARAVAN_SOLARA_CDN")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "caravan" / "solara-cdn"
)
CORE_ASSET = "requirejs@2.3.6/require.js"

pytestmark = pytest.mark.browser


def _skip(reason: str) -> None:
    print(f"SKIP browser test: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        _skip(f"{CHROMIUM} is missing (run .ci/browser-deps: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    port = _free_port()
    env = dict(os.environ)
    if (ASSET_CACHE / CORE_ASSET).is_file():
        env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(ASSET_CACHE)
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    command = [sys.executable, "-m", "sim.dashboard", "--port", str(port)]
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while _get(url + "/") != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dashboard did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        if _get(f"{url}/_solara/cdn/{CORE_ASSET}", timeout=20) != 200:
            _skip(
                "Solara's front-end assets are not reachable (no CDN access and no local "
                f"copy in {ASSET_CACHE}; run .ci/browser-deps)"
            )
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _value(page, key: str) -> float:  # noqa: ANN001 - playwright Page
    return float(
        page.locator(f'.caravan-readout [data-series="{key}"]').get_attribute("data-value")
    )


def _wait_quarter(page, quarter: str) -> None:  # noqa: ANN001
    page.locator('.caravan-readout [data-series="quarter"]', has_text=quarter).wait_for(
        timeout=20_000
    )


def test_slider_then_step_changes_plotted_share(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    profile = tmp_path / "chromium-profile"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1500, "height": 1300},
        )
        try:
            page = context.new_page()
            page.goto(server + "/")
            page.locator(".caravan-readout").wait_for(timeout=30_000)
            step = page.get_by_role("button", name="Step")
            reset = page.get_by_role("button", name="Reset")

            step.click()
            _wait_quarter(page, "2024Q1")
            baseline = _value(page, "intra_cis_trade_share")

            slider = page.locator(".v-input", has_text="Tariff cut (share of today").locator(
                "[role=slider]"
            )
            slider.focus()
            slider.press("End")
            page.wait_for_function(
                "el => el.getAttribute('aria-valuenow') === '1'", arg=slider.element_handle()
            )
            reset.click()
            page.get_by_text("tariff cut 100%").wait_for(timeout=20_000)
            step.click()
            _wait_quarter(page, "2024Q1")
            page.wait_for_timeout(1500)  # let Vega draw the charts for the screenshot
            page.screenshot(path=str(ARTIFACTS / "dashboard_after_step.png"), full_page=True)
            deepened = _value(page, "intra_cis_trade_share")
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "dashboard_failure.png"), full_page=True)
            raise
        finally:
            context.close()
    print(f"intra-CIS trade share 2024Q1: baseline {baseline:.6f}, FTA deepened {deepened:.6f}")
    assert deepened > baseline + 1e-4
    assert (ARTIFACTS / "dashboard_after_step.png").stat().st_size > 10_000
