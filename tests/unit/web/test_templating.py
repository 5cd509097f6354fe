"""Pages compiled once per language: the same page as the template as written, with its fixed
words looked up when it is compiled, not at every page."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from litestar.plugins.jinja import JinjaTemplateEngine

from web.i18n import LOCALES, Translator
from web.templating import for_language, tune_templates

WEB = Path(__file__).resolve().parents[3] / "web"
ZONE = ZoneInfo("Asia/Shanghai")


def engine(directory: Path) -> JinjaTemplateEngine:
    made = JinjaTemplateEngine(directory=directory)
    tune_templates(made, ZONE)
    return made


@pytest.fixture
def pages(tmp_path: Path) -> JinjaTemplateEngine:
    (tmp_path / "partials").mkdir()
    (tmp_path / "base.html").write_text("<title>{{ _('Shifts') }}</title>{% block content %}{% endblock %}")
    (tmp_path / "partials" / "fields.html").write_text("{% macro hint() %}{{ _('Log out') }}{% endmacro %}")
    (tmp_path / "partials" / "row.html").write_text("<td>{{ _('Check in') }} {{ when|clock }}</td>")
    (tmp_path / "page.html").write_text(
        "{% extends 'base.html' %}{% import 'partials/fields.html' as fields with context %}{% block content %}"
        "{{ fields.hint() }}|{{ _('{filled} of {capacity} places', filled=1, capacity=3) }}|{{ _(role) }}|"
        "{{ _('Cancelled') if cancelled else _('Today') }}|{% include 'partials/row.html' %}{% endblock %}")
    return engine(tmp_path)


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_a_page_compiled_for_a_language_says_what_the_template_as_written_says(pages, language) -> None:
    t = Translator(language, "Asia/Shanghai")
    calls: list[str] = []

    def counted(message: str, **values: object) -> str:
        calls.append(message)
        return t.gettext(message, **values)

    context = {"_": counted, "role": "coordinator", "cancelled": False, "when": "2026-12-07T00:40:00+00:00"}
    as_written = pages.get_template("page.html").render(**context)
    called_as_written = len(calls)
    calls.clear()
    compiled = pages.get_template(for_language(language, "page.html")).render(**context)

    assert compiled == as_written
    assert ("班次" in compiled) == (language == "zh") and "08:40" in compiled  # Shifts; Beijing's clock
    # only what cannot be known before the page is called at the page: a sentence with values, a variable
    assert called_as_written == 6 and calls == ["{filled} of {capacity} places", "coordinator"]


@pytest.mark.parametrize("language", sorted(LOCALES))
def test_every_template_compiles_for_every_language(language) -> None:
    environment = engine(WEB / "templates").engine
    names = environment.list_templates(extensions=["html"])
    assert len(names) > 40
    for name in names:
        environment.get_template(for_language(language, name))
