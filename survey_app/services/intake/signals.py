"""What a QR response carries besides its answers, and no personal data (docs/PRIVACY.md).

- A form ticket: signed with the app's key, it says which point issued the page and when, so
  the server (never the phone) knows how long the form took; it is used once (``used_tickets``).
- A device key: a random id, signed, kept by the browser in a first-party cookie and local
  storage. It is not derived from anything about the phone (no fingerprint).
- A network key: a keyed hash of the address's /24 (IPv4) or /48 (IPv6) with a secret of the
  campaign's own; the address itself is never stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import time
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from functools import lru_cache

#: A page kept open on a slow phone: as long as its CSRF token (config WTF_CSRF_TIME_LIMIT).
TICKET_SECONDS = 6 * 3600

# Tickets and device ids are signed with the standard library's HMAC-SHA256 under keys
# derived once per process: every citizen's page and answer signs or checks them, and
# itsdangerous (which derives its key and builds its serializer on each call) took 30-40 µs
# each where this takes a few.


@lru_cache(maxsize=16)
def _key(secret: str, purpose: str) -> bytes:
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()


def _mac(secret: str, purpose: str, text: str) -> str:
    digest = hmac.new(_key(secret, purpose), text.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


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


def issue_ticket(secret: str, point_id: int, *, reissued: bool = False) -> str:
    """``point-id-reissued.issued.signature``: which point, a random id, when."""
    text = f"{point_id}-{secrets.token_hex(12)}-{int(reissued)}.{int(time.time())}"
    return f"{text}.{_mac(secret, 'qr-form-ticket', text)}"


def read_ticket(secret: str, value: str | None, point_id: int,
                max_age: int = TICKET_SECONDS) -> Ticket | str:
    """The ticket in ``value`` if it is genuine, unexpired and this point's; else a
    ``TicketProblem``."""
    if not value:
        return TicketProblem.missing
    text, _, signature = value.rpartition(".")
    if len(value) > 200 or not hmac.compare_digest(
            signature.encode(), _mac(secret, "qr-form-ticket", text).encode()):
        return TicketProblem.forged
    head, _, stamp = text.partition(".")
    parts = head.split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not stamp.isdigit():
        return TicketProblem.forged
    if time.time() - int(stamp) > max_age:
        return TicketProblem.expired
    if int(parts[0]) != point_id:
        return TicketProblem.other_point
    return Ticket(parts[1], point_id, datetime.fromtimestamp(int(stamp), UTC),
                  parts[2] == "1")


def seconds_to_complete(ticket: Ticket, now: datetime) -> int | None:
    if ticket.reissued:
        return None
    return max(0, int((now - ticket.issued_at).total_seconds()))


def new_device(secret: str) -> str:
    """A signed random device id, as the cookie and local storage keep it."""
    value = secrets.token_urlsafe(16)
    return f"{value}.{_mac(secret, 'qr-device-key', value)}"


def device_key(secret: str, signed: str | None) -> str | None:
    """The random id inside a signed device id, or None if it is not one of ours."""
    if not signed or len(signed) > 100:
        return None
    value, _, signature = signed.rpartition(".")
    if not value or not hmac.compare_digest(
            signature.encode(), _mac(secret, "qr-device-key", value).encode()):
        return None
    return value[:32]


@lru_cache(maxsize=4096)
def network_key(secret: str, campaign_id: int, address: str | None) -> str | None:
    """HMAC of the address's network prefix under the campaign's own secret (kept per
    process for the addresses seen last: an office's Wi-Fi sends many)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    network = ipaddress.ip_network(f"{ip}/{prefix}", strict=False)
    campaign_secret = _key(secret, f"network-key:{campaign_id}")
    return hmac.new(campaign_secret, str(network).encode(), hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class QrSignals:
    """The signals a QR submission brings to the intake."""

    ticket_id: str | None = None
    device_key: str | None = None
    network_key: str | None = None
    staff_session: bool = False
    honeypot: bool = False
