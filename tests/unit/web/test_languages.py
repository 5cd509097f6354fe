"""Every visible string has its Chinese; the page's language follows the switch, then the browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.errors import DomainError
from web.i18n import Translator, catalogue, negotiate

WEB = Path(__file__).resolve().parents[3] / "web"
SHOWN_THROUGH_GETTEXT = [  # values templates pass to _(): roles, seat states, statuses, kinds, modes
    "admin", "coordinator", "volunteer", "kiosk", "social_worker", "auditor", "signed_up", "checked_in",
    "checked_out", "no_show", "pending", "active", "suspended", "retired", "pre_job", "sign_language", "other",
    "health_check", "tb_test", "flu_vaccination", "individual", "group", "community",
    # case work: intake sources, consent scopes, contacts, risks, stages, evaluations, outcomes, worklist items
    "self_referral", "outreach", "ward_referral", "agency_referral", "health_information", "referral", "patient",
    "family", "care_team", "community_resource", "low", "medium", "high", "open", "assessed", "planned",
    "evaluated", "closed", "goals_met", "partially_met", "not_met", "referred_out", "patient_withdrew",
    "patient_died", "transferred_care", "assessment", "high_risk_note", "countersignature",
    # notices: kinds, states, channels
    "shift_changed", "shift_cancelled", "shift_reminder", "qualification_expiring", "interpreter_wanted", "queued",
    "dispatching", "sent", "retrying", "undeliverable", "email", "sms", "invitation",
    # requests for volunteers (sign-language interpreting among them), and who asks them
    "request_open", "request_booked", "request_served", "request_cancelled", "interpreter_cancelled",
    "service_wanted", "service_cancelled", "On a ward's request", "ward",
    # the national record system's outbox entries, as the notices page lists them
    "national_record", "national",
    # feedback: ratings and who gave it
    "rating_1", "rating_2", "rating_3", "rating_4", "rating_5", "feedback_from_volunteer", "feedback_from_public",
    # the default scale of evaluations, and star levels reached
    "rating:excellent", "rating:good", "rating:pass", "rating:fail", "star_level",
    # handovers, where a coordinator approves them (what a take answers depends on the unit)
    "handover_approved", "handover_declined", "The place is yours. Thank you for stepping in!",
    "Asked: the coordinator approves handovers here. The place is yours once they agree.",
    # identity documents
    "resident_id", "passport", "hk_macao_permit", "taiwan_permit", "foreign_permanent_residence",
    # joining: availability, the pipeline's stages and its steps
    "weekday_mornings", "weekday_afternoons", "weekday_evenings", "weekend_mornings", "weekend_afternoons",
    "weekend_evenings", "applied", "interviewed", "screened", "trained", "interview", "screen", "train", "activate",
]


def messages_in_the_ui() -> set[str]:
    found: set[str] = set()
    for template in (WEB / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        found |= set(re.findall(r"_\(\s*'([^']+)'", text)) | set(re.findall(r'_\(\s*"([^"]+)"', text))
        for singular, plural in re.findall(r"ngettext\(\s*'([^']+)',\s*'([^']+)'", text):
            found |= {singular, plural}
    from web.errors import PAGE_MESSAGES
    from web.outages import MESSAGES

    found |= {*PAGE_MESSAGES.values(), *MESSAGES, "Something went wrong."}
    for module in (WEB / "ui").glob("*.py"):
        text = module.read_text(encoding="utf-8")
        found |= set(re.findall(r'gettext\(\s*"([^"]+)"', text))
        found |= set(re.findall(r'act\(request, [^,]+, "([^"]+)"', text))
        found |= set(re.findall(r'_step\(request, case_id, "([^"]+)"', text))
    return found


def test_every_visible_string_has_a_chinese_translation() -> None:
    messages = messages_in_the_ui() | set(SHOWN_THROUGH_GETTEXT)
    assert len(messages) > 150
    missing = sorted(m for m in messages if m not in catalogue("zh"))
    assert missing == []


def test_every_code_shown_on_a_page_has_english_words_too() -> None:
    missing = sorted(code for code in SHOWN_THROUGH_GETTEXT if code not in catalogue("en"))
    assert missing == []
    assert Translator("en", "Asia/Shanghai").gettext("ward_referral") == "Referral from a ward"


def test_every_reason_code_is_said_in_both_languages() -> None:
    import domain.errors as errors

    reasons = {cls.reason for cls in vars(errors).values()
               if isinstance(cls, type) and issubclass(cls, DomainError) and cls.reason not in ("refused",)}
    for language in ("en", "zh"):
        missing = sorted(r for r in reasons if f"reason:{r}" not in catalogue(language) and r != "invalid_field")
        assert missing == [], language
    assert Translator("zh", "Asia/Shanghai").reason("shift_full", "This shift is full.") == "本班次已满"


@pytest.mark.parametrize(("cookie", "accept", "language"), [
    (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"), (None, "en-GB,en;q=0.9", "en"), ("en", "zh-CN", "en"),
    ("zh", None, "zh"), (None, "fr-FR,de;q=0.5", "en"), (None, "fr;q=0.9,zh-TW;q=0.8", "zh"), (None, "", "en"),
])
def test_the_language_follows_the_switch_then_the_browser(cookie, accept, language) -> None:
    assert negotiate(cookie, accept) == language


def test_numbers_and_dates_in_the_locales_own_format() -> None:
    en, zh = Translator("en", "Asia/Shanghai"), Translator("zh", "Asia/Shanghai")
    assert en.number(8_000_000) == "8,000,000" and zh.number(8_000_000) == "8,000,000"
    assert en.day("2026-11-23") == "23 Nov 2026"
    assert zh.day("2026-11-23") == "2026年11月23日"
    assert en.clock("2026-11-23T00:30:00+00:00") == "08:30"  # shown on the programme's wall clock


def test_every_refusal_the_domain_words_has_its_chinese() -> None:
    """A value refused on a Chinese page is said in Chinese: each literal problem sentence given
    to InvalidCommand or OutOfBounds (not the ones formatted on the spot, whose words are codes)."""
    found = set()
    for module in [*(WEB.parent / "domain").rglob("*.py"), *WEB.rglob("*.py")]:
        text = module.read_text(encoding="utf-8")
        found |= set(re.findall(r'(?:InvalidCommand|OutOfBounds)\(\s*[\w"]+,\s*"([^"]+)"', text))
    assert len(found) > 40
    missing = sorted(p for p in found if p not in catalogue("zh"))
    assert missing == []


def test_every_field_a_refusal_names_has_a_label_in_both_languages() -> None:
    fields = set()
    for module in [*(WEB.parent / "domain").rglob("*.py"), *WEB.rglob("*.py")]:
        fields |= set(re.findall(r'(?:InvalidCommand|OutOfBounds)\(\s*"([a-z_]+)"', module.read_text(encoding="utf-8")))
    assert len(fields) > 30
    for language in ("en", "zh"):
        assert sorted(f for f in fields if f"field:{f}" not in catalogue(language)) == [], language


def test_an_imports_refused_rows_are_said_in_the_pages_language() -> None:
    from web.jobs.importing import NO_COLUMNS, Report, _columns, checked_rows

    report = Report()
    table = [["姓名", "手机号", "单位"], ["王小丽", "139", ""], ["", "13900001111", ""], ["李伟", "13900002222", "某医院"]]
    list(checked_rows(table, {}, None, report))
    problems = {e["problem"] for e in report.errors}
    assert len(report.errors) == 3
    assert all(p in catalogue("zh") for p in problems), problems
    try:
        _columns(["a", "b"])
    except ValueError as refused:
        assert str(refused) == NO_COLUMNS and NO_COLUMNS in catalogue("zh")


def test_every_event_type_of_the_log_is_said_in_both_languages() -> None:
    from web.audit import event_types

    types = event_types()
    assert "Shift.CheckedIn" in types and len(types) > 60
    for language in ("en", "zh"):
        t = Translator(language, "Asia/Shanghai")
        assert [code for code in types if t.event(code) == code] == [], language
    assert Translator("zh", "Asia/Shanghai").event("Shift.CheckedIn") == "班次 · 签到"


def test_a_refusal_is_said_to_the_volunteer_it_is_about_in_both_languages() -> None:
    for language, words in (("en", "You already have a shift at that time."), ("zh", "您在这个时间已有其他班次。")):
        t = Translator(language, "Asia/Shanghai")
        assert t.reason("overlapping_shift", "", to_me=True) == words
        assert "olunteer" in t.reason("overlapping_shift", "") or "志愿者" in t.reason("overlapping_shift", "")
    assert Translator("zh", "Asia/Shanghai").reason("shift_full", "", to_me=True) == "本班次已满"  # no "you" to say


def test_an_interpreting_records_post_is_said_in_the_pages_language_and_on_the_certificate() -> None:
    from web.certificates import content_of

    post = "Sign-language interpreting: 门诊大厅 Outpatient hall"
    assert Translator("zh", "Asia/Shanghai").post(post) == "手语翻译：门诊大厅 Outpatient hall"
    assert Translator("en", "Asia/Shanghai").post(post) == post
    assert content_of(post, {"sign_language": 1}, {"sign_language": ("Sign-language service", "手语服务")}) == \
        "手语翻译：门诊大厅 Outpatient hall（手语服务）"
