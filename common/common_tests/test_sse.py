import asyncio

from storyscape_common.sse import PING, encode_event, iter_events, with_keepalive


async def lines_of(raw: bytes):
    for line in raw.decode().split("\n"):
        yield line


async def test_encoded_events_parse_back():
    raw = encode_event("story.delta", {"text": "नमस्ते\nदुनिया"}) + b": ping\n\n" + encode_event("done", {"n": 1})
    events = [e async for e in iter_events(lines_of(raw))]
    assert [(e.event, e.json()) for e in events] == [("story.delta", {"text": "नमस्ते\nदुनिया"}), ("done", {"n": 1})]


async def test_keepalive_pings_while_the_source_is_silent_and_keeps_order():
    async def slow():
        yield b"a"
        await asyncio.sleep(0.35)
        yield b"b"

    frames = [f async for f in with_keepalive(slow(), interval=0.1)]
    assert frames[0] == b"a" and frames[-1] == b"b"
    assert frames.count(PING) >= 2


async def test_closing_the_keepalive_stream_closes_the_source():
    closed = asyncio.Event()

    async def endless():
        try:
            while True:
                yield b"x"
                await asyncio.sleep(0.01)
        finally:
            closed.set()

    stream = with_keepalive(endless(), interval=1)
    assert await anext(stream) == b"x"
    await stream.aclose()  # type: ignore[attr-defined]
    assert closed.is_set()
