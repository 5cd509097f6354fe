"""Young garbage collected while no request is in flight, so that no one waits for it.

A page leaves a few hundred objects in reference cycles (Jinja's contexts and the macros
imported `with context` hold each other, and the page's data with them); left to the
collector's threshold they were freed thousands at a time in the middle of someone's request
(5-18 ms pauses, bench/NOTES.md). Here they are collected between requests, a few pages' worth
at a time; under a load that never pauses, the threshold (web/app.py) still applies."""

from __future__ import annotations

import gc

from litestar.types import ASGIApp, Receive, Scope, Send

YOUNG = 1000  # new objects a collection between requests waits for: about five pages' worth (~1 ms)


def between_requests(app: ASGIApp) -> ASGIApp:
    in_flight = 0

    async def counted(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal in_flight
        # A live stream (the board's, the dashboard's) stays open for hours: it is not work waiting.
        if scope["type"] != "http" or scope["path"].endswith("/stream"):
            await app(scope, receive, send)
            return
        in_flight += 1
        try:
            await app(scope, receive, send)
        finally:
            in_flight -= 1
            if in_flight == 0 and gc.get_count()[0] >= YOUNG:
                gc.collect(0)  # the youngest only: what a few requests left

    return counted
