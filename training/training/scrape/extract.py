"""Story text from HTML with the standard library: title + paragraphs of the story region, no nav/script/style."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin

IGNORED = {"script", "style", "nav", "header", "footer", "aside", "form", "noscript", "template", "svg", "button", "iframe"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCKS = {"p", "div", "section", "article", "main", "li", "blockquote", "h2", "h3", "h4", "h5", "h6", "pre", "table", "tr"}
SELECTOR = re.compile(r"^(?P<tag>[a-z][a-z0-9]*)?(?:\.(?P<cls>[\w-]+)|#(?P<id>[\w-]+))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Selector:
    """`tag`, `.class`, `#id`, `tag.class` or `tag#id`."""

    tag: str | None
    cls: str | None
    id: str | None

    @classmethod
    def parse(cls, text: str) -> Selector:
        match = SELECTOR.match(text.strip())
        if not match or not any(match.groupdict().values()):
            raise ValueError(f"unsupported selector {text!r} (use tag, .class, #id, tag.class or tag#id)")
        tag = match["tag"].lower() if match["tag"] else None
        return cls(tag, match["cls"], match["id"])

    def matches(self, tag: str, attrs: dict[str, str]) -> bool:
        return (
            (self.tag is None or self.tag == tag)
            and (self.cls is None or self.cls in attrs.get("class", "").split())
            and (self.id is None or self.id == attrs.get("id"))
        )


@dataclass
class ExtractedPage:
    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


class StoryExtractor(HTMLParser):
    """One pass over a page: the first story-region match, its <p> texts (or its text blocks), title and links."""

    def __init__(self, *, base_url: str, story: Selector, title: Selector) -> None:
        super().__init__(convert_charrefs=True)
        self.base_url, self.story, self.title_selector = base_url, story, title
        self.page = ExtractedPage()
        self.stack: list[str] = []
        self.ignored_depth: int | None = None
        self.region_depth: int | None = None
        self.region_done = False
        self.title_depth: int | None = None
        self.html_title: list[str] = []
        self.title_parts: list[str] = []
        self.paragraph: list[str] | None = None
        self.blocks: list[list[str]] = [[]]

    @property
    def in_region(self) -> bool:
        return self.region_depth is not None and not self.region_done and self.ignored_depth is None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "a" and values.get("href"):
            self.page.links.append(urldefrag(urljoin(self.base_url, values["href"]))[0])
        if tag == "br":
            self._text("\n")
        if tag in VOID:
            return
        self.stack.append(tag)
        depth = len(self.stack)
        if tag in IGNORED and self.ignored_depth is None:
            self.ignored_depth = depth
        if self.region_depth is None and self.story.matches(tag, values):
            self.region_depth = depth
        if self.title_depth is None and not self.page.title and self.title_selector.matches(tag, values):
            self.title_depth = depth
        if self.in_region and tag == "p":
            self.paragraph = []
        if self.in_region and tag in BLOCKS:
            self.blocks.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.stack:
            return
        while self.stack:
            depth = len(self.stack)
            closed = self.stack.pop()
            self._close(closed, depth)
            if closed == tag:
                break

    def _close(self, tag: str, depth: int) -> None:
        if tag == "p" and self.paragraph is not None:
            self._flush_paragraph()
        if self.in_region and tag in BLOCKS:
            self.blocks.append([])
        if self.title_depth == depth:
            self.page.title = " ".join("".join(self.title_parts).split())
            self.title_depth = None
        if self.ignored_depth == depth:
            self.ignored_depth = None
        if self.region_depth == depth:
            self.region_done = True

    def _flush_paragraph(self) -> None:
        text = "\n".join(" ".join(line.split()) for line in "".join(self.paragraph or []).split("\n")).strip()
        if text:
            self.page.paragraphs.append(text)
        self.paragraph = None

    def _text(self, data: str) -> None:
        if self.in_region:
            self.blocks[-1].append(data)
            if self.paragraph is not None:
                self.paragraph.append(data)

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "title":
            self.html_title.append(data)
        if self.title_depth is not None:
            # The title is kept apart, not repeated as the story's first line.
            self.title_parts.append(data)
            return
        self._text(data)

    def result(self) -> ExtractedPage:
        """The page; without any <p> in the region its text blocks stand in for paragraphs."""
        if self.paragraph is not None:
            self._flush_paragraph()
        if not self.page.paragraphs:
            texts = (" ".join("".join(block).split()) for block in self.blocks)
            self.page.paragraphs = [text for text in texts if text]
        if not self.page.title:
            self.page.title = " ".join("".join(self.html_title).split())
        return self.page


def extract_story(html: str, *, base_url: str, story_selector: str, title_selector: str) -> ExtractedPage:
    """Title, story paragraphs and absolute links of one HTML page."""
    parser = StoryExtractor(base_url=base_url, story=Selector.parse(story_selector), title=Selector.parse(title_selector))
    parser.feed(html)
    parser.close()
    return parser.result()
