from story_service.titles import derive_title


def test_a_title_line_becomes_the_title() -> None:
    assert derive_title("**Title: The Brave Boat**\n\nOnce upon a time…") == "The Brave Boat"
    assert derive_title("# शीर्षक: नन्ही चिड़िया\nएक दिन…") == "नन्ही चिड़िया"


def test_without_a_title_line_the_opening_words_are_used() -> None:
    text = "Once upon a time there was a tiny boat that wanted to sail across the wide blue sea."
    assert derive_title(text) == "Once upon a time there was a tiny…"


def test_a_long_first_line_is_not_a_title() -> None:
    first = "word " * 40
    assert derive_title(first + "\nsecond line").endswith("…")
    assert len(derive_title(first + "\nsecond line")) <= 81
