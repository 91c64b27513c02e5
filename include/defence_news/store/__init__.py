"""Object storage: the protocol, its two implementations, and the key layout."""

from defence_news.store.base import ObjectNotFound, ObjectStore
from defence_news.store.local import LocalStore
from defence_news.store.s3 import S3Store

__all__ = ["LocalStore", "ObjectNotFound", "ObjectStore", "S3Store"]
