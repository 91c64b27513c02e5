"""The ObjectStore protocol: the only way stages read and write objects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable


class ObjectNotFound(KeyError):
    """Raised by ``get`` when no object has the key."""


@runtime_checkable
class ObjectStore(Protocol):
    """A flat key -> bytes store with S3 semantics (keys use ``/`` as separator)."""

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Write ``data`` under ``key``, replacing any object already there."""

    def put_new(
        self, key: str, data: bytes, content_type: str = "application/octet-stream"
    ) -> bool:
        """Write ``data`` under ``key`` only if no object has that key, atomically;
        False (nothing written) if one does. What a lease is taken with."""

    def get(self, key: str) -> bytes:
        """The object's bytes; ``ObjectNotFound`` if there is none."""

    def exists(self, key: str) -> bool: ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys under ``prefix``, in lexicographic order."""

    def delete(self, key: str) -> None: ...

    def describe(self) -> str:
        """Where the objects live, for logs and summaries (no secrets)."""
