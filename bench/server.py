"""A real CareLedger server (`careledger serve`: Granian, one worker) on a benchmark's data folder."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in map(int, children):
            found += [child, *_children(child)]
    return found


class Server:
    def __init__(self, folder: Path, extra_env: dict[str, str] | None = None, server: str = "granian",
                 floor: bool = False) -> None:
        """`careledger serve` on `folder`; with `floor`, bench/floor.py's trivial app instead,
        under Granian with the flags `careledger serve` gives it."""
        self.folder = folder
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSISTENCE_", "POSTGRES_", "SQLITE_"))}
        env.update(CARELEDGER_DATA=str(folder), **(extra_env or {}))
        careledger = Path(sys.executable).with_name("careledger")
        self.log = open(folder / ("floor.log" if floor else "server.log"), "w")
        command = [str(careledger), "serve", "--port", str(self.port), "--server", server]
        if floor:
            command = [sys.executable, "-P", "-m", "granian", "--interface", "asgi", "--factory", "--host",
                       "127.0.0.1", "--port", str(self.port), "--workers", "1", "--no-ws", "--log-level", "warning",
                       f"{Path(__file__).with_name('floor.py')}:create_app"]
        self.started_at = time.monotonic()
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {(folder / 'server.log').read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                self.ready_after = time.monotonic() - self.started_at  # listening: the store checked and open
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start in 120 s")

    def peak_rss_mb(self) -> float:
        """The server's peak resident memory so far (VmHWM), in MiB: the process and its
        workers together (granian serves from a worker process)."""
        total = 0.0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        return total

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
