"""Every setting CareLedger reads, from environment variables, in one place."""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.limits import Limits
from domain.policy import CasePolicy, Policy
from domain.evaluations import SCALE
from domain.stars import SHANGHAI, checked_thresholds
from domain.usecases.applications import SCREENING
from web.jobs.mailroom import Postman, SmtpSettings


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message says which and what to do."""


def write_private(path: Path, text: str) -> None:
    """A file only its owner may read, from the moment it exists (not chmod-ed afterwards)."""
    made = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    try:
        os.link(made, path)  # whole or not at all: a process starting beside never reads half a key
    except FileExistsError:
        pass  # another process made it first: theirs is the one
    finally:
        made.unlink()


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def json_logs() -> bool:
    """CARELEDGER_LOG_FORMAT=json: every log line a JSON object, and long work logged, not drawn."""
    return _env("CARELEDGER_LOG_FORMAT", "").lower() == "json"



def _limits() -> Limits:
    """The programme's fair limits: CARELEDGER_DAILY_HOURS, _WEEKLY_HOURS, _REST_HOURS (unset: none) and
    CARELEDGER_NO_SHOW_REVIEW "3/30" (three no-shows in thirty days: sign-ups wait for a coordinator)."""
    def hours(name: str) -> float | None:
        value = _env(name, "")
        return float(value) if value.strip() else None
    review = _env("CARELEDGER_NO_SHOW_REVIEW", "")
    count, _, days = review.partition("/")
    return Limits(hours("CARELEDGER_DAILY_HOURS"), hours("CARELEDGER_WEEKLY_HOURS"), hours("CARELEDGER_REST_HOURS"),
                  int(count) if count.strip() else None, int(days) if days.strip() else 30)


def _hours(text: str) -> tuple[int, int] | None:
    """CARELEDGER_MINORS_HOURS: "8-18" (the hours a volunteer under 18 may serve in), or "any"."""
    if text.strip().lower() in ("any", ""):
        return None
    first, _, last = text.partition("-")
    return int(first), int(last)

def _hour_value(text: str) -> float | None:
    """A value per hour as a setting gives it: a positive number, or nothing (refused otherwise, at start-up)."""
    if not text.strip():
        return None
    value = float(text)
    if not 0 < value < 1_000_000:
        raise ValueError(f"CARELEDGER_HOUR_VALUE must be a positive amount, not {text!r}")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: Path(_env("CARELEDGER_DATA", "var")))
    timezone: str = field(default_factory=lambda: _env("CARELEDGER_TIMEZONE", "Asia/Shanghai"))
    policy: Policy = field(default_factory=lambda: Policy(
        check_in_opens_minutes=int(_env("CARELEDGER_CHECK_IN_OPENS_MINUTES", "60")),
        late_cancellation_hours=int(_env("CARELEDGER_LATE_CANCELLATION_HOURS", "24")),
        rounding=_env("CARELEDGER_ROUNDING", "exact"),
        auto_check_out_after_minutes=int(_env("CARELEDGER_AUTO_CHECK_OUT_AFTER_MINUTES", "120")),
        auto_check_out_credit=int(_env("CARELEDGER_AUTO_CHECK_OUT_CREDIT", "-1")) if
        _env("CARELEDGER_AUTO_CHECK_OUT_CREDIT", "") else None,
        minors_daytime=_hours(_env("CARELEDGER_MINORS_HOURS", "8-18")),
        limits=_limits(),
        timezone=_env("CARELEDGER_TIMEZONE", "Asia/Shanghai"),
    ))
    # Star levels (星级) at these certified hours of service: 1★, 2★ … (Shanghai's by default)
    star_hours: tuple[int, ...] = field(default_factory=lambda: checked_thresholds(tuple(
        int(h) for h in _env("CARELEDGER_STAR_HOURS", ",".join(map(str, SHANGHAI))).split(",") if h.strip())))
    # What an hour of volunteering is worth for the dashboard's value of volunteering (e.g. a local
    # hourly wage), in CARELEDGER_CURRENCY; unset: the value is not shown
    hour_value: float | None = field(default_factory=lambda: _hour_value(_env("CARELEDGER_HOUR_VALUE", "")))
    currency: str = field(default_factory=lambda: _env("CARELEDGER_CURRENCY", "CNY"))
    # The national (or city) volunteer-record system's endpoint, and the secret its signature header is
    # made with; records of the last CARELEDGER_NATIONAL_DAYS days leave, looked for every _SECONDS
    national_url: str = field(default_factory=lambda: _env("CARELEDGER_NATIONAL_URL", ""))
    national_secret: str = field(default_factory=lambda: _env("CARELEDGER_NATIONAL_SECRET", ""))
    national_days: int = field(default_factory=lambda: int(_env("CARELEDGER_NATIONAL_DAYS", "30")))
    national_seconds: float = field(default_factory=lambda: float(_env("CARELEDGER_NATIONAL_SECONDS", "300")))
    # The ratings an evaluation of a volunteer's service takes, best first (优秀、良好、合格、不合格)
    evaluation_scale: tuple[str, ...] = field(default_factory=lambda: tuple(
        r.strip() for r in _env("CARELEDGER_EVALUATION_SCALE", ",".join(SCALE)).split(",") if r.strip()))
    # Service awards fall due at these hours of service: by default the star levels' (the award is the star's badge)
    award_hours: tuple[int, ...] = field(default_factory=lambda: tuple(
        int(h) for h in _env("CARELEDGER_AWARD_HOURS", _env("CARELEDGER_STAR_HOURS", ",".join(map(str, SHANGHAI))))
        .split(",") if h.strip()))
    sweep_seconds: float = field(default_factory=lambda: float(_env("CARELEDGER_SWEEP_SECONDS", "60")))
    # Notices: queued reminders looked for and queued notices sent this often
    notice_seconds: float = field(default_factory=lambda: float(_env("CARELEDGER_NOTICE_SECONDS", "15")))
    smtp_host: str = field(default_factory=lambda: _env("CARELEDGER_SMTP_HOST", ""))
    smtp_port: int = field(default_factory=lambda: int(_env("CARELEDGER_SMTP_PORT", "25")))
    smtp_from: str = field(default_factory=lambda: _env("CARELEDGER_SMTP_FROM", "careledger@localhost"))
    smtp_user: str = field(default_factory=lambda: _env("CARELEDGER_SMTP_USER", ""))
    smtp_password: str = field(default_factory=lambda: _env("CARELEDGER_SMTP_PASSWORD", ""))
    smtp_starttls: bool = field(default_factory=lambda: _env("CARELEDGER_SMTP_STARTTLS", "") in ("1", "true", "yes"))
    # "package.module:function" called with (phone, text) for each notice sent by SMS
    sms_hook: str = field(default_factory=lambda: _env("CARELEDGER_SMS_HOOK", ""))
    case_policy: CasePolicy = field(default_factory=lambda: CasePolicy(
        assessment_hours=int(_env("CARELEDGER_ASSESSMENT_HOURS", "24")),
        high_risk_note_days=int(_env("CARELEDGER_HIGH_RISK_NOTE_DAYS", "7")),
        late_entry_hours=int(_env("CARELEDGER_LATE_ENTRY_HOURS", "24")),
    ))
    # The credentials an applicant's health screening records before they may be screened (comma-separated)
    screening: tuple[str, ...] = field(default_factory=lambda: tuple(
        k.strip() for k in _env("CARELEDGER_SCREENING", ",".join(SCREENING)).split(",") if k.strip()))
    # An applicant waiting longer than this at one stage is marked on the coordinator's board
    applicant_wait_days: int = field(default_factory=lambda: int(_env("CARELEDGER_APPLICANT_WAIT_DAYS", "7")))
    # A ward's request nobody has accepted this long after it was asked goes to the coordinator's board
    request_escalate_minutes: int = field(default_factory=lambda: int(_env("CARELEDGER_REQUEST_ESCALATE_MINUTES", "10")))
    # A post's code (扫码签到) older than this is refused: a photo of it, or a link passed on
    post_code_seconds: int = field(default_factory=lambda: int(_env("CARELEDGER_POST_CODE_SECONDS", "90")))
    cipher_key: str = field(default_factory=lambda: _env("CARELEDGER_CIPHER_KEY", ""))
    token_minutes: int = field(default_factory=lambda: int(_env("CARELEDGER_TOKEN_MINUTES", "480")))
    login_attempts: int = field(default_factory=lambda: int(_env("CARELEDGER_LOGIN_ATTEMPTS", "5")))
    # Failed logins from one client address in 5 minutes, whatever the usernames (password spraying);
    # a hospital behind one NAT address shares it, hence more than a person's five
    login_attempts_per_address: int = field(default_factory=lambda: int(
        _env("CARELEDGER_LOGIN_ATTEMPTS_PER_ADDRESS", "30")))
    # Proxies whose X-Forwarded-For (client address) and X-Forwarded-Proto are believed
    trusted_proxies: str = field(default_factory=lambda: _env("CARELEDGER_TRUSTED_PROXIES", ""))
    # Session cookies marked Secure: "auto" when the request came over HTTPS (or a trusted proxy says so)
    secure_cookies: str = field(default_factory=lambda: _env("CARELEDGER_SECURE_COOKIES", "auto"))
    # Password checks at once (each a core and 64 MiB for a fraction of a second): half the cores,
    # so that a storm of logins leaves the others to everyone else
    password_checks: int = field(default_factory=lambda: int(_env(
        "CARELEDGER_PASSWORD_CHECKS", str(max(1, (os.cpu_count() or 2) // 2)))))
    read_wait_seconds: float = field(default_factory=lambda: float(_env("CARELEDGER_READ_WAIT_SECONDS", "5")))
    # Read models look at the log this often when nothing woke them (a local save, or on
    # PostgreSQL another node's, heard at once) — the safety net, not the usual way
    # /healthz says "degraded" once a read model has been behind the log for longer than this
    stale_seconds: float = field(default_factory=lambda: float(_env("CARELEDGER_STALE_SECONDS", "30")))
    # every JSON answer decoded with its documented type (web/answers.py): for tests and fuzzing
    check_answers: bool = field(default_factory=lambda: _env("CARELEDGER_CHECK_ANSWERS", "") == "1")
    poll_seconds: float = field(default_factory=lambda: float(_env("CARELEDGER_POLL_SECONDS", "0.25")))
    # On PostgreSQL: asked whether it answers this often; taken for away after this long without an answer
    log_watch_seconds: float = field(default_factory=lambda: float(_env("CARELEDGER_LOG_WATCH_SECONDS", "0.25")))
    threads: int = field(default_factory=lambda: int(_env("CARELEDGER_THREADS", "64")))  # for requests, on PostgreSQL
    log_patience_seconds: float = field(default_factory=lambda: float(_env("CARELEDGER_LOG_PATIENCE_SECONDS", "1.2")))

    def national(self) -> Any:
        """The national record system's client, when its endpoint is set (and then its secret must be)."""
        if not self.national_url:
            return None
        if not self.national_url.startswith(("https://", "http://")) or len(self.national_secret) < 16:
            raise ConfigurationError("CARELEDGER_NATIONAL_URL needs an http(s) address and CARELEDGER_NATIONAL_SECRET "
                                     "a shared secret of at least 16 characters (the signature's key)")
        from web.jobs.national import NationalSystem
        return NationalSystem(self.national_url, self.national_secret.encode())

    def postman(self) -> Postman:
        """The mailroom's channels: SMTP when a host is set, SMS when a hook is named."""
        smtp = SmtpSettings(self.smtp_host, self.smtp_port, self.smtp_from, self.smtp_user, self.smtp_password,
                            self.smtp_starttls) if self.smtp_host else None
        sms = None
        if self.sms_hook:
            module, _, name = self.sms_hook.partition(":")
            try:
                sms = getattr(importlib.import_module(module), name)
            except (ImportError, AttributeError, ValueError) as missing:
                raise ConfigurationError(f"CARELEDGER_SMS_HOOK={self.sms_hook!r} names no function "
                                         f"(want package.module:function): {missing}") from None
        return Postman(smtp, sms)

    @property
    def shared_log(self) -> bool:
        """True when the log is PostgreSQL, i.e. several nodes may serve it."""
        return os.environ.get("PERSISTENCE_MODULE", "") == "eventsourcing.postgres"

    def postgres_params(self) -> dict[str, Any]:
        """psycopg's connection parameters, from the same POSTGRES_* variables eventsourcing reads
        (tables of our own go in the log's schema, if it has one)."""
        params: dict[str, Any] = {
            "host": os.environ.get("POSTGRES_HOST", "localhost"), "port": os.environ.get("POSTGRES_PORT", "5432"),
            "user": os.environ.get("POSTGRES_USER", ""), "dbname": os.environ.get("POSTGRES_DBNAME", ""),
            "password": os.environ.get("POSTGRES_PASSWORD", ""),
            "connect_timeout": int(os.environ.get("POSTGRES_CONNECT_TIMEOUT", "5"))}
        if os.environ.get("POSTGRES_SCHEMA"):
            params["options"] = f"-c search_path={os.environ['POSTGRES_SCHEMA']}"
        return params

    def secret(self, name: str) -> bytes:
        """A secret from CARELEDGER_<NAME>, else generated once and kept under the data folder.

        On a shared PostgreSQL log every node must use the same secrets (tokens valid everywhere,
        one pseudonym per patient), so there they must be given, not generated."""
        variable = f"CARELEDGER_{name.upper()}"
        given = os.environ.get(variable)
        if given:
            return given.encode()
        if self.shared_log:
            raise ConfigurationError(f"{variable} must be set, and the same on every node, when the log is on "
                                     "PostgreSQL (e.g. `openssl rand -hex 32`).")
        path = self.data_dir / f"{name}.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            write_private(path, os.urandom(32).hex())
        return path.read_bytes().strip()

    @property
    def events_path(self) -> Path:
        return self.data_dir / "events.sqlite3"

    @property
    def read_models_path(self) -> Path:
        return self.data_dir / "read_models.sqlite3"

    def event_store_env(self) -> dict[str, str]:
        """eventsourcing's environment: PERSISTENCE_MODULE and friends win; else the SQLite file."""
        env: dict[str, str] = {}
        if not os.environ.get("PERSISTENCE_MODULE"):
            self.data_dir.mkdir(parents=True, exist_ok=True)
            env.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=str(self.events_path),
                       SQLITE_LOCK_TIMEOUT=_env("SQLITE_LOCK_TIMEOUT", "10"))
        if self.shared_log:
            # Fail within seconds, with a sentence, when the database is away (not after 30 s).
            env.setdefault("POSTGRES_CONNECT_TIMEOUT", _env("POSTGRES_CONNECT_TIMEOUT", "5"))
        key = self.cipher_key or self.kept_cipher_key()
        if key:
            # Events (and so session notes) are encrypted at rest with AES-GCM.
            env.update(CIPHER_TOPIC="eventsourcing.cipher:AESCipher", CIPHER_KEY=key)
        return env

    @property
    def cipher_key_path(self) -> Path:
        return self.data_dir / "cipher.key"

    def kept_cipher_key(self) -> str:
        """The embedded store's key when CARELEDGER_CIPHER_KEY is not set: the data folder's
        cipher.key, generated (mode 0600) for a store not yet made, so notes are never kept in
        the clear by default. A store made before without one stays plain (`careledger encrypt`)."""
        if os.environ.get("PERSISTENCE_MODULE"):
            return ""  # PostgreSQL: every node needs the same key, so it must be given
        path = self.cipher_key_path
        if path.with_suffix(".key.pending").exists():
            raise ConfigurationError(f"`careledger encrypt` was interrupted ({path}.pending is there): run it again.")
        if path.exists():
            return path.read_text().strip()
        if self.events_path.exists():
            from web.jobs.encrypting import log_is_plain

            if log_is_plain(self.events_path):
                return ""
            raise ConfigurationError(f"The log {self.events_path} is encrypted, but there is no key: put its "
                                     f"cipher key into {path} (mode 0600) or set CARELEDGER_CIPHER_KEY.")
        from eventsourcing.cipher import AESCipher

        self.data_dir.mkdir(parents=True, exist_ok=True)
        write_private(path, AESCipher.create_key(num_bytes=32))
        logging.getLogger("careledger").warning(
            "notes will be encrypted at rest: a cipher key was generated into %s. Keep a copy apart from "
            "the data and its backups (backups leave it out): without it the log cannot be read.", path)
        return path.read_text().strip()
