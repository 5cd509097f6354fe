"""SMS hooks for tests: `send` (CARELEDGER_SMS_HOOK=tests.sms_hook:send) keeps what it was asked to
send in memory; `to_file` appends it to CARELEDGER_TEST_SMS_FILE, for a test outside the server."""

import json
import os

SENT: list[tuple[str, str]] = []


def send(phone: str, text: str) -> None:
    SENT.append((phone, text))


def to_file(phone: str, text: str) -> None:
    with open(os.environ["CARELEDGER_TEST_SMS_FILE"], "a", encoding="utf-8") as sent:
        sent.write(json.dumps({"phone": phone, "text": text}, ensure_ascii=False) + "\n")
