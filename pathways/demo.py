"""Demo data for Leeds: the partnership's organisations, their sites and one user per role.

Running it again changes nothing: every record is found by its natural key before it is added.
Organisation names and site postcodes are real; the care provider and all people are invented.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from pathways.accounts import create_user
from pathways.catalogue import load_catalogue
from pathways.demo_cohorts import seed_demo_cohorts
from pathways.demo_residents import seed_demo_residents
from pathways.demo_vacancies import seed_demo_vacancies
from pathways.geography import resolve_postcode
from pathways.models import Organisation, OrganisationKind, Role, Site, User

# Shown on the sign-in help and in the README; only ever for demo data on a laptop.
DEMO_PASSWORD = "pathways-demo-2026"  # noqa: S105

LTHT = "Leeds Teaching Hospitals NHS Trust"
ORGANISATIONS: dict[str, tuple[OrganisationKind, str | None, list[tuple[str, str]]]] = {
    LTHT: (
        OrganisationKind.NHS_TRUST,
        "RR8",
        [
            ("St James's University Hospital", "LS9 7TF"),
            ("Leeds General Infirmary", "LS1 3EX"),
            ("Chapel Allerton Hospital", "LS7 4SA"),
            ("Seacroft Hospital", "LS14 6UH"),
            ("Wharfedale Hospital", "LS21 2LY"),
        ],
    ),
    "Leeds Community Healthcare NHS Trust": (
        OrganisationKind.NHS_TRUST,
        "RY6",
        [("White Rose Park", "LS11 0DL")],
    ),
    "Leeds and York Partnership NHS Foundation Trust": (
        OrganisationKind.NHS_TRUST,
        "RGD",
        [("St Mary's House", "LS7 3JX")],
    ),
    "Harehills Home Care (demo care provider)": (
        OrganisationKind.CARE_PROVIDER,
        None,
        [("Harehills office", "LS8 5BQ")],
    ),
    "Learning Partnerships": (OrganisationKind.EMPLOYABILITY_PROVIDER, None, []),
    "Leeds City Council": (OrganisationKind.COUNCIL, None, [("Civic Hall", "LS1 1UR")]),
}


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: Role
    organisation: str


DEMO_LOGINS = [
    DemoLogin("advisor@pathways.example", Role.ADVISOR, "Learning Partnerships"),
    DemoLogin("employer@pathways.example", Role.EMPLOYER, LTHT),
    DemoLogin("lead@pathways.example", Role.PROGRAMME_LEAD, "Leeds City Council"),
    DemoLogin("admin@pathways.example", Role.ADMIN, "Leeds City Council"),
]
DEMO_NAMES = {
    Role.ADVISOR: "Amira Khan",
    Role.EMPLOYER: "Dan Whitaker",
    Role.PROGRAMME_LEAD: "Grace Mensah",
    Role.ADMIN: "Sam Holroyd",
}


def seed_demo(*, session: Session) -> list[DemoLogin]:
    """Add the demo organisations, sites and users that are missing; return the demo logins."""
    organisations = {
        name: _organisation(session, name, spec) for name, spec in ORGANISATIONS.items()
    }
    for login in DEMO_LOGINS:
        if session.exec(select(User).where(User.email == login.email)).first() is None:
            create_user(
                session=session,
                email=login.email,
                full_name=DEMO_NAMES[login.role],
                role=login.role,
                organisation=organisations[login.organisation],
                password=DEMO_PASSWORD,
            )
    load_catalogue(session)
    seed_demo_vacancies(session=session)
    session.flush()
    seed_demo_residents(session=session, advisor=_demo_user(session, Role.ADVISOR))
    seed_demo_cohorts(
        session=session,
        advisor=_demo_user(session, Role.ADVISOR),
        employer=_demo_user(session, Role.EMPLOYER),
    )
    return DEMO_LOGINS


def _demo_user(session: Session, role: Role) -> User:
    email = next(login.email for login in DEMO_LOGINS if login.role == role)
    return session.exec(select(User).where(User.email == email)).one()


def _organisation(session: Session, name: str, spec) -> Organisation:
    kind, ods_code, sites = spec
    organisation = session.exec(select(Organisation).where(Organisation.name == name)).first()
    if organisation is None:
        organisation = Organisation(name=name, kind=kind, ods_code=ods_code)
        session.add(organisation)
        session.flush()
    for site_name, postcode in sites:
        exists = session.exec(
            select(Site).where(Site.organisation_id == organisation.id, Site.name == site_name)
        ).first()
        if exists is None:
            place = resolve_postcode(postcode)
            session.add(
                Site(
                    organisation_id=organisation.id,
                    name=site_name,
                    postcode=place.postcode,
                    latitude=place.latitude,
                    longitude=place.longitude,
                )
            )
    session.flush()
    return organisation
