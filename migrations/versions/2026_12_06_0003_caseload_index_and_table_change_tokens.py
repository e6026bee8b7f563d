"""caseload index, and change tokens kept by triggers for the matching caches' keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 10:45:00

The caseload lists an organisation's residents by name, a page at a time, with a count: a
partial index on (organisation, name, id) over residents still on a caseload serves both.

The shortlist pool and the catalogue are cached per worker, keyed on the database. Instead of
hashing every row version of the tables they are built from on each request, triggers give a
table's row in ``table_change`` a fresh random token on every insert, update, delete (and, on
PostgreSQL, truncate), inside the writing transaction; the key is those few rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ON_CASELOAD = "erased_at IS NULL AND merged_into_id IS NULL"
# The tables the shortlist pool and the catalogue are built from (pathways.matchmaking).
WATCHED_TABLES = (
    "resident",
    "consent_record",
    "resident_skill",
    "skill",
    "pathway",
    "pathway_skill",
    "vacancy",
    "site",
)
EVENTS = {"INSERT": "NEW", "UPDATE": "NEW", "DELETE": "OLD"}


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "table_change",
        sa.Column("table_name", sa.String(length=63), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("table_name", "slot", name=op.f("pk_table_change")),
    )
    op.create_index(
        "ix_resident_caseload",
        "resident",
        ["organisation_id", "last_name", "first_name", "id"],
        unique=False,
        postgresql_where=sa.text(ON_CASELOAD),
        sqlite_where=sa.text(ON_CASELOAD),
    )
    if op.get_bind().dialect.name == "postgresql":
        create_postgresql_triggers()
    else:
        create_sqlite_triggers()


def create_postgresql_triggers() -> None:
    """Statement-level triggers: one new token per statement that changed rows, not per row.

    A writer renews one of 16 rows per table, chosen by its connection, so concurrent
    transactions writing the same table seldom wait for each other's row lock.
    """
    op.execute(
        """
        CREATE FUNCTION table_change_renew() RETURNS trigger AS $$
        BEGIN
            IF TG_OP <> 'TRUNCATE' THEN
                IF NOT EXISTS (SELECT FROM changed_rows) THEN
                    RETURN NULL;
                END IF;
            END IF;
            INSERT INTO table_change (table_name, slot, token)
            VALUES (TG_TABLE_NAME, pg_backend_pid() % 16, gen_random_uuid()::text)
            ON CONFLICT (table_name, slot) DO UPDATE SET token = EXCLUDED.token;
            RETURN NULL;
        END;
        $$ LANGUAGE plpgsql
        """
    )
    for table in WATCHED_TABLES:
        for event, rows in EVENTS.items():
            op.execute(
                f"CREATE TRIGGER table_change_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {rows} TABLE AS changed_rows "
                "FOR EACH STATEMENT EXECUTE FUNCTION table_change_renew()"
            )
        op.execute(
            f"CREATE TRIGGER table_change_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION table_change_renew()"
        )


def create_sqlite_triggers() -> None:
    """SQLite has only row-level triggers, and one slot: it allows one writer at a time anyway."""
    for table in WATCHED_TABLES:
        renew = (
            "INSERT INTO table_change (table_name, slot, token) "  # noqa: S608  (a constant name)
            f"VALUES ('{table}', 0, lower(hex(randomblob(16)))) "
            "ON CONFLICT (table_name, slot) DO UPDATE SET token = excluded.token"
        )
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER table_change_{table}_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {renew}; END"
            )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        for table in WATCHED_TABLES:
            for event in (*EVENTS, "TRUNCATE"):
                op.execute(f"DROP TRIGGER table_change_{event.lower()} ON {table}")
        op.execute("DROP FUNCTION table_change_renew()")
    else:
        for table in WATCHED_TABLES:
            for event in EVENTS:
                op.execute(f"DROP TRIGGER table_change_{table}_{event.lower()}")
    op.drop_index(
        "ix_resident_caseload",
        table_name="resident",
        postgresql_where=sa.text(ON_CASELOAD),
        sqlite_where=sa.text(ON_CASELOAD),
    )
    op.drop_table("table_change")
