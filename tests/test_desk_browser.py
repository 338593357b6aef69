"""The desk in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven by selenium.

Nothing is downloaded at run time: the browser and its driver come from apt (.ci/run installs
them). With TOOLKIT_SCREENSHOTS=docs/desk the test also writes the README's screenshots.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import openpyxl
import pytest
import uvicorn
from desk_support import make_campaign, returns, zip_of
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from toolkit.desk import create_app

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         "--window-size=1280,900", "--lang=zh-CN"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def desk_url(tmp_path):
    camp = make_campaign(tmp_path)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(camp.dir), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    end = time.monotonic() + 20
    while not server.started and time.monotonic() < end:
        time.sleep(0.05)
    assert server.started, "the desk did not start"
    yield f"http://127.0.0.1:{port}", camp
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    yield driver
    driver.quit()


def shoot(driver, name: str) -> None:
    """The README's pictures, when asked for: the whole page at 1280 wide."""
    folder = os.environ.get("TOOLKIT_SCREENSHOTS")
    if not folder:
        return
    import base64
    Path(folder).mkdir(parents=True, exist_ok=True)
    width, height = driver.execute_script("return [document.documentElement.clientWidth,"
                                          " Math.min(document.documentElement.scrollHeight, 2000)]")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    (Path(folder) / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def count(driver, state: str) -> int:
    return int(driver.find_element(By.CSS_SELECTOR, f"#count-{state} .n").text)


def test_upload_a_zip_resolve_a_review_item_and_download_a_feedback_workbook(desk_url, browser, tmp_path):
    url, camp = desk_url
    wait = WebDriverWait(browser, 120)
    browser.get(url + "/")
    assert count(browser, "missing") == 6 and count(browser, "accepted") == 0

    # Upload: a zip of three returns through the file input, then the progress bar, then what each became
    archive = zip_of(returns(camp, tmp_path / "in"), tmp_path / "returns.zip")
    browser.find_element(By.ID, "nav-upload").click()
    browser.find_element(By.ID, "files").send_keys(str(archive))
    assert "returns.zip" in browser.find_element(By.ID, "chosen").text
    browser.find_element(By.ID, "send").click()
    wait.until(EC.url_contains("/upload/0"))
    outcome = browser.find_element(By.ID, "outcome-table").text
    assert "U001_第一党支部.xlsx" in outcome and "待人工确认" in outcome

    # the counts changed
    browser.find_element(By.ID, "nav-overview").click()
    assert (count(browser, "accepted"), count(browser, "faulty"), count(browser, "review"),
            count(browser, "missing")) == (1, 1, 1, 3)
    shoot(browser, "overview")

    # Review: credit the file to the unit its carriers name
    browser.find_element(By.ID, "nav-review").click()
    item = browser.find_element(By.CSS_SELECTOR, ".review-item")
    assert "unit.props" in item.text
    shoot(browser, "review")
    Select(item.find_element(By.CSS_SELECTOR, "form.assign select")).select_by_value("U003")
    item.find_element(By.CSS_SELECTOR, "form.assign button").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "job"), "已记录"))
    assert browser.find_element(By.ID, "review-none")
    browser.find_element(By.ID, "nav-overview").click()
    assert (count(browser, "accepted"), count(browser, "review")) == (2, 0)

    # a unit page, its feedback workbook downloaded and opened
    browser.get(url + "/units?state=faulty")
    browser.find_element(By.LINK_TEXT, "第二党支部").click()
    assert "很多" in browser.find_element(By.ID, "issues").text
    shoot(browser, "unit")
    browser.find_element(By.ID, "feedback").click()
    end = time.monotonic() + 30
    while time.monotonic() < end and not [p for p in browser.downloads.glob("*.xlsx")]:
        time.sleep(0.1)
    (got,) = browser.downloads.glob("*.xlsx")
    wb = openpyxl.load_workbook(got)
    assert "U002" in got.name and wb.sheetnames


def test_the_units_page_filters_and_escapes_a_hostile_roster(desk_url, browser):
    url, _ = desk_url
    browser.get(url + "/units")
    rows = browser.find_elements(By.CSS_SELECTOR, "#units tbody tr")
    assert len(rows) == 6
    assert "<script>alert(1)</script>" in browser.find_element(By.ID, "units").text  # shown, not run
    Select(browser.find_element(By.ID, "group-filter")).select_by_value("乡镇")    # submits on change
    WebDriverWait(browser, 20).until(EC.url_contains("group="))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#units tbody tr")) == 1
    assert browser.get_log("browser") == [] or all("alert" not in e["message"] for e in browser.get_log("browser"))
