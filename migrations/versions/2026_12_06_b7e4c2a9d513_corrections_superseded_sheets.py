"""corrections: a sheet voided or replaced is kept, marked superseded, and left out of counts

Revision ID: b7e4c2a9d513
Revises: b7e2a9c4d1f0
Create Date: 2026-12-06 18:20:00

The response roll-up's triggers (made in ba823a6ff4bf) now count only the sheets that stand:
``superseded_at IS NULL`` (``Response.STANDING_SQL``, the one spelling of that condition in
SQL). Marking a sheet superseded is an UPDATE of ``superseded_at``, which takes its count out;
nothing is ever deleted.
"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e4c2a9d513'
down_revision = 'b7e2a9c4d1f0'
branch_labels = None
depends_on = None

KEY = "campaign_id, commune_id, form_id, form_version_id, satisfaction_answer, is_flagged"
# Kept as text here (a migration must not change when the model does); the same as
# survey_app.models.responses.STANDING_SQL.
STANDING = "superseded_at IS NULL"


def postgres_function(standing: str) -> str:
    """The roll-up's statement-level function, counting the rows where ``standing`` holds
    ("true": every row, as before this revision)."""
    return f"""
CREATE OR REPLACE FUNCTION response_tallies_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO response_tallies AS t ({KEY}, responses)
    SELECT campaign_id, commune_id, form_id, form_version_id,
           COALESCE(satisfaction_answer, ''), is_flagged, count(*)
    FROM new_rows WHERE {standing}
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ({KEY}) DO UPDATE SET responses = t.responses + EXCLUDED.responses;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO response_tallies AS t ({KEY}, responses)
    SELECT campaign_id, commune_id, form_id, form_version_id,
           COALESCE(satisfaction_answer, ''), is_flagged, -count(*)
    FROM old_rows WHERE {standing}
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ({KEY}) DO UPDATE SET responses = t.responses + EXCLUDED.responses;
  ELSE
    INSERT INTO response_tallies AS t ({KEY}, responses)
    SELECT campaign_id, commune_id, form_id, form_version_id, answer, is_flagged, sum(delta)
    FROM (
      SELECT campaign_id, commune_id, form_id, form_version_id,
             COALESCE(satisfaction_answer, '') AS answer, is_flagged, 1 AS delta
      FROM new_rows WHERE {standing}
      UNION ALL
      SELECT campaign_id, commune_id, form_id, form_version_id,
             COALESCE(satisfaction_answer, ''), is_flagged, -1
      FROM old_rows WHERE {standing}
    ) AS changes
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ({KEY}) DO UPDATE SET responses = t.responses + EXCLUDED.responses;
  END IF;
  RETURN NULL;
END
$$
"""


def sqlite_triggers(standing: bool) -> list[str]:
    """SQLite's row triggers; with ``standing``, a row counts only while it stands."""
    new_ok = f" AND NEW.{STANDING}" if standing else ""
    old_ok = f" AND OLD.{STANDING}" if standing else ""
    # INSERT ... SELECT ... WHERE: the WHERE also resolves SQLite's parsing ambiguity
    # between a SELECT's join and the upsert's ON CONFLICT.
    add = f"""
  INSERT INTO response_tallies ({KEY}, responses)
  SELECT NEW.campaign_id, NEW.commune_id, NEW.form_id, NEW.form_version_id,
         COALESCE(NEW.satisfaction_answer, ''), NEW.is_flagged, 1 WHERE true{new_ok}
  ON CONFLICT ({KEY}) DO UPDATE SET responses = responses + 1;
"""
    remove = f"""
  UPDATE response_tallies SET responses = responses - 1
  WHERE campaign_id = OLD.campaign_id AND commune_id = OLD.commune_id
    AND form_id = OLD.form_id AND form_version_id = OLD.form_version_id
    AND satisfaction_answer = COALESCE(OLD.satisfaction_answer, '')
    AND is_flagged = OLD.is_flagged{old_ok};
"""
    columns = ("campaign_id, commune_id, form_id, form_version_id, satisfaction_answer, "
               "is_flagged" + (", superseded_at" if standing else ""))
    changed = ("OLD.campaign_id IS NOT NEW.campaign_id OR OLD.commune_id IS NOT NEW.commune_id "
               "OR OLD.form_id IS NOT NEW.form_id OR OLD.form_version_id IS NOT NEW.form_version_id "
               "OR OLD.satisfaction_answer IS NOT NEW.satisfaction_answer "
               "OR OLD.is_flagged IS NOT NEW.is_flagged")
    if standing:
        changed += f" OR (OLD.{STANDING}) IS NOT (NEW.{STANDING})"
    return [
        f"CREATE TRIGGER response_tallies_insert AFTER INSERT ON responses BEGIN {add} END",
        f"CREATE TRIGGER response_tallies_delete AFTER DELETE ON responses BEGIN {remove} END",
        f"CREATE TRIGGER response_tallies_update AFTER UPDATE OF {columns} ON responses "
        f"WHEN {changed} BEGIN {remove} {add} END",
    ]


TRIGGER_NAMES = ("response_tallies_insert", "response_tallies_update", "response_tallies_delete")


def rebuild(standing: bool) -> None:
    """Recount the roll-up from the responses (what ``flask results rebuild`` does)."""
    op.execute("DELETE FROM response_tallies")
    op.execute(
        f"INSERT INTO response_tallies ({KEY}, responses) "
        "SELECT campaign_id, commune_id, form_id, form_version_id, "
        "COALESCE(satisfaction_answer, ''), is_flagged, count(*) FROM responses "
        + (f"WHERE {STANDING} " if standing else "")
        + "GROUP BY campaign_id, commune_id, form_id, form_version_id, "
        "COALESCE(satisfaction_answer, ''), is_flagged"
    )


def set_triggers(standing: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The triggers call the function by name: replacing it is enough.
        op.execute(postgres_function(STANDING if standing else "true"))
        return
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in sqlite_triggers(standing):
        op.execute(statement)


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('superseded_by_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('supersede_reason', sa.String(length=300),
                                      nullable=True))
        batch_op.add_column(sa.Column('replacement_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_responses_superseded_by_user_id_users'),
                                    'users', ['superseded_by_user_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_responses_replacement_id_responses'),
                                    'responses', ['replacement_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_responses_replacement_id'), ['replacement_id'],
                              unique=True)
    # SQLite's batch mode rebuilds the table, which drops its triggers: make them again.
    set_triggers(standing=True)
    # Nothing is superseded yet, so the counts are unchanged; recount all the same, the way
    # the triggers now count, so the roll-up never depends on what ran before.
    rebuild(standing=True)


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responses_replacement_id'))
        batch_op.drop_constraint(batch_op.f('fk_responses_replacement_id_responses'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_responses_superseded_by_user_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('replacement_id')
        batch_op.drop_column('supersede_reason')
        batch_op.drop_column('superseded_by_user_id')
        batch_op.drop_column('superseded_at')
    # Without the column every sheet counts again, superseded or not (the mark is gone).
    set_triggers(standing=False)
    rebuild(standing=False)
