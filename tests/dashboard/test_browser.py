"""End to end: the dashboard in headless Chromium (Debian's /usr/bin/chromium via Playwright).

Starts ``caravan-dashboard`` on a free 127.0.0.1 port and runs the README's three
experiments as a student would: play the baseline's 12 quarters and read the
numbers shown, move a lever, press Reset, play again, and check that the shown
numbers move the way the README says (FTA deepened → intra-CIS trade share up;
fewer correspondent links (0.3) → national-currency settlement share down; Middle
Corridor closed → its tonnes at 0 and more cargo through Suez). Also checks the
host-name guard, and that without front-end assets the page says what to run.
Saves screenshots under ``artifacts/latest/`` (git-ignored); ``artifacts/before/`` and
``artifacts/after/`` are reviewed screenshots kept in git, which no test overwrites.
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
SHOTS = ARTIFACTS / "latest"
"""Where test runs save screenshots: ignored by ``artifacts/.gitignore``."""
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
        deadline = time.monotonic() + 90
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
        timeout=90_000
    )


def _slider(page, label: str):  # noqa: ANN001, ANN202
    return page.locator(".caravan-lever", has_text=label).locator("[role=slider]")


def _set_slider(page, label: str, home: bool, presses: int = 0) -> None:  # noqa: ANN001
    """Home (or End), then ``presses`` ArrowRight: the keyboard path a student can take."""
    slider = _slider(page, label)
    slider.focus()
    slider.press("Home" if home else "End")
    for _ in range(presses):
        slider.press("ArrowRight")
    page.wait_for_timeout(300)


LAST = "2026Q4"  # 12 quarters from 2024Q1, the README's horizon
SERIES = ("intra_cis_trade_share", "national_currency_share_cis")
VOLUMES = ("volume:Middle Corridor", "volume:Suez")


def _play(page, reset: bool = True) -> dict[str, float]:  # noqa: ANN001
    if reset:
        page.get_by_role("button", name="Reset").click()
        page.locator('.caravan-readout [data-series="quarter"]', has_text="press Step").wait_for(
            timeout=60_000
        )
    page.get_by_role("button", name="▶").click()
    _wait_quarter(page, LAST)
    page.wait_for_timeout(1500)  # let Vega draw the charts
    return {k: _value(page, k) for k in (*SERIES, *VOLUMES)}


def _launch(playwright, tmp_path: Path):  # noqa: ANN001, ANN202
    return playwright.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_FLAGS,
        viewport={"width": 1500, "height": 1400},
    )


@pytest.mark.slow
def test_readme_experiments_move_the_shown_numbers(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shot = SHOTS
    shot.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        context = _launch(playwright, tmp_path)
        page = context.new_page()
        try:
            page.goto(server + "/")
            page.locator(".caravan-readout").wait_for(timeout=60_000)
            base = _play(page, reset=False)
            page.screenshot(path=str(shot / "dashboard_baseline.png"), full_page=True)

            # 1. Deepen the FTA: CIS FTA (the default target), cut 1.0, phase-in 8.
            _set_slider(page, "Tariff cut (share", home=False)
            _set_slider(page, "Phase-in (quarters)", home=True, presses=7)
            page.locator(".caravan-lever", has_text="Phase-in (quarters): 8").wait_for()
            fta = _play(page)
            page.get_by_text("tariff cut 100% on CIS FTA (intra-CIS) over 8").wait_for()
            page.screenshot(path=str(shot / "dashboard_fta.png"), full_page=True)
            _set_slider(page, "Tariff cut (share", home=True)

            # 2. Correspondent-link density on CIS pairs from 0.9 down to 0.3.
            _set_slider(page, "Correspondent-link density", home=True, presses=6)
            page.locator(".caravan-lever", has_text="link density (CIS pairs): 0.30").wait_for()
            links = _play(page)
            page.screenshot(path=str(shot / "dashboard_links.png"), full_page=True)
            _set_slider(page, "Correspondent-link density", home=True, presses=18)

            # 3. Close the Middle Corridor.
            page.locator(".caravan-lever", has_text="Close a corridor").locator("input").check()
            closed = _play(page)
            page.get_by_text("Middle Corridor closed").wait_for()
            page.screenshot(path=str(shot / "dashboard_closed.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(shot / "dashboard_failure.png"), full_page=True)
            raise
        finally:
            context.close()
    for name, run in (("baseline", base), ("FTA", fta), ("links", links), ("closed", closed)):
        print(f"{LAST} {name}: " + ", ".join(f"{k} {v:.6g}" for k, v in run.items()))
    assert fta["intra_cis_trade_share"] > base["intra_cis_trade_share"] + 1e-3
    assert links["national_currency_share_cis"] < base["national_currency_share_cis"] - 0.01
    assert base["volume:Middle Corridor"] > 1e6 and closed["volume:Middle Corridor"] == 0.0
    assert closed["volume:Suez"] > base["volume:Suez"]
    assert (shot / "dashboard_closed.png").stat().st_size > 10_000


@pytest.mark.slow  # several seconds on 2 cores: in .ci/run's -m slow
def test_other_host_names_are_refused(server: str) -> None:
    request = urllib.request.Request(server + "/", headers={"Host": "rebound.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    assert _get(server.replace("127.0.0.1", "localhost") + "/") == 200


@pytest.mark.slow  # waits out the asset timeout / runs a real sweep: in .ci/run's -m slow
def test_page_says_what_to_run_without_assets(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        _skip(f"{CHROMIUM} is missing (run .ci/browser-deps: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    from playwright.sync_api import sync_playwright

    empty = tmp_path / "no-assets"
    empty.mkdir()
    env = {**os.environ, "SOLARA_ASSETS_PROXY_CACHE_DIR": str(empty)}
    env["SOLARA_ASSETS_PROXY"] = "false"  # no CDN fetches either: assets are missing
    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.dashboard", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while _get(url) != 200:
            assert process.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.3)
        with sync_playwright() as playwright:
            context = _launch(playwright, tmp_path)
            page = context.new_page()
            page.goto(url)
            hint = page.locator("#caravan-asset-hint")
            hint.wait_for(state="visible", timeout=30_000)
            assert "bash .ci/browser-deps" in hint.inner_text()
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "dashboard_no_assets.png"))
            context.close()
    finally:
        process.terminate()
        process.wait(timeout=20)
