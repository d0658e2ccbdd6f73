"""One guard for every server-side fetch of a URL that an outsider can influence.

Push subscription endpoints, remote images, provider media URLs and webhook targets are
chosen (or can be redirected) by someone outside the company. Fetched naively, they make
the server call itself (``127.0.0.1``), the private network (``10.0.0.0/8``, the database,
Redis) or the cloud's metadata service (``169.254.169.254``) on the attacker's behalf
(SSRF). The guard resolves the host and refuses any address that is not globally routable:
loopback, private, link-local, CGNAT, multicast, reserved, unspecified and the metadata
addresses, in IPv4 and IPv6, including IPv4 addresses wrapped in IPv6 (``::ffff:127.0.0.1``,
NAT64, 6to4).

Use it in one of two ways:

- :func:`guarded_client` (or :class:`GuardedTransport` / :class:`AsyncGuardedTransport` in
  your own ``httpx`` client): every request, and every redirect hop (httpx hands each hop
  to the transport), is checked, and the connection goes to the very address that was
  checked (the URL is pinned to it, TLS still verifies the name), so a DNS answer that
  changes between check and connect ("DNS rebinding") cannot slip through.
- :func:`check_url` to refuse a URL up front, e.g. when a client registers it, so the
  client gets a clear 400 instead of a silent failure later.

``NETGUARD_ALLOW_LOCAL`` (tests, a self-hosted provider on the same machine) turns the
address check off; ``NETGUARD_ALLOWED_NETWORKS`` lets named networks through (say one
internal push gateway) while the rest stays refused.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not covered by ``is_global`` in every Python version, or worth naming for the reader.
_REFUSED_NETWORKS = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local host on Linux
        "100.64.0.0/10",  # carrier-grade NAT (RFC 6598); Alibaba's metadata is 100.100.100.200
        "169.254.0.0/16",  # link-local; AWS/GCP/Azure metadata is 169.254.169.254
        "192.0.0.0/24",  # IETF protocol assignments (incl. Oracle's 192.0.0.192 metadata)
        "198.18.0.0/15",  # benchmarking
        "240.0.0.0/4",  # reserved, and the broadcast address
        "fd00:ec2::/32",  # AWS's IPv6 metadata (inside fc00::/7 already, named for clarity)
    )
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class NetguardError(ValueError):
    """A URL the server must not fetch; ``str()`` is a sentence fit for the client."""


class BlockedAddress(NetguardError):
    """The URL names (or resolves to) an address that is not on the public internet."""


class UnresolvableHost(NetguardError):
    """The host has no address (DNS failure); may be temporary."""


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour  # 2002::/16 carries an IPv4 address; None for other addresses


def is_public(ip: IPAddress) -> bool:
    """True for addresses on the public internet, false for everything the guard refuses."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return is_public(inner)
    if ip.is_multicast or any(ip in net for net in _REFUSED_NETWORKS if net.version == ip.version):
        return False
    return ip.is_global


def _allowed(ip: IPAddress) -> bool:
    if getattr(settings, "NETGUARD_ALLOW_LOCAL", False):
        return True
    if is_public(ip):
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for network in getattr(settings, "NETGUARD_ALLOWED_NETWORKS", []):
        net = ipaddress.ip_network(network, strict=False)
        if net.version == ip.version and ip in net:
            return True
    return False


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _check_addresses(host: str, addresses: Iterable[IPAddress]) -> list[IPAddress]:
    found = list(dict.fromkeys(addresses))
    if not found:
        raise UnresolvableHost(f"{host} has no address.")
    refused = [ip for ip in found if not _allowed(ip)]
    if refused:
        # All or nothing: a name that also points inward could be steered there.
        raise BlockedAddress(
            f"{host} points to {refused[0]}, which is not a public internet address."
        )
    return found


def _from_getaddrinfo(infos: list[Any]) -> list[IPAddress]:
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]


def resolve(host: str, port: int = 443) -> list[IPAddress]:
    """The addresses of ``host``, all of them allowed; raises :class:`NetguardError`."""
    if not host:
        raise BlockedAddress("The URL has no host.")
    literal = _literal(host)
    if literal is not None:
        return _check_addresses(host, [literal])
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"{host} could not be resolved ({exc}).") from exc
    return _check_addresses(host, _from_getaddrinfo(infos))


async def resolve_async(host: str, port: int = 443) -> list[IPAddress]:
    """:func:`resolve` without blocking the event loop."""
    if not host:
        raise BlockedAddress("The URL has no host.")
    literal = _literal(host)
    if literal is not None:
        return _check_addresses(host, [literal])
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost(f"{host} could not be resolved ({exc}).") from exc
    return _check_addresses(host, _from_getaddrinfo(infos))


def _split(url: str, schemes: tuple[str, ...]) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise BlockedAddress(f"Only {' or '.join(schemes)} URLs are allowed.")
    if parts.username or parts.password:
        raise BlockedAddress("URLs with a user name or password are not allowed.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise BlockedAddress("The URL's port is not valid.") from exc
    return parts.hostname or "", port


def check_url(url: str, *, schemes: tuple[str, ...] = ("https", "http")) -> list[IPAddress]:
    """Refuse ``url`` unless every address its host resolves to is allowed."""
    host, port = _split(url, schemes)
    return resolve(host, port)


def _pinned(request: httpx.Request, address: IPAddress) -> httpx.Request:
    """A copy of ``request`` sent to ``address``; Host, SNI and the certificate check keep the
    name. A copy, so the client's redirect handling still sees the URL it asked for."""
    host = request.url.host
    if _literal(host) is not None:
        return request
    extensions = dict(request.extensions)
    if request.url.scheme == "https":
        extensions["sni_hostname"] = host
    return httpx.Request(
        request.method,
        request.url.copy_with(host=str(address)),
        headers=request.headers,
        stream=request.stream,
        extensions=extensions,
    )


def _refusal(request: httpx.Request, exc: NetguardError) -> httpx.ConnectError:
    error = httpx.ConnectError(str(exc), request=request)
    error.__cause__ = exc
    return error


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport that connects only to allowed addresses (every redirect hop too).

    Refusals are raised as ``httpx.ConnectError`` (so callers' ``except httpx.HTTPError``
    treat them as a failed connection) whose ``__cause__`` is the :class:`NetguardError`.
    """

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            addresses = resolve(request.url.host, request.url.port or _default_port(request))
        except NetguardError as exc:
            raise _refusal(request, exc) from exc
        return super().handle_request(_pinned(request, addresses[0]))


class AsyncGuardedTransport(httpx.AsyncHTTPTransport):
    """:class:`GuardedTransport` for ``httpx.AsyncClient``."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            addresses = await resolve_async(
                request.url.host, request.url.port or _default_port(request)
            )
        except NetguardError as exc:
            raise _refusal(request, exc) from exc
        return await super().handle_async_request(_pinned(request, addresses[0]))


def _default_port(request: httpx.Request) -> int:
    return 443 if request.url.scheme == "https" else 80


def guarded_client(
    *, timeout: float = 10.0, follow_redirects: bool = False, **transport: Any
) -> httpx.Client:
    """An ``httpx.Client`` for outsider-chosen URLs; ``transport`` kwargs go to the transport
    (e.g. ``http2=True``). Environment proxies are not used: they would connect for us."""
    return httpx.Client(
        transport=GuardedTransport(**transport),
        timeout=timeout,
        follow_redirects=follow_redirects,
        max_redirects=5,
    )


def guarded_async_client(
    *, timeout: float = 10.0, follow_redirects: bool = False, **transport: Any
) -> httpx.AsyncClient:
    """The async twin of :func:`guarded_client`."""
    return httpx.AsyncClient(
        transport=AsyncGuardedTransport(**transport),
        timeout=timeout,
        follow_redirects=follow_redirects,
        max_redirects=5,
    )


def refusal_of(exc: BaseException) -> NetguardError | None:
    """The guard's refusal behind an httpx error, if that is what it was."""
    cause = exc.__cause__
    return cause if isinstance(cause, NetguardError) else None
