"""The web reader in a real headless Chromium (Debian's, driven by chromedriver via Selenium).

Every request the browser makes off loopback goes to a canary proxy on loopback (so nothing
leaves the machine, and any attempt by an archived page to reach the live web is recorded).
Screenshots are saved under test-artifacts/ (git-ignored). Set ARCHIVE_SKIP_BROWSER=1 to
skip these tests on a machine without Chromium; `bash scripts/test.sh` installs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import Archive
from archive.web.server import ReaderServers
from simweb.runner import SimWeb
from tests.reader_kit import HOSTILE_EVENT_ID, Canary, add_hostile_event, crawl_demo, start_canary

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

if os.environ.get("ARCHIVE_SKIP_BROWSER"):
    pytest.skip("ARCHIVE_SKIP_BROWSER is set", allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    """The loopback server standing in for the live web."""
    server = start_canary()
    yield server
    server.close()


@pytest.fixture(scope="module")
def archive_dir(simweb: SimWeb, tmp_path_factory: pytest.TempPathFactory, canary: Canary) -> Path:
    """A crawl of the demo web plus an event citing a hostile page (built with ArchiveStore)."""
    archive_dir = crawl_demo(simweb, tmp_path_factory, "browser")
    add_hostile_event(archive_dir, canary.port)
    return archive_dir


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, canary: Canary) -> Iterator[Any]:
    """Headless Chromium with a fresh profile; everything off loopback goes to the canary."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, (
        f"{', '.join(missing)} missing: `bash scripts/test.sh` installs Debian's chromium and "
        "chromium-driver (or set ARCHIVE_SKIP_BROWSER=1)"
    )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage", "--window-size=1400,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        f"--proxy-server=http://127.0.0.1:{canary.port}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    ):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _screenshot(driver: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 5000
    return path


def _wait(driver: Any, condition: Any, timeout: float = 15) -> Any:
    return WebDriverWait(driver, timeout).until(condition)


def test_search_open_an_event_and_read_it_beside_its_snapshot(
    browser: Any, archive_dir: Path
) -> None:
    with Archive(archive_dir) as arc:
        event = arc.events(text="comet")[0]
        source = next(s for s in event.sources if s.text and s.kind == "document")
    with ReaderServers(archive_dir) as servers:
        browser.get(servers.reader_url)
        box = browser.find_element(By.NAME, "q")
        box.send_keys("comet")
        browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
        # Wait for the results page itself: the front page also lists every event's link.
        _wait(browser, lambda d: "q=comet" in d.current_url)
        links = _wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "a.event-link"))
        assert len(links) == 1 and "comet" in links[0].text.lower()
        assert browser.find_elements(By.TAG_NAME, "mark")
        links[0].click()
        frame = _wait(browser, lambda d: d.find_element(By.ID, "snapshot"))
        assert browser.find_element(By.TAG_NAME, "h1").text == event.headline
        if event.sources[0] is not source:
            browser.get(f"{browser.current_url.split('?')[0]}?s={source.position}")
            frame = _wait(browser, lambda d: d.find_element(By.ID, "snapshot"))
        panel = browser.find_element(By.ID, "source-text").text
        assert source.text and source.text.split("\n")[0][:60] in panel
        assert frame.get_attribute("sandbox") == ""
        browser.switch_to.frame(frame)
        archived = _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").text)
        assert source.title and source.title in archived
        browser.switch_to.default_content()
        _screenshot(browser, "reader-event.png")
        browser.get(servers.reader_url + "charts")
        assert len(browser.find_elements(By.CSS_SELECTOR, "svg.chart")) == 3
        _screenshot(browser, "reader-charts.png")


def _open_hostile(browser: Any, servers: ReaderServers) -> Any:
    browser.get(f"{servers.reader_url}event/{HOSTILE_EVENT_ID}")
    frame = _wait(browser, lambda d: d.find_element(By.ID, "snapshot"))
    browser.switch_to.frame(frame)
    _wait(browser, lambda d: d.find_element(By.ID, "headline"))
    return frame


def _reader_untouched(browser: Any, servers: ReaderServers) -> None:
    browser.switch_to.default_content()
    assert browser.title.startswith("An archived page that misbehaves")
    assert "PWNED" not in browser.find_element(By.TAG_NAME, "body").text
    assert browser.find_element(By.ID, "source-text").is_displayed()
    assert browser.get_cookies() == []
    assert len(browser.window_handles) == 1
    browser.get(servers.replay_url)  # cookies are per host, not per port: check there too
    assert browser.get_cookies() == []


def test_archived_scripts_do_not_run_by_default(
    browser: Any, archive_dir: Path, canary: Canary
) -> None:
    canary.hits.clear()
    with ReaderServers(archive_dir) as servers:
        frame = _open_hostile(browser, servers)
        assert browser.find_element(By.ID, "status").text == "scripts did not run"
        assert browser.find_elements(By.CSS_SELECTOR, "#log li") == []
        browser.switch_to.default_content()
        assert frame.get_attribute("sandbox") == ""
        _screenshot(browser, "reader-hostile-default.png")
        _reader_untouched(browser, servers)
    assert canary.leaks() == []


def test_allowed_scripts_stay_in_the_sandbox(
    browser: Any, archive_dir: Path, canary: Canary
) -> None:
    canary.hits.clear()
    with ReaderServers(archive_dir, allow_scripts=True) as servers:
        _open_hostile(browser, servers)
        assert browser.find_element(By.ID, "status").text == "scripts ran"
        for key in ("parent", "top", "cookie", "storage", "fetch", "direct", "popup"):
            item = _wait(browser, lambda d, k=key: d.find_element(By.ID, f"r-{k}"))
            assert "blocked" in item.text, item.text
        assert "SecurityError" in browser.find_element(By.ID, "r-parent").text
        assert "SecurityError" in browser.find_element(By.ID, "r-cookie").text
        browser.switch_to.default_content()
        _screenshot(browser, "reader-hostile-scripts.png")
        _reader_untouched(browser, servers)
    assert canary.leaks() == [], canary.leaks()
