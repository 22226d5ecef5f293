"""The vLLM engine's admission gate: at most `limit` requests in vLLM, the rest let in round-robin by user."""

from __future__ import annotations

import asyncio

from hindi_llm_service.engine.scheduler import FairGate


async def admitted_order(gate: FairGate, arrivals: list[str]) -> list[str]:
    """Each arrival takes the gate in turn and holds it briefly; returns who got in, in order."""
    order: list[str] = []

    async def request(name: str) -> None:
        await gate.acquire(name.split("-")[0])
        order.append(name)
        await asyncio.sleep(0.01)
        gate.release()

    tasks = []
    for name in arrivals:
        tasks.append(asyncio.create_task(request(name)))
        await asyncio.sleep(0)  # arrive in this order
    await asyncio.gather(*tasks)
    return order


async def test_a_burst_from_one_user_lets_another_user_in_after_one_turn() -> None:
    burst = [f"a-{i}" for i in range(5)]
    order = await admitted_order(FairGate(1), [*burst, "b-0"])
    assert order == ["a-0", "a-1", "b-0", "a-2", "a-3", "a-4"]


async def test_a_waiter_that_gives_up_does_not_hold_a_slot() -> None:
    gate = FairGate(1)
    await gate.acquire("a")
    gave_up = asyncio.create_task(gate.acquire("b"))
    await asyncio.sleep(0)
    gave_up.cancel()
    await asyncio.gather(gave_up, return_exceptions=True)
    gate.release()
    await asyncio.wait_for(gate.acquire("c"), timeout=1)


async def test_a_user_arriving_after_a_bursts_turn_began_goes_next() -> None:
    gate = FairGate(1)
    order: list[str] = []
    second_in = asyncio.Event()

    async def request(name: str, hold: float) -> None:
        await gate.acquire(name.split("-")[0])
        order.append(name)
        if name == "a-1":
            second_in.set()
        await asyncio.sleep(hold)
        gate.release()

    burst = [asyncio.create_task(request(f"a-{i}", 0.05)) for i in range(4)]
    await second_in.wait()  # b arrives only once the burst's second request holds the gate
    await asyncio.gather(*burst, request("b-0", 0))
    assert order == ["a-0", "a-1", "b-0", "a-2", "a-3"], "b waited for the turn under way, not for a-2 as well"
