"""Story extraction from HTML: the story region only, title, paragraphs, links."""

from __future__ import annotations

import pytest

from training.scrape.extract import Selector, extract_story

PAGE = """<html><head><title>Tab title</title><script>alert('x')</script></head><body>
<nav><a href="/home">Home</a> Menu</nav>
<div id="content" class="mw-parser-output wide">
  <h1>चतुर लोमड़ी</h1>
  <p>एक जंगल में एक <b>चतुर</b> लोमड़ी रहती थी।</p>
  <div class="ad"><style>.x{}</style><script>var ad = 1;</script></div>
  <p>कविता की पंक्ति<br>दूसरी पंक्ति</p>
  <p>  </p>
  <img src="x.png"><p>आख़िरी अनुच्छेद <a href="/next#top">आगे</a></p>
</div>
<p>Outside the region</p>
<footer>© 2020</footer></body></html>"""


@pytest.mark.parametrize("selector", ["#content", ".mw-parser-output", "div.wide", "div#content"])
def test_paragraphs_of_the_story_region_only(selector: str) -> None:
    page = extract_story(PAGE, base_url="https://example.org/wiki/a", story_selector=selector, title_selector="h1")
    assert page.title == "चतुर लोमड़ी"
    assert page.paragraphs == [
        "एक जंगल में एक चतुर लोमड़ी रहती थी।",
        "कविता की पंक्ति\nदूसरी पंक्ति",
        "आख़िरी अनुच्छेद आगे",
    ]
    assert page.links == ["https://example.org/home", "https://example.org/next"]


def test_a_region_without_paragraph_tags_gives_its_text_blocks() -> None:
    html = "<article><h1>T</h1><div>पहला हिस्सा</div><div>दूसरा <i>हिस्सा</i></div></article>"
    page = extract_story(html, base_url="https://e.org/", story_selector="article", title_selector="h1")
    assert page.title == "T"
    assert page.paragraphs == ["पहला हिस्सा", "दूसरा हिस्सा"]


def test_the_html_title_stands_in_when_the_title_selector_misses() -> None:
    page = extract_story(PAGE, base_url="https://e.org/", story_selector="#content", title_selector="h2.title")
    assert page.title == "Tab title"


def test_no_region_means_no_text() -> None:
    page = extract_story(PAGE, base_url="https://e.org/", story_selector="article", title_selector="h1")
    assert page.text == ""


def test_unsupported_selectors_are_refused() -> None:
    with pytest.raises(ValueError, match="unsupported selector"):
        Selector.parse("div > p")
