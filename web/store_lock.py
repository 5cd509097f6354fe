"""The data folder's lock file: a serving process holds it shared for as long as it serves; what
must never run beside a server (encrypting the log in place, restoring a backup) takes it alone."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

LOCK = "careledger.lock"


def hold_shared(data_dir: Path) -> IO[bytes]:
    """Held until the returned file is closed (or the process ends, however it ends)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    held = (data_dir / LOCK).open("ab")
    fcntl.flock(held, fcntl.LOCK_SH)
    return held


@contextmanager
def alone(data_dir: Path, doing: str) -> Iterator[None]:
    """Run the block only if no server holds the data folder; else say so (ValueError)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / LOCK).open("ab") as held:
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValueError(f"A server is running on {data_dir}: stop it before {doing}.") from None
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)


