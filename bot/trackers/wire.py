"""One tracker's address and credentials, and the HTTP exchange every reader shares.

    link = Link.open(http, "https://me:pw@mlflow.lab:5000/", secret=None, timeout=t,
                     service="MLflow", credential=basic_or_bearer)
    status, body = await link.call("GET", "/api/2.0/mlflow/experiments/get-by-name", params=...)

Credentials in the URL's userinfo are taken out of it (they become the credential when no secret
is given), so neither a request line, a log line nor an error text can carry them. Transport
failures become ``TrackerError``s here; what a status or a body means is the reader's business,
except what means the same on every tracker: 401/403, 429 and 5xx.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import math
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import SplitResult, unquote, urlsplit

import httpx

from bot.trackers.model import TrackerError

__all__ = [
    "ADDRESS_POLICIES",
    "MAX_BODY_BYTES",
    "Credential",
    "Link",
    "address_allowed",
    "finite",
    "guard_address",
    "utc_from_epoch",
]

log = logging.getLogger(__name__)

# A tracker's page of runs is a few hundred kB; anything past this is not an answer to keep.
MAX_BODY_BYTES: Final = 32 * 1024 * 1024

# Which addresses a tracker may be at (COACH_TRACKER_ADDRESSES): "public" only public ones;
# "private" also private ranges (a lab's MLflow on its own network); "any" also loopback and
# link-local (a tracker on the coach's own machine; 169.254.169.254 is a cloud's metadata).
ADDRESS_POLICIES: Final = ("public", "private", "any")

# How a reader turns the secret into request credentials: (auth, extra headers).
Credential = Callable[[str], tuple[httpx.Auth | None, dict[str, str]]]


@dataclass(frozen=True)
class Link:
    """Requests to one tracker; ``secret``, ``auth`` and ``headers`` stay out of its repr."""

    http: httpx.AsyncClient
    base: str  # scheme://host[:port][/path], no userinfo, no trailing slash
    service: str  # "MLflow" | "W&B", for texts
    timeout: httpx.Timeout
    secret: str | None = field(default=None, repr=False)
    auth: httpx.Auth | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def open(
        cls,
        http: httpx.AsyncClient,
        url: str,
        *,
        secret: str | None,
        timeout: httpx.Timeout,
        service: str,
        credential: Credential,
    ) -> Link:
        """A link to ``url``; ``credential`` makes the request credentials from the secret."""
        parts = _split(url.strip(), service)
        userinfo, _, hostport = parts.netloc.rpartition("@")
        base = parts._replace(netloc=hostport, query="", fragment="").geturl().rstrip("/")
        if not secret and userinfo:
            secret = unquote(userinfo)  # "user:password", as the basic credential
        auth, headers = credential(secret) if secret else (None, {})
        return cls(http, base, service, timeout, secret, auth, headers)

    def fail(self, kind: str, detail: str) -> TrackerError:
        """A ``TrackerError`` naming this tracker, with any trace of the secret taken out."""
        text = f"{self.service} at {self.base}: {detail}"
        if self.secret:
            for part in {self.secret, *self.secret.split(":", 1)}:
                if len(part) >= 4:  # a short fragment would blank ordinary words
                    text = text.replace(part, "***")
        log.debug("%s not read: %s", self.service, kind)  # the settings stay out of logs
        return TrackerError(kind, text)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> tuple[int, Any]:
        """``(status, parsed JSON or None)`` of one request to ``base + path``.

        Raises ``TrackerError``: unreachable, slow, credentials (401/403), or bad_answer.
        """
        try:
            async with self.http.stream(
                method,
                self.base + path,
                params=params,
                json=body,
                auth=self.auth,  # None: none at all, whatever the shared client holds
                headers=dict(self.headers),
                timeout=self.timeout,
            ) as response:
                raw = await _read_capped(response)
        except httpx.TimeoutException:
            raise self.fail("slow", "no answer within the timeout") from None
        except (httpx.TransportError, httpx.InvalidURL):
            raise self.fail("unreachable", "no connection") from None
        except httpx.RequestError:  # a body that does not decode, a loop of redirects
            raise self.fail("bad_answer", "an answer that could not be read") from None
        except _TooLarge:
            raise self.fail("bad_answer", "an answer too large to be one") from None
        status = response.status_code
        if status in (401, 403):
            raise self.fail("credentials", f"credentials refused (HTTP {status})")
        if status == 429:
            raise self.fail("slow", "asked to slow down (HTTP 429)")
        if status >= 500:
            raise self.fail("unreachable", f"the server failed (HTTP {status})")
        try:
            return status, json.loads(raw) if raw else None
        except (ValueError, RecursionError):  # also UnicodeDecodeError; nested past the parser
            return status, None


class _TooLarge(Exception):
    pass


async def _read_capped(response: httpx.Response) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _split(url: str, service: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # The address itself is not echoed: it may carry a credential we cannot find.
        raise TrackerError("unreachable", f"{service}: not an http(s) address")
    return parts


def finite(value: object) -> float | None:
    """``value`` as a finite float, or None: NaN, ±inf, booleans and non-numbers are no reading.

    JSON gives NaN either as a number or, in protobuf's JSON (MLflow), as the string "NaN".

    >>> finite("NaN"), finite(0.5), finite("0.5"), finite(True)
    (None, 0.5, 0.5, None)
    """
    if isinstance(value, bool):
        return None
    if not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):  # not a number; an integer past any float
        return None
    return number if math.isfinite(number) else None


def utc_from_epoch(seconds: object) -> datetime | None:
    """Seconds since the epoch as an aware UTC datetime, or None when it is not a time."""
    number = finite(seconds)
    if number is None:
        return None
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def address_allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address, policy: str) -> bool:
    """Whether a tracker may be read at ``address`` under ``policy`` (``ADDRESS_POLICIES``)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if policy == "any":
        return True
    if address.is_global:
        return True
    inward = (
        address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
    )
    return policy == "private" and address.is_private and not inward


async def guard_address(url: str, policy: str, service: str) -> None:
    """Refuse (``TrackerError`` "unreachable") a tracker whose host resolves to an address
    ``policy`` does not allow: every address it resolves to is checked."""
    if policy == "any":
        return
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return  # not an address: the reader says so
    if not host:
        return
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            host, port or 443, type=socket.SOCK_STREAM
        )
    except (OSError, UnicodeError):
        raise TrackerError("unreachable", f"{service}: the host is not found") from None
    for *_, where in found:
        address = ipaddress.ip_address(str(where[0]).partition("%")[0])
        if not address_allowed(address, policy):
            log.warning("%s not read: its host is at an address not allowed (%s)", service, policy)
            raise TrackerError("unreachable", f"{service}: at an address not allowed ({policy})")
