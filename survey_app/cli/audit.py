"""``flask audit verify|head``: check the audit trail's hash chain from the shell."""

from __future__ import annotations

import click

from survey_app.extensions import db
from survey_app.messages import text
from survey_app.services.audit import trail

group = click.Group("audit", help="The audit trail of staff actions.")


@group.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain from the first row; exit 1 at the first row that breaks it."""
    verdict = trail.verify(db.session)
    if verdict.holds:
        click.echo(text("audit_chain_holds", {"count": verdict.checked,
                                              "hash": trail.head(db.session).entry_hash}))
        return
    click.echo(text(f"audit_broken_{verdict.reason}",
                    {"seq": verdict.broken_at, "count": verdict.checked}), err=True)
    raise SystemExit(1)


@group.command("head")
def audit_head() -> None:
    """Print the number and hash of the trail's last row, to note down outside the system."""
    head = trail.head(db.session)
    click.echo(f"{head.seq} {head.entry_hash}")
