"""The console in a real headless Chromium against the whole stack: sign up, write a story and watch it grow,
find it in history, favorite it, search for it, delete it. Each step leaves a screenshot in `.artifacts/console/`."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from storyscape_devtools.devstack import StackConfig

from console_tests.browser import Console, start_browser

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / ".artifacts" / "console"


@pytest.fixture
def console(stack: StackConfig, tmp_path: Path) -> Iterator[Console]:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    driver = start_browser(tmp_path / "chromium-profile")
    try:
        driver.get(f"http://127.0.0.1:{stack.console_port}")
        yield Console(driver, ARTIFACTS)
    finally:
        driver.quit()


def test_a_reader_writes_finds_favorites_searches_and_deletes_a_story(console: Console) -> None:
    with console.step("console loads"):
        console.wait_for("the console", lambda: "StoryScape console" in console.text() or None)

    with console.step("sign up"):
        console.type_into("Email", f"reader{int(time.time() * 1000)}@example.com")
        console.type_into("Password", "a-long-password")
        console.click("Sign up")
        console.wait_for("signed in", lambda: "Signed in as" in console.text() or None)

    with console.step("write an English story and watch it stream"):
        console.tab("Write")
        console.type_into("Prompt", "A lighthouse keeper who befriends a seagull", area=True)
        console.click("Write story")
        lengths: list[int] = []
        deadline = time.monotonic() + 180
        while "Saved:" not in (text := console.text()) and time.monotonic() < deadline:
            if not lengths or len(text) != lengths[-1]:
                lengths.append(len(text))
            if len(lengths) == 3:  # a few sentences in, for the README
                console.driver.save_screenshot(str(console.artifacts / "console-streaming.png"))
            time.sleep(0.05)
        assert "Saved:" in console.text(), "the story never completed"
        growth = [b - a for a, b in zip(lengths, lengths[1:], strict=False) if b > a]
        assert len(growth) >= 3, f"the text did not grow while streaming (lengths seen: {lengths})"

    title = re.search(r"Saved: (.+)", console.text())
    assert title is not None
    title_text = title.group(1).strip()
    search_word = max(re.findall(r"[A-Za-z]{3,}", title_text) or ["lighthouse"], key=len)

    with console.step("find it in history"):
        console.tab("History")
        console.click("Load history")
        console.wait_for("the story in history", lambda: title_text[:20] in console.text() or None)

    with console.step("favorite it"):
        console.expand(title_text[:20])
        console.click("★ Favorite")
        console.wait_for("the favorite to be saved", lambda: "Done" in console.text() or None)

    with console.step("search for a word from it"):
        console.type_into("Search your stories", search_word)
        console.click("Search")
        console.wait_for("a search result", lambda: re.search(r"\b[1-9]\d* found", console.text()))

    with console.step("delete it"):
        console.expand(title_text[:20])
        console.click("Delete")
        console.wait_for("the deletion", lambda: "Deleted" in console.text() or None)
        console.click("Load history")
        console.wait_for("history without the story", lambda: title_text[:20] not in console.text() or None)
