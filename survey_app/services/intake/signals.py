"""What a QR response carries besides its answers, and no personal data (docs/PRIVACY.md).

- A form ticket: signed with the app's key, it says which point issued the page and when, so
  the server (never the phone) knows how long the form took; it is used once (``used_tickets``).
- A device key: a random id, signed, kept by the browser in a first-party cookie and local
  storage. It is not derived from anything about the phone (no fingerprint).
- A network key: a keyed hash of the address's /24 (IPv4) or /48 (IPv6) with a secret of the
  campaign's own; the address itself is never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from itsdangerous import BadSignature
from itsdangerous import BadTimeSignature
from itsdangerous import SignatureExpired
from itsdangerous import Signer
from itsdangerous import URLSafeTimedSerializer

#: A page kept open on a slow phone: as long as its CSRF token (config WTF_CSRF_TIME_LIMIT).
TICKET_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Ticket:
    id: str
    point_id: int
    issued_at: datetime
    #: Issued on a page sent back for one more tap: the time to complete is unknown.
    reissued: bool


class TicketProblem:
    """Why a ticket cannot be used."""

    missing = "missing"
    forged = "forged"
    expired = "expired"
    other_point = "other_point"
    used = "used"


def _tickets(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="qr-form-ticket")


def issue_ticket(secret: str, point_id: int, *, reissued: bool = False) -> str:
    return _tickets(secret).dumps([point_id, secrets.token_hex(12), int(reissued)])


def read_ticket(secret: str, value: str | None, point_id: int,
                max_age: int = TICKET_SECONDS) -> Ticket | str:
    """The ticket in ``value`` if it is genuine, unexpired and this point's; else a
    ``TicketProblem``."""
    if not value:
        return TicketProblem.missing
    try:
        payload, signed_at = _tickets(secret).loads(value, max_age=max_age,
                                                     return_timestamp=True)
    except SignatureExpired:
        return TicketProblem.expired
    except (BadTimeSignature, BadSignature, ValueError, TypeError):
        return TicketProblem.forged
    if (not isinstance(payload, list) or len(payload) != 3
            or not isinstance(payload[0], int) or not isinstance(payload[1], str)):
        return TicketProblem.forged
    if payload[0] != point_id:
        return TicketProblem.other_point
    return Ticket(payload[1], point_id, signed_at.astimezone(UTC), bool(payload[2]))


def seconds_to_complete(ticket: Ticket, now: datetime) -> int | None:
    if ticket.reissued:
        return None
    return max(0, int((now - ticket.issued_at).total_seconds()))


def _devices(secret: str) -> Signer:
    return Signer(secret, salt="qr-device-key")


def new_device(secret: str) -> str:
    """A signed random device id, as the cookie and local storage keep it."""
    return _devices(secret).sign(secrets.token_urlsafe(16)).decode()


def device_key(secret: str, signed: str | None) -> str | None:
    """The random id inside a signed device id, or None if it is not one of ours."""
    if not signed or len(signed) > 100:
        return None
    try:
        return _devices(secret).unsign(signed).decode()[:32]
    except (BadSignature, UnicodeError, ValueError):
        return None


def network_key(secret: str, campaign_id: int, address: str | None) -> str | None:
    """HMAC of the address's network prefix under the campaign's own secret."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    campaign_secret = hmac.new(secret.encode(), f"network-key:{campaign_id}".encode(),
                               hashlib.sha256).digest()
    return hmac.new(campaign_secret, str(network).encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class QrSignals:
    """The signals a QR submission brings to the intake."""

    ticket_id: str | None = None
    device_key: str | None = None
    network_key: str | None = None
    staff_session: bool = False
    honeypot: bool = False
