"""Requests the hall sends to addresses other people chose (webhook receivers): only to the
public internet, checked when the connection is made, never following a redirect.

A receiver's URL is typed into the admin by a person and answered by a server the hall does not
run. Without these checks a URL (or a 302 from the receiver, or a DNS name that changes its
answer between the check and the request) makes the worker post into the hall's own network:
the database, Redis, a cloud metadata service at 169.254.169.254. So:

- the host is resolved when the connection is made, and the connection goes to the address that
  was checked (not to a second lookup's answer);
- loopback, private, link-local (metadata), shared, reserved, multicast and unspecified addresses
  are refused, in IPv4 and IPv6 (IPv4-mapped included), unless `HALL_EGRESS_ALLOWED_NETWORKS`
  names the network on purpose (a receiver inside a department's own network);
- only http and https, and no redirect is followed: a 3xx is the receiver's answer, recorded as a
  failure like any other non-2xx.

The same check is the admin form's, so a URL that could never be sent to is refused when typed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class EgressRefused(Exception):
    """The target may not be reached from the hall (the message says why, for the admin)."""


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(network, strict=False)
        for network in getattr(settings, "HALL_EGRESS_ALLOWED_NETWORKS", [])
    ]


def address_permitted(address: IPAddress) -> bool:
    """A public address, or one in a network the settings allow on purpose."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return True
    return address.is_global and not address.is_multicast


def _split(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise EgressRefused(_("只能使用 http 或 https 地址。"))
    if not parts.hostname:
        raise EgressRefused(_("地址缺少主机名。"))
    if parts.username or parts.password:
        raise EgressRefused(_("地址中不能包含用户名或密码。"))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise EgressRefused(_("端口号无效。")) from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def addresses_checked(host: str, port: int) -> list[tuple]:
    """The host's addresses (getaddrinfo rows), each permitted; or EgressRefused."""
    try:
        rows = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise EgressRefused(_("无法解析主机名 %(host)s。") % {"host": host}) from error
    if not rows:
        raise EgressRefused(_("无法解析主机名 %(host)s。") % {"host": host})
    for row in rows:
        address = ipaddress.ip_address(row[4][0].split("%")[0])
        if not address_permitted(address):
            raise EgressRefused(
                _("%(host)s 指向内部或保留地址 %(address)s，不能作为接收地址。")
                % {"host": host, "address": address}
            )
    return rows


def url_check(url: str) -> None:
    """Whether a URL may be sent to now (the admin form's check); EgressRefused if not."""
    _scheme, host, port, _path = _split(url)
    addresses_checked(host, port)


def _connect_checked(address: tuple[str, int], timeout, source_address=None) -> socket.socket:
    """http.client's socket.create_connection, to a checked address only."""
    host, port = address
    failure: OSError | None = None
    for family, kind, proto, _name, target in addresses_checked(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not None:
                sock.settimeout(timeout)
            sock.connect(target)  # the address just checked, not a second lookup
            return sock
        except OSError as error:
            sock.close()
            failure = error
    raise failure or OSError(f"cannot connect to {host}")


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_checked  # http.client's hook for making the socket


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_checked  # TLS still checks the name, not the address


@dataclass(frozen=True)
class Answer:
    status: int
    location: str


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST `body` to `url` once: to a checked address, without following a redirect.
    Raises EgressRefused for a target that may not be reached, OSError when it cannot be."""
    scheme, host, port, path = _split(url)
    if scheme == "https":
        connection: http.client.HTTPConnection = _CheckedHTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = _CheckedHTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # the receiver's words are not kept; do not wait for more
        return Answer(status=response.status, location=response.getheader("Location") or "")
    finally:
        connection.close()
