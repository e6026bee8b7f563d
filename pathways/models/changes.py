"""Change tokens that database triggers renew on every write to the tables caches are built from."""

from sqlmodel import Field, SQLModel


class TableChange(SQLModel, table=True):
    """The token of a watched table's last change, in one of a few slots per table.

    Triggers (see the migration that adds this table) give the slot a fresh random token
    whenever a statement inserts, updates or deletes rows (or truncates) the table, in the
    writing transaction. A worker's cache is keyed on the tokens it reads, so it sees every
    committed change, and its own transaction's, in one small query. Writers pick a slot by
    connection, so concurrent writes to one table rarely wait on the same row; random tokens
    (not counters) never come round again, even after a restore brings older ones back with
    the data they went with.
    """

    __tablename__ = "table_change"

    table_name: str = Field(primary_key=True, max_length=63)
    slot: int = Field(primary_key=True)
    token: str = Field(max_length=36)
