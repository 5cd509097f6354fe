"""Young garbage is collected once no request is in flight, and never while one still is."""

from __future__ import annotations

import asyncio
import gc
from concurrent.futures import ThreadPoolExecutor

import pytest

from web.garbage import YOUNG, between_requests


class Knot:
    """An object in a reference cycle: only the collector frees it."""

    def __init__(self) -> None:
        self.me = self


def run(coroutine) -> object:
    """On a thread of its own: a browser test earlier in this process may leave an event loop
    running on the main thread, where asyncio.run refuses to start."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def litter(count: int) -> None:
    for _ in range(count):
        Knot()


@pytest.fixture
def no_automatic_collections():
    thresholds = gc.get_threshold()
    gc.collect()
    gc.set_threshold(10**9)  # only the middleware collects during the test
    yield
    gc.set_threshold(*thresholds)


def http(path: str = "/me") -> dict:
    return {"type": "http", "path": path, "method": "GET"}


async def nothing() -> dict:
    return {"type": "http.request"}


async def ignore(message: dict) -> None:
    pass


def test_a_request_that_leaves_cycles_behind_is_followed_by_a_collection(no_automatic_collections) -> None:
    async def page(scope, receive, send) -> None:
        litter(YOUNG * 2)

    run(between_requests(page)(http(), nothing, ignore))
    assert gc.get_count()[0] < YOUNG  # collected as the last request ended
    assert not any(isinstance(o, Knot) for o in gc.get_objects(generation=0))


def young_objects_while(waiting: str, quick: str) -> tuple[int, int]:
    """A request to `waiting` held open while one to `quick` leaves cycles behind and ends: the young
    objects just after the quick one ended, and once both did."""
    release = asyncio.Event()

    async def page(scope, receive, send) -> None:
        if scope["path"] == waiting:
            await release.wait()
        else:
            litter(YOUNG * 2)

    async def both() -> tuple[int, int]:
        app = between_requests(page)
        held = asyncio.create_task(app(http(waiting), nothing, ignore))
        await asyncio.sleep(0)
        await app(http(quick), nothing, ignore)
        meanwhile = gc.get_count()[0]
        release.set()
        await held
        return meanwhile, gc.get_count()[0]

    return run(both())


def test_no_collection_while_another_request_is_in_flight(no_automatic_collections) -> None:
    meanwhile, after = young_objects_while("/slow", "/quick")
    assert meanwhile >= YOUNG  # the quick one ended while the slow one ran: nobody was made to wait
    assert after < YOUNG  # and once both ended, collected


def test_an_open_stream_does_not_hold_collections_off(no_automatic_collections) -> None:
    meanwhile, _ = young_objects_while("/board/stream", "/board")
    assert meanwhile < YOUNG
