"""Each test runs in a transaction that is rolled back, even when the code under test commits."""

import uuid

from sqlalchemy.orm import sessionmaker
from sqlmodel import Session, select

from pathways.models import Organisation, OrganisationKind


def test_committing_a_savepoint_first_thing_does_not_commit_the_outer_transaction(engine):
    name = f"Savepoint test {uuid.uuid4().hex[:8]}"
    with engine.connect() as connection:
        outer = connection.begin()
        factory = sessionmaker(
            bind=connection, class_=Session, join_transaction_mode="create_savepoint"
        )
        with factory() as session:
            session.add(Organisation(name=name, kind=OrganisationKind.COUNCIL))
            session.commit()
        outer.rollback()
    with Session(engine) as session:
        assert session.exec(select(Organisation).where(Organisation.name == name)).first() is None
