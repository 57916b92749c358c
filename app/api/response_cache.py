"""The bounded store of complete 200 responses, by entries and by bytes (keys included)."""

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Stored:
    """A complete 200 response, ready to replay: its two ASGI messages are built once."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: str
    start: dict[str, Any] = field(init=False, repr=False, compare=False)
    message: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        start = {"type": "http.response.start", "status": 200, "headers": self.headers}
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "message", {"type": "http.response.body", "body": self.body})

    @property
    def size(self) -> int:
        """Bytes it holds: body, headers and validator."""
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + len(self.etag)


def key_size(key: Hashable) -> int:
    """Bytes a key holds (its strings and byte strings; 8 for anything else)."""
    if isinstance(key, str | bytes):
        return len(key)
    if isinstance(key, tuple):
        return sum(key_size(part) for part in key)
    return 8


class ResponseCache:
    """A least-recently-used store bounded by entries and by bytes, keys counted."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self._data: OrderedDict[Hashable, tuple[Stored, int]] = OrderedDict()

    def get(self, key: Hashable) -> Stored | None:
        """The stored response, marked as recently used."""
        item = self._data.get(key)
        if item is None:
            return None
        self._data.move_to_end(key)
        return item[0]

    def put(self, key: Hashable, item: Stored) -> None:
        """Store, evicting the least recently used beyond the bounds; an entry over a quarter
        of the byte bound is not stored at all."""
        if self.max_entries <= 0:
            return
        cost = item.size + key_size(key)
        if cost > self.max_bytes // 4:
            return
        old = self._data.pop(key, None)
        if old is not None:
            self.size -= old[1]
        self._data[key] = (item, cost)
        self.size += cost
        while len(self._data) > self.max_entries or self.size > self.max_bytes:
            _, (_, evicted) = self._data.popitem(last=False)
            self.size -= evicted

    def clear(self) -> None:
        """Drop everything."""
        self._data.clear()
        self.size = 0

    def __len__(self) -> int:
        return len(self._data)
