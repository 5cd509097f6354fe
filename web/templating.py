"""How pages are compiled: once per language, with their fixed words already in it.

A page is asked for as "zh/kiosk.html" (web/ui/common.page): the same file, compiled for that
language, and what it extends, includes or imports is compiled for it too. In such a copy
`_('A literal')` is the catalogue's text, written into the compiled template: a kiosk's list of
190 people called `_('Check in')` 190 times (a fifth of the page's time). `_()` of anything else
(a variable, a sentence with values) is called at each page as before, and a template asked for
without a language is compiled as written."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import BaseLoader, Environment
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from litestar.plugins.jinja import JinjaTemplateEngine

from web.i18n import LOCALES, catalogue, clock

_DICT_ATTRIBUTES = frozenset(dir(dict))


def for_language(language: str, template: str) -> str:
    """The name of `template` compiled for `language`."""
    return f"{language}/{template}"


def _language_of(name: str | None) -> str | None:
    language, slash, _ = (name or "").partition("/")
    return language if slash and language in LOCALES else None


class EachLanguage(BaseLoader):
    """"zh/kiosk.html" is the file kiosk.html, compiled under its own name (for FixedWords, and
    for join_path below)."""

    def __init__(self, files: BaseLoader) -> None:
        self.files = files

    def get_source(self, environment: Environment, template: str) -> Any:
        if _language_of(template) is not None:
            template = template.partition("/")[2]
        return self.files.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.files.list_templates()


class FixedWords(Extension):
    """In a template compiled for a language, `_('literal')` becomes that language's text."""

    def filter_stream(self, stream: TokenStream) -> Iterable[Token]:
        language = _language_of(stream.name)
        if language is None:
            return stream
        return _translated(list(stream), catalogue(language))


def _translated(tokens: list[Token], messages: dict[str, str]) -> Iterator[Token]:
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if (token.type == "name" and token.value == "_" and i + 3 < len(tokens) and tokens[i + 1].type == "lparen"
                and tokens[i + 2].type == "string" and tokens[i + 3].type == "rparen"
                and (i == 0 or tokens[i - 1].type != "dot")):
            literal = tokens[i + 2].value
            yield Token(token.lineno, "string", messages.get(literal, literal))
            i += 4
            continue
        yield token
        i += 1


def tune_templates(engine: JinjaTemplateEngine, zone: ZoneInfo) -> None:
    """Templates read once (a look at each file's time at every page is a system call per
    template), compiled once per language (above), `value|clock` on the programme's clock (a
    filter is called directly; `t.clock(value)` went through Jinja's attribute look-up and call
    checks, 2 µs a time, twice a row of a kiosk's list), and a row's `p.name` read as its key at
    once: Jinja tries the attribute first, and the AttributeError a dict raises was a tenth of a
    long page. The same answer as Jinja's for every name a dict has no attribute of."""
    environment = engine.engine
    environment.filters["clock"] = partial(clock, zone=zone)
    environment.auto_reload = False
    environment.loader = EachLanguage(environment.loader)
    environment.add_extension(FixedWords)

    def join_path(template: str, parent: str) -> str:
        """What a page for a language extends, includes or imports is compiled for it too."""
        language = _language_of(parent)
        if language is None or _language_of(template) is not None:
            return template
        return for_language(language, template)
    environment.join_path = join_path

    looked_up = environment.getattr

    def getattr_(obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return looked_up(obj, attribute)
    environment.getattr = getattr_
