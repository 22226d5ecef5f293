"""Driving the console in a real headless Chromium (Debian's), step by step, with a screenshot per step."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from selenium import webdriver
from selenium.common.exceptions import ElementClickInterceptedException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement

T = TypeVar("T")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1600",
)


class StepFailed(AssertionError):
    pass


def chromium_paths() -> tuple[str, str] | None:
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def start_browser(user_data_dir: Path) -> WebDriver:
    paths = chromium_paths()
    if paths is None:
        raise RuntimeError("Debian chromium and chromium-driver are needed: `make test` installs them with apt-get")
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={user_data_dir}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=paths[1]), options=options)


class Console:
    """The console page, with helpers named for what a reader does."""

    def __init__(self, driver: WebDriver, artifacts: Path) -> None:
        self.driver = driver
        self.artifacts = artifacts
        self.steps = 0

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.steps += 1
        shot = self.artifacts / f"{self.steps:02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.png"
        try:
            yield
        except (AssertionError, WebDriverException, TimeoutError) as exc:
            self.driver.save_screenshot(str(shot.with_name(shot.stem + "-FAILED.png")))
            raise StepFailed(f"step {self.steps} '{name}' failed ({exc}); screenshot: {shot.with_name(shot.stem + '-FAILED.png')}") from exc
        self.settle()
        self.driver.save_screenshot(str(shot))

    def wait_for(self, what: str, check: Callable[[], T | None], timeout: float = 60) -> T:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                found = check()
            except WebDriverException:
                found = None
            if found:
                return found
            time.sleep(0.2)
        raise TimeoutError(f"waited {timeout:.0f} s for {what}")

    def settle(self) -> None:
        """Until Streamlit has finished its rerun (no "running" status widget)."""
        time.sleep(0.3)
        self.wait_for(
            "the app to finish running",
            lambda: not self.driver.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]') or None,
            90,
        )

    def text(self) -> str:
        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    def type_into(self, label: str, value: str, *, area: bool = False, commit: bool = False) -> None:
        """Type into a field; inside a form the submit button sends it, outside one `commit` presses Enter."""
        tag = "textarea" if area else "input"
        field: WebElement = self.wait_for(
            f"the {label} field", lambda: self.driver.find_element(By.CSS_SELECTOR, f'{tag}[aria-label="{label}"]')
        )
        self.press(field)
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(value)
        if commit:
            field.send_keys(Keys.ENTER)
            self.settle()

    def click(self, text: str) -> None:
        xpath = f"//button[normalize-space(.)='{text}' or .//p[normalize-space(.)='{text}']]"

        def visible() -> WebElement | None:
            return next((b for b in self.driver.find_elements(By.XPATH, xpath) if b.is_displayed()), None)

        self.press(self.wait_for(f"the {text!r} button", visible))

    def press(self, element: WebElement) -> None:
        """Click like a user: scrolled to the middle of the page, so Streamlit's fixed header never covers it (a
        rerun may still be moving the page, so a covered click is tried again for a few seconds)."""
        deadline = time.monotonic() + 10
        while True:
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
            try:
                element.click()
                return
            except ElementClickInterceptedException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def tab(self, name: str) -> None:
        xpath = f"//*[@role='tab'][normalize-space(.)='{name}']"
        self.press(self.wait_for(f"the {name} tab", lambda: self.driver.find_element(By.XPATH, xpath)))
        self.settle()

    def expand(self, title_start: str) -> None:
        xpath = f"//details/summary[contains(normalize-space(.), '{title_start}')]"

        def visible() -> WebElement | None:
            return next((e for e in self.driver.find_elements(By.XPATH, xpath) if e.is_displayed()), None)

        summary: WebElement = self.wait_for(f"a story titled {title_start!r}", visible)
        if summary.find_element(By.XPATH, "..").get_attribute("open") is None:
            self.press(summary)
        self.settle()
