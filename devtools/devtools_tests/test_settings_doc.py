"""The README's configuration tables are the settings classes as they are today."""

from __future__ import annotations

from pathlib import Path

from storyscape_devtools.settings_doc import with_tables

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_setting_as_the_code_defines_it() -> None:
    current = README.read_text(encoding="utf-8")
    assert with_tables(current) == current, "run `python -m storyscape_devtools.settings_doc --write README.md`"
