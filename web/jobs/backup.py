"""Backups of the embedded store: a consistent copy taken while the server runs, and its return.

A backup is a folder: the log (events.sqlite3), the read models (so a restore serves at once;
they catch up from the log if they are behind it) and the generated secrets (*.key: without the
pseudonym key, the same patient would get a new pseudonym). The cipher key (CARELEDGER_CIPHER_KEY
or the data folder's cipher.key) is never in a backup: keep it apart, or the backup is
unreadable; keep it with the backup, and the backup is as open as a plain one.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from pathlib import Path

from web.progress import SILENT, Reporter
from web.settings import Settings
from web.store_lock import alone

MANIFEST = "careledger-backup.txt"
PAGES_PER_STEP = 4096  # 16 MiB at a time: writers are held up for a moment at most, never for the whole copy


def _copy_database(source: Path, target: Path, reporter: Reporter) -> None:
    """SQLite's online backup: a copy of one instant of the database, even while others write
    (steps that meet a write in between are simply started again by SQLite)."""
    source_db = sqlite3.connect(source)
    target_db = sqlite3.connect(target)
    copied = 0

    def step(status: int, remaining: int, total: int) -> None:
        nonlocal copied
        reporter.advance(total - remaining - copied)
        copied = total - remaining

    try:
        source_db.backup(target_db, pages=PAGES_PER_STEP, progress=step)
        target_db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        target_db.close()
        source_db.close()


def pages_to_copy(settings: Settings) -> int:
    """How many database pages a backup copies (for its progress bar)."""
    total = 0
    for path in (settings.read_models_path, settings.events_path):
        if path.exists():
            db = sqlite3.connect(path)
            total += db.execute("PRAGMA page_count").fetchone()[0]
            db.close()
    return total


LAST_BACKUP = "last-backup.json"


def backup(settings: Settings, target: Path, reporter: Reporter = SILENT) -> list[Path]:
    """Copy the data folder's databases and secrets into `target` (a new or empty folder)."""
    if settings.shared_log:
        raise ValueError("The log is on PostgreSQL: back it up with pg_dump, e.g. `pg_dump --format=custom "
                         "--file=careledger.pgdump $POSTGRES_DBNAME`, and restore with pg_restore; "
                         "read models are rebuilt by the nodes (careledger rebuild).")
    if not settings.events_path.exists():
        raise FileNotFoundError(f"There is no log at {settings.events_path} to back up.")
    target.mkdir(parents=True, exist_ok=True)
    if any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty: a backup goes into a new folder.")
    written = []
    # Read models before the log: then they can only be behind the copied log (they catch up
    # when served), never ahead of it.
    for source in (settings.read_models_path, settings.events_path):
        if source.exists():
            _copy_database(source, target / source.name, reporter)
            written.append(target / source.name)
    for secret in sorted(p for p in settings.data_dir.glob("*.key") if p != settings.cipher_key_path):
        shutil.copy2(secret, target / secret.name)
        (target / secret.name).chmod(0o600)
        written.append(target / secret.name)
    (target / MANIFEST).write_text(f"CareLedger backup of {settings.data_dir.resolve()}\n"
                                   f"taken {time.strftime('%Y-%m-%d %H:%M:%S %z')}\n"
                                   + "".join(f"{path.name}\n" for path in written))
    # Said where the admin looks (the admin's page, web/ui/admin.py): when, where, how much
    (settings.data_dir / LAST_BACKUP).write_text(json.dumps({
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "target": str(target.resolve()),
        "bytes": sum(path.stat().st_size for path in written)}))
    return written


def last_backup(settings: Settings) -> dict | None:
    """The last backup this data folder made (`careledger backup`), if any."""
    try:
        return json.loads((settings.data_dir / LAST_BACKUP).read_text())
    except (OSError, ValueError):
        return None


def restore(settings: Settings, source: Path) -> Path | None:
    """Put a backup in place of the data folder's store (the server must be stopped). What was
    there is moved aside, not deleted; its folder is returned."""
    with alone(settings.data_dir, "restoring a backup into it"):
        return _restore(settings, source)


def _restore(settings: Settings, source: Path) -> Path | None:
    if not (source / MANIFEST).exists() or not (source / "events.sqlite3").exists():
        raise FileNotFoundError(f"{source} is not a CareLedger backup (no {MANIFEST} and events.sqlite3).")
    check = sqlite3.connect(source / "events.sqlite3")
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ValueError(f"{source / 'events.sqlite3'} is damaged; not restored.")
    finally:
        check.close()
    data = settings.data_dir
    data.mkdir(parents=True, exist_ok=True)
    # The cipher key stays: the backup was made without it and is read with it.
    present = [p for p in data.iterdir() if (p.suffix in (".sqlite3", ".key") or p.name.endswith(("-wal", "-shm")))
               and p != settings.cipher_key_path]
    aside = None
    if present:
        aside = data / time.strftime("before-restore-%Y%m%d-%H%M%S")
        aside.mkdir()
        for path in present:
            path.rename(aside / path.name)
        if settings.cipher_key_path.exists():  # what was set aside stays readable with its key beside it
            shutil.copy2(settings.cipher_key_path, aside / settings.cipher_key_path.name)
    for path in source.iterdir():
        if path.name != MANIFEST:
            shutil.copy2(path, data / path.name)
    return aside


def key_missing(settings: Settings) -> bool:
    """Whether the restored log is encrypted with a key this data folder does not have."""
    from web.jobs.encrypting import log_is_plain

    return not settings.cipher_key and not settings.cipher_key_path.exists() and not log_is_plain(settings.events_path)
