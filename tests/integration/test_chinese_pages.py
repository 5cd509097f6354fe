"""A Chinese page speaks Chinese: no English word on it that is not a name (a person's, a unit's,
a post's, a training's), a code (a pseudonym, a certificate number) or a word the screens keep in
Latin letters everywhere (CareLedger, CSV, Excel, QR...)."""

from __future__ import annotations

import html
import re

import pytest

from domain import post_codes
from projections import directory, roster, trainings
from tests.integration.conftest import World
from tests.integration.test_ui_pages import log_in

KEPT_IN_LATIN = {"CareLedger", "CSV", "Excel", "XLSX", "API", "QR", "SMS", "ICS", "ics", "English", "webcal", "https",
                 "http", "ID", "OpenAPI", "PIPL", "GDPR", "careledger", "doctor", "backup", "FOLDER", "restore",
                 "encrypt", "MB", "min"}
PAGES = {
    "coord": ["/shifts", "/volunteers", "/trainings", "/notices", "/certificates", "/board", "/dashboard",
              "/volunteers/import", "/kiosks", "/shifts/{shift}", "/volunteers/{volunteer}", "/posts",
              "/posts/print?unit={unit}&post=guidance%20desk"],
    "li": ["/me", "/me/record", "/me/certificates", "/scan/{code}"],
    "kiosk": ["/kiosk", "/board", "/display", "/display?post=guidance%20desk"],
    "sw": ["/social", "/cases", "/cases/reports"],
    "auditor": ["/dashboard", "/admin/audit", "/cases/reports"],
    "admin": ["/admin", "/admin/units", "/admin/accounts", "/admin/service-types", "/admin/audit"],
}


def shown_text(page: str) -> str:
    """What a person reads: the text, and the words in labels, placeholders and alternatives."""
    page = re.sub(r"(?is)<(script|style|code|svg|title)\b.*?</\1>", " ", page)
    page = re.sub(r'(?is)<(\w+)[^>]*\blang="(en|zh)"[^>]*>.*?</\1>', " ", page)  # said in its own language on purpose
    said = re.findall(r'(?:aria-label|placeholder|title|alt|data-confirm)="([^"]*)"', page)
    text = re.sub(r"(?s)<[^>]+>", " ", page)
    return html.unescape(" ".join([text, *said]))


def names_in(world: World) -> set[str]:
    db = world.client.app.state.reader()
    found = {u["name"] for u in directory.units(db)} | {u["district"] for u in directory.units(db)}
    found |= {v["name"] for v in directory.volunteers(db, limit=2000)}
    found |= {a["username"] for a in directory.accounts(db)}
    found |= {s["post"] for s in roster.shifts(db, None, None, None)}
    found |= {c["title"] for c in trainings.courses(db, None)}
    found |= {"coordinator", "system", "test"}  # actors the test world writes with directly, through no face
    return found


@pytest.mark.parametrize("user", list(PAGES))
def test_a_chinese_page_holds_no_english_word_that_is_not_a_name(world: World, user: str) -> None:
    shift = world.hospital.shift()
    world.settle()
    log_in(world, user, language="zh")
    names = sorted(names_in(world), key=len, reverse=True)
    english: dict[str, set[str]] = {}
    for path in PAGES[user]:
        code = post_codes.shown(world.client.app.state.commands.post_code_key, world.hospital.unit, "guidance desk",
                                world.ledger.clock.now())  # the code on the desk's display now
        answer = world.client.get(path.format(shift=shift, volunteer=world.volunteer, unit=world.hospital.unit,
                                              code=code))
        assert answer.status_code == 200, (path, answer.status_code)
        text = shown_text(answer.text)
        for name in names:
            text = text.replace(name, " ")
        text = re.sub(r"\bpr_[0-9a-f]+\b|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|\S+@\S+|https?://\S+|/\S*", " ", text)
        words = {w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", text) if w not in KEPT_IN_LATIN}
        # Chinese punctuation in Chinese sentences: no ASCII colon, comma or bracket against a character
        words |= set(re.findall(r"[\u4e00-\u9fff][:,;()]|[:,;()][\u4e00-\u9fff]", text))
        if words:
            english[path] = words
    assert english == {}
