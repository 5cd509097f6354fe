"""Calendar feeds: private iCalendar URLs for a volunteer's shifts and a unit's; cancelled shifts
stay in the feed, marked cancelled."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from icalendar import Calendar

from tests.integration.conftest import World
from tests.scenario import COORDINATOR


def _feed(world: World, url: str) -> dict[str, dict]:
    world.client.cookies.clear()
    answer = world.client.get(urlparse(url).path)  # no login: the URL is the key
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(answer.content)
    return {str(e["UID"]): {"summary": str(e["SUMMARY"]), "status": str(e["STATUS"]),
                            "start": e.decoded("DTSTART")} for e in calendar.walk("VEVENT")}


def test_a_volunteers_feed_holds_their_shifts_and_keeps_a_cancelled_one_as_cancelled(world: World, clock) -> None:
    h, ledger = world.hospital, world.ledger
    kept = h.shift(starts=clock.now() + timedelta(days=2), post="ward visits")
    called_off = h.shift(starts=clock.now() + timedelta(days=3), post="guidance desk")
    elsewhere = h.shift(starts=clock.now() + timedelta(days=4), post="pharmacy")
    for shift in (kept, called_off):
        ledger.sign_up(shift, world.volunteer, COORDINATOR)
    ledger.sign_up(elsewhere, world.other_volunteer, COORDINATOR)
    world.settle()
    links = world.call("li", "GET", "/api/v1/calendar/links").json()["feeds"]
    assert len(links) == 1
    events = _feed(world, links[0]["url"])
    assert set(events) == {f"{kept}@careledger", f"{called_off}@careledger"}  # not another volunteer's
    assert events[f"{kept}@careledger"]["summary"] == "ward visits"
    assert events[f"{kept}@careledger"]["start"] == clock.now() + timedelta(days=2)

    ledger.cancel_shift(called_off, "lift repairs", COORDINATOR)
    world.settle()
    events = _feed(world, links[0]["url"])
    assert events[f"{called_off}@careledger"]["status"] == "CANCELLED"
    assert events[f"{kept}@careledger"]["status"] == "CONFIRMED"


def test_a_coordinator_gets_a_feed_per_unit_with_how_full_each_shift_is(world: World, clock) -> None:
    h, ledger = world.hospital, world.ledger
    shift = h.shift(starts=clock.now() + timedelta(days=1), capacity=3, post="guidance desk")
    ledger.sign_up(shift, world.volunteer, COORDINATOR)
    world.settle()
    feeds = world.call("coord", "GET", "/api/v1/calendar/links").json()["feeds"]
    assert [f["name"] for f in feeds] == ["Ruijin Hospital"]
    events = _feed(world, feeds[0]["url"])
    assert events[f"{shift}@careledger"]["summary"] == "guidance desk (1/3)"


def test_a_feed_url_cannot_be_guessed_or_bent_and_dies_with_a_sign_out(world: World) -> None:
    url = urlparse(world.call("li", "GET", "/api/v1/calendar/links").json()["feeds"][0]["url"]).path
    world.client.cookies.clear()
    account, scope, signature = url.split("/")[-3:]
    assert world.client.get(url.replace(signature, "0" * 32 + ".ics")).status_code == 404
    other = url.replace(scope, f"v-{world.other_volunteer}")
    assert world.client.get(other).status_code == 404
    assert world.client.get(url).status_code == 200
    world.call("li", "POST", "/api/v1/auth/sign-out")
    assert world.client.get(url).status_code == 404
    world.tokens.pop("li")
    fresh = urlparse(world.call("li", "GET", "/api/v1/calendar/links").json()["feeds"][0]["url"]).path
    assert fresh != url and world.client.get(fresh).status_code == 200


def test_each_change_raises_sequence_and_last_modified_and_times_carry_their_zone(world: World, clock) -> None:
    h, ledger = world.hospital, world.ledger
    starts = clock.now() + timedelta(days=2)
    shift = h.shift(starts=starts, post="ward visits")
    ledger.sign_up(shift, world.volunteer, COORDINATOR)
    world.settle()
    url = urlparse(world.call("li", "GET", "/api/v1/calendar/links").json()["feeds"][0]["url"]).path

    def event() -> tuple:
        world.client.cookies.clear()
        raw = world.client.get(url).content
        [found] = Calendar.from_ical(raw).walk("VEVENT")
        return (int(found["SEQUENCE"]), found.decoded("LAST-MODIFIED"), found.decoded("DTSTAMP"),
                found["DTSTART"].params.get("TZID"), raw)

    first = event()
    assert first[0] == 0 and first[3] == "Asia/Shanghai" and b"BEGIN:VTIMEZONE" in first[4]
    clock.advance(minutes=5)
    assert event()[:3] == first[:3], "fetching again changes nothing (DTSTAMP is not the fetch time)"
    ledger.reschedule_shift(shift, starts + timedelta(hours=1), starts + timedelta(hours=3), 3, COORDINATOR)
    world.settle()
    moved = event()
    assert moved[0] == 1 and moved[1] >= first[1] and moved[2] == moved[1]  # (to the second)
    clock.advance(minutes=5)
    ledger.cancel_shift(shift, "lift repairs", COORDINATOR)
    world.settle()
    called_off = event()
    assert called_off[0] > moved[0] and called_off[1] >= moved[1]


def test_withdrawing_and_signing_up_again_never_takes_sequence_back(world: World, clock) -> None:
    h, ledger = world.hospital, world.ledger
    shift = h.shift(starts=clock.now() + timedelta(days=2), post="ward visits")
    ledger.sign_up(shift, world.volunteer, COORDINATOR)
    world.settle()
    url = urlparse(world.call("li", "GET", "/api/v1/calendar/links").json()["feeds"][0]["url"]).path

    def sequence_and_status() -> tuple[int, str]:
        world.client.cookies.clear()
        [found] = Calendar.from_ical(world.client.get(url).content).walk("VEVENT")
        return int(found["SEQUENCE"]), str(found["STATUS"])

    seen = [sequence_and_status()]
    for change in (ledger.withdraw, ledger.sign_up, ledger.withdraw, ledger.sign_up):
        clock.advance(minutes=1)
        change(shift, world.volunteer, COORDINATOR)
        world.settle()
        seen.append(sequence_and_status())
    sequences = [sequence for sequence, _ in seen]
    assert sequences == sorted(set(sequences)), f"SEQUENCE must rise with every change: {seen}"
    assert seen[-1][1] == "CONFIRMED" and seen[-2][1] == "CANCELLED"
