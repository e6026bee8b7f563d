"""The matching caches' keys: any write to a table a cache is built from changes its key.

The keys are read from change tokens that database triggers renew, so these tests run on each
database's own triggers, as migrated.
"""

import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from pathways.clock import today
from pathways.database import make_engine
from pathways.matchmaking import _catalogue_state, _pool_state
from pathways.models import (
    ConsentKind,
    ConsentRecord,
    LoginAttempt,
    Organisation,
    OrganisationKind,
    Pathway,
    PathwayKind,
    PathwaySkill,
    Resident,
    ResidentSkill,
    Site,
    Skill,
    Vacancy,
    VacancyStatus,
)

POOL_TABLES = {"resident", "consent_record", "resident_skill", "skill"}
CATALOGUE_TABLES = {"pathway", "pathway_skill", "vacancy", "site", "skill"}
# For each watched table, a column to change and the value to change it to.
UPDATES = {
    "resident": ("work_history", "Porter for a year"),
    "consent_record": ("note", "Confirmed by phone"),
    "resident_skill": ("skill_id", "other_skill"),
    "skill": ("synonyms", "lifting"),
    "pathway": ("title", "Renamed pathway"),
    "pathway_skill": ("importance", "desirable"),
    "vacancy": ("title", "Renamed vacancy"),
    "site": ("name", "Renamed site"),
}


class World:
    """Fresh rows of every watched table, none referenced by anything, to change one by one."""

    def __init__(self, db: Session):
        self.db = db
        self.organisation = self.add(
            Organisation(name=f"Org {uuid.uuid4().hex[:8]}", kind=OrganisationKind.NHS_TRUST)
        )
        self.other_skill = self.make("skill")
        self.skill = self.make("skill")
        self.resident = self.make("resident")
        self.pathway = self.make("pathway")
        self.site = self.make("site")
        self.rows = {
            "resident": self.make("resident"),
            "consent_record": self.make("consent_record"),
            "resident_skill": self.make("resident_skill"),
            "skill": self.make("skill"),
            "pathway": self.make("pathway"),
            "pathway_skill": self.make("pathway_skill"),
            "vacancy": self.make("vacancy"),
            "site": self.make("site"),
        }

    def add(self, row: SQLModel) -> SQLModel:
        self.db.add(row)
        self.db.flush()
        return row

    def make(self, table: str) -> SQLModel:
        """A new row of the table, valid and unreferenced."""
        unique = uuid.uuid4().hex[:8]
        new: dict[str, Callable[[], SQLModel]] = {
            "resident": lambda: Resident(organisation_id=self.organisation.id, first_name="Key"),
            "consent_record": lambda: ConsentRecord(
                resident_id=self.resident.id,
                kind=ConsentKind.SHARE_WITH_EMPLOYERS,
                granted=True,
                given_on=today(),
            ),
            "resident_skill": lambda: ResidentSkill(
                resident_id=self.make("resident").id, skill_id=self.skill.id
            ),
            "skill": lambda: Skill(label=f"key test {unique}"),
            "pathway": lambda: Pathway(
                slug=f"key-test-{unique}",
                title="Key test",
                kind=PathwayKind.ENTRY_ROLE,
                staff_group="Estates",
            ),
            "pathway_skill": lambda: PathwaySkill(
                pathway_id=self.make("pathway").id, skill_id=self.skill.id
            ),
            "vacancy": lambda: Vacancy(
                organisation_id=self.organisation.id,
                site_id=self.site.id,
                pathway_id=self.pathway.id,
                title="Porter",
                closing_date=today(),
                status=VacancyStatus.OPEN,
            ),
            "site": lambda: Site(
                organisation_id=self.organisation.id, name=f"Site {unique}", postcode="LS9 7TF"
            ),
        }
        return self.add(new[table]())

    def insert(self, table: str) -> None:
        self.make(table)

    def update(self, table: str) -> None:
        column, value = UPDATES[table]
        row = self.rows[table]
        setattr(row, column, self.other_skill.id if value == "other_skill" else value)
        self.add(row)

    def delete(self, table: str) -> None:
        self.db.delete(self.rows[table])
        self.db.flush()


def keys(db: Session) -> tuple[object, object]:
    return _pool_state(db), _catalogue_state(db)


@pytest.mark.parametrize("operation", ["insert", "update", "delete"])
@pytest.mark.parametrize("table", sorted(UPDATES))
def test_a_write_to_a_watched_table_changes_the_keys_built_from_it(db, table, operation):
    world = World(db)
    pool, catalogue = keys(db)
    getattr(world, operation)(table)
    new_pool, new_catalogue = keys(db)
    assert (new_pool != pool) == (table in POOL_TABLES)
    assert (new_catalogue != catalogue) == (table in CATALOGUE_TABLES)


def test_reads_and_writes_elsewhere_leave_the_keys_alone(db):
    world = World(db)
    before = keys(db)
    db.get(Resident, world.resident.id)
    db.add(LoginAttempt(email="someone@pathways.test", succeeded=False))
    db.flush()
    assert keys(db) == before


def test_a_statement_changing_no_rows_leaves_the_keys_alone(db):
    World(db)
    before = keys(db)
    db.execute(sa.update(Resident).where(Resident.id == -1).values(work_history="x"))
    db.execute(sa.delete(Skill).where(Skill.id == -1))
    assert keys(db) == before


def test_truncating_a_watched_table_changes_its_key(db):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    World(db)
    pool, catalogue = keys(db)
    db.execute(sa.text("TRUNCATE resident_skill"))
    new_pool, new_catalogue = keys(db)
    assert new_pool != pool and new_catalogue == catalogue


def test_another_connection_sees_a_change_once_it_is_committed(fresh_database_url):
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as reader, Session(engine) as writer:
            before = keys(reader)
            reader.commit()  # each request reads in a transaction of its own
            writer.add(Skill(label="seen once committed"))
            writer.flush()
            assert keys(reader) == before
            reader.commit()
            writer.rollback()
            assert keys(reader) == before
            reader.commit()
            writer.add(Skill(label="seen once committed"))
            writer.commit()
            assert keys(reader) != before
    finally:
        engine.dispose()
