"""扫码签到 in Chromium: the post's display shows a code (read here from its screenshot, as a phone's
camera reads it), the volunteer's phone opens it and checks in with one tap; the code of a check-in
does not check out; forged, expired and other posts' codes are refused in words; and at a post that
asks for its code, the phone's own check-in button is not offered."""

from __future__ import annotations

import hashlib
import hmac
import io
from datetime import datetime, timedelta
from uuid import UUID

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from domain import post_codes
from tests.e2e.checkers import axe_violations
from tests.e2e.conftest import ZONE, Server, snap
from tests.e2e.test_coordinators_desk import _shift, _volunteer
from tests.e2e.test_kiosk import TABLET, kiosk_tablet

ZH = "zh-CN"
PHONE_WIDTH = 390


def _key(server: Server) -> bytes:
    """The server's post-code key, as it derives it from its token secret (to make codes it would refuse)."""
    secret = (server.data / "token_secret.key").read_bytes().strip()
    return hmac.new(secret, b"careledger post codes", hashlib.sha256).digest()


def _read_qr(page) -> str:  # noqa: ANN001 - a Playwright page
    """What a camera pointed at the display reads: the code decoded from a screenshot of it."""
    shot = page.locator("[data-post-code] img").screenshot()
    found = {barcode.text for barcode in zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))}
    assert len(found) == 1, f"one code on the display, read {found}"  # (a code may be found twice over)
    return found.pop()


@pytest.mark.parametrize("locale", ["en-GB", ZH])
def test_a_volunteer_scans_the_posts_display_and_checks_in_with_one_tap(browser, page_for, server: Server,
                                                                        locale: str) -> None:
    en = locale == "en-GB"
    post = f"Ward 7 visiting {locale}"
    login = f"scan-{locale.lower()}"
    me = _volunteer(server, f"Kong Yu {locale}", phone="13977771111" if en else "13977772222", login=login)
    shift = _shift(server, post, datetime.now(ZONE).replace(microsecond=0) - timedelta(minutes=5))
    server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": me}, user="coord")
    server.api("POST", f"/units/{server.unit}/post-codes", {"post": post, "needed": True}, user="coord")
    server.settle()

    phone = page_for(login, locale, phone=True)
    card = phone.locator(f"[data-now='{shift}']")
    expect(card.locator("[data-scan-hint]")).to_be_visible()  # not a button that the server would refuse
    expect(card.get_by_role("button", name="Check in" if en else "签到")).to_have_count(0)

    context, display = kiosk_tablet(browser, server, locale)
    try:
        display.goto(f"{server.base}/display?post={post}")
        expect(display.get_by_role("heading", level=1)).to_have_text(post)
        link = _read_qr(display)
        assert link.startswith(f"{server.base}/scan/")
        assert display.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
        assert axe_violations(display) == []
        snap(display, f"post-display-{locale}")
    finally:
        context.close()

    phone.goto(link)  # what the camera app opens
    expect(phone.get_by_role("heading", level=1)).to_have_text(post)
    taps = 0
    phone.get_by_role("button", name="Check in" if en else "签到").tap()
    taps += 1
    expect(phone.locator("[data-flash=ok]")).to_have_text("Checked in at the post. Thank you for serving!" if en
                                                          else "岗位签到成功，感谢您的服务！")
    assert taps == 1
    expect(phone.locator(f"[data-now='{shift}']")).to_contain_text("On duty now" if en else "正在服务")

    # the same code, shown again to leave at once: refused, the seat stays checked in
    phone.goto(link)
    phone.get_by_role("button", name="Check out" if en else "签退").tap()
    expect(phone.locator("[data-flash=error]")).to_have_text(
        "This is the code you checked in with: scan the post's code again to check out." if en
        else "这是您签到时扫的码：签退请重新扫描岗位上的签到码。")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert axe_violations(phone) == []
    snap(phone, f"scan-check-out-{locale}")

    coordinator = page_for("coord", locale)
    coordinator.goto(f"{server.base}/shifts/{shift}")
    expect(coordinator.locator(f"tr[data-volunteer='Kong Yu {locale}'] [data-via]")).to_have_text(
        "· by the post's code" if en else "· 扫码签到")


@pytest.mark.parametrize("locale", ["en-GB", ZH])
def test_forged_expired_and_other_posts_codes_are_refused_in_words_and_record_nothing(page_for, server: Server,
                                                                                     locale: str) -> None:
    en = locale == "en-GB"
    login = f"scan-refused-{locale.lower()}"
    me = _volunteer(server, f"Lu Yan {locale}", phone="13977773333" if en else "13977774444", login=login)
    here = f"outpatient hall {locale}"
    shift = _shift(server, here, datetime.now(ZONE).replace(microsecond=0) - timedelta(minutes=5))
    server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": me}, user="coord")
    server.settle()
    key, unit, now = _key(server), UUID(server.unit), datetime.now(ZONE)
    phone = page_for(login, locale, phone=True)

    good = post_codes.shown(key, unit, here, now)
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    expired = post_codes.shown(key, unit, here, now - timedelta(minutes=5))
    elsewhere = post_codes.shown(key, unit, f"pharmacy {locale}", now)
    for code, said in ((forged, "This is not a CareLedger check-in code." if en else "这不是 CareLedger 的签到码。"),
                       (expired, "This code has expired: scan the code on the post's screen again." if en
                        else "此码已过期：请重新扫描岗位屏幕上的签到码。")):
        phone.goto(f"{server.base}/scan/{code}")
        expect(phone.locator("[data-refused]")).to_have_text(said)
        expect(phone.get_by_role("button", name="Check in" if en else "签到")).to_have_count(0)
    phone.goto(f"{server.base}/scan/{elsewhere}")
    expect(phone.locator("[data-why=other_post]")).to_contain_text(here)  # says where the shift is
    snap(phone, f"scan-other-post-{locale}")
    seat = [s for s in server.api("GET", f"/shifts/{shift}", user="coord")["roster"] if s["volunteer_id"] == me][0]
    assert seat["state"] == "signed_up"  # none of them checked anyone in

    # a printed code asks for today's short code, which the coordinator's page alone shows
    coordinator = page_for("coord", locale)
    coordinator.goto(f"{server.base}/posts/print?unit={server.unit}&post={here}")
    short = coordinator.locator("[data-short]").inner_text()
    assert short.isdigit() and len(short) == 4
    expect(coordinator.locator(".poster")).not_to_contain_text(short)
    printed = post_codes.printed(key, unit, here)
    phone.goto(f"{server.base}/scan/{printed}")
    label = "Today's code for this post (ask the coordinator)" if en else "本岗位今日口令码（请询问协调员）"
    phone.get_by_label(label).fill(f"{(int(short) + 1) % 10000:04d}")
    phone.get_by_role("button", name="Check in" if en else "签到").tap()
    expect(phone.locator("[data-flash=error]")).to_have_text(
        "That is not today's code for this post: ask the coordinator." if en else "这不是本岗位今天的口令码，请询问协调员。")
    phone.get_by_label(label).fill(short)
    phone.get_by_role("button", name="Check in" if en else "签到").tap()
    expect(phone.locator("[data-flash=ok]")).to_be_visible()
    assert axe_violations(phone) == []
