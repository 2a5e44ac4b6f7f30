"""Push tokens: what a script sends to record a goal's value, and what the coach keeps of it.

The token is shown to the member once; the store keeps only its sha256 (to find the goal) and
its last four characters (so the member can tell which token a goal has). Whoever reads the
database cannot push. A token is looked up by its hash, never compared as text: how long a
lookup takes tells a guesser about hashes they cannot steer, not about the token.

>>> token = new_token()  # "rcp_…", shown once
>>> token_hash(token) == token_hash(token), len(token_hash(token)), token_hint(token) == token[-4:]
(True, 64, True)
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "rcp_"  # "research coach push": recognisable in a leaked file, for secret scanners
_BEARER = "bearer "
_LONGEST = 200  # a token is 47 characters; anything much longer is not one


def new_token() -> str:
    """A fresh push token: 32 random bytes, URL-safe, behind ``rcp_``."""
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the store keeps to find a token's goal: its sha256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_hint(token: str) -> str:
    """What the member is shown to recognise a token later: its last four characters."""
    return token[-4:]


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; ``None`` when there is none.

    >>> bearer("Bearer rcp_abc"), bearer("Basic x"), bearer(None)
    ('rcp_abc', None, None)
    """
    if header is None or len(header) > len(_BEARER) + _LONGEST:
        return None
    if header[: len(_BEARER)].lower() != _BEARER:
        return None
    token = header[len(_BEARER) :].strip()
    return token or None
