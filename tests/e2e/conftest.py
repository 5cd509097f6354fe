"""A real CareLedger server on a free port, seeded over its own API, and headless Chromium."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
ZONE = ZoneInfo("Asia/Shanghai")
PASSWORD = "a long password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: dict[str, str], port: int, log: Path, cwd: Path | None = None) -> subprocess.Popen:
    """`careledger serve` in a process group of its own (SIGKILL or SIGTERM takes all of it), once
    it answers /healthz; a server that stops or stays silent fails the test with its log."""
    careledger = str(Path(sys.executable).with_name("careledger"))  # as installed: from any directory
    process = subprocess.Popen([careledger, "serve", "--port", str(port)], env=env, cwd=cwd,
                               stdout=log.open("a"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=2)
            return process
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, log.read_text()[-3000:]
            time.sleep(0.2)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    process.wait(timeout=20)


ROOT = Path(__file__).resolve().parents[2]


class Server:
    def __init__(self, base: str, data: Path | None = None) -> None:
        self.base, self.data = base, data
        self.tokens: dict[str, str] = {}
        self.position = 0

    def api(self, method: str, path: str, body: dict | None = None, user: str | None = None) -> dict:
        headers = {"content-type": "application/json"}
        if user:
            if user not in self.tokens:
                self.tokens[user] = self.api("POST", "/auth/token", {"username": user, "password": PASSWORD})[
                    "access_token"]
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        request = urllib.request.Request(f"{self.base}/api/v1{path}", method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        try:
            with urllib.request.urlopen(request) as answer:
                text = answer.read()
                self.position = int(answer.headers.get("X-CareLedger-Position") or self.position)
        except urllib.error.HTTPError as refused:
            raise AssertionError(f"{method} {path}: {refused.code} {refused.read()!r}") from None
        return json.loads(text) if text else {}

    def shift_soon(self, unit: str, post: str, capacity: int = 3) -> str:
        """A shift starting in 20 minutes (check-in is already open), visible in the read models."""
        start = datetime.now(ZONE).replace(second=0, microsecond=0) + timedelta(minutes=20)
        shift = self.api("POST", "/shifts", {"unit_id": unit, "post": post, "starts_at": start.isoformat(),
                                             "ends_at": (start + timedelta(hours=2)).isoformat(),
                                             "capacity": capacity}, user="coord")["id"]
        self.settle()
        return shift

    def settle(self) -> None:
        """Wait until the server's read models hold the last write (read-your-writes, as a client does)."""
        self.api("GET", f"/units?min_position={self.position}", user="coord")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("careledger")
    env = {**os.environ, "CARELEDGER_DATA": str(data), "CARELEDGER_TIMEZONE": "Asia/Shanghai",
           # texts go to a file the tests read, and the mailroom looks every second
           "CARELEDGER_SMS_HOOK": "tests.sms_hook:to_file", "CARELEDGER_TEST_SMS_FILE": str(data / "sms.jsonl"),
           "CARELEDGER_NOTICE_SECONDS": "1", "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "web.cli", "create-user", "--username", "root", "--password", PASSWORD,
                    "--role", "admin"], env=env, check=True, capture_output=True)
    port = free_port()
    process = serve(env, port, data / "server.log")
    server = Server(f"http://127.0.0.1:{port}", data)
    unit = server.api("POST", "/units", {"name": "Ruijin Hospital", "district": "Huangpu"}, user="root")["id"]
    for username, role in (("coord", "coordinator"), ("kiosk", "kiosk"), ("sw", "social_worker"),
                           ("auditor", "auditor"), ("ward5", "ward")):
        server.api("POST", "/accounts", {"username": username, "password": PASSWORD, "role": role,
                                         "unit_ids": [unit] if role != "auditor" else []}, user="root")
    # phones check in from anywhere here, as the stories of these tests do; test_scan_at_the_post asks for the code
    server.api("POST", f"/units/{unit}/post-codes", {"needed": False}, user="coord")
    people = {}
    for name in ("Li Wei", "Wang Fang", "Zhao Min", "Sun Li"):
        volunteer = server.api("POST", "/volunteers", {"name": name, "phone": "13800000000", "unit_id": unit},
                               user="coord")["id"]
        server.api("POST", f"/volunteers/{volunteer}/approve", user="coord")
        people[name] = volunteer
    server.api("POST", "/accounts", {"username": "li", "password": PASSWORD, "role": "volunteer",
                                     "volunteer_id": people["Li Wei"]}, user="root")
    staff = {}
    for username in ("head", "xiao"):
        staff[username] = server.api("POST", "/accounts", {"username": username, "password": PASSWORD,
                                                           "role": "social_worker", "unit_ids": [unit]},
                                     user="root")["id"]
    server.api("POST", f"/accounts/{staff['xiao']}/supervision", {"supervisor_id": staff["head"], "intern": True},
               user="root")
    server.unit, server.people = unit, people
    yield server
    stop(process)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("CARELEDGER_CHROMIUM", "/usr/bin/chromium"), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture
def page_for(browser, server):
    """A fresh browser context per person, logged in through the login page."""
    contexts = []

    def open_as(username: str, locale: str = "en-GB", phone: bool = False, tablet: bool = False):
        size = {"width": 390, "height": 844} if phone else {"width": 820, "height": 1180} if tablet else \
            {"width": 1200, "height": 900}
        context = browser.new_context(locale=locale, extra_http_headers={"Accept-Language": locale},
                                      viewport=size, is_mobile=phone, has_touch=phone or tablet)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{server.base}/login")
        page.get_by_label("Username" if locale.startswith("en") else "用户名").fill(username)
        page.get_by_label("Password" if locale.startswith("en") else "密码").fill(PASSWORD)
        page.get_by_role("button", name="Log in" if locale.startswith("en") else "登录").click()
        page.wait_for_load_state("networkidle")
        return page

    yield open_as
    for context in contexts:
        context.close()


def snap(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
