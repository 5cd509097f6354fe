"""Notices: shift changes and cancellations told to everyone on the shift, day-before and expiry
reminders queued exactly once, delivered over SMTP to a real local server (aiosmtpd), or by SMS."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from domain.application import CareLedger
from tests.integration.conftest import World
from tests.scenario import COORDINATOR
from tests.sms_hook import SENT
from web.jobs.mailroom import Postman, SmtpSettings, deliver, queue_reminders

ZONE = ZoneInfo("Asia/Shanghai")
class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            return "451 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[email.message.Message]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, SmtpSettings]]:
    handler = Inbox()
    with socket.socket() as probe:  # aiosmtpd checks its own port on start: it must know it beforehand
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield handler, SmtpSettings("127.0.0.1", port, "desk@ruijin.example")
    finally:
        server.stop()


def mailroom(world: World, smtp: SmtpSettings | None, sms=None) -> dict[str, int]:
    world.settle()
    queue_reminders(world.ledger, world.client.app.state.reader())
    world.settle()
    counts = deliver(world.ledger, world.client.app.state.reader(), Postman(smtp, sms), ZONE)
    world.settle()
    return counts


def outbox(world: World, user: str = "coord", **params) -> list[dict]:
    answer = world.call(user, "GET", "/api/v1/reports/notices", params={"min_position": world.ledger.position,
                                                                        **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def signed_up(world: World, starts_in_days: int = 1, hours_from_now: int = 23) -> UUID:
    """A shift with both volunteers on it; Li has an e-mail address, Wang has none."""
    shift = world.hospital.shift(starts=world.ledger.clock.now() + timedelta(days=starts_in_days - 1,
                                                                             hours=hours_from_now))
    for volunteer in (world.volunteer, world.other_volunteer):
        world.ledger.sign_up(shift, volunteer, COORDINATOR)
    world.ledger.change_volunteer_email(world.volunteer, "li.wei@example.org", COORDINATOR)
    return shift


def test_a_cancelled_shift_is_told_to_everyone_on_it(world: World, inbox) -> None:
    handler, smtp = inbox
    shift = signed_up(world, starts_in_days=3)
    answer = world.call("coord", "POST", f"/api/v1/shifts/{shift}/cancel", json={"reason": "lift out of order"})
    assert answer.status_code == 200, answer.text

    queued = outbox(world)
    assert sorted(n["name"] for n in queued) == ["Li Wei", "Wang Fang"]
    assert {n["kind"] for n in queued} == {"shift_cancelled"} and {n["state"] for n in queued} == {"queued"}

    assert mailroom(world, smtp) == {"sent": 1, "failed": 1}
    [letter] = handler.to("li.wei@example.org")
    assert "cancelled" in letter["Subject"] and "已取消" in letter["Subject"]
    body = letter.get_content()
    assert "lift out of order" in body and "Ruijin Hospital" in body and "2026-11-26 08:00" in body
    by_name = {n["name"]: n for n in outbox(world)}
    assert by_name["Li Wei"]["state"] == "sent" and by_name["Li Wei"]["channel"] == "email"
    # Wang has no address and there is no SMS hook: shown to the coordinator, not retried for ever.
    assert by_name["Wang Fang"]["state"] == "undeliverable"
    assert "no e-mail address" in by_name["Wang Fang"]["problem"]
    assert outbox(world, state="undeliverable") == [by_name["Wang Fang"]]

    # The volunteer sees what they were told.
    mine = world.call("li", "GET", f"/api/v1/volunteers/{world.volunteer}/notices").json()
    assert [(n["kind"], n["state"]) for n in mine] == [("shift_cancelled", "sent")]


def test_a_moved_shift_is_told_but_more_places_are_not_news(world: World, inbox) -> None:
    handler, smtp = inbox
    shift = signed_up(world, starts_in_days=5)
    world.settle()  # written straight to the ledger: let the roster catch up before reading it
    view = world.call("coord", "GET", f"/api/v1/shifts/{shift}").json()
    more_places = world.call("coord", "POST", f"/api/v1/shifts/{shift}/reschedule",
                             json={"starts_at": view["starts_at"], "ends_at": view["ends_at"], "capacity": 6})
    assert more_places.status_code == 200, more_places.text
    assert outbox(world) == []
    moved = world.call("coord", "POST", f"/api/v1/shifts/{shift}/reschedule",
                       json={"starts_at": "2026-11-28T13:00:00+08:00", "ends_at": "2026-11-28T17:00:00+08:00",
                             "capacity": 6})
    assert moved.status_code == 200, moved.text
    mailroom(world, smtp)
    [letter] = handler.to("li.wei@example.org")
    body = letter.get_content()
    assert "2026-11-28 13:00" in body and "moved" in body


def test_a_refused_cancellation_tells_no_one(world: World) -> None:
    shift = signed_up(world, starts_in_days=1, hours_from_now=0)
    world.ledger.clock.advance(minutes=30)
    world.ledger.check_in(shift, world.volunteer, "kiosk", COORDINATOR)
    answer = world.call("coord", "POST", f"/api/v1/shifts/{shift}/cancel", json={"reason": "no"})
    assert answer.status_code == 409
    assert outbox(world) == []


def test_the_day_before_reminder_goes_once_however_often_the_mailroom_runs(world: World, inbox) -> None:
    handler, smtp = inbox
    shift = signed_up(world, starts_in_days=1, hours_from_now=20)
    later = world.hospital.shift(starts=world.ledger.clock.now() + timedelta(days=3))
    world.ledger.sign_up(later, world.volunteer, COORDINATOR)
    for _ in range(3):
        mailroom(world, smtp)
    assert len(handler.to("li.wei@example.org")) == 1
    reminders = outbox(world)
    assert sorted((n["kind"], n["name"]) for n in reminders) == [("shift_reminder", "Li Wei"),
                                                                 ("shift_reminder", "Wang Fang")]
    assert {n["facts"]["shift_id"] for n in reminders} == {str(shift)}

    # A restart (a new ledger on the same log) queues nothing again either.
    restarted = CareLedger(env=world.client.app.state.settings.event_store_env(), clock=world.ledger.clock)
    try:
        assert queue_reminders(restarted, world.client.app.state.reader()) == 0
    finally:
        restarted.close()
    # Two days on, the later shift's reminder falls due, once.
    world.ledger.clock.advance(days=2)
    mailroom(world, smtp)
    mailroom(world, smtp)
    assert len(handler.to("li.wei@example.org")) == 2
    assert {n["facts"]["shift_id"] for n in outbox(world) if n["name"] == "Li Wei"} == {str(shift), str(later)}


def test_a_qualification_running_out_is_warned_30_days_before(world: World, inbox) -> None:
    handler, smtp = inbox
    world.ledger.change_volunteer_email(world.volunteer, "li.wei@example.org", COORDINATOR)
    today = world.ledger.clock.now().date()
    world.ledger.record_credential(world.volunteer, "health_check", today - timedelta(days=300),
                                   today + timedelta(days=45), COORDINATOR)
    mailroom(world, smtp)
    assert handler.to("li.wei@example.org") == []  # 45 days left: not yet
    world.ledger.clock.advance(days=16)
    mailroom(world, smtp)
    mailroom(world, smtp)
    [letter] = handler.to("li.wei@example.org")
    assert "health_check" in letter.get_content()
    assert (today + timedelta(days=45)).isoformat() in letter.get_content()


def test_a_mail_server_away_is_tried_again_later_under_the_same_message_id(world: World, inbox) -> None:
    handler, smtp = inbox
    shift = signed_up(world, starts_in_days=4)
    world.ledger.cancel_shift(shift, "storm", COORDINATOR)
    handler.refuse = True
    assert mailroom(world, smtp)["failed"] == 2
    li = next(n for n in outbox(world) if n["name"] == "Li Wei")
    assert li["state"] == "retrying" and li["attempts"] == 1 and "451" in li["problem"]
    handler.refuse = False
    assert mailroom(world, smtp)["sent"] == 0  # not yet: the next try is a minute later
    world.ledger.clock.advance(minutes=2)
    assert mailroom(world, smtp)["sent"] == 1
    [letter] = handler.to("li.wei@example.org")
    assert letter["Message-ID"] == f"<{li['id']}@careledger>"
    li = next(n for n in outbox(world) if n["name"] == "Li Wei")
    assert li["state"] == "sent" and li["attempts"] == 2


def test_without_an_address_the_sms_hook_carries_the_notice(world: World, inbox, monkeypatch) -> None:
    handler, smtp = inbox
    monkeypatch.setenv("CARELEDGER_SMS_HOOK", "tests.sms_hook:send")
    monkeypatch.setenv("CARELEDGER_SMTP_HOST", smtp.host)
    monkeypatch.setenv("CARELEDGER_SMTP_PORT", str(smtp.port))
    postman = type(world.client.app.state.settings)().postman()
    SENT.clear()
    shift = signed_up(world, starts_in_days=4)
    world.ledger.cancel_shift(shift, "storm", COORDINATOR)
    assert mailroom(world, postman.smtp, postman.sms) == {"sent": 2, "failed": 0}
    assert [phone for phone, _ in SENT] == ["13800000000"]  # Wang, who has no e-mail
    assert "storm" in SENT[0][1]
    assert len(handler.to("li.wei@example.org")) == 1
    assert {n["channel"] for n in outbox(world)} == {"email", "sms"}


def test_two_mailrooms_at_once_send_each_notice_once(world: World, inbox) -> None:
    handler, smtp = inbox
    volunteers = [world.hospital.volunteer(f"Volunteer {i}") for i in range(12)]
    shift = world.hospital.shift(starts=world.ledger.clock.now() + timedelta(days=4), capacity=12)
    for i, volunteer in enumerate(volunteers):
        world.ledger.sign_up(shift, volunteer, COORDINATOR)
        world.ledger.change_volunteer_email(volunteer, f"v{i}@example.org", COORDINATOR)
    world.ledger.cancel_shift(shift, "storm", COORDINATOR)
    world.settle()
    results: list[dict] = []
    postman = Postman(smtp, None)
    nodes = [threading.Thread(target=lambda n=n: results.append(
        deliver(world.ledger, world.client.app.state.reader(), postman, ZONE, node=f"node-{n}"))) for n in range(2)]
    for node in nodes:
        node.start()
    for node in nodes:
        node.join()
    assert sum(r["sent"] for r in results) == 12
    assert sorted(m["To"] for m in handler.messages) == sorted(f"v{i}@example.org" for i in range(12))


def test_an_email_address_is_checked_and_kept_as_personal_data(world: World) -> None:
    bad = world.call("li", "POST", f"/api/v1/volunteers/{world.volunteer}/email", json={"email": "not an address"})
    assert bad.status_code == 400 and bad.json()["field"] == "email"
    good = world.call("li", "POST", f"/api/v1/volunteers/{world.volunteer}/email", json={"email": "li@example.org"})
    assert good.status_code == 200
    assert world.ledger.contact_of(world.volunteer) == ("li@example.org", "13800000000")
    other = world.call("li", "POST", f"/api/v1/volunteers/{world.other_volunteer}/email", json={"email": "x@y.org"})
    assert other.status_code == 403
    world.ledger.forget_volunteer(world.volunteer, "admin")
    assert world.ledger.contact_of(world.volunteer) == ("", "")


def test_registering_with_an_address(world: World) -> None:
    answer = world.call("coord", "POST", "/api/v1/volunteers", json={
        "name": "Zhou Min", "phone": "13900000000", "unit_id": str(world.hospital.unit), "email": "zhou@example.org"})
    assert answer.status_code == 201, answer.text
    assert world.ledger.contact_of(UUID(answer.json()["id"]))[0] == "zhou@example.org"


def test_expiry_dates_before_today_are_not_warned(world: World, inbox) -> None:
    handler, smtp = inbox
    world.ledger.change_volunteer_email(world.volunteer, "li.wei@example.org", COORDINATOR)
    today: date = world.ledger.clock.now().date()
    world.ledger.record_credential(world.volunteer, "tb_test", today - timedelta(days=400), today - timedelta(days=1),
                                   COORDINATOR)
    mailroom(world, smtp)
    assert handler.to("li.wei@example.org") == []


def test_the_volunteer_reads_their_messages_and_sets_an_address_on_their_phone_screen(world: World) -> None:
    from tests.integration.test_ui_pages import log_in, submit

    shift = signed_up(world, starts_in_days=4)
    world.ledger.cancel_shift(shift, "lift out of order", COORDINATOR)
    world.settle()
    log_in(world, "li", "zh")
    page = world.client.get("/me").text
    assert "班次已取消" in page and "lift out of order" in page
    saved = submit(world, "/me/email", {"email": "li.new@example.org"})
    assert "电子邮箱已保存。" in saved and 'value="li.new@example.org"' in saved
    refused = submit(world, "/me/email", {"email": "nonsense"})
    assert "nonsense" in refused and world.ledger.contact_of(world.volunteer)[0] == "li.new@example.org"


def test_the_coordinator_sees_the_outbox_and_what_could_not_be_sent(world: World, inbox) -> None:
    from tests.integration.test_ui_pages import log_in

    _, smtp = inbox
    shift = signed_up(world, starts_in_days=4)
    world.ledger.cancel_shift(shift, "storm", COORDINATOR)
    mailroom(world, smtp)
    log_in(world, "coord")
    page = world.client.get("/notices").text
    assert "Wang Fang" in page and "Undeliverable" in page and "no e-mail address" in page
    assert "No e-mail or SMS channel is set up" in page  # this test's app itself has none
    only_sent = world.client.get("/notices", params={"state": "sent"}).text
    assert "Li Wei" in only_sent and "Wang Fang" not in only_sent
    log_in(world, "other_coord")
    assert "Li Wei" not in world.client.get("/notices").text  # another unit's volunteers


def test_a_misnamed_sms_hook_is_a_clear_error(monkeypatch) -> None:
    from web.settings import ConfigurationError, Settings

    monkeypatch.setenv("CARELEDGER_SMS_HOOK", "no.such.module:send")
    with pytest.raises(ConfigurationError, match="CARELEDGER_SMS_HOOK"):
        Settings().postman()


def test_every_kind_of_notice_has_a_letter_in_both_languages() -> None:
    from domain.notices import KINDS
    from web.jobs.mailroom import compose

    facts = {"unit": "Ruijin Hospital", "post": "guidance desk", "place": "Ward 5", "reason": "storm",
             "starts_at": "2026-11-24T00:00:00+00:00", "ends_at": "2026-11-24T04:00:00+00:00",
             "was_starts_at": "2026-11-23T00:00:00+00:00", "kind": "health_check", "valid_until": "2026-12-24",
             "minutes": "45", "expires_at": "2026-11-24T00:00:00+00:00", "code": "9F3A-0C7B-E214",
             "link": "https://careledger.example/join/9F3A-0C7B-E214", "applied_on": "2026-11-24",
             "level": "2", "hours": "300", "next_hours": "600", "kind_en": "Visitation", "kind_zh": "探视"}
    for kind in KINDS:
        if kind == "national_record":
            continue  # not a letter: a record for the national system (web/jobs/national.py)
        letter = compose(kind, facts, ZONE)
        dated = "2026-11-24 08:00" in letter.body or "2026-12-24" in letter.body or "2026-11-24" in letter.body
        assert dated or (kind == "star_level" and "300" in letter.body and "600" in letter.body), kind
        assert any("\u4e00" <= ch <= "\u9fff" for ch in letter.body), kind  # and in Chinese
