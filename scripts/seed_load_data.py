"""Fill a PostgreSQL database with load-test data: 20,000 residents and 2,000 open vacancies.

    .venv/bin/python scripts/seed_load_data.py --recreate
    .venv/bin/python scripts/seed_load_data.py --database-url postgresql://postgres@127.0.0.1/x

The database is (re)created and migrated, the demo data added (organisations, sites, the
catalogue, demo logins), then invented residents at real Leeds postcodes, their skills, consents
and notes, open vacancies at the demo employers' sites, referrals, and programmes with cohorts,
enrolments and milestones are added with bulk inserts. Load-test logins (``load-advisor-N@``,
``load-employer-N@``, ``load-lead-N@pathways.example``) use the demo password. Never run it
against a database whose data matters: ``--recreate`` drops it.
"""

import argparse
import csv
import gzip
import random
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pathways.accounts import hash_password  # noqa: E402
from pathways.clock import now_utc, today  # noqa: E402
from pathways.database import make_engine, migrate, normalise_database_url  # noqa: E402
from pathways.demo import DEMO_PASSWORD, LTHT, seed_demo  # noqa: E402
from pathways.geography import DATA_DIR, resolve_postcode  # noqa: E402
from pathways.models import (  # noqa: E402
    Application,
    Cohort,
    ConsentKind,
    ConsentRecord,
    Enrolment,
    EnrolmentStatus,
    MilestoneEvent,
    MilestoneKind,
    Organisation,
    OrganisationKind,
    PayPeriod,
    Programme,
    Resident,
    ResidentNote,
    ResidentSkill,
    Role,
    ShiftPattern,
    Site,
    Skill,
    User,
    Vacancy,
    VacancyStatus,
)
from pathways.residents import BARRIERS, DAYS, age_band_for  # noqa: E402
from pathways.vacancies import vacancy_pathways  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/pathways_load"
FIRST_NAMES = [
    "Aisha",
    "Tomasz",
    "Grace",
    "Mohammed",
    "Chloe",
    "Daniel",
    "Fatima",
    "Oliver",
    "Amira",
    "Jack",
    "Priya",
    "Kwame",
    "Sophie",
    "Bilal",
    "Emily",
    "Liam",
    "Zara",
    "Ryan",
    "Hannah",
    "Yusuf",
    "Megan",
    "Adam",
    "Chidi",
    "Ella",
    "Kacper",
    "Leah",
    "Omar",
    "Ruby",
]
LAST_NAMES = [
    "Begum",
    "Nowak",
    "Mensah",
    "Khan",
    "Smith",
    "Jones",
    "Hussain",
    "Brown",
    "Ahmed",
    "Taylor",
    "Wilson",
    "Patel",
    "Kowalski",
    "Okafor",
    "Walker",
    "Wright",
    "Ali",
    "Robinson",
    "Thompson",
    "Evans",
    "Iqbal",
    "Hughes",
    "Mahmood",
    "Green",
    "Wood",
]
WORK = (
    "Tills and customer service in a supermarket",
    "Cleaning offices on early shifts",
    "Caring for a parent at home for five years",
    "Warehouse picking and packing",
    "Volunteer at a food bank, sorting and handing out parcels",
    "Kitchen porter and food preparation",
    "Security and reception work",
    "",
)
BATCH = 2_000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--vacancies", type=int, default=2_000)
    parser.add_argument("--advisors", type=int, default=20)
    parser.add_argument("--employers", type=int, default=10)
    parser.add_argument("--leads", type=int, default=5)
    parser.add_argument("--recreate", action="store_true", help="drop and create the database")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    url = normalise_database_url(args.database_url)
    if not url.startswith("postgresql"):
        parser.error("the load test runs on PostgreSQL; give a postgresql:// URL")
    started = time.perf_counter()
    prepare_database(url, recreate=args.recreate)
    engine = make_engine(url)
    rng = random.Random(args.seed)  # noqa: S311 - invented test data, not secrets
    with Session(engine) as session:
        seed_demo(session=session)
        session.commit()
        users = add_load_users(session, args.advisors, args.employers, args.leads)
        resident_ids = add_residents(session, rng, args.residents, users[Role.ADVISOR])
        vacancy_ids = add_vacancies(session, rng, args.vacancies, users[Role.EMPLOYER][0])
        add_referrals(session, rng, resident_ids, vacancy_ids, users[Role.ADVISOR][0])
        add_programmes(session, rng, resident_ids, users[Role.ADVISOR][0])
        session.commit()
    # Planner statistics and the visibility map for the new rows, as autovacuum would keep them
    # (so counts can read indexes alone); outside a transaction, as VACUUM must be.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM ANALYZE"))
    engine.dispose()
    print(
        f"Seeded {args.residents} residents, {args.vacancies} vacancies in "
        f"{time.perf_counter() - started:.0f} s. Logins: load-advisor-1..{args.advisors}, "
        f"load-employer-1..{args.employers}, load-lead-1..{args.leads} @pathways.example, "
        f"password {DEMO_PASSWORD}"
    )
    return 0


def prepare_database(url: str, *, recreate: bool) -> None:
    """Create the database (dropping it first if asked), then migrate it to head."""
    name = sa.engine.make_url(url).database
    if not re.fullmatch(r"[A-Za-z0-9_]+", name or ""):
        raise SystemExit(f"unexpected database name {name!r}")
    admin = make_engine(
        str(sa.engine.make_url(url).set(database="postgres")), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        if recreate:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        exists = connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        ).first()
        if not exists:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    migrate(url)


def add_load_users(session: Session, advisors: int, employers: int, leads: int) -> dict:
    """Sign-in accounts for the simulated users, sharing one password hash (hashing is slow)."""
    password_hash = hash_password(DEMO_PASSWORD)
    organisations = {
        Role.ADVISOR: _organisation(session, "Learning Partnerships"),
        Role.EMPLOYER: _organisation(session, LTHT),
        Role.PROGRAMME_LEAD: _organisation(session, "Leeds City Council"),
    }
    users: dict[Role, list[User]] = {}
    for role, count in ((Role.ADVISOR, advisors), (Role.EMPLOYER, employers)):
        users[role] = _users(session, role, count, organisations[role], password_hash)
    users[Role.PROGRAMME_LEAD] = _users(
        session, Role.PROGRAMME_LEAD, leads, organisations[Role.PROGRAMME_LEAD], password_hash
    )
    session.commit()
    return users


def _users(session, role: Role, count: int, organisation, password_hash: str) -> list[User]:
    slug = {Role.ADVISOR: "advisor", Role.EMPLOYER: "employer", Role.PROGRAMME_LEAD: "lead"}[role]
    found = []
    for number in range(1, count + 1):
        email = f"load-{slug}-{number}@pathways.example"
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None:
            user = User(
                email=email,
                full_name=f"Load {slug.title()} {number}",
                role=role,
                organisation_id=organisation.id,
                password_hash=password_hash,
            )
            session.add(user)
            session.flush()
        found.append(user)
    return found


def _organisation(session: Session, name: str) -> Organisation:
    return session.exec(select(Organisation).where(Organisation.name == name)).one()


def leeds_places(rng: random.Random, count: int) -> list:
    """Resolved places for a sample of real Leeds postcodes that have deprivation data."""
    with gzip.open(DATA_DIR / "leeds_postcodes.csv.gz", "rt", encoding="utf-8", newline="") as fh:
        postcodes = [row["postcode"] for row in csv.DictReader(fh) if row["imd2025_imd_decile"]]
    return [resolve_postcode(postcode) for postcode in rng.sample(postcodes, count)]


def add_residents(session: Session, rng: random.Random, count: int, advisors: list[User]):
    """Residents with skills, consent to hold data (70% also to share), and some notes."""
    places = leeds_places(rng, 3_000)
    skill_ids = list(session.exec(select(Skill.id)))
    now, on = now_utc(), today()
    ids: list[int] = []
    for start in range(0, count, BATCH):
        rows = []
        for number in range(start, min(start + BATCH, count)):
            place = rng.choice(places)
            advisor = advisors[number % len(advisors)]
            born = on - timedelta(days=rng.randint(17 * 365, 63 * 365))
            rows.append(
                {
                    "organisation_id": advisor.organisation_id,
                    "advisor_id": advisor.id,
                    "created_by_id": advisor.id,
                    "external_ref": f"LOAD-{number + 1:06d}",
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "date_of_birth": born,
                    "age_band": age_band_for(born, on),
                    "postcode": place.postcode,
                    "lsoa21_code": place.lsoa21_code,
                    "ward_name": place.ward_name,
                    "imd_decile": place.imd_decile,
                    "priority_area": place.priority_area,
                    "in_priority_area": place.is_priority,
                    "work_history": rng.choice(WORK),
                    "english_level": rng.randint(1, 3),
                    "maths_level": rng.randint(1, 3),
                    "highest_qualification_level": rng.randint(0, 3),
                    "has_driving_licence": rng.random() < 0.4,
                    "has_right_to_work": rng.random() < 0.95,
                    "available_hours_per_week": rng.choice((16, 22, 30, 37)),
                    "available_days": rng.sample(DAYS, rng.randint(3, 7)),
                    "no_nights": rng.random() < 0.3,
                    "part_time_only": rng.random() < 0.2,
                    "max_travel_km": rng.choice((3.0, 5.0, 8.0, 15.0)),
                    "barriers": rng.sample(BARRIERS, rng.randint(0, 2)),
                    "created_at": now,
                    "updated_at": now,
                    "last_activity_at": now - timedelta(days=rng.randint(0, 400)),
                }
            )
        batch_ids = list(
            session.scalars(
                insert(Resident).returning(Resident.id, sort_by_parameter_order=True), rows
            )
        )
        ids += batch_ids
        _resident_extras(session, rng, batch_ids, skill_ids, advisors[0], on)
        session.commit()
    return ids


def _resident_extras(session, rng, resident_ids, skill_ids, advisor, on) -> None:
    skills, consents, notes = [], [], []
    for resident_id in resident_ids:
        skills += [
            {"resident_id": resident_id, "skill_id": skill_id}
            for skill_id in rng.sample(skill_ids, rng.randint(2, 6))
        ]
        given_on = on - timedelta(days=rng.randint(1, 300))
        kinds = [ConsentKind.HOLD_DATA] + (
            [ConsentKind.SHARE_WITH_EMPLOYERS] * (rng.random() < 0.7)
        )
        consents += [
            {
                "resident_id": resident_id,
                "kind": kind,
                "granted": True,
                "given_on": given_on,
                "recorded_by_id": advisor.id,
            }
            for kind in kinds
        ]
        if rng.random() < 0.4:
            notes.append(
                {
                    "resident_id": resident_id,
                    "author_id": advisor.id,
                    "body": "Met to talk through the jobs on offer.",
                    "next_action": "Call about the next course",
                    "due_on": on + timedelta(days=rng.randint(-10, 20)),
                }
            )
    session.execute(insert(ResidentSkill), skills)
    session.execute(insert(ConsentRecord), consents)
    if notes:
        session.execute(insert(ResidentNote), notes)


def add_vacancies(session: Session, rng: random.Random, count: int, employer: User) -> list[int]:
    """Open vacancies at the employers' sites, paid at the bottom of each pathway's range."""
    sites = list(
        session.exec(
            select(Site)
            .join(Organisation, Organisation.id == Site.organisation_id)
            .where(
                Organisation.kind.in_([OrganisationKind.NHS_TRUST, OrganisationKind.CARE_PROVIDER])
            )
        )
    )
    pathways = [p for p in vacancy_pathways(session=session) if p.pay_min]
    on, now = today(), now_utc()
    rows = []
    for _ in range(count):
        site, pathway = rng.choice(sites), rng.choice(pathways)
        rows.append(
            {
                "organisation_id": site.organisation_id,
                "site_id": site.id,
                "pathway_id": pathway.id,
                "title": pathway.title,
                "description": f"{pathway.title} at {site.name}.",
                "positions": rng.randint(1, 5),
                "pay_min": float(pathway.pay_min),
                "pay_max": float(pathway.pay_max or pathway.pay_min),
                "pay_period": PayPeriod.ANNUAL,
                "hours_per_week": pathway.hours_per_week or 37.5,
                "shift_pattern": rng.choice(list(ShiftPattern)),
                "closing_date": on + timedelta(days=rng.randint(14, 180)),
                "status": VacancyStatus.OPEN,
                "ring_fenced": rng.random() < 0.3,
                "guaranteed_interview": rng.random() < 0.3,
                "created_by_id": employer.id,
                "published_at": now,
            }
        )
    ids = list(
        session.scalars(insert(Vacancy).returning(Vacancy.id, sort_by_parameter_order=True), rows)
    )
    session.commit()
    return ids


def add_referrals(
    session, rng, resident_ids, vacancy_ids, advisor: User, count: int = 4_000
) -> None:
    """Residents referred to vacancies (distinct pairs), so shortlists show stages."""
    pairs = {(rng.choice(resident_ids), rng.choice(vacancy_ids)) for _ in range(count)}
    session.execute(
        insert(Application),
        [
            {"resident_id": resident, "vacancy_id": vacancy, "referred_by_id": advisor.id}
            for resident, vacancy in sorted(pairs)
        ],
    )
    session.commit()


def add_programmes(session, rng, resident_ids, advisor: User, programmes: int = 8) -> None:
    """Programmes with past cohorts, enrolments and their start, completion and job milestones."""
    on = today()
    pathways = vacancy_pathways(session=session)
    provider = advisor.organisation_id
    enrolments, milestones = [], []
    taken = iter(rng.sample(resident_ids, min(len(resident_ids), programmes * 4 * 25)))
    for number in range(programmes):
        programme = Programme(
            name=f"Load programme {number + 1}",
            provider_organisation_id=provider,
            pathway_id=rng.choice(pathways).id,
            duration_weeks=6,
        )
        session.add(programme)
        session.flush()
        for run in range(4):
            starts = on - timedelta(weeks=10 + 12 * run)
            cohort = Cohort(
                programme_id=programme.id,
                name=f"Cohort {run + 1}",
                starts_on=starts,
                ends_on=starts + timedelta(weeks=6),
                capacity=30,
            )
            session.add(cohort)
            session.flush()
            for resident_id in [next(taken) for _ in range(25)]:
                completed = rng.random() < 0.7
                enrolments.append(
                    {
                        "resident_id": resident_id,
                        "cohort_id": cohort.id,
                        "status": EnrolmentStatus.COMPLETED
                        if completed
                        else EnrolmentStatus.LEFT_EARLY,
                        "enrolled_on": starts - timedelta(days=7),
                        "completed_on": cohort.ends_on if completed else None,
                    }
                )
                end_kind = (
                    MilestoneKind.PROGRAMME_COMPLETED
                    if completed
                    else MilestoneKind.PROGRAMME_LEFT_EARLY
                )
                steps = [(MilestoneKind.PROGRAMME_STARTED, starts), (end_kind, cohort.ends_on)]
                if completed and rng.random() < 0.4:
                    steps.append((MilestoneKind.JOB_STARTED, cohort.ends_on + timedelta(days=21)))
                milestones.append((resident_id, steps))
    enrolment_ids = session.scalars(
        insert(Enrolment).returning(Enrolment.id, sort_by_parameter_order=True), enrolments
    )
    session.execute(
        insert(MilestoneEvent),
        [
            {
                "resident_id": resident_id,
                "enrolment_id": enrolment_id,
                "kind": kind,
                "occurred_on": occurred,
                "recorded_by_id": advisor.id,
            }
            for enrolment_id, (resident_id, steps) in zip(enrolment_ids, milestones, strict=True)
            for kind, occurred in steps
        ],
    )
    session.commit()


if __name__ == "__main__":
    raise SystemExit(main())
