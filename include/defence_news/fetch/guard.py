"""Server-side request forgery guard, enforced where the socket is opened.

A feed we do not control can link (or redirect) to ``http://169.254.169.254/``
or to a service on the worker's private network. The check runs inside the
HTTP connection itself: the host name is resolved once, every address is
checked, and the socket connects to the checked address. So redirects are
covered, and a DNS answer cannot change between the check and the connect.

Policy: public addresses are always allowed. Private and loopback addresses
are allowed for the origins a source declares when it sets ``allow_private``
(the offline seed site), or everywhere when the settings allow it (tests,
intranet deployments). Link-local (cloud metadata), multicast, unspecified
and reserved addresses are refused always. Origins compare by the ASCII (IDNA)
form of their host: a source may declare ``bücher.example`` while requests
connects to ``xn--bcher-kva.example``, and they are one origin.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from defence_news.fetch.canonical import ascii_host

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> IP address strings. The default is the system resolver; tests and the
# benchmark pass their own to map simulated host names onto loopback.
Resolver = Callable[[str, int], list[str]]


class AddressBlocked(Exception):
    """The URL's host resolves to an address this source may not reach.

    Deliberately not an OSError: urllib3 would wrap an OSError into a retried
    connection error, and a refusal must neither be retried nor disguised.
    """


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class GuardPolicy:
    allow_private: bool = False  # private and loopback allowed for every origin
    private_origins: frozenset[str] = frozenset()  # "host:port" allowed to be private
    resolver: Resolver = system_resolver

    def __post_init__(self) -> None:
        # Stored in the form ``refusal`` compares, whatever spelling the source used.
        normalized = frozenset(map(origin_key, self.private_origins))
        object.__setattr__(self, "private_origins", normalized)

    def refusal(self, host: str, port: int, address: str) -> str | None:
        """None if ``host:port`` may be reached at ``address``, else why not."""
        ip = _unmapped(ipaddress.ip_address(address.split("%", 1)[0]))
        if ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
            return f"{host} resolves to {ip}, a link-local/multicast/reserved address"
        if ip.is_global:
            return None
        if self.allow_private or origin_key(f"{host}:{port}") in self.private_origins:
            return None
        return f"{host} resolves to {ip}, a private or loopback address"

    def resolve_checked(self, host: str, port: int) -> list[str]:
        """The addresses of ``host``; raises AddressBlocked if any of them is refused."""
        addresses = self.resolver(host, port)
        for address in addresses:
            reason = self.refusal(host, port, address)
            if reason:
                raise AddressBlocked(reason)
        return addresses


def origin_key(origin: str) -> str:
    """``host:port`` with the host lower-case, in its IDNA (punycode) form and without the
    DNS root's trailing dot (urllib3 connects without it), so that every spelling of
    one origin is one key."""
    host, sep, port = origin.rpartition(":")
    if not sep:
        return ascii_host(origin.rstrip("."))
    return f"{ascii_host(host.rstrip('.'))}:{port}"


def _unmapped(ip: Address) -> Address:
    # ::ffff:127.0.0.1 is loopback in disguise.
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _connect_first(addresses: Iterable[str], conn: HTTPConnection) -> socket.socket:
    last_error: OSError | None = None
    for address in addresses:
        try:
            return urllib3_connection.create_connection(
                (address, conn.port),
                conn.timeout,
                source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except OSError as error:
            last_error = error
    raise last_error or OSError(f"no address for {conn.host}")


# Hooks of the attempt the current thread is making, set by the client for its length:
# ``connections``, a list every connection that sends a request for it is appended to (so
# the deadline can shut its socket), and ``gate``, a context-manager factory the request is
# sent inside (the host's rate limit, applied at the moment the request goes on the wire).
ACTIVE_ATTEMPT = threading.local()


class _GuardedConnectionMixin:
    policy: GuardPolicy = GuardPolicy()

    def request(self, *args: Any, **kwargs: Any) -> Any:
        watched = getattr(ACTIVE_ATTEMPT, "connections", None)
        if watched is not None:
            watched.append(self)
        gate = getattr(ACTIVE_ATTEMPT, "gate", None)
        with gate() if gate is not None else contextlib.nullcontext():
            return super().request(*args, **kwargs)  # type: ignore[misc]

    def _new_conn(self) -> socket.socket:
        conn: HTTPConnection = self  # type: ignore[assignment]
        try:
            addresses = self.policy.resolve_checked(conn.host, conn.port)
        except socket.gaierror as error:
            raise NameResolutionError(conn.host, conn, error) from error
        try:
            return _connect_first(addresses, conn)
        except TimeoutError as error:
            raise ConnectTimeoutError(conn, f"connection to {conn.host} timed out") from error
        except OSError as error:
            raise NewConnectionError(conn, f"failed to connect: {error}") from error


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


def guarded_pool_classes(policy: GuardPolicy) -> dict[str, type]:
    """Connection pool classes for urllib3's PoolManager that enforce ``policy``."""
    http_conn = type("PolicyHTTPConnection", (GuardedHTTPConnection,), {"policy": policy})
    https_conn = type("PolicyHTTPSConnection", (GuardedHTTPSConnection,), {"policy": policy})
    return {
        "http": type("PolicyHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
        "https": type("PolicyHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
    }
