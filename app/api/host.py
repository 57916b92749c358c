"""The Host field (RFC 9112 §3.2): exactly one in HTTP/1.1, at most one in 1.0, and its value
`host [ ":" port ]` in the syntax of RFC 3986 §3.2.2 and §3.2.3.

The host becomes part of every absolute URL the API writes (app/api/urls.py): in headers, JSON,
HTML attributes and a script. A value outside this syntax (a space, a quote, `/`, `?`, `#`, a
non-ASCII byte) can only be a mistake or an attack, and RFC 9112 §3.2 says to answer it with 400.
"""

import ipaddress
import re

# reg-name = *( unreserved / pct-encoded / sub-delims ), which covers IPv4address; or an
# IP-literal in brackets (checked below); then an optional port of digits.
_HOST = re.compile(
    rb"(?:\[(?P<literal>[^\]]*)\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)"
    rb"(?::(?P<port>[0-9]*))?"
)
MAX_PORT = 65535  # ports are 16-bit (RFC 793 §3.1): a larger one makes every URL unusable
_IPV_FUTURE = re.compile(rb"v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+")


def valid_host(value: bytes) -> bool:
    """Whether a Host field value is `host [":" port]` (RFC 3986 §3.2.2) with a host that is
    not empty and a port within 16 bits. Every target of this API is an `http` or `https`
    URI, which has a non-empty host (RFC 9110 §4.2.1, §4.2.2: a recipient must reject one
    without), so an empty Host (RFC 9110 §7.2's value for a target without an authority) is
    refused too: the API could write no URL from it."""
    match = _HOST.fullmatch(value)
    if match is None:
        return False
    port, literal = match.group("port"), match.group("literal")
    if port and int(port) > MAX_PORT:
        return False
    return literal is None or _ip_literal(literal)


def _ip_literal(text: bytes) -> bool:
    """IPv6address or IPvFuture, as RFC 3986 §3.2.2 allows inside brackets (no zone id)."""
    if _IPV_FUTURE.fullmatch(text):
        return True
    if b"%" in text:  # Python accepts a scope id (`fe80::1%eth0`); RFC 3986 does not
        return False
    try:
        ipaddress.IPv6Address(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def host_problem(hosts: list[bytes], http_version: str) -> str | None:
    """What is wrong with a request's Host field values (the detail of its 400), or None."""
    if len(hosts) > 1:
        return "A request may carry one Host header field, not several (RFC 9112 §3.2)."
    if not hosts:
        if http_version == "1.1":
            return "An HTTP/1.1 request needs a Host header field (RFC 9112 §3.2)."
        return None
    if not valid_host(hosts[0]):
        return (
            "The Host header field is not a host name or address with an optional port "
            "(RFC 3986 §3.2.2)."
        )
    return None
