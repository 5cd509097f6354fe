"""How often one client address may ask a public page (certificate verification): enough for a
person checking a few papers, far too few to walk every code."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque


class PerAddress:
    """At most `requests` in `window` seconds from one address; retry_after() counts this one."""

    def __init__(self, requests: int = 20, window: float = 60.0, addresses: int = 100_000) -> None:
        self.requests, self.window, self.addresses = requests, window, addresses
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()  # the most recently asking last
        self._lock = threading.Lock()

    def full(self, address: str) -> bool:
        """Whether `address` has used its requests of the window (this asking is not counted)."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.get(address)
            return seen is not None and len([t for t in seen if t > now - self.window]) >= self.requests

    def retry_after(self, address: str) -> int:
        """0 if this request may go ahead (and it is counted), else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.pop(address, None)
            if seen is None:
                seen = deque(maxlen=self.requests)
            self._seen[address] = seen
            while len(self._seen) > self.addresses:  # bounded memory: the longest quiet forgotten first
                self._seen.popitem(last=False)
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.requests:
                return int(seen[0] + self.window - now) + 1
            seen.append(now)
            return 0
