"""Every setting CareLedger reads, from environment variables, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from domain.policy import Policy


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: Path(_env("CARELEDGER_DATA", "var")))
    timezone: str = field(default_factory=lambda: _env("CARELEDGER_TIMEZONE", "Asia/Shanghai"))
    policy: Policy = field(default_factory=lambda: Policy(
        check_in_opens_minutes=int(_env("CARELEDGER_CHECK_IN_OPENS_MINUTES", "60")),
        late_cancellation_hours=int(_env("CARELEDGER_LATE_CANCELLATION_HOURS", "24")),
        rounding=_env("CARELEDGER_ROUNDING", "exact"),
    ))
    cipher_key: str = field(default_factory=lambda: _env("CARELEDGER_CIPHER_KEY", ""))

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
        if self.cipher_key:
            # Events (and so session notes) are encrypted at rest with AES-GCM.
            env.update(CIPHER_TOPIC="eventsourcing.cipher:AESCipher", CIPHER_KEY=self.cipher_key)
        return env
