"""rulebook versions, and the response tallies kept by triggers on responses

Revision ID: ba823a6ff4bf
Revises: 8297b9a34a82
Create Date: 2026-11-23 10:58:07.070798

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ba823a6ff4bf'
down_revision = '8297b9a34a82'
branch_labels = None
depends_on = None

KEY = "campaign_id, commune_id, form_id, form_version_id, satisfaction_answer, is_flagged"

# PostgreSQL: one statement-level trigger per verb, so a bulk INSERT ... SELECT adds its
# counts in one grouped upsert. The upsert is atomic under concurrent inserts, and rows are
# upserted in key order so that two concurrent statements cannot deadlock on the tallies.
POSTGRES_FUNCTION = f"""
CREATE FUNCTION response_tallies_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO response_tallies AS t ({KEY}, responses)
    SELECT campaign_id, commune_id, form_id, form_version_id,
           COALESCE(satisfaction_answer, ''), is_flagged, count(*)
    FROM new_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ({KEY}) DO UPDATE SET responses = t.responses + EXCLUDED.responses;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO response_tallies AS t ({KEY}, responses)
    SELECT campaign_id, commune_id, form_id, form_version_id,
           COALESCE(satisfaction_answer, ''), is_flagged, -count(*)
    FROM old_rows GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ({KEY}) DO UPDATE SET responses = t.responses + EXCLUDED.responses;
  ELSE
    INSERT INTO response_tallies AS t ({KEY}, responses)
    SELECT campaign_id, commune_id, form_id, form_version_id, answer, is_flagged, sum(delta)
    FROM (
      SELECT campaign_id, commune_id, form_id, form_version_id,
             COALESCE(satisfaction_answer, '') AS answer, is_flagged, 1 AS delta
      FROM new_rows
      UNION ALL
      SELECT campaign_id, commune_id, form_id, form_version_id,
             COALESCE(satisfaction_answer, ''), is_flagged, -1
      FROM old_rows
    ) AS changes
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT ({KEY}) DO UPDATE SET responses = t.responses + EXCLUDED.responses;
  END IF;
  RETURN NULL;
END
$$
"""
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

# SQLite has row triggers only; it has one writer at a time, so they cannot race.
SQLITE_ADD = f"""
  INSERT INTO response_tallies ({KEY}, responses)
  VALUES (NEW.campaign_id, NEW.commune_id, NEW.form_id, NEW.form_version_id,
          COALESCE(NEW.satisfaction_answer, ''), NEW.is_flagged, 1)
  ON CONFLICT ({KEY}) DO UPDATE SET responses = responses + 1;
"""
SQLITE_REMOVE = """
  UPDATE response_tallies SET responses = responses - 1
  WHERE campaign_id = OLD.campaign_id AND commune_id = OLD.commune_id
    AND form_id = OLD.form_id AND form_version_id = OLD.form_version_id
    AND satisfaction_answer = COALESCE(OLD.satisfaction_answer, '')
    AND is_flagged = OLD.is_flagged;
"""
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER response_tallies_insert AFTER INSERT ON responses BEGIN {SQLITE_ADD} END",
    f"CREATE TRIGGER response_tallies_delete AFTER DELETE ON responses BEGIN {SQLITE_REMOVE} END",
    "CREATE TRIGGER response_tallies_update AFTER UPDATE OF campaign_id, commune_id, form_id, "
    "form_version_id, satisfaction_answer, is_flagged ON responses "
    "WHEN OLD.campaign_id IS NOT NEW.campaign_id OR OLD.commune_id IS NOT NEW.commune_id "
    "OR OLD.form_id IS NOT NEW.form_id OR OLD.form_version_id IS NOT NEW.form_version_id "
    "OR OLD.satisfaction_answer IS NOT NEW.satisfaction_answer "
    "OR OLD.is_flagged IS NOT NEW.is_flagged "
    f"BEGIN {SQLITE_REMOVE} {SQLITE_ADD} END",
]
TRIGGER_NAMES = ("response_tallies_insert", "response_tallies_update", "response_tallies_delete")


def upgrade():
    op.create_table('response_tallies',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('form_version_id', sa.Integer(), nullable=False),
    sa.Column('satisfaction_answer', sa.String(length=64), nullable=False),
    sa.Column('is_flagged', sa.Boolean(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_response_tallies_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_response_tallies_commune_id_communes')),
    sa.ForeignKeyConstraint(['form_id'], ['forms.id'], name=op.f('fk_response_tallies_form_id_forms')),
    sa.ForeignKeyConstraint(['form_version_id'], ['form_versions.id'], name=op.f('fk_response_tallies_form_version_id_form_versions')),
    sa.PrimaryKeyConstraint('campaign_id', 'commune_id', 'form_id', 'form_version_id', 'satisfaction_answer', 'is_flagged', name=op.f('pk_response_tallies'))
    )
    op.create_table('rulebook_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rulebook_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_rulebook_versions_province_id_provinces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rulebook_versions')),
    sa.UniqueConstraint('province_id', 'version', name=op.f('uq_rulebook_versions_province_id_version'), postgresql_nulls_not_distinct=True)
    )
    with op.batch_alter_table('rulebook_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rulebook_versions_province_id'), ['province_id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        statements = POSTGRES_TRIGGERS
    else:
        statements = SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)
    # Responses stored before the triggers existed.
    op.execute(
        f"INSERT INTO response_tallies ({KEY}, responses) "
        "SELECT campaign_id, commune_id, form_id, form_version_id, "
        "COALESCE(satisfaction_answer, ''), is_flagged, count(*) FROM responses "
        "GROUP BY campaign_id, commune_id, form_id, form_version_id, "
        "COALESCE(satisfaction_answer, ''), is_flagged"
    )


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGER_NAMES:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON responses" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS response_tallies_apply()")
    with op.batch_alter_table('rulebook_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rulebook_versions_province_id'))

    op.drop_table('rulebook_versions')
    op.drop_table('response_tallies')
