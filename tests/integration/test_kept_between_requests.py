"""Idempotency answers and failed logins behave the same kept in one process's SQLite file and
kept in PostgreSQL for several nodes (web/nodes.py): the same questions, the same answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import postgres_schema
from web.auth import LoginThrottle
from web.idempotency import IdempotencyStore


@pytest.fixture(params=["process", pytest.param("postgres", marks=pytest.mark.postgres)])
def kept(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple]:
    """(answers, throttle), each made with a short abandonment time and throttle window."""
    if request.param == "process":
        yield IdempotencyStore(tmp_path / "idempotency.sqlite3", abandoned_seconds=0.3), LoginThrottle(3, window=0.6)
        return
    from web.nodes import SharedAnswers, SharedThrottle, shared_pool
    from web.settings import Settings

    for env in postgres_schema():
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        pool = shared_pool(Settings())
        try:
            yield SharedAnswers(pool, abandoned_seconds=0.3), SharedThrottle(pool, 3, window=0.6)
        finally:
            pool.close()


def test_a_retry_gets_the_first_answer_and_another_body_is_refused(kept) -> None:
    answers, _ = kept
    assert answers.claim("k1", "body-a") == ("new", None)
    assert answers.claim("k1", "body-a") == ("busy", None)  # the first is still running
    answers.store("k1", 201, [("content-type", "application/json")], b'{"id": 1}')
    assert answers.claim("k1", "body-a") == ("done", (201, [["content-type", "application/json"]], b'{"id": 1}'))
    assert answers.claim("k1", "body-b") == ("conflict", None)
    assert answers.claim("k2", "body-a") == ("new", None)  # another key is another request


def test_a_failed_first_request_lets_the_retry_run_and_an_abandoned_one_is_taken_over(kept) -> None:
    answers, _ = kept
    answers.claim("failed", "body")
    answers.forget("failed")  # a 5xx is not an answer
    assert answers.claim("failed", "body") == ("new", None)
    answers.claim("abandoned", "body")
    assert answers.claim("abandoned", "body") == ("busy", None)
    time.sleep(0.4)  # its node died before answering: after a while a retry may run it
    assert answers.claim("abandoned", "other body") == ("conflict", None)
    assert answers.claim("abandoned", "body") == ("new", None)
    assert answers.claim("abandoned", "body") == ("busy", None)  # and it is the new owner's


def test_failed_logins_are_counted_per_username_whatever_its_case_and_forgotten(kept) -> None:
    _, throttle = kept
    for _ in range(3):
        assert throttle.retry_after("Li") == 0
        throttle.failed("li")
    assert 1 <= throttle.retry_after("LI") <= 1  # the window is 0.6 s here: at most a second to wait
    assert throttle.retry_after("wang") == 0
    throttle.succeeded("Li")
    assert throttle.retry_after("li") == 0
    for _ in range(3):
        throttle.failed("li")
    time.sleep(0.7)
    assert throttle.retry_after("li") == 0  # old failures no longer count


def test_answers_that_mention_a_forgotten_volunteer_are_dropped(kept) -> None:
    answers, _ = kept
    for key, body in (("register-ouyang", b'{"id": "7f3a", "name": "Ouyang"}'), ("other", b'{"id": "9c1e"}')):
        answers.claim(key, "hash")
        answers.store(key, 201, [], body)
    answers.forget_mentioning("7f3a")
    assert answers.claim("register-ouyang", "hash") == ("new", None)  # nothing kept: a retry runs afresh
    assert answers.claim("other", "hash")[0] == "done"


@pytest.mark.postgres
def test_of_several_nodes_one_takes_each_round_of_a_periodic_job(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from web.nodes import SharedRounds, shared_pool
    from web.settings import Settings

    for env in postgres_schema():
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        pools = [shared_pool(Settings()) for _ in range(3)]  # three nodes
        try:
            nodes = [SharedRounds(pool) for pool in pools]
            assert [node.take_turn("sweep", 0.5) for node in nodes] == [True, False, False]
            assert nodes[2].take_turn("mailroom", 0.5)  # another job, another turn
            time.sleep(0.6)
            assert [node.take_turn("sweep", 0.5) for node in reversed(nodes)] == [True, False, False]
        finally:
            for pool in pools:
                pool.close()
