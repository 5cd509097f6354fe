"""How often one client address may ask a public page (certificate verification): enough for a
person checking a few papers, far too few to walk every code."""

from __future__ import annotations

import threading
import time
from collections import deque


class PerAddress:
    """At most `requests` in `window` seconds from one address; retry_after() counts this one."""

    def __init__(self, requests: int = 20, window: float = 60.0, addresses: int = 100_000) -> None:
        self.requests, self.window, self.addresses = requests, window, addresses
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int:
        """0 if this request may go ahead (and it is counted), else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get(address)
            if seen is None:
                if len(self._seen) >= self.addresses:  # bounded memory: forget the quietest first
                    self._seen = {a: q for a, q in self._seen.items() if q and q[-1] > now - self.window}
                seen = self._seen[address] = deque()
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.requests:
                return int(seen[0] + self.window - now) + 1
            seen.append(now)
            return 0
