"""English and Simplified Chinese: message catalogues (msgid = the English text, as in gettext)
and the locale's own formats for numbers and dates (Babel)."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, get_day_names
from babel.numbers import format_currency, format_decimal, format_percent

from projections.hours import INTERPRETING, ON_REQUEST

LOCALES = {"en": "en_GB", "zh": "zh_Hans_CN"}
CATALOGUES = Path(__file__).parent / "locales"


# Babel parses a pattern and finds its locale at every call (tens of microseconds; a kiosk's page
# writes hundreds of times and numbers): the same value in the same form is the same text, made once.
@lru_cache(maxsize=16_384)
def _date(value: date, form: str, locale: str) -> str:
    return format_date(value, form, locale=locale)


@lru_cache(maxsize=16_384)
def _moment(value: datetime, pattern: str, zone: ZoneInfo, locale: str) -> str:
    return format_datetime(value, pattern, tzinfo=zone, locale=locale)


@lru_cache(maxsize=8_192)
def _decimal(value: float | int, locale: str) -> str:
    return format_decimal(value, locale=locale)


@lru_cache(maxsize=16_384)
def _clock(value: datetime | str, zone: ZoneInfo) -> str:
    """HH:mm on the programme's clock (Babel's HH:mm in both languages, by strftime: 30 times sooner)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(zone).strftime("%H:%M")


def clock(value: datetime | str | None, zone: ZoneInfo) -> str:
    """HH:mm on the programme's clock, the same in both languages (templates: `value|clock`)."""
    return "" if value is None else _clock(value, zone)


@cache
def _plural_form(locale: str) -> Any:
    return Locale.parse(locale).plural_form


@cache
def _day_names(locale: str) -> Any:
    return get_day_names("wide", locale=locale)


@cache
def catalogue(language: str) -> dict[str, str]:
    path = CATALOGUES / f"{language}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The page's language: the switch in the page (a cookie) first, then the browser's wish."""
    if cookie in LOCALES:
        return cookie
    wishes = []
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            wishes.append((float(q) if q else 1.0, tag.lower()))
        except ValueError:
            continue
    for _, tag in sorted(wishes, reverse=True):
        if tag.split("-")[0] in LOCALES:
            return tag.split("-")[0]
    return "en"


def translator(request: Any) -> Translator:
    """The request's language (the page's switch, then the browser's wish) and the programme's time zone."""
    language = negotiate(request.cookies.get("lang"), request.headers.get("accept-language"))
    return Translator(language, request.app.state.settings.timezone)


class Translator:
    """What templates call: `_()` for words, and the locale's formats for numbers, dates, times."""

    def __init__(self, language: str, timezone: str) -> None:
        self.language = language
        self.locale = LOCALES[language]
        self.zone = ZoneInfo(timezone)
        self._messages = catalogue(language)

    def gettext(self, message: str, **values: object) -> str:
        text = self._messages.get(message, message)
        return text.format(**values) if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """A sentence about `n` things, by the locale's plural rules (Babel): English says "1
        volunteer", "2 volunteers"; Chinese has one form, kept under the plural's msgid."""
        form = _plural_form(self.locale)(n)
        message = singular if form == "one" else plural
        return self.gettext(message, n=self.number(n), **values)

    def reason(self, reason: str, fallback: str, to_me: bool = False) -> str:
        """A refused command in words: the reason code's sentence, else the domain's own message.
        `to_me`: said to the volunteer it is about ("You already have a shift then"), where it can be."""
        for key in ((f"you:reason:{reason}",) if to_me else ()) + (f"reason:{reason}",):
            text = self._messages.get(key) or catalogue("en").get(key)
            if text:
                return text
        return fallback

    def problem(self, error: Any, labels: dict[str, str] | None = None) -> tuple[str, str]:
        """A value refused (an InvalidCommand) in this language: (its field's label, the problem).
        `labels` names fields the catalogue cannot (served.guidance: the service type's name)."""
        field = error.field
        label = (labels or {}).get(field) or self._label(field)
        if label is None and "." in field:  # served.guidance: the list's label and the code
            head, _, code = field.partition(".")
            label = f"{self._label(head) or head} · {code}"
        sentence = self._messages.get(error.problem) or error.problem
        values = {k: self.number(v) if isinstance(v, int) and not isinstance(v, bool)
                  else self._label(str(v)) or self._messages.get(str(v), v) for k, v in error.values.items()}
        try:
            sentence = sentence.format(**values)
        except (KeyError, IndexError, ValueError):
            sentence = error.message
        return label or field, sentence

    def label(self, field: str) -> str:
        """A field's name as a person reads it (the code itself when the catalogue has none)."""
        return self._label(field) or field

    def _label(self, field: str) -> str | None:
        return self._messages.get(f"field:{field}") or catalogue("en").get(f"field:{field}")

    def month(self, value: str) -> str:
        """A month ("2026-11") as the language writes it: "Nov 2026", "2026年11月"."""
        day = date.fromisoformat(f"{value}-01")
        return _date(day, "MMM y" if self.language == "en" else "y年M月", self.locale)

    def post(self, post: str) -> str:
        """A post as the record names it; a request's is "Sign-language interpreting: <place>" or
        "On a ward's request: <place>"."""
        head, sep, place = post.partition(": ")
        if sep and head in (INTERPRETING, ON_REQUEST):
            return f"{self.gettext(head)}{'：' if self.language == 'zh' else ': '}{place}"
        return post

    def event(self, code: str) -> str:
        """An event type of the log ("Shift.CheckedIn") as a person reads it: "Shift · checked in"."""
        thing, _, happened = code.partition(".")
        words = [self._messages.get(f"thing:{thing}") or catalogue("en").get(f"thing:{thing}"),
                 self._messages.get(f"event:{happened}") or catalogue("en").get(f"event:{happened}")]
        return " · ".join(words) if all(words) else code  # type: ignore[arg-type]

    def via(self, code: str) -> str:
        """How a check-in was made (kiosk, phone, coordinator, qr), in words."""
        return self.gettext(f"via:{code}")

    def number(self, value: float | int | None) -> str:
        return _decimal(value or 0, self.locale)

    def money(self, value: float | int | None, currency: str) -> str:
        """An amount in the locale's way: "CN¥1,234.50", "¥1,234.50"."""
        return format_currency(value or 0, currency, locale=self.locale)

    def percent(self, value: float | None) -> str:
        return format_percent(value or 0, locale=self.locale)

    def day(self, value: date | str | None, form: str = "medium") -> str:
        """A day; given a moment (stored as UTC), the programme's day it falls on, not UTC's."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        if isinstance(value, datetime):
            value = (value.astimezone(self.zone) if value.tzinfo else value).date()
        return _date(value, form, self.locale)

    def weekday_name(self, index: int) -> str:
        """Monday (0) to Sunday (6), in this language."""
        return _day_names(self.locale)[index]

    def weekday(self, value: date) -> str:
        return _date(value, "EEE d MMM" if self.language == "en" else "M月d日 EEE", self.locale)

    def moment(self, value: datetime | str | None, form: str | None = None) -> str:
        """A moment on the programme's clock, as the pages' days are written ("19 Nov 2026, 14:00")."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        pattern = form or ("d MMM y, HH:mm" if self.language == "en" else "y年M月d日 HH:mm")
        return _moment(value, pattern, self.zone, self.locale)

    @property
    def sep(self) -> str:
        """Between the items of a list: ", " or "、"."""
        return "、" if self.language == "zh" else ", "

    def join(self, items: Any) -> str:
        """A list as the language writes one: "a, b" or "甲、乙"."""
        return self.sep.join(str(i) for i in items)

    def clock(self, value: datetime | str | None) -> str:
        return clock(value, self.zone)
