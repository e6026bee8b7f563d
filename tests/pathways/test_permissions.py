"""The permission predicates: own organisation for advisors, consenting referrals for employers."""

from datetime import date

import pytest

from pathways.models import Application, ConsentKind, ConsentRecord, Resident, Role, Vacancy
from pathways.permissions import can_manage_resident, can_view_resident


@pytest.fixture
def resident(db, make_organisation):
    provider = make_organisation()
    resident = Resident(organisation_id=provider.id, first_name="Jo", last_name="Bloggs")
    db.add(resident)
    db.flush()
    return resident


def refer(db, resident, employer_site):
    vacancy = Vacancy(
        organisation_id=employer_site.organisation_id,
        site_id=employer_site.id,
        pathway_id=_pathway(db).id,
        title="Porter",
        closing_date=date(2030, 1, 1),
    )
    db.add(vacancy)
    db.flush()
    db.add(Application(resident_id=resident.id, vacancy_id=vacancy.id))
    db.flush()


def _pathway(db):
    from pathways.models import Pathway, PathwayKind

    pathway = Pathway(
        slug="porter-x", title="Porter", kind=PathwayKind.ENTRY_ROLE, staff_group="Estates"
    )
    db.add(pathway)
    db.flush()
    return pathway


def consent(db, resident, granted, on):
    db.add(
        ConsentRecord(
            resident_id=resident.id,
            kind=ConsentKind.SHARE_WITH_EMPLOYERS,
            granted=granted,
            given_on=on,
        )
    )
    db.flush()


def test_advisors_see_only_their_own_organisations_residents(db, resident, make_user):
    own = make_user(Role.ADVISOR, organisation_id=resident.organisation_id)
    other = make_user(Role.ADVISOR)
    assert can_view_resident(session=db, user=own, resident=resident)
    assert can_manage_resident(own, resident)
    assert not can_view_resident(session=db, user=other, resident=resident)


def test_employers_see_a_resident_only_once_referred_and_consenting(
    db, resident, make_user, make_site
):
    site = make_site()
    employer = make_user(Role.EMPLOYER, organisation_id=site.organisation_id)
    assert not can_view_resident(session=db, user=employer, resident=resident)
    refer(db, resident, site)
    assert not can_view_resident(session=db, user=employer, resident=resident)  # no consent yet
    consent(db, resident, True, date(2026, 1, 1))
    assert can_view_resident(session=db, user=employer, resident=resident)
    consent(db, resident, False, date(2026, 2, 1))  # withdrawn
    assert not can_view_resident(session=db, user=employer, resident=resident)


def test_other_employers_and_other_roles_never_see_residents(db, resident, make_user, make_site):
    refer(db, resident, make_site())
    consent(db, resident, True, date(2026, 1, 1))
    for user in (make_user(Role.EMPLOYER), make_user(Role.PROGRAMME_LEAD), make_user(Role.ADMIN)):
        assert not can_view_resident(session=db, user=user, resident=resident)
