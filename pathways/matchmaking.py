"""Matching residents to pathways and vacancies: database rows in, explained matches out.

The ``matching`` library knows nothing of the database; this module turns residents, pathways
and vacancies into its frozen types, runs it, and hands back matches with the rows they are for.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlmodel import Session, col, select

from matching import (
    Availability,
    Level,
    Match,
    Matcher,
    MatchTable,
    Opportunity,
    OpportunityKind,
    PeopleRead,
    Person,
    Requirements,
)
from matching import ShiftPattern as WorkPattern
from pathways.audit import record_audit
from pathways.catalogue import skill_labels_of as pathway_skill_labels
from pathways.errors import ValidationFailed
from pathways.geography import UnknownPostcode, resolve_postcode
from pathways.models import (
    Application,
    AuditAction,
    ConsentKind,
    ConsentRecord,
    Pathway,
    PathwayKind,
    PathwaySkill,
    Resident,
    ResidentSkill,
    ResidentStatus,
    ShiftPattern,
    Site,
    Skill,
    TableChange,
    User,
    Vacancy,
    VacancyStatus,
)
from pathways.permissions import has_current_consent, shares_with_employers
from pathways.residents import skill_labels_by_resident
from pathways.residents import skill_labels_of as resident_skill_labels
from pathways.vacancies import VacancyRow, close_expired_vacancies, open_vacancies

PATTERNS = {
    ShiftPattern.DAYS: WorkPattern.DAYS,
    ShiftPattern.EARLY_LATE: WorkPattern.SHIFTS,
    ShiftPattern.NIGHTS: WorkPattern.NIGHTS,
    ShiftPattern.ROTATING: WorkPattern.SHIFTS_WITH_NIGHTS,
    ShiftPattern.FLEXIBLE: WorkPattern.UNKNOWN,
}
KINDS = {
    PathwayKind.ENTRY_ROLE: OpportunityKind.ENTRY_ROLE,
    PathwayKind.APPRENTICESHIP: OpportunityKind.APPRENTICESHIP,
    PathwayKind.PRE_EMPLOYMENT: OpportunityKind.TRAINING,
}
# Below this many hours a week a vacancy suits someone who can only work part time.
PART_TIME_HOURS = 30
# The resident columns ``person_for`` reads: all a shortlist's pool needs from each row.
PERSON_COLUMNS = (
    "id",
    "postcode",
    "work_history",
    "informal_experience",
    "interests",
    "qualifications",
    "other_skills",
    "english_level",
    "maths_level",
    "highest_qualification_level",
    "has_driving_licence",
    "has_right_to_work",
    "date_of_birth",
    "no_nights",
    "part_time_only",
    "in_priority_area",
    "max_travel_km",
)


@dataclass(frozen=True)
class PathwayMatch:
    match: Match
    pathway: Pathway


@dataclass(frozen=True)
class VacancyMatch:
    match: Match
    vacancy: Vacancy
    pathway: Pathway
    site: Site


@dataclass(frozen=True)
class ResidentMatches:
    """A resident's ranked pathways and open vacancies, each with the reasons."""

    pathways: list[PathwayMatch]
    vacancies: list[VacancyMatch]


@dataclass(frozen=True)
class Candidate:
    """A consenting resident on a vacancy's shortlist."""

    match: Match
    resident: Resident
    already_referred: bool


def level(value: int) -> Level | None:
    """Our 0-8 level fields as the matcher's levels; 0 means not recorded, so no requirement."""
    return Level(value) if value > 0 else None


def person_for(resident: Resident | Row, skills: Sequence[str]) -> Person:
    """The matcher's view of a resident: their words, picked skills, levels and whereabouts.

    ``resident`` is a row or anything else with the columns in ``PERSON_COLUMNS``.
    """
    latitude = longitude = None
    if resident.postcode:
        try:
            place = resolve_postcode(resident.postcode)
            latitude, longitude = place.latitude, place.longitude
        except UnknownPostcode:
            pass  # a postcode retired since registration: match without distance
    profile = "\n".join(
        text
        for text in (
            resident.work_history,
            resident.informal_experience,
            resident.interests,
            resident.qualifications,
            resident.other_skills,
        )
        if text
    )
    return Person(
        id=str(resident.id),
        profile=profile,
        skills=tuple(skills),
        english_level=level(resident.english_level),
        maths_level=level(resident.maths_level),
        qualification_level=level(resident.highest_qualification_level),
        driving_licence=resident.has_driving_licence,
        right_to_work=resident.has_right_to_work,
        date_of_birth=resident.date_of_birth,
        availability=Availability(
            nights=False if resident.no_nights else None,
            part_time_only=True if resident.part_time_only else None,
        ),
        lat=latitude,
        lon=longitude,
        in_priority_area=resident.in_priority_area,
        max_travel_km=resident.max_travel_km,
    )


def requirements_for(pathway: Pathway, vacancy: Vacancy | None = None) -> Requirements:
    """The pathway's entry requirements, with the vacancy's own shifts and hours if given."""
    pattern = vacancy.shift_pattern if vacancy else pathway.shift_pattern
    hours = vacancy.hours_per_week if vacancy else None
    return Requirements(
        min_age=pathway.min_age,
        english_level=level(pathway.english_level),
        maths_level=level(pathway.maths_level),
        qualification_level=level(pathway.min_qualification_level),
        driving_licence=pathway.requires_driving_licence,
        shift_pattern=PATTERNS[pattern] if pattern else WorkPattern.UNKNOWN,
        part_time_available=None if hours is None else hours < PART_TIME_HOURS,
    )


def opportunity_for_pathway(pathway: Pathway, skills: Sequence[str]) -> Opportunity:
    return Opportunity(
        id=f"pathway:{pathway.id}",
        title=pathway.title,
        kind=KINDS[pathway.kind],
        description=pathway.description,
        skills=tuple(skills),
        requirements=requirements_for(pathway),
        level=str(pathway.apprenticeship_level or ""),
        standard=pathway.apprenticeship_standard_code or "",
    )


def opportunity_for_vacancy(row: VacancyRow, skills: Sequence[str]) -> Opportunity:
    vacancy, pathway = row.vacancy, row.pathway
    return Opportunity(
        id=f"vacancy:{vacancy.id}",
        title=vacancy.title,
        kind=OpportunityKind.VACANCY,
        description=f"{vacancy.description}\n{pathway.description}",
        skills=tuple(skills),
        requirements=requirements_for(pathway, vacancy),
        lat=row.site.latitude,
        lon=row.site.longitude,
        ring_fenced=vacancy.ring_fenced,
        level=str(pathway.apprenticeship_level or ""),
        standard=pathway.apprenticeship_standard_code or "",
    )


class Catalogue:
    """Every published pathway and open vacancy, fitted into one matcher for this request."""

    def __init__(self, *, session: Session, today: date):
        self.pathways = {
            p.id: p
            for p in session.exec(select(Pathway).where(Pathway.is_published).order_by(Pathway.id))
        }
        self.vacancies = {row.vacancy.id: row for row in open_vacancies(session=session, on=today)}
        pathways = {p.id: p for p in self.pathways.values()}
        pathways.update({row.pathway.id: row.pathway for row in self.vacancies.values()})
        skills = pathway_skill_labels(session=session, pathways=list(pathways.values()))
        opportunities = [
            opportunity_for_pathway(p, skills.get(p.id, ())) for p in self.pathways.values()
        ]
        opportunities += [
            opportunity_for_vacancy(row, skills.get(row.pathway.id, ()))
            for row in self.vacancies.values()
        ]
        self.matcher = Matcher(opportunities, today=today) if opportunities else None
        # A catalogue is shared by a worker's threads; one ranking at a time uses its matcher.
        self.lock = threading.Lock()
        # The pool last shortlisted from, as this matcher read it, and each vacancy's ranked
        # matches from that pool (an employer toggling names, or coming back, asks again).
        self.shortlisted: tuple[
            tuple[Person, ...], PeopleRead | None, dict[tuple[int, int], list[Match]]
        ] = ((), None, {})


# Fitting the matcher to every open vacancy takes seconds, so each worker keeps the last
# catalogue it built. Its key is read from the database on every request (the change tokens of
# the pathway, vacancy, site and skill tables a match uses), so any change makes the next
# request rebuild: workers and hosts never disagree, and nothing is shared between them.
_built: dict[tuple, Catalogue] = {}
_building = threading.Lock()


def current_catalogue(*, session: Session, today: date) -> Catalogue:
    """The catalogue for the database as it is now, rebuilt only when something changed."""
    close_expired_vacancies(session=session, on=today)
    key = (today, _catalogue_state(session))
    catalogue = _built.get(key)
    if catalogue is None:
        with _building:
            catalogue = _built.get(key)
            if catalogue is None:
                # A session of its own: the kept rows never expire with a request's rollback.
                with Session(bind=session.connection()) as own:
                    catalogue = Catalogue(session=own, today=today)
                _built.clear()
                _built[key] = catalogue
    return catalogue


def warm_caches(*, session: Session, today: date) -> None:
    """Build this worker's catalogue and shortlist pool now, so no request waits for them."""
    current_catalogue(session=session, today=today)
    current_pool(session=session)


def _catalogue_state(session: Session) -> object:
    """A value that changes whenever a row a catalogue is built from does."""
    return _table_state(
        session,
        (
            Pathway.__table__,
            Vacancy.__table__,
            Site.__table__,
            PathwaySkill.__table__,
            Skill.__table__,
        ),
    )


def matches_for_resident(
    *, session: Session, resident: Resident, today: date, top: int = 10
) -> ResidentMatches:
    """The resident's best pathways and open vacancies, eligible first, each explained."""
    catalogue = current_catalogue(session=session, today=today)
    pathways: list[PathwayMatch] = []
    vacancies: list[VacancyMatch] = []
    if catalogue.matcher is None:
        return ResidentMatches(pathways=[], vacancies=[])
    person = person_for(resident, resident_skill_labels(session=session, resident=resident))
    with catalogue.lock:
        # The whole catalogue is ranked, but only the rows shown are put into words.
        table = catalogue.matcher.rank_table([person], top=None)
        counts = {"pathway": len(catalogue.pathways), "vacancy": len(catalogue.vacancies)}
        ranked = table.matches(_best_of_each_kind(table, top, counts))
    for match in ranked:
        kind, _, key = match.opportunity_id.partition(":")
        if kind == "pathway" and len(pathways) < top:
            pathways.append(PathwayMatch(match, catalogue.pathways[int(key)]))
        elif kind == "vacancy" and len(vacancies) < top:
            row = catalogue.vacancies[int(key)]
            vacancies.append(VacancyMatch(match, row.vacancy, row.pathway, row.site))
    return ResidentMatches(
        pathways=_reranked(pathways),
        vacancies=_reranked(vacancies),
    )


def _best_of_each_kind(table: MatchTable, top: int, counts: dict[str, int]) -> list[int]:
    """The rows of the first ``top`` pathways and the first ``top`` vacancies, in rank order.

    ``counts`` says how many of each kind the catalogue has, so the walk down the ranking
    stops once every kind has all the rows it can have, not at the bottom.
    """
    wanted = {kind: min(top, count) for kind, count in counts.items()}
    rows: list[int] = []
    seen = dict.fromkeys(wanted, 0)
    for row in range(len(table)):
        if seen == wanted:
            break
        kind = table.opportunity_id(row).partition(":")[0]
        if seen.get(kind, 0) < top:
            seen[kind] = seen.get(kind, 0) + 1
            rows.append(row)
    return rows


def shortlist_for_vacancy(
    *,
    session: Session,
    vacancy: Vacancy,
    today: date,
    top: int = 20,
    candidates: Sequence[Resident] | None = None,
) -> list[Candidate]:
    """The best consenting residents for an open vacancy, with why they fit.

    Without ``candidates`` the whole shortlist pool is ranked, read through the worker's cache.
    """
    catalogue = current_catalogue(session=session, today=today)
    if catalogue.matcher is None or vacancy.id not in catalogue.vacancies:
        return []
    if candidates is None:
        shortlist = _pool_shortlist(session=session, catalogue=catalogue, vacancy=vacancy, top=top)
    else:
        skills = skill_labels_by_resident(session=session, resident_ids=[r.id for r in candidates])
        people = [person_for(r, skills.get(r.id, ())) for r in candidates]
        shortlist = _shortlist(catalogue, vacancy, people, top) if people else []
    chosen = [int(match.person_id) for match in shortlist]
    if candidates is None:
        # The pool conditions again: whoever withdrew consent since the key was read drops out.
        current = select(Resident).where(col(Resident.id).in_(chosen), *_pooled())
        residents = {r.id: r for r in session.exec(current)}
    else:
        residents = {r.id: r for r in candidates}
    referred = set(
        session.exec(
            select(Application.resident_id).where(Application.vacancy_id == vacancy.id)
        ).all()
    )
    return [
        Candidate(match, residents[person], person in referred)
        for match, person in zip(shortlist, chosen, strict=True)
        if person in residents
    ]


# Shortlists a catalogue keeps for its current pool: about 12 KiB each for 20, so ~3 MiB at most.
KEPT_SHORTLISTS = 256


def _pool_shortlist(
    *, session: Session, catalogue: Catalogue, vacancy: Vacancy, top: int
) -> list[Match]:
    """The vacancy's best matches in the whole pool, ranked once per catalogue and pool."""
    people = current_pool(session=session)
    kept_for, read, kept = catalogue.shortlisted
    if kept_for is not people:
        with catalogue.lock:
            read = catalogue.matcher.read_people(people) if people else None
        kept = {}
        catalogue.shortlisted = (people, read, kept)
    shortlist = kept.get((vacancy.id, top))
    if shortlist is None:
        shortlist = _shortlist(catalogue, vacancy, people, top, read) if people else []
        if len(kept) >= KEPT_SHORTLISTS:
            kept.clear()
        kept[vacancy.id, top] = shortlist
    return shortlist


def _shortlist(
    catalogue: Catalogue,
    vacancy: Vacancy,
    people: Sequence[Person],
    top: int,
    read: PeopleRead | None = None,
) -> list[Match]:
    """The best of these people for the vacancy, eligible ones only (``read``: read before)."""
    with catalogue.lock:
        return catalogue.matcher.shortlist(
            f"vacancy:{vacancy.id}", people, top=top, include_ineligible=False, read=read
        )


def shortlist_pool(*, session: Session) -> list[Resident]:
    """Every resident an employer's shortlist may draw on: active, and consenting to share now."""
    return list(session.exec(select(Resident).where(*_pooled()).order_by(Resident.id)))


def _pooled() -> tuple[sa.ColumnElement[bool], ...]:
    """Who is in the shortlist pool, as conditions on ``Resident``."""
    return shares_with_employers(), Resident.status == ResidentStatus.ACTIVE


# Reading the ~14,000 residents of a shortlist pool into the matcher's people takes seconds, so
# each worker keeps the last pool it read, keyed (like the catalogue) on the database itself.
_pools: dict[object, tuple[Person, ...]] = {}
_reading = threading.Lock()


def current_pool(*, session: Session) -> tuple[Person, ...]:
    """The shortlist pool as the matcher's people, in resident order, re-read on any change."""
    key = _pool_state(session)  # read before the rows: a change in between only forces a re-read
    people = _pools.get(key)
    if people is None:
        with _reading:
            people = _pools.get(key)
            if people is None:
                people = _pool_people(session)
                _pools.clear()
                _pools[key] = people
    return people


def _pool_people(session: Session) -> tuple[Person, ...]:
    """Every pooled resident as a ``Person``: two narrow queries, no ORM objects."""
    connection = session.connection()
    columns = [Resident.__table__.c[name] for name in PERSON_COLUMNS]
    rows = connection.execute(sa.select(*columns).where(*_pooled()).order_by(Resident.id)).all()
    pooled = {row.id for row in rows}
    # Every resident's skills at once: cheaper than filtering to the pool inside the database.
    skills: dict[int, list[str]] = {}
    labels: dict[str, str] = {}  # one string per label, not one per row: megabytes per worker
    for resident_id, label in connection.execute(
        sa.select(ResidentSkill.resident_id, Skill.label)
        .join(Skill, Skill.id == ResidentSkill.skill_id)
        .order_by(Skill.label)
    ):
        if resident_id in pooled:
            skills.setdefault(resident_id, []).append(labels.setdefault(label, label))
    return tuple(person_for(row, skills.get(row.id, ())) for row in rows)


def _pool_state(session: Session) -> object:
    """A value that changes whenever a resident, their skills, a consent record or a skill does."""
    return _table_state(
        session,
        (Resident.__table__, ConsentRecord.__table__, ResidentSkill.__table__, Skill.__table__),
    )


def _table_state(session: Session, tables: Sequence[sa.Table]) -> object:
    """A value that changes on any insert, update or delete in these tables, seen or not yet.

    Database triggers give a table's rows in ``table_change`` fresh random tokens whenever a
    statement changes it (see migration 0003), in the writing transaction, so this one small
    read sees every committed change and this transaction's own.
    """
    session.flush()  # the key must see this transaction's own pending changes
    names = sorted(table.name for table in tables)
    statement = (
        sa.select(TableChange.table_name, TableChange.slot, TableChange.token)
        .where(col(TableChange.table_name).in_(names))
        .order_by(TableChange.table_name, TableChange.slot)
    )
    return tuple(names), tuple(session.connection().execute(statement).all())


def refer(
    *,
    session: Session,
    resident: Resident,
    vacancy: Vacancy,
    user: User,
    today: date,
    referred_at: datetime | None = None,
) -> Application:
    """Put a consenting resident forward for an open vacancy, once.

    ``referred_at`` dates a referral made earlier (as demo history does); it defaults to now.
    """
    if referred_at is not None and referred_at.date() > today:
        raise ValidationFailed("A referral cannot be dated after today")
    if not has_current_consent(
        session=session, resident=resident, kind=ConsentKind.SHARE_WITH_EMPLOYERS
    ):
        raise ValidationFailed(
            "This resident has not agreed to share their details with employers, "
            "so they cannot be referred"
        )
    if vacancy.status != VacancyStatus.OPEN or vacancy.closing_date < today:
        raise ValidationFailed("This vacancy is not open for referrals")
    existing = session.exec(
        select(Application).where(
            Application.resident_id == resident.id, Application.vacancy_id == vacancy.id
        )
    ).first()
    if existing is not None:
        raise ValidationFailed("This resident has already been referred to this vacancy")
    application = Application(
        resident_id=resident.id, vacancy_id=vacancy.id, referred_by_id=user.id
    )
    if referred_at is not None:
        application.referred_at = referred_at
    session.add(application)
    session.flush()
    record_audit(
        session=session,
        user=user,
        action=AuditAction.CREATE,
        entity_type="application",
        entity_id=application.id,
        detail=f"Referred resident {resident.id} to vacancy {vacancy.id}",
    )
    return application


def _reranked(items: list) -> list:
    """Number each list from 1, since pathways and vacancies were ranked together."""
    return [
        replace(item, match=replace(item.match, rank=position))
        for position, item in enumerate(items, start=1)
    ]
