"""An answer that breaks the document is caught where it is made (web/answers.py), in every test."""

from __future__ import annotations

from uuid import UUID

import msgspec
import pytest
from litestar import Litestar, Response, get
from litestar.testing import TestClient

from web.answers import AnswerBreaksTheDocument, check_answer


class Unit(msgspec.Struct):
    id: UUID
    name: str


@get("/api/v1/units-as-promised", sync_to_thread=False)
def as_promised() -> list[Unit]:
    return [{"id": "b54bd09f-e6ae-4092-88db-fd56b863bbb8", "name": "Ruijin"}]  # type: ignore[list-item]


@get("/api/v1/units-broken", sync_to_thread=False)
def broken() -> list[Unit]:
    return [{"id": "b54bd09f-e6ae-4092-88db-fd56b863bbb8"}]  # type: ignore[list-item]  # no name


@get("/api/v1/written-broken", sync_to_thread=False)
def written_broken() -> Response[Unit]:
    return Response(content={"id": "not an id", "name": "Ruijin"})


def test_an_answer_as_documented_goes_out_and_one_that_is_not_is_an_error() -> None:
    app = Litestar([as_promised, broken, written_broken], before_send=[check_answer])
    with TestClient(app) as client:
        assert client.get("/api/v1/units-as-promised").json()[0]["name"] == "Ruijin"
        for path in ("/api/v1/units-broken", "/api/v1/written-broken"):
            with pytest.raises(Exception) as raised:  # Litestar wraps what breaks after the answer started
                client.get(path)
            causes = [raised.value, raised.value.__cause__, raised.value.__context__]
            assert any(isinstance(cause, AnswerBreaksTheDocument) for cause in causes), raised.value
