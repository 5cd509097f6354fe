"""In Chromium, as each person would: a count no one could serve is refused beside its field, in
the page's language, and nothing is recorded; the form then takes the right value."""

from __future__ import annotations

import itertools

from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, Server, snap

_numbers = itertools.count(1)


def new_volunteer(server: Server, name: str) -> tuple[str, str]:
    """A volunteer of this test alone, with an account (other tests book the shared ones): (id, username)."""
    n = next(_numbers)
    volunteer = server.api("POST", "/volunteers", {"name": name, "phone": f"1370000{n:04d}", "unit_id": server.unit},
                           user="coord")["id"]
    server.api("POST", f"/volunteers/{volunteer}/approve", user="coord")
    username = f"bounds{n}"
    server.api("POST", "/accounts", {"username": username, "password": PASSWORD, "role": "volunteer",
                                     "volunteer_id": volunteer}, user="root")
    return volunteer, username


def checked_in(server: Server, name: str, post: str) -> tuple[str, str, str]:
    volunteer, username = new_volunteer(server, name)
    shift = server.shift_soon(server.unit, post)
    server.api("POST", f"/shifts/{shift}/signups", {"volunteer_id": volunteer}, user="coord")
    server.api("POST", f"/shifts/{shift}/check-in", {"volunteer_id": volunteer}, user="coord")
    server.settle()
    return volunteer, username, shift


def test_a_volunteers_phone_refuses_a_quadrillion_beside_the_field_in_chinese(page_for, server: Server) -> None:
    _, username, shift = checked_in(server, "Qian Hui", "outpatient guidance desk")
    page = page_for(username, locale="zh-CN", phone=True)
    mine = page.locator(f"[data-now='{shift}'], [data-my-shift='{shift}']")
    field = mine.locator("input[name=served_guidance]")
    field.fill("18446744073709551621")
    mine.get_by_role("button", name="签退").click()
    mine = page.locator(f"[data-now='{shift}'], [data-my-shift='{shift}']")
    field = mine.locator("input[name=served_guidance]")
    problem = mine.locator(".field-problem[data-field='served.guidance']")
    expect(problem).to_have_text("必须在 0 到 10,000 之间")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert field.get_attribute("aria-describedby") == problem.get_attribute("id")
    expect(mine.get_by_role("button", name="签退")).to_be_visible()  # still checked in: nothing recorded
    snap(page, "volunteer-check-out-refused-zh")
    field.fill("12.5")
    mine.get_by_role("button", name="签退").click()
    mine = page.locator(f"[data-now='{shift}'], [data-my-shift='{shift}']")  # the shift I am on comes first
    expect(mine.locator(".field-problem")).to_have_text("必须是整数")
    mine.locator("input[name=served_guidance]").fill("12")
    mine.get_by_role("button", name="签退").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("签退成功，谢谢！")
    expect(page.locator(".field-problem")).to_have_count(0)


def test_the_kiosk_refuses_an_impossible_count_beside_the_field(page_for, server: Server) -> None:
    _, _, shift = checked_in(server, "Kong Wen", "inpatient visitation")
    page = page_for("kiosk")
    page.get_by_label("The last four digits of your phone, or your name").fill("Kong")
    row = page.locator(".person", has_text="Kong Wen")
    row.locator("input[name=served_guidance]").fill("10000000000")
    row.get_by_role("button", name="Check out").click()
    row = page.locator(".person", has_text="Kong Wen")
    expect(row.locator(".field-problem")).to_have_text("must be between 0 and 10,000")
    expect(page.locator("[data-flash=error]")).to_contain_text("Guidance and wayfinding")
    expect(row.get_by_role("button", name="Check out")).to_be_visible()  # still on duty
    snap(page, "kiosk-check-out-refused")
    row.locator("input[name=served_guidance]").fill("25")
    row.get_by_role("button", name="Check out").click()
    expect(page.locator("[data-flash=ok]")).to_have_text("Kong Wen is checked out. Thank you!")


def test_the_social_work_form_refuses_a_quadrillion_persons_in_both_languages(page_for, server: Server) -> None:
    for locale, button, words in (("zh-CN", "保存服务记录", "必须在 1 到 100,000 之间"),
                                  ("en-GB", "Log session", "must be between 1 and 100,000")):
        page = page_for("sw", locale=locale)
        page.locator("#patient_id").fill("MRN-77")
        page.locator("#mode").select_option("community")
        page.locator("#persons").fill(str(10**15))
        page.get_by_role("button", name=button).click()
        expect(page.locator(".field-problem[data-field=persons]")).to_have_text(words)
        expect(page.locator("#persons")).to_have_attribute("aria-invalid", "true")
        snap(page, f"social-session-refused-{locale[:2]}")
    assert not [s for s in server.api("GET", f"/sessions?unit_id={server.unit}", user="sw") if s["persons"] > 100_000]
