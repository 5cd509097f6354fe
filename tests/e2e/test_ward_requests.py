"""A ward asks for help on its tablet (820 px), in English and Chinese: a refusal keeps what was
typed and says what to change; a volunteer on call is asked, accepts on their phone (390 px), and
the ward sees who is coming; unanswered, the request waits on the coordinator's live board."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.checkers import axe_violations, nu_errors
from tests.e2e.conftest import ZONE, Server, snap
from tests.e2e.test_coordinators_desk import _volunteer
from tests.e2e.test_joining import _texts_to

TABLET_WIDTH, PHONE_WIDTH = 820, 390
WORDS = {
    "en-GB": {"ask": "Ask", "place": "Where (ward, bed)", "note": "Note for the volunteer (no names)",
              "companion": "Psychological relief", "language": "Language needed (optional)", "place_missing": "must say where the volunteer is needed",
              "nobody": "No qualified volunteer is on duty there or on call then", "asked": "Asked.",
              "go_on_call": "Go on call", "on_call": "You are on call until", "go": "I will go",
              "booked": "You are booked: the ward knows you are coming.", "coming": "Coming",
              "waiting": "Waiting for a volunteer", "board": "Requests from wards"},
    "zh-CN": {"ask": "申请", "place": "地点（病区、床号）", "note": "给志愿者的备注（请勿写姓名）",
              "companion": "心理舒缓", "language": "所需语言（选填）", "place_missing": "请写明需要志愿者的地点", "nobody": "此时没有在岗或待命的合格志愿者",
              "asked": "已发出请求。", "go_on_call": "开始待命", "on_call": "您待命至", "go": "我去",
              "booked": "您已获派：病区已知道您会来。", "coming": "已派定", "waiting": "等待志愿者接受",
              "board": "病区求助"},
}


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_a_ward_asks_a_volunteer_on_call_who_accepts_and_the_ward_sees_who_is_coming(page_for, server: Server,
                                                                                     locale: str) -> None:
    w, tail = WORDS[locale], "41" if locale == "en-GB" else "42"
    note = f"Elderly patient alone, likes to talk {locale}"
    ward = page_for("ward5", locale, tablet=True)
    expect(ward).to_have_url(f"{server.base}/requests")  # the ward's home

    # Asked without saying where: refused beside the field, the note and the service kept.
    ward.get_by_label(w["companion"]).check()
    ward.get_by_label(w["note"]).fill(note)
    ward.get_by_role("button", name=w["ask"], exact=True).tap()
    expect(ward.locator("[data-field=place]")).to_contain_text(w["place_missing"])
    expect(ward.get_by_label(w["place"])).to_have_attribute("aria-invalid", "true")
    expect(ward.get_by_label(w["note"])).to_have_value(note)
    expect(ward.get_by_label(w["companion"])).to_be_checked()

    # Nobody at hand speaks the language asked for: said in words, with what to do; nothing lost.
    place, language = f"Ward 5, bed {tail}", f"Tibetan {locale}"
    ward.get_by_label(w["place"]).fill(place)
    ward.get_by_label(w["language"]).fill(language)
    ward.get_by_role("button", name=w["ask"], exact=True).tap()
    expect(ward.locator("[data-flash=error]")).to_contain_text(w["nobody"])
    expect(ward.get_by_label(w["place"])).to_have_value(place)
    expect(ward.get_by_label(w["language"])).to_have_value(language)
    ward.get_by_label(w["language"]).fill("")
    _fits(ward, TABLET_WIDTH)
    assert axe_violations(ward) == []

    # A volunteer goes on call on their phone.
    login = f"oncall-{locale.lower()}"
    me = _volunteer(server, f"Qin Hao {locale}", phone=f"139777700{tail}", login=login)
    phone = page_for(login, locale, phone=True)
    phone.get_by_role("button", name=w["go_on_call"]).tap()
    expect(phone.locator("[data-on-call]")).to_contain_text(w["on_call"])
    server.settle()

    # Asked again: the volunteer on call is told; the ward's card says it waits.
    ward.get_by_role("button", name=w["ask"], exact=True).tap()
    expect(ward.locator("[data-flash=ok]")).to_contain_text(w["asked"])
    card = ward.locator("#requests [data-request]", has_text=place)
    expect(card).to_contain_text(w["waiting"])
    request = card.get_attribute("data-request")
    deadline = time.monotonic() + 60
    while not any(place in text for text in _texts_to(server, f"139777700{tail}")):  # the mailroom's turn
        assert time.monotonic() < deadline, "the volunteer on call was never told"
        ward.wait_for_timeout(250)
    server.settle()

    # On the phone: the request at the top, in the volunteer's language; one tap takes it.
    phone.reload()
    offered = phone.locator(f"[data-request='{request}']")
    expect(offered).to_contain_text(w["companion"])
    expect(offered).to_contain_text(place)
    offered.get_by_role("button", name=w["go"]).tap()
    expect(phone.locator("[data-flash=ok]")).to_contain_text(w["booked"])
    expect(phone.locator(f"[data-request='{request}'] [data-note]")).to_have_text(note)  # booked: the note is theirs
    _fits(phone, PHONE_WIDTH)
    assert axe_violations(phone) == []
    snap(phone, f"request-phone-{locale}")

    # The ward sees who is coming.
    server.settle()
    ward.reload()
    coming = ward.locator(f"#requests [data-request='{request}']")
    expect(coming).to_have_attribute("data-state", "booked")
    expect(coming.locator("[data-coming]")).to_have_text(f"Qin Hao {locale}")
    expect(coming).to_contain_text(w["coming"])
    _fits(ward, TABLET_WIDTH)
    assert axe_violations(ward) == []
    snap(ward, f"requests-tablet-{locale}")
    assert nu_errors({f"ward-{locale}-requests": ward.context.request.get(f"{server.base}/requests").text(),
                      f"oncall-{locale}-me": phone.context.request.get(f"{server.base}/me").text()}) == []
    record = server.api("GET", f"/service-requests/{request}", user="coord")
    assert (record["state"], record["volunteer_id"], record["note"]) == ("booked", me, note)


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_an_open_request_waits_on_the_coordinators_board_with_whom_to_send(page_for, server: Server,
                                                                            locale: str) -> None:
    w, tail = WORDS[locale], "51" if locale == "en-GB" else "52"
    helper = _volunteer(server, f"Lu Yao {locale}", phone=f"139777711{tail}")
    now = datetime.now(ZONE)
    server.api("PUT", f"/volunteers/{helper}/on-call", {"ends_at": (now + timedelta(hours=2)).isoformat()},
               user="coord")
    server.settle()
    asked = server.api("POST", "/service-requests", {"unit_id": server.unit, "kind": "escort", "minutes": 30,
                                                     "place": f"Radiology, from bed {tail}"}, user="ward5")
    server.settle()
    board = page_for("coord", locale)
    board.goto(f"{server.base}/board")
    item = board.locator(f"[data-board-requests] [data-request='{asked['id']}']")
    expect(board.locator("[data-board-requests] h2")).to_contain_text(w["board"])
    expect(item).to_contain_text(w["waiting"])
    item.locator("select").select_option(helper)
    item.get_by_role("button").click()
    expect(board.locator("[data-flash=ok]")).to_contain_text(f"Lu Yao {locale}")
    assert server.api("GET", f"/service-requests/{asked['id']}", user="ward5")["volunteer_id"] == helper
    assert axe_violations(board) == []
