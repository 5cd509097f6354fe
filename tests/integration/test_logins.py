"""Logging in, hardened: one spelling of a username for the account and its failed guesses, a limit
per client address, unknown usernames checked like known ones, a bounded pool for password
hashing that turns a storm away, a throttled current-password check, and a login form that
another site cannot post."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from litestar.datastructures import Headers
from litestar.testing import TestClient

from domain.application import CareLedger
from domain.clock import FixedClock
from tests.integration.conftest import PASSWORD, World, login_token
from web import login as logins
from web.app import create_app
from web.auth import LoginThrottle
from web.limits import PerAddress
from web.login import Client, trusted_networks
from web.passwords import hash_password
from web.settings import Settings


def token(world: World, username: str, password: str = PASSWORD):
    return world.client.post("/api/v1/auth/token", json={"username": username, "password": password})


@pytest.mark.parametrize("spelling", [" coord", "coord\t", "\u3000coord", "ＣＯＯＲＤ", "CoOrD", "   coord   "])
def test_every_spelling_of_a_username_is_one_account_and_one_count_of_guesses(world: World, spelling: str) -> None:
    assert token(world, spelling).status_code == 200  # the account, however it is typed
    for _ in range(5):
        assert token(world, spelling, "wrong password").status_code == 401
    for other in ("coord", " coord ", "\u3000ＣＯＯＲＤ"):  # the same five guesses for every spelling
        refused = token(world, other)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0


def test_guesses_from_one_address_are_limited_whatever_the_usernames(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    settings = Settings(login_attempts_per_address=10)
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    with TestClient(app=create_app(settings, ledger)) as client:
        world = World(client, ledger)
        answers = [token(world, f"account{i}", "spraying").status_code for i in range(14)]
        assert answers[:10] == [401] * 10 and set(answers[10:]) == {429}  # password spraying meets a wall
        assert token(world, "coord").status_code == 429  # from this address, for now
    ledger.close()


def request_from(peer: str, scheme: str = "http", lines: tuple[tuple[str, str], ...] = (),
                 **headers: str) -> SimpleNamespace:
    return SimpleNamespace(client=SimpleNamespace(host=peer), url=SimpleNamespace(scheme=scheme),
                           headers=Headers([(k.encode(), v.encode()) for k, v in (*headers.items(), *lines)]), app=SimpleNamespace(state=SimpleNamespace(
                               trusted_proxies=trusted_networks("10.0.0.0/8, 192.168.1.5"))))


def test_the_client_address_is_read_from_x_forwarded_for_only_behind_a_trusted_proxy() -> None:
    forwarded = {"x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.1.2.3", "x-forwarded-proto": "https"}
    assert Client.of(request_from("10.0.0.7", **forwarded)) == Client("203.0.113.9", True)
    assert Client.of(request_from("192.168.1.5", **forwarded)).address == "203.0.113.9"
    # From anywhere else the header is the client's own words: not believed.
    assert Client.of(request_from("203.0.113.50", **forwarded)) == Client("203.0.113.50", False)
    assert Client.of(request_from("10.0.0.7")) == Client("10.0.0.7", False)
    assert Client("1.2.3.4", True).secure_cookies("auto") and not Client("1.2.3.4", False).secure_cookies("auto")
    assert Client("1.2.3.4", False).secure_cookies("always") and not Client("1.2.3.4", True).secure_cookies("never")


def test_every_forwarded_line_and_hop_is_read_and_an_ipv6_client_is_counted_by_its_64() -> None:
    # A proxy that adds a line of its own: the nearest untrusted hop is on the last line.
    two_lines = (("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "203.0.113.9, 10.1.2.3"))
    assert Client.of(request_from("10.0.0.7", lines=two_lines)).address == "203.0.113.9"
    with_ports = {"x-forwarded-for": "6.6.6.6:1, [2001:db8:1:2::77]:443, 10.1.2.3:8080"}
    assert Client.of(request_from("10.0.0.7", **with_ports)).address == "2001:db8:1:2::77"
    assert Client.of(request_from("10.0.0.7", **{"x-forwarded-for": "203.0.113.9:5123"})).address == "203.0.113.9"
    one_phone = {Client(f"2001:db8:1:2::{n:x}", True).key for n in range(1, 500)}
    assert one_phone == {"2001:db8:1:2::/64"}
    assert Client("2001:db8:1:3::1", True).key != Client("2001:db8:1:2::1", True).key
    assert Client("::ffff:203.0.113.9", True).key == Client("203.0.113.9", True).key == "203.0.113.9"


def test_the_login_throttle_and_the_public_page_limit_hold_bounded_memory() -> None:
    throttle = LoginThrottle(attempts=3, window=300, keys=1000)
    for _ in range(3):
        throttle.failed("victim")
    assert throttle.retry_after("victim") > 0
    for n in range(50_000):  # a flood of made-up names, and asking never remembers
        throttle.retry_after(f"nobody{n}")
        throttle.failed(f"made-up{n}")
    assert len(throttle._failures) == 1000
    limit = PerAddress(requests=2, window=60, addresses=1000)
    for n in range(50_000):
        limit.retry_after(f"198.51.{n // 256 % 256}.{n % 256}-{n}")
    assert len(limit._seen) == 1000
    assert limit.retry_after("203.0.113.9") == 0 and limit.retry_after("203.0.113.9") == 0
    assert limit.retry_after("203.0.113.9") > 0  # the third within the minute


def test_an_unknown_username_is_checked_against_a_hash_as_a_known_one_is(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real = logins.verify_password
    monkeypatch.setattr(logins, "verify_password", lambda h, p: checked.append(h) or real(h, p))
    assert token(world, "nobody-here", "a guess").status_code == 401
    assert token(world, "coord", "a guess").status_code == 401
    assert len(checked) == 2 and all(h.startswith("$argon2id$") for h in checked)  # the same work for both


def test_the_current_password_check_of_a_password_change_is_throttled(world: World) -> None:
    headers = world.headers("coord")
    for _ in range(5):
        wrong = world.client.post("/api/v1/auth/password", headers=headers,
                                  json={"current_password": "not it at all", "new_password": "a new long password"})
        assert wrong.status_code == 400 and wrong.json()["field"] == "current_password"
    stopped = world.client.post("/api/v1/auth/password", headers=headers,
                                json={"current_password": PASSWORD, "new_password": "a new long password"})
    assert stopped.status_code == 429 and int(stopped.headers["retry-after"]) > 0


def test_a_storm_of_logins_is_turned_away_not_queued(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.client.app.state.hashing = logins.HashingPool(workers=1, waiting=0)
    inside, release = threading.Event(), threading.Event()
    real = logins.verify_password

    threads: list[str] = []

    def slow(password_hash: str, password: str) -> bool:
        threads.append(threading.current_thread().name)
        inside.set()
        release.wait(30)
        return real(password_hash, password)
    monkeypatch.setattr(logins, "verify_password", slow)
    first: list = []
    worker = threading.Thread(target=lambda: first.append(token(world, "coord")))
    worker.start()
    assert inside.wait(10)
    burst: list = []
    others = [threading.Thread(target=lambda: burst.append(token(world, "sw"))) for _ in range(12)]
    for other in others:  # while the one check allowed at a time runs
        other.start()
    for other in others:
        other.join(30)
    assert [answer.status_code for answer in burst] == [429] * 12, "turned away at once, none queued"
    assert burst[0].headers["retry-after"] == "1" and "at this moment" in burst[0].json()["detail"]
    release.set()
    worker.join()
    assert first[0].status_code == 200
    assert threads and all(name.startswith("password-check") for name in threads), \
        "passwords are checked on their own threads, never on those check-ins share"
    assert token(world, "sw").status_code == 200  # and the next one is checked again


def test_another_site_cannot_post_the_login_form(world: World) -> None:
    world.client.cookies.clear()
    forged = world.client.post("/login", data={"username": "coord", "password": PASSWORD}, follow_redirects=False)
    assert forged.status_code == 403 and "token" not in forged.cookies
    tampered = world.client.post("/login", data={"username": "coord", "password": PASSWORD, "_csrf": "0" * 40},
                                 follow_redirects=False)
    assert tampered.status_code == 403 and "token" not in tampered.cookies
    fine = world.client.post("/login", data={"username": "coord", "password": PASSWORD, **login_token(world.client)},
                             follow_redirects=False)
    assert fine.status_code == 303 and fine.cookies.get("token")
    assert "secure" not in fine.headers["set-cookie"].lower()  # plain HTTP here


def test_the_session_cookie_is_secure_over_https(tmp_path: Path, clock: FixedClock,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    settings = Settings()
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    ledger.open_account("nurse-desk", hash_password(PASSWORD), "auditor", [], None, "admin")
    with TestClient(app=create_app(settings, ledger), base_url="https://careledger.example") as client:
        answer = client.post("/login", data={"username": "nurse-desk", "password": PASSWORD, **login_token(client)},
                             follow_redirects=False)
        assert answer.status_code == 303
        cookies = [c for c in answer.headers.get_list("set-cookie") if c.startswith("token=")]
        assert cookies and "secure" in cookies[0].lower()
    ledger.close()


def test_under_a_proxys_prefix_the_login_form_is_still_guarded_and_never_cached(
        tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELEDGER_DATA", str(tmp_path))
    settings = Settings()
    ledger = CareLedger(env=settings.event_store_env(), clock=clock, policy=settings.policy)
    ledger.open_account("nurse-desk", hash_password(PASSWORD), "auditor", [], None, "admin")
    with TestClient(app=create_app(settings, ledger), root_path="/careledger") as client:
        form = client.get("/careledger/login")
        assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
        assert "path=/careledger/login" in form.headers["set-cookie"].lower()
        forged = client.post("/careledger/login", data={"username": "nurse-desk", "password": PASSWORD},
                             follow_redirects=False)
        assert forged.status_code == 403 and "token" not in forged.cookies
        fine = client.post("/careledger/login", follow_redirects=False,
                           data={"username": "nurse-desk", "password": PASSWORD, **login_token(client, "/careledger")})
        assert fine.status_code == 303 and fine.cookies.get("token")
    ledger.close()
