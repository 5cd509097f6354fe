"""The mailroom: queues the reminders that fall due and delivers queued notices, by e-mail over SMTP
or through an SMS hook. It runs in the server's sweep; `careledger notices` runs it once."""

from __future__ import annotations

import logging
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.errors import DomainError
from domain.personal import ERASED
from domain.stars import SHANGHAI
from projections import hours, notices
from web.jobs.national import KIND as NATIONAL, Refused
from projections.store import iso

log = logging.getLogger("careledger")
REMIND_BEFORE = timedelta(days=1)
EXPIRY_WARNING = timedelta(days=30)


class Undeliverable(Exception):
    """No way to reach this person: trying again will not help."""


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


def _when(value: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(value).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def compose(kind: str, facts: dict[str, str], zone: ZoneInfo) -> Letter:
    """The message in English and Simplified Chinese: a volunteer's phone may be set to either."""
    f = dict(facts)
    for name in ("starts_at", "ends_at", "was_starts_at"):
        if name in f:
            f[name] = _when(f[name], zone)
    where = f"{f.get('unit', '')} · {f.get('post', f.get('place', ''))}"
    if kind == "shift_changed":
        return Letter(f"Shift moved / 班次时间变更: {f['starts_at']}",
                      f"Your shift at {where} has moved from {f['was_starts_at']} to {f['starts_at']}–{f['ends_at']}.\n"
                      f"您在{where}的班次已从 {f['was_starts_at']} 改为 {f['starts_at']}–{f['ends_at']}。")
    if kind == "shift_cancelled":
        return Letter(f"Shift cancelled / 班次已取消: {f['starts_at']}",
                      f"Your shift at {where} on {f['starts_at']} is cancelled: {f.get('reason', '')}\n"
                      f"您在{where} {f['starts_at']} 的班次已取消：{f.get('reason', '')}")
    if kind == "shift_reminder":
        return Letter(f"Tomorrow / 明日班次: {f['starts_at']}",
                      f"A reminder: you serve at {where} from {f['starts_at']} to {f['ends_at']}.\n"
                      f"提醒：您将于 {f['starts_at']}–{f['ends_at']} 在{where}服务。")
    if kind == "qualification_expiring":
        return Letter(f"Renew {f['kind']} / 资质即将到期",
                      f"Your {f['kind']} is valid until {f['valid_until']}; please renew it in time.\n"
                      f"您的资质（{f['kind']}）有效期至 {f['valid_until']}，请及时续期。")
    if kind == "interpreter_wanted":
        return Letter(f"Sign-language interpreter wanted / 手语翻译需求: {f['starts_at']}",
                      f"A patient needs a sign-language interpreter at {where} on {f['starts_at']} for "
                      f"{f['minutes']} minutes. Accept in CareLedger: the first to accept is booked.\n"
                      f"{where}于 {f['starts_at']} 需要手语翻译（{f['minutes']} 分钟）。请在 CareLedger 中接受，"
                      "先接受者获派。")
    if kind == "interpreter_cancelled":
        return Letter(f"Interpreting cancelled / 手语翻译已取消: {f['starts_at']}",
                      f"The sign-language interpreting at {where} on {f['starts_at']} is cancelled: "
                      f"{f.get('reason', '')}\n{where} {f['starts_at']} 的手语翻译已取消：{f.get('reason', '')}")
    if kind == "service_wanted":
        return Letter(f"Help wanted / 病区求助: {f.get('kind_en', '')} {f['starts_at']}",
                      f"{where} asks for {f.get('kind_en', '')} on {f['starts_at']} for {f['minutes']} minutes. "
                      f"Accept in CareLedger: the first to accept is booked.\n{where}于 {f['starts_at']} 需要"
                      f"{f.get('kind_zh', '')}（{f['minutes']} 分钟）。请在 CareLedger 中接受，先接受者获派。")
    if kind == "service_cancelled":
        return Letter(f"Request cancelled / 求助已取消: {f['starts_at']}",
                      f"The {f.get('kind_en', '')} at {where} on {f['starts_at']} is cancelled: {f.get('reason', '')}\n"
                      f"{where} {f['starts_at']} 的{f.get('kind_zh', '')}已取消：{f.get('reason', '')}")
    if kind == "star_level":
        stars = "★" * int(f["level"])
        more = (f" The next level is at {f['next_hours']} hours." if f.get("next_hours") else "")
        more_zh = (f"下一星级为 {f['next_hours']} 小时。" if f.get("next_hours") else "")
        return Letter(f"{stars} {f['level']}-star volunteer / {f['level']}星级志愿者",
                      f"Thank you: your certified service has reached {f['hours']} hours, and you are a "
                      f"{f['level']}-star volunteer.{more}\n感谢您！您的志愿服务时长已达 {f['hours']} 小时，"
                      f"成为{f['level']}星级志愿者。{more_zh}")
    if kind == "invitation":
        until = datetime.fromisoformat(f["expires_at"]).astimezone(zone).strftime("%Y-%m-%d")
        return Letter("Your CareLedger login / 设置 CareLedger 登录",
                      f"Set up your volunteer login: open {f['link']} (or enter the code {f['code']} on the "
                      f"/join page) by {until}.\n请在 {until} 前打开 {f['link']}（或在 /join 页面输入邀请码 {f['code']}）设置您的志愿者登录。")
    if kind == "waitlist_promoted":
        return Letter(f"You have a place / 候补转正: {f['starts_at']}",
                      f"A place came free: you are signed up at {where} from {f['starts_at']} to {f['ends_at']}. "
                      f"If you cannot come after all, withdraw in CareLedger.\n有名额空出：您已从候补转为报名，{where} "
                      f"{f['starts_at']}–{f['ends_at']}。如不能到岗，请在 CareLedger 中取消报名。")
    if kind == "seat_offered":
        return Letter(f"A place offered to you / 班次转让: {f['starts_at']}",
                      f"A colleague offers you their place at {where} from {f['starts_at']} to {f['ends_at']}: take "
                      f"it in CareLedger.\n同伴将{where} {f['starts_at']}–{f['ends_at']} 的班次转让给您，请在 CareLedger 中接受。")
    if kind == "seat_taken":
        return Letter(f"Your place is taken / 班次已转让: {f['starts_at']}",
                      f"Your place at {where} on {f['starts_at']} was taken by a colleague: you are free then.\n"
                      f"您在{where} {f['starts_at']} 的班次已由同伴接替，届时无需到岗。")
    if kind == "handover_approved":
        return Letter(f"The place is yours / 班次转让已批准: {f['starts_at']}",
                      f"The coordinator approved: you serve at {where} from {f['starts_at']} to {f['ends_at']}.\n"
                      f"协调员已批准：您将于 {f['starts_at']}–{f['ends_at']} 在{where}服务。")
    if kind == "handover_declined":
        return Letter(f"Place not handed over / 班次转让未获批准: {f['starts_at']}",
                      f"The coordinator did not approve your taking the place at {where} on {f['starts_at']}: "
                      f"{f.get('reason', '')}\n协调员未批准您接替{where} {f['starts_at']} 的班次：{f.get('reason', '')}")
    if kind == "application_rejected":
        return Letter(f"Your application / 志愿者报名结果: {f['unit']}",
                      f"Thank you for applying on {f.get('applied_on', '')} to volunteer at {f['unit']}. We cannot "
                      f"take your application further: {f['reason']}\n感谢您于 {f.get('applied_on', '')} 报名{f['unit']}"
                      f"志愿者。很遗憾，您的报名未能通过：{f['reason']}")
    if kind == "application_withdrawn":
        return Letter(f"Your application / 志愿者报名已撤回: {f['unit']}",
                      f"Your application of {f.get('applied_on', '')} to volunteer at {f['unit']} is withdrawn as "
                      f"you asked: {f['reason']}\n您于 {f.get('applied_on', '')} 在{f['unit']}的志愿者报名已按您的要求撤回："
                      f"{f['reason']}")
    raise ValueError(f"no letter for notice kind {kind!r}")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    sender: str = "careledger@localhost"
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0


class Postman:
    """Sends one letter by e-mail when the volunteer has an address and SMTP is set, else by SMS
    when a hook is set and there is a phone; otherwise the notice is undeliverable."""

    def __init__(self, smtp: SmtpSettings | None, sms: Callable[[str, str], None] | None) -> None:
        self.smtp, self.sms = smtp, sms

    @property
    def open(self) -> bool:
        return self.smtp is not None or self.sms is not None

    def reaches(self, email: str, phone: str) -> str | None:
        """The channel a letter to this address and phone would go by, if any."""
        if email and self.smtp is not None:
            return "email"
        if phone and self.sms is not None:
            return "sms"
        return None

    def send(self, notice_id: UUID, letter: Letter, email: str, phone: str) -> str:
        channel = self.reaches(email, phone)
        if channel == "email":
            self._mail(notice_id, letter, email)
        elif channel == "sms":
            self.sms(phone, f"{letter.subject}\n{letter.body}")
        else:
            raise Undeliverable("no e-mail address or SMS channel for this volunteer")
        return channel

    def _mail(self, notice_id: UUID, letter: Letter, to: str) -> None:
        s = self.smtp
        assert s is not None
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = s.sender, to, letter.subject
        message["Date"] = formatdate(localtime=False)
        # The same id on every attempt: a resend after a crash is recognisably the same message.
        message["Message-ID"] = f"<{notice_id}@careledger>"
        message.set_content(letter.body)
        with smtplib.SMTP(s.host, s.port, timeout=s.timeout) as server:
            if s.starttls:
                server.starttls()
            if s.username:
                server.login(s.username, s.password)
            server.send_message(message)


def queue_reminders(ledger: Any, db: Any, star_hours: tuple[int, ...] = SHANGHAI) -> int:
    """Queue the day-before reminders, the 30-days-before expiry warnings that fell due, and a word
    to each volunteer whose hours reached a new star level (of the highest only, once)."""
    now = ledger.clock.now()
    wanted = [(f"shift_reminder:{row['shift_id']}:{row['volunteer_id']}:{row['starts_at']}", UUID(row["volunteer_id"]),
               "shift_reminder", {"shift_id": row["shift_id"], "unit": row["unit"], "post": row["post"],
                                  "starts_at": row["starts_at"], "ends_at": row["ends_at"]})
              for row in notices.reminders_missing(db, iso(now), iso(now + REMIND_BEFORE))]
    today = now.date()
    wanted += [(f"qualification_expiring:{row['volunteer_id']}:{row['kind']}:{row['valid_until']}",
                UUID(row["volunteer_id"]), "qualification_expiring",
                {"kind": row["kind"], "valid_until": row["valid_until"]})
               for row in notices.expiries_missing(db, today.isoformat(), (today + EXPIRY_WARNING).isoformat())]
    for level, (low, high) in enumerate(zip(star_hours, (*star_hours[1:], None)), start=1):
        wanted += [(f"star_level:{volunteer}:{level}", UUID(volunteer), "star_level",
                    {"level": str(level), "hours": str(low), **({"next_hours": str(high)} if high else {})})
                   for volunteer in hours.at_level_untold(db, low, high, level)]
    return ledger.queue_notices(wanted)


def _facts(ledger: Any, notice: Any) -> dict[str, str]:
    """What the letter tells; an invitation's code is in no notice, but sealed in its invitation."""
    if notice.kind != "invitation":
        return notice.facts
    invitation = ledger.get_invitation(UUID(notice.facts["invitation_id"]))
    if invitation.posted is None or invitation.account_id is not None or ERASED in invitation.posted:
        raise Undeliverable("the invitation was used already, or its code is forgotten")
    if ledger.clock.now() > invitation.expires_at:
        raise Undeliverable("the invitation has expired: make a new one")
    code, link = invitation.posted
    return notice.facts | {"code": "-".join(code[i:i + 4] for i in range(0, len(code), 4)), "link": link}


def deliver(ledger: Any, db: Any, postman: Postman, zone: ZoneInfo, node: str | None = None,
            national: Any = None) -> dict[str, int]:
    """Send every notice that is due; each is claimed in the log first, so two nodes never both send it.
    A service record for the national system goes to its endpoint (web/jobs/national.py)."""
    node = node or socket.gethostname()
    counts = {"sent": 0, "failed": 0}
    for notice_id in notices.due(db, iso(ledger.clock.now())):
        try:
            notice = ledger.dispatch_notice(UUID(notice_id), node)
        except DomainError:
            continue  # sent or claimed meanwhile
        try:
            if notice.kind == NATIONAL:
                if national is None:
                    raise Undeliverable("no national record endpoint is set (CARELEDGER_NATIONAL_URL)")
                national.send(notice.id, national.body(ledger, notice, ledger.service_types()))
                channel = "national"
            else:
                email, phone = ledger.contact_of(notice.volunteer_id)
                channel = postman.send(notice.id, compose(notice.kind, _facts(ledger, notice), zone), email, phone)
        except Refused as refusal:
            ledger.notice_failed(notice.id, str(refusal), permanent=True)
            counts["failed"] += 1
        except Undeliverable as refusal:
            ledger.notice_failed(notice.id, str(refusal), permanent=True)
            counts["failed"] += 1
        except Exception as problem:  # noqa: BLE001 - the mail server is away, the hook failed: later, again
            # A gateway's error may quote what it was sent: an invitation's code must not reach the log
            said = type(problem).__name__ if notice.kind in ("invitation", NATIONAL) else \
                f"{type(problem).__name__}: {problem}"
            log.warning("notice not sent", extra={"notice": notice_id, "problem": said})
            ledger.notice_failed(notice.id, said, permanent=False)
            counts["failed"] += 1
        else:
            ledger.notice_sent(notice.id, channel)
            counts["sent"] += 1
    return counts
