"""An SMS hook for tests (CARELEDGER_SMS_HOOK=tests.sms_hook:send): keeps what it was asked to send."""

SENT: list[tuple[str, str]] = []


def send(phone: str, text: str) -> None:
    SENT.append((phone, text))
