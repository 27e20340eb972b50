"""Append to the trail, check its chain, read it.

Each row's ``entry_hash`` is SHA-256 of the previous row's hash followed by the row's canonical
JSON (sorted keys, no spaces, UTF-8): change any field of any row, remove a row or slip one in,
and every hash from there on no longer follows. Appending takes the chain's lock first (SQLite:
the unit of work's write lock; PostgreSQL: a transaction-level advisory lock), so two actions
at the same moment line up one after the other instead of both following the same row; the
unique ``seq`` and ``entry_hash`` stand behind that.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.orm import Session

from survey_app.clock import now_utc
from survey_app.models import AuditEntry
from survey_app.models import User
from survey_app.services.audit.actions import Action

#: The "previous hash" of the first row.
GENESIS = "0" * 64
#: The advisory lock that lines appends up on PostgreSQL (any fixed 64-bit number).
CHAIN_LOCK = 0x61756469745F7472  # "audit_tr"
#: The name written for an action taken from the shell (``flask ...``).
SHELL = "(shell)"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)


def entry_fields(entry: AuditEntry) -> dict[str, Any]:
    """What a row's hash covers: every column but the two hashes."""
    return {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "province_id": entry.province_id,
        "details": entry.details,
    }


def chain_hash(previous_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((previous_hash + canonical(fields)).encode("utf-8")).hexdigest()


def record(session: Session, actor: User | None, action: Action, *,
           target: tuple[str, int | None] | None = None, province_id: int | None = None,
           actor_name: str | None = None, at: datetime | None = None,
           **details: Any) -> AuditEntry:
    """Append one row for ``action`` by ``actor`` (None: the shell, or ``actor_name`` as it
    was typed in a failed sign-in) in the caller's unit of work. ``details`` must hold no
    password, token or answer: the trail is read by people who may not see those."""
    lock_chain(session)
    head_row = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    target_type, target_id = target or (None, None)
    if province_id is None and actor is not None:
        province_id = actor.province_id
    entry = AuditEntry(
        seq=head_row.seq + 1 if head_row else 1,
        occurred_at=at or now_utc(),
        actor_id=actor.id if actor is not None else None,
        actor_name=(actor.username if actor is not None else actor_name or SHELL)[:64],
        action=str(action),
        target_type=target_type,
        target_id=target_id,
        province_id=province_id,
        details=canonical(details),
        previous_hash=head_row.entry_hash if head_row else GENESIS,
    )
    entry.entry_hash = chain_hash(entry.previous_hash, entry_fields(entry))
    session.add(entry)
    session.flush()
    return entry


def lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


@dataclass(frozen=True)
class Head:
    seq: int
    entry_hash: str


def head(session: Session) -> Head:
    """The chain's last row (seq 0 and the genesis hash while the trail is empty)."""
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return Head(row.seq, row.entry_hash) if row else Head(0, GENESIS)


@dataclass(frozen=True)
class Verdict:
    checked: int
    #: The first row that does not follow, and why; None when the whole chain holds.
    broken_at: int | None = None
    reason: str | None = None

    @property
    def holds(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> Verdict:
    """Walk the chain from the first row: every seq in turn, each previous hash the one before,
    each hash recomputed from the row as stored."""
    previous, expected_seq, checked = GENESIS, 1, 0
    query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=500)
    # Closed on every way out: on PostgreSQL yield_per reads through a server-side cursor.
    with closing(session.scalars(query)) as rows:
        for entry in rows:
            if entry.seq != expected_seq:
                return Verdict(checked, expected_seq, "missing")
            if entry.previous_hash != previous:
                return Verdict(checked, entry.seq, "previous_hash")
            if chain_hash(previous, entry_fields(entry)) != entry.entry_hash:
                return Verdict(checked, entry.seq, "entry_hash")
            previous, expected_seq, checked = entry.entry_hash, expected_seq + 1, checked + 1
    return Verdict(checked)


@dataclass(frozen=True)
class TrailFilter:
    action: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    #: Only rows of this province (a committee's view); None: every row (the admin's).
    province_id: int | None = None


def entries(session: Session, wanted: TrailFilter, page: int, per_page: int = 50
            ) -> tuple[list[AuditEntry], int]:
    """One page of rows, newest first, and how many rows match in all."""
    query = filtered(select(AuditEntry), wanted)
    total = session.scalar(filtered(select(func.count()).select_from(AuditEntry), wanted))
    rows = session.scalars(query.order_by(AuditEntry.seq.desc())
                           .offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total or 0


def filtered(query: Select, wanted: TrailFilter) -> Select:
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.actor:
        query = query.where(AuditEntry.actor_name == wanted.actor.strip().lower())
    if wanted.since:
        query = query.where(AuditEntry.occurred_at >= wanted.since)
    if wanted.until:
        query = query.where(AuditEntry.occurred_at < wanted.until)
    if wanted.province_id is not None:
        query = query.where(AuditEntry.province_id == wanted.province_id)
    return query


def details_of(entry: AuditEntry) -> dict[str, Any]:
    return json.loads(entry.details)
