"""week tallies: the response roll-up split by week (Vietnam time), kept by the same triggers

Revision ID: 7e2a4c9d1b30
Revises: b7e4c2a9d513
Create Date: 2026-12-07 09:00:00

The weekly trend grouped every response of the campaign by week on each view (5.6 s for a
national campaign). ``response_week_tallies`` keeps those counts as ``response_tallies`` keeps
the totals: the triggers on ``responses`` are rebuilt here so that one trigger per verb keeps
both roll-ups, from one SQL statement of which responses count (COUNTED).
"""
import sqlalchemy as sa
from alembic import op

revision = '7e2a4c9d1b30'
down_revision = 'b7e4c2a9d513'
branch_labels = None
depends_on = None

#: Which responses the roll-ups count, as SQL over a response row named {r} (NEW, OLD, or a
#: transition table's alias): the sheets that stand (``Response.STANDING_SQL``, revision
#: b7e4c2a9d513). The ONE place that says it here: every trigger below, on both databases
#: and for both roll-ups, is built from it. A later state that must leave the counts is a
#: migration that calls ``install(dialect, "<its condition over {r}>")`` and ``backfill``
#: for each roll-up after emptying it, and changes ``services/results/tallies.COUNTED``.
COUNTED = "{r}.superseded_at IS NULL"

TALLY = ("response_tallies", ("campaign_id", "commune_id", "form_id", "form_version_id",
                              "satisfaction_answer", "is_flagged"))
#: The week last, so that the rows a statement upserts into both tables come in one order.
WEEK = ("response_week_tallies", TALLY[1] + ("week",))
TRIGGERS = ("response_tallies_insert", "response_tallies_update", "response_tallies_delete")


def values(row: str, dialect: str) -> dict[str, str]:
    """Each key column of a roll-up, as SQL over the response row ``row``."""
    if dialect == "postgresql":
        week = f"CAST(date_trunc('week', timezone('Asia/Ho_Chi_Minh', {row}.received_at)) AS date)"
    else:
        # SQLite keeps UTC text; Vietnam has no daylight saving time, so +7 hours is exact.
        week = f"date({row}.received_at, '+7 hours', '-6 days', 'weekday 1')"
    return {
        "campaign_id": f"{row}.campaign_id", "commune_id": f"{row}.commune_id",
        "form_id": f"{row}.form_id", "form_version_id": f"{row}.form_version_id",
        # "" for no answer: a primary key cannot hold NULL, and options are never empty.
        "satisfaction_answer": f"COALESCE({row}.satisfaction_answer, '')",
        "is_flagged": f"{row}.is_flagged", "week": week,
    }


def postgres_upsert(table: str, key: tuple[str, ...], sources, counted: str) -> str:
    """Add the counted rows of each (transition table, sign) to ``table``, grouped, in key
    order (two concurrent statements then cannot deadlock on it), atomically."""
    columns = ", ".join(key)
    changes = " UNION ALL ".join(
        f"SELECT {', '.join(values('r', 'postgresql')[c] + ' AS ' + c for c in key)}, "
        f"{sign} AS delta FROM {source} AS r WHERE {counted.format(r='r')}"
        for source, sign in sources)
    return (f"INSERT INTO {table} AS t ({columns}, responses) "
            f"SELECT {columns}, sum(delta) FROM ({changes}) AS changes "
            f"GROUP BY {columns} HAVING sum(delta) <> 0 ORDER BY {columns} "
            f"ON CONFLICT ({columns}) DO UPDATE SET responses = t.responses + EXCLUDED.responses;")


def postgres_function(counted: str, tables) -> str:
    """One statement-level trigger function for every verb: a bulk INSERT ... SELECT adds its
    counts in one grouped upsert per roll-up."""
    verbs = {"INSERT": [("new_rows", 1)], "DELETE": [("old_rows", -1)],
             "UPDATE": [("new_rows", 1), ("old_rows", -1)]}
    branches = []
    for verb, sources in verbs.items():
        body = "\n    ".join(postgres_upsert(table, key, sources, counted)
                             for table, key in tables)
        branches.append(f"IF TG_OP = '{verb}' THEN\n    {body}\n  END IF;")
    return ("CREATE OR REPLACE FUNCTION response_tallies_apply() RETURNS trigger "
            "LANGUAGE plpgsql AS $$\nBEGIN\n  " + "\n  ".join(branches)
            + "\n  RETURN NULL;\nEND\n$$")


POSTGRES_TRIGGERS = [
    "CREATE TRIGGER response_tallies_insert AFTER INSERT ON responses "
    "REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION response_tallies_apply()",
    "CREATE TRIGGER response_tallies_update AFTER UPDATE ON responses "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION response_tallies_apply()",
    "CREATE TRIGGER response_tallies_delete AFTER DELETE ON responses "
    "REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION response_tallies_apply()",
]


def sqlite_add(table: str, key: tuple[str, ...], counted: str) -> str:
    new = values("NEW", "sqlite")
    columns = ", ".join(key)
    # An INSERT ... SELECT upsert needs its WHERE, or SQLite reads ON CONFLICT as a join's.
    return (f"INSERT INTO {table} ({columns}, responses) "
            f"SELECT {', '.join(new[c] for c in key)}, 1 WHERE {counted.format(r='NEW')} "
            f"ON CONFLICT ({columns}) DO UPDATE SET responses = responses + 1;")


def sqlite_remove(table: str, key: tuple[str, ...], counted: str) -> str:
    old = values("OLD", "sqlite")
    where = " AND ".join(f"{c} = {old[c]}" for c in key)
    return (f"UPDATE {table} SET responses = responses - 1 "
            f"WHERE {where} AND {counted.format(r='OLD')};")


def sqlite_triggers(counted: str, tables) -> list[str]:
    """Row triggers (SQLite has no others; it has one writer at a time, so they cannot race).
    An update that changes no key and not whether the row counts leaves the roll-ups alone."""
    add = " ".join(sqlite_add(table, key, counted) for table, key in tables)
    remove = " ".join(sqlite_remove(table, key, counted) for table, key in tables)
    old, new = values("OLD", "sqlite"), values("NEW", "sqlite")
    keys = dict.fromkeys(c for _table, key in tables for c in key)
    changed = " OR ".join([f"{old[c]} IS NOT {new[c]}" for c in keys] + [
        f"({counted.format(r='OLD')}) IS NOT ({counted.format(r='NEW')})"])
    return [
        f"CREATE TRIGGER response_tallies_insert AFTER INSERT ON responses BEGIN {add} END",
        f"CREATE TRIGGER response_tallies_delete AFTER DELETE ON responses BEGIN {remove} END",
        f"CREATE TRIGGER response_tallies_update AFTER UPDATE ON responses WHEN {changed} "
        f"BEGIN {remove} {add} END",
    ]


def uninstall(dialect: str) -> None:
    postgres = dialect == "postgresql"
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON responses" if postgres else ""))


def install(dialect: str, counted: str, tables=(TALLY, WEEK)) -> None:
    """(Re)create the triggers that keep ``tables`` from the responses ``counted`` selects."""
    uninstall(dialect)
    if dialect == "postgresql":
        op.execute(postgres_function(counted, tables))
        statements = POSTGRES_TRIGGERS
    else:
        statements = sqlite_triggers(counted, tables)
    for statement in statements:
        op.execute(statement)


def backfill(dialect: str, table: str, key: tuple[str, ...], counted: str) -> None:
    """Count the responses already stored into an empty roll-up."""
    row = values("r", dialect)
    columns = ", ".join(key)
    op.execute(
        f"INSERT INTO {table} ({columns}, responses) "
        f"SELECT {', '.join(row[c] for c in key)}, count(*) FROM responses AS r "
        f"WHERE {counted.format(r='r')} GROUP BY {', '.join(row[c] for c in key)}")


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table('response_week_tallies',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('form_version_id', sa.Integer(), nullable=False),
    sa.Column('satisfaction_answer', sa.String(length=64), nullable=False),
    sa.Column('is_flagged', sa.Boolean(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_response_week_tallies_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_response_week_tallies_commune_id_communes')),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_response_week_tallies_form_id_forms')),
    sa.ForeignKeyConstraint(['form_version_id'], ['form_versions.id'], name=op.f('fk_response_week_tallies_form_version_id_form_versions')),
    sa.PrimaryKeyConstraint('campaign_id', 'commune_id', 'form_id', 'form_version_id', 'satisfaction_answer', 'is_flagged', 'week', name=op.f('pk_response_week_tallies'))
    )
    if dialect == "postgresql":
        # Writers wait from here to the commit: no response slips between the new triggers
        # and the backfill.
        op.execute("LOCK TABLE responses IN SHARE ROW EXCLUSIVE MODE")
    install(dialect, COUNTED)
    backfill(dialect, *WEEK, COUNTED)
    if dialect == "postgresql":
        # The planner's figures for a table just filled, before autovacuum gets to it: without
        # them it guesses a handful of rows and reads a national trend row by row.
        op.execute("ANALYZE response_week_tallies")


def downgrade():
    dialect = op.get_bind().dialect.name
    # The totals' triggers as before this revision: the same counting, one roll-up.
    install(dialect, COUNTED, tables=(TALLY,))
    op.drop_table('response_week_tallies')
