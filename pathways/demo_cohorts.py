"""Demo programme history: the Lincoln Green 2019 pilot and the cohorts that followed it.

The six-week course run by Learning Partnerships with Leeds Teaching Hospitals (guaranteed
interview) has four cohorts:

- **Lincoln Green 2019** reproduces the pilot's headline figures as the README gives them: 49
  residents started the course and 29 started jobs at St James's University Hospital. The rest
  (52 registered, 44 completed, sustained work of 26/24/21 at 13/26/52 weeks, 6 who later moved
  into clinical support roles, every date and person) is invented but plausible.
- **Harehills 2023**: a smaller cohort with weaker outcomes (24 registered, 6 jobs).
- **Seacroft and Gipton**: dated relative to the day the demo is seeded, so some 13/26/52-week
  sustainment checks are due this week and some are overdue.
- **Burmantofts and Richmond Hill**: a cohort running now, with its attendance so far.

Every step goes through the domain functions (enrolment, the application state machine,
milestones), so the demo obeys the same rules as real records. People, names and dates are
invented; postcodes are real Lincoln Green, Harehills, Seacroft and Gipton postcodes. A random
generator with a fixed seed chooses the people, so every run produces the same demo. Running it
again adds nothing: a cohort that already exists is left alone.

Pay (annual, full time, NHS Agenda for Change England, Band 2 entry point) by pay year; each
vacancy advertises the figure for its year and job starts record the advertised pay:
- 2019/20: £17,652, the Band 2 entry point in year 2 of the NHS Staff Council's 2018 framework
  agreement (pay journey 2018-2021). Checked only against secondary sources: the published
  2020/21 table (promedical.co.uk, "Agenda for Change", 24 Aug 2020) gives the next year's entry
  point as £18,005, 2% above it. To be confirmed on NHS Employers' archived 2019/20 pay scales.
- 2023/24: £22,383, Band 2 after the May 2023 award (roadtonhs.com "NHS Pay Scale (Agenda for
  change 2023)", and a pay calculator page; the gov.uk page "National pay scales for eligible
  healthcare occupation codes", updated 4 April 2024, gives the matching Band 3 entry point
  £22,816). To be confirmed on nhsemployers.org.
- Any other year (the relative cohort's vacancies): the catalogue's sourced AfC 2025/26 figure
  (see data/catalogue/README.md), which lags any later award.
Progressions record the new band but no pay, since the figures for those years were not checked.
"""

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from pathways.clock import today
from pathways.matchmaking import refer
from pathways.models import (
    Application,
    ApplicationStage,
    CheckKind,
    CheckStatus,
    ClosingReason,
    Cohort,
    Enrolment,
    Evidence,
    MilestoneEvent,
    Organisation,
    Pathway,
    PayPeriod,
    Programme,
    ProgressionKind,
    Resident,
    ResidentStatus,
    ShiftPattern,
    Site,
    User,
    Vacancy,
    VacancyStatus,
)
from pathways.programmes import (
    EnrolmentAction,
    EnrolmentUpdate,
    create_cohort,
    create_programme,
    enrol,
    record_cohort_attendance,
    update_enrolments_in_bulk,
)
from pathways.progress import (
    close_application,
    make_offer,
    record_check,
    record_left_job,
    record_progression,
    record_registration,
    record_sustainment_check,
    schedule_interview,
    shortlist,
    start_checks,
    start_job,
)
from pathways.residents import ResidentDetails, register_resident, set_status

PROGRAMME = "Six-week employability course"
PROVIDER = "Learning Partnerships"
PARTNER = "Leeds Teaching Hospitals NHS Trust"
ST_JAMES = "St James's University Hospital"
CHAPEL_ALLERTON = "Chapel Allerton Hospital"
SEACROFT_HOSPITAL = "Seacroft Hospital"
# The course's own catalogue entry, and the entry roles it prepares people for.
COURSE_PATHWAY = "leeds-connecting-communities-health-care-careers"
TARGET_PATHWAYS = (
    "hospital-porter",
    "ward-housekeeper",
    "domestic-assistant",
    "catering-assistant",
    "healthcare-support-worker-band-2",
)
PORTER, HOUSEKEEPER, DOMESTIC = "hospital-porter", "ward-housekeeper", "domestic-assistant"
CATERING, HCSW_2 = "catering-assistant", "healthcare-support-worker-band-2"
HCSW_3, HCSW_APPRENTICESHIP = "healthcare-support-worker-band-3", "hcsw-apprenticeship-l2"
TITLES = {
    PORTER: "Hospital porter",
    HOUSEKEEPER: "Ward housekeeper",
    DOMESTIC: "Domestic assistant",
    CATERING: "Catering assistant",
    HCSW_2: "Healthcare support worker",
}
# AfC Band 2 entry point by pay year (from 1 April); see the module docstring for sources.
AFC_BAND_2 = {2019: 17652.0, 2023: 22383.0}
WEEKS = (13, 26, 52)

LINCOLN_GREEN_POSTCODES = (
    "LS9 7JA", "LS9 7JB", "LS9 7JD", "LS9 7JZ", "LS9 7LA", "LS9 7LP", "LS9 7LR", "LS9 7LS",
    "LS9 7LT", "LS9 7LW", "LS9 7LX", "LS9 7PA", "LS9 7PB", "LS9 7PD", "LS9 7PE", "LS9 7SG",
    "LS9 7SN", "LS9 7SP", "LS9 7SR", "LS9 7SS", "LS9 7ST", "LS9 7SU", "LS9 7SW", "LS9 7SZ",
    "LS9 7TA", "LS9 7HP", "LS9 7UA", "LS9 7UB", "LS9 7XG",
)  # fmt: skip
HAREHILLS_POSTCODES = (
    "LS8 4EJ", "LS8 4EL", "LS8 4HH", "LS8 4HN", "LS8 4JF", "LS8 4JG", "LS8 4LD", "LS8 4LE",
    "LS8 4TA", "LS8 5AA", "LS8 5PD", "LS8 2WA", "LS8 2YA", "LS8 1UL",
)  # fmt: skip
SEACROFT_GIPTON_POSTCODES = (
    "LS14 1AX", "LS14 1BA", "LS14 1BE", "LS14 1BH", "LS14 1DB", "LS14 1DF", "LS14 1EP",
    "LS14 1ET", "LS14 6AB", "LS9 6AB", "LS9 6AD", "LS9 6AE", "LS9 6BA", "LS9 6BD",
)  # fmt: skip
BURMANTOFTS_POSTCODES = (
    "LS9 7JA", "LS9 7SR", "LS9 7SU", "LS9 7TA", "LS9 7UA", "LS9 7UD", "LS9 7UF", "LS9 7XA",
    "LS9 7XE", "LS9 7XH", "LS8 5LE", "LS8 5NS",
)  # fmt: skip

# Invented names, grouped only so that names and the equality answers fit together.
NAMES = {
    "white": (
        ("Jade", "Kerry", "Chloe", "Lisa", "Amy", "Paula", "Gemma", "Karen", "Ewa", "Agnieszka"),
        ("Ryan", "Lee", "Craig", "Darren", "Kyle", "Jason", "Paul", "Shaun", "Marek", "Piotr"),
        ("Walker", "Wood", "Hall", "Thompson", "Robinson", "Wright", "Kelly", "Murphy",
         "Sykes", "Hirst", "Firth", "Nowak", "Kowalski", "Barker", "Lister", "Marsden"),
    ),
    "asian_or_asian_british": (
        ("Aisha", "Shazia", "Nasreen", "Sana", "Rukhsana", "Farzana", "Mariam", "Shabana"),
        ("Imran", "Asif", "Bilal", "Zubair", "Tariq", "Kamran", "Shahid", "Arif"),
        ("Hussain", "Khan", "Ali", "Begum", "Akhtar", "Mahmood", "Iqbal", "Rahman", "Bibi"),
    ),
    "black_black_british_caribbean_or_african": (
        ("Abena", "Chiamaka", "Hodan", "Marcia", "Yetunde", "Fadumo", "Simone", "Grace"),
        ("Kwame", "Emeka", "Abdirahman", "Dwayne", "Tunde", "Yusuf", "Delroy", "Samuel"),
        ("Okafor", "Mensah", "Campbell", "Adeyemi", "Osei", "Abdi", "Hassan", "Brown", "Mohamed"),
    ),
    "mixed_or_multiple": (
        ("Keisha", "Leah", "Mia", "Tia"),
        ("Jordan", "Reece", "Tyler", "Kai"),
        ("Williams", "Johnson", "Clarke", "Morgan"),
    ),
    "other_ethnic_group": (
        ("Leyla", "Rania", "Mahsa", "Daria"),
        ("Ahmad", "Omid", "Karim", "Mihai"),
        ("Rezaei", "Haddad", "Popescu", "Ahmadi"),
    ),
}  # fmt: skip
# Roughly the mix of east Leeds inner-city wards; a few residents prefer not to say.
ETHNICITY_WEIGHTS = {
    "white": 50,
    "asian_or_asian_british": 18,
    "black_black_british_caribbean_or_african": 20,
    "mixed_or_multiple": 6,
    "other_ethnic_group": 6,
}
SKILL_SETS = (
    ("cleaning", "teamwork"),
    ("customer service", "cash handling"),
    ("manual handling", "physical fitness"),
    ("portering", "manual handling"),
    ("cooking", "food hygiene"),
    ("personal care", "empathy"),
    ("laundry", "cleaning"),
    ("communication", "customer service"),
)
BARRIER_CHOICES = ((), (), (), ("childcare",), ("confidence",), ("transport",), ("health",))


@dataclass(frozen=True)
class Progression:
    """A step up after the job start, days after it."""

    after_days: int
    kind: ProgressionKind
    pathway: str
    pay_band: str
    note: str


@dataclass(frozen=True)
class Hire:
    """A job start, its sustainment answers (True/False, None for "not yet known") and after."""

    role: str
    site: str
    starts_on: date
    answers: dict[int, bool | None]
    left_after_days: int | None = None
    progressions: tuple[Progression, ...] = ()
    evidence: Evidence = Evidence.EMPLOYER_CONFIRMED
    # The recruitment round: each round has its own vacancy for each role and site.
    round: int = 0


@dataclass(frozen=True)
class CohortPlan:
    """Who registered, started, completed, applied and was hired, in funnel order."""

    name: str
    prefix: str
    venue: str
    capacity: int
    starts_on: date
    ends_on: date
    postcodes: tuple[str, ...]
    registered: int
    not_started: int
    left_early: int
    # Completers who did not apply (went to college, other work); the rest were referred.
    not_referred: int
    withdrew: int
    unsuccessful: int
    declined: int
    failed_checks: int
    hires: tuple[Hire, ...]
    seed: int
    # Sessions each week (0 = Monday) for a cohort in progress; None records no attendance.
    session_days: tuple[int, ...] | None = None


@dataclass
class Demo:
    """What every cohort needs: the session, the users acting, and lookups loaded once."""

    session: Session
    advisor: User
    employer: User
    programme: Programme
    sites: dict[str, Site]
    pathways: dict[str, Pathway]
    # Held here so the session's (weak) identity map keeps them: the domain functions look
    # residents up by id at every step, and a dropped one would be loaded again each time.
    residents: dict[int, Resident] = field(default_factory=dict)


def seed_demo_cohorts(*, session: Session, advisor: User, employer: User) -> int:
    """Add the programme and any of its demo cohorts that are missing; return how many cohorts."""
    pathways = {p.slug: p for p in session.exec(select(Pathway))}
    programme = session.exec(
        select(Programme).where(
            Programme.name == PROGRAMME,
            Programme.provider_organisation_id == advisor.organisation_id,
        )
    ).first() or _create_programme(session, advisor, pathways)
    existing = set(session.exec(select(Cohort.name).where(Cohort.programme_id == programme.id)))
    demo = Demo(
        session=session,
        advisor=advisor,
        employer=employer,
        programme=programme,
        sites={s.name: s for s in session.exec(select(Site))},
        pathways=pathways,
    )
    added = 0
    for plan in cohort_plans(today()):
        if plan.name not in existing:
            _seed_cohort(demo, plan)
            added += 1
    return added


def cohort_plans(on: date) -> list[CohortPlan]:
    """The four demo cohorts; the last two are dated relative to ``on``."""
    return [_lincoln_green_2019(), _harehills_2023(), _seacroft_and_gipton(on), _current(on)]


def _create_programme(session: Session, advisor: User, pathways: dict[str, Pathway]) -> Programme:
    partner = session.exec(select(Organisation).where(Organisation.name == PARTNER)).one()
    return create_programme(
        session=session,
        name=PROGRAMME,
        by=advisor,
        description=(
            "Six weeks of workshops, a hospital visit and interview practice, with a guaranteed "
            "interview for entry roles at Leeds Teaching Hospitals for everyone who completes."
        ),
        pathway_id=pathways[COURSE_PATHWAY].id,
        target_pathway_ids=[pathways[slug].id for slug in TARGET_PATHWAYS],
        partner_employer_id=partner.id,
        duration_weeks=6,
        guaranteed_interview=True,
    )


# The cohorts.


def _lincoln_green_2019() -> CohortPlan:
    """The pilot: 52 registered, 49 started, 44 completed, 29 started jobs at St James's."""
    rng = random.Random(2019)  # noqa: S311 - repeatable demo data, not security
    roles = [PORTER] * 12 + [HOUSEKEEPER] * 10 + [DOMESTIC] * 7
    rng.shuffle(roles)
    waves = (date(2019, 9, 9), date(2019, 9, 16), date(2019, 9, 23))
    # In work at 13/26/52 weeks: 26, 24, 21. Those who left did so before the check they fail.
    retention = (
        [({13: True, 26: True, 52: True}, None)] * 21
        + [({13: True, 26: True, 52: False}, 40 * 7)] * 3
        + [({13: True, 26: False, 52: False}, 20 * 7)] * 2
        + [({13: False, 26: False, 52: False}, 8 * 7)] * 3
    )
    stayers_in_ward_roles = [index for index in range(21) if roles[index] in (PORTER, HOUSEKEEPER)]
    progressions = dict(zip(stayers_in_ward_roles, _pilot_progressions(), strict=False))
    hires = tuple(
        Hire(
            role=role,
            site=ST_JAMES,
            starts_on=waves[index % 3],
            answers=answers,
            left_after_days=left,
            progressions=progressions.get(index, ()),
            evidence=Evidence.SELF_REPORTED if index % 7 == 3 else Evidence.EMPLOYER_CONFIRMED,
        )
        for index, (role, (answers, left)) in enumerate(zip(roles, retention, strict=True))
    )
    return CohortPlan(
        name="Lincoln Green 2019",
        prefix="LG19",
        venue="Lincoln Green community centre",
        capacity=60,
        starts_on=date(2019, 6, 3),
        ends_on=date(2019, 7, 12),
        postcodes=LINCOLN_GREEN_POSTCODES,
        registered=52,
        not_started=3,
        left_early=5,
        not_referred=0,
        withdrew=3,
        unsuccessful=8,
        declined=1,
        failed_checks=3,
        hires=hires,
        seed=2019,
    )


def _pilot_progressions() -> list[tuple[Progression, ...]]:
    """Six porters and housekeepers who moved into clinical support roles."""
    hcsw = Progression(
        60 * 7, ProgressionKind.NEW_ROLE, HCSW_2, "Band 2", "Healthcare support worker, wards"
    )
    apprenticeship = Progression(
        70 * 7,
        ProgressionKind.APPRENTICESHIP_STARTED,
        HCSW_APPRENTICESHIP,
        "Band 2",
        "Healthcare support worker apprenticeship (ST0216, Level 2)",
    )
    completed = Progression(
        70 * 7 + 400,
        ProgressionKind.APPRENTICESHIP_COMPLETED,
        HCSW_APPRENTICESHIP,
        "Band 2",
        "Completed the Level 2 apprenticeship",
    )
    band_3 = Progression(
        70 * 7 + 430,
        ProgressionKind.BAND_CHANGE,
        HCSW_3,
        "Band 3",
        "Senior healthcare support worker",
    )
    return [
        (hcsw,),
        (apprenticeship, completed, band_3),
        (hcsw,),
        (apprenticeship,),
        (hcsw, replace(band_3, after_days=110 * 7)),
        (hcsw,),
    ]


def _harehills_2023() -> CohortPlan:
    """A weaker year: 24 registered, 21 started, 15 completed, 6 jobs across three sites."""
    january = date(2024, 1, 8)
    later = january + timedelta(days=7)
    in_work = {13: True, 26: True, 52: True}
    return CohortPlan(
        name="Harehills 2023",
        prefix="HH23",
        venue="Harehills community hub",
        capacity=24,
        starts_on=date(2023, 9, 11),
        ends_on=date(2023, 10, 20),
        postcodes=HAREHILLS_POSTCODES,
        registered=24,
        not_started=3,
        left_early=6,
        not_referred=1,
        withdrew=2,
        unsuccessful=4,
        declined=1,
        failed_checks=1,
        hires=(
            Hire(HCSW_2, ST_JAMES, january, in_work),
            Hire(HCSW_2, CHAPEL_ALLERTON, january, {13: True, 26: True, 52: False}, 40 * 7),
            Hire(DOMESTIC, SEACROFT_HOSPITAL, january, in_work, evidence=Evidence.SELF_REPORTED),
            Hire(
                PORTER,
                ST_JAMES,
                later,
                in_work,
                progressions=(
                    Progression(
                        300,
                        ProgressionKind.APPRENTICESHIP_STARTED,
                        HCSW_APPRENTICESHIP,
                        "Band 2",
                        "Healthcare support worker apprenticeship (ST0216, Level 2)",
                    ),
                ),
            ),
            Hire(HOUSEKEEPER, ST_JAMES, later, in_work),
            Hire(DOMESTIC, ST_JAMES, later, {13: False, 26: False, 52: False}, 9 * 7),
        ),
        seed=2023,
    )


def _seacroft_and_gipton(on: date) -> CohortPlan:
    """A cohort from about fifteen months ago whose hires started in three rounds, dated so
    that on ``on`` four sustainment checks are due this week and three are overdue."""
    starts_on = _monday(on - timedelta(weeks=66))
    year = 52 * 7
    half, quarter = 26 * 7, 13 * 7
    known = {13: True, 26: True}
    return CohortPlan(
        name="Seacroft and Gipton",
        prefix="SG",
        venue="Seacroft community hub",
        capacity=20,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=39),
        postcodes=SEACROFT_GIPTON_POSTCODES,
        registered=20,
        not_started=2,
        left_early=4,
        not_referred=0,
        withdrew=1,
        unsuccessful=3,
        declined=1,
        failed_checks=1,
        hires=(
            # First round: 52-week check due today, three days ago, overdue; one who left.
            Hire(PORTER, ST_JAMES, on - timedelta(days=year), known),
            Hire(DOMESTIC, SEACROFT_HOSPITAL, on - timedelta(days=year + 3), known),
            Hire(HOUSEKEEPER, ST_JAMES, on - timedelta(days=year + 20), known),
            Hire(
                DOMESTIC,
                SEACROFT_HOSPITAL,
                on - timedelta(days=year + 20),
                {13: True, 26: False},
                20 * 7,
            ),
            # Second round: 26-week check due today, and overdue.
            Hire(HCSW_2, ST_JAMES, on - timedelta(days=half), {13: True}, round=1),
            Hire(PORTER, ST_JAMES, on - timedelta(days=half + 18), {13: True}, round=1),
            # Third round: 13-week check due today, and overdue with only "not yet known".
            Hire(HOUSEKEEPER, SEACROFT_HOSPITAL, on - timedelta(days=quarter), {}, round=2),
            Hire(
                CATERING,
                ST_JAMES,
                on - timedelta(days=quarter + 16),
                {13: None},
                evidence=Evidence.SELF_REPORTED,
                round=2,
            ),
        ),
        seed=2025,
    )


def _current(on: date) -> CohortPlan:
    """The cohort running now: it began on a Monday two or three weeks ago."""
    starts_on = _monday(on) - timedelta(weeks=2)
    return CohortPlan(
        name="Burmantofts and Richmond Hill",
        prefix="BRH",
        venue="Lincoln Green community centre",
        capacity=16,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=39),
        postcodes=BURMANTOFTS_POSTCODES,
        registered=14,
        not_started=0,
        left_early=0,
        not_referred=0,
        withdrew=0,
        unsuccessful=0,
        declined=0,
        failed_checks=0,
        hires=(),
        seed=2026,
        session_days=(0, 1, 3),
    )


def _monday(on: date) -> date:
    return on - timedelta(days=on.weekday())


# Seeding one cohort.

# The first this many people of a cohort in progress never come; the next one leaves early.
CURRENT_NO_SHOWS = 2
CLOSING_REASONS = {
    "withdrew": (ClosingReason.FOUND_OTHER_WORK, ClosingReason.CARING, ClosingReason.NO_CONTACT),
    "unsuccessful": (ClosingReason.UNSUCCESSFUL_AT_INTERVIEW,),
    "declined": (ClosingReason.OFFER_DECLINED,),
    "failed_checks": (ClosingReason.FAILED_CHECKS,),
}
# Days before the job start each step of recruitment happened.
REFERRED, INTERVIEWED, OFFERED = 60, 46, 44
CHECKS_CLEARED = {
    CheckKind.RIGHT_TO_WORK: 35,
    CheckKind.REFERENCES: 30,
    CheckKind.OCCUPATIONAL_HEALTH: 24,
    CheckKind.DBS: 14,
}
SHIFTS = {
    PORTER: ShiftPattern.ROTATING,
    HCSW_2: ShiftPattern.ROTATING,
}


@dataclass(frozen=True)
class Applicant:
    """A completer put forward for a vacancy, the job start their round aimed at, and the
    outcome: one of the CLOSING_REASONS keys, or "hired"."""

    enrolment: Enrolment
    role: str
    site: str
    round: int
    starts_on: date
    outcome: str
    hire: Hire | None = None


def _seed_cohort(demo: Demo, plan: CohortPlan) -> None:
    session, advisor = demo.session, demo.advisor
    rng = random.Random(plan.seed)  # noqa: S311 - repeatable demo data, not security
    cohort = create_cohort(
        session=session,
        programme=demo.programme,
        name=plan.name,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        by=advisor,
        venue=plan.venue,
        capacity=plan.capacity,
    )
    enrolments = [
        enrol(session=session, cohort=cohort, resident=resident, on=registered_on, by=advisor)
        for resident, registered_on in (
            _register(demo, plan, rng, index) for index in range(plan.registered)
        )
    ]
    if plan.session_days is not None:
        _record_attendance(demo, cohort, plan, enrolments, rng)
        return
    funnel = iter(enrolments)
    no_shows = [next(funnel) for _ in range(plan.not_started)]
    leavers = [next(funnel) for _ in range(plan.left_early)]
    completers = list(funnel)
    starters = leavers + completers

    def bulk(action: EnrolmentAction, chosen: Sequence[Enrolment], on: Callable, note=""):
        if chosen:
            rows = [EnrolmentUpdate(e.id, on(e), note) for e in chosen]
            update_enrolments_in_bulk(
                session=session, cohort=cohort, action=action, rows=rows, by=advisor
            )

    first_days = {
        e.id: plan.starts_on + timedelta(days=rng.choice((0, 0, 0, 1, 2))) for e in starters
    }
    bulk(
        EnrolmentAction.LEAVE_EARLY,
        no_shows,
        lambda e: plan.starts_on + timedelta(days=2),
        "Did not start the course",
    )
    bulk(EnrolmentAction.START, starters, lambda e: first_days[e.id])
    bulk(
        EnrolmentAction.LEAVE_EARLY,
        leavers,
        lambda e: first_days[e.id] + timedelta(days=rng.randint(5, 30)),
        "Left the course early",
    )
    bulk(EnrolmentAction.COMPLETE, completers, lambda e: plan.ends_on)
    _recruit(demo, _applicants(plan, completers[plan.not_referred :]), rng)


def _register(demo: Demo, plan: CohortPlan, rng: random.Random, index: int):
    """A new resident, registered a week to four before the course, sharing with employers."""
    registered_on = plan.starts_on - timedelta(days=rng.randint(3 if plan.session_days else 7, 28))
    details = _details(plan, rng, index)
    resident = register_resident(
        session=demo.session,
        advisor=demo.advisor,
        details=details,
        skill_labels=list(rng.choice(SKILL_SETS)),
        consent_to_hold_data=True,
        share_with_employers=True,
        consent_given_on=registered_on,
    )
    record_registration(session=demo.session, resident=resident, on=registered_on, by=demo.advisor)
    demo.residents[resident.id] = resident
    return resident, registered_on


def _details(plan: CohortPlan, rng: random.Random, index: int) -> ResidentDetails:
    """Invented personal details with every equality question answered."""
    groups = list(ETHNICITY_WEIGHTS)
    group = rng.choices(groups, weights=list(ETHNICITY_WEIGHTS.values()))[0]
    sex = rng.choices(("female", "male", "prefer_not_to_say"), weights=(52, 45, 3))[0]
    women, men, surnames = NAMES[group]
    first = rng.choice(women if sex == "female" else men if sex == "male" else women + men)
    age_days = rng.randint(18 * 365, 58 * 365)
    return ResidentDetails(
        external_ref=f"{plan.prefix}-{index + 1:02d}",
        first_name=first,
        last_name=rng.choice(surnames),
        date_of_birth=plan.starts_on - timedelta(days=age_days),
        postcode=rng.choice(plan.postcodes),
        barriers=list(rng.choice(BARRIER_CHOICES)),
        has_right_to_work=True,
        english_level=rng.choice((1, 2, 3, 3)),
        maths_level=rng.choice((1, 1, 2, 2, 3)),
        sex=sex,
        ethnicity="prefer_not_to_say" if rng.random() < 0.04 else group,
        disability=rng.choices(("no", "yes", "prefer_not_to_say"), weights=(83, 12, 5))[0],
    )


def _applicants(plan: CohortPlan, referred: list[Enrolment]) -> list[Applicant]:
    """Assign outcomes in funnel order; those not hired applied in the first round."""
    outcomes = [
        *(["withdrew"] * plan.withdrew),
        *(["unsuccessful"] * plan.unsuccessful),
        *(["declined"] * plan.declined),
        *(["failed_checks"] * plan.failed_checks),
    ]
    if len(referred) != len(outcomes) + len(plan.hires):
        raise ValueError(f"{plan.name}: the funnel does not add up")
    first_round = [hire for hire in plan.hires if hire.round == 0]
    starts_on = min(hire.starts_on for hire in first_round)
    applicants = []
    for index, (enrolment, outcome) in enumerate(zip(referred, outcomes, strict=False)):
        like = first_round[index % len(first_round)]
        applicants.append(Applicant(enrolment, like.role, like.site, 0, starts_on, outcome))
    for enrolment, hire in zip(referred[len(outcomes) :], plan.hires, strict=True):
        applicants.append(
            Applicant(enrolment, hire.role, hire.site, hire.round, hire.starts_on, "hired", hire)
        )
    return applicants


def _recruit(demo: Demo, applicants: list[Applicant], rng: random.Random) -> None:
    """A vacancy for each role, site and round, closed since, then each application's journey."""
    rounds: dict[tuple[str, str, int], list[Applicant]] = {}
    for applicant in applicants:
        rounds.setdefault((applicant.role, applicant.site, applicant.round), []).append(applicant)
    vacancies = {key: _vacancy(demo, key[0], key[1], group) for key, group in rounds.items()}
    demo.session.add_all(vacancies.values())
    demo.session.flush()
    for position, applicant in enumerate(applicants):
        vacancy = vacancies[(applicant.role, applicant.site, applicant.round)]
        _apply(demo, applicant, vacancy, position, rng)
    for vacancy in vacancies.values():
        # Closed on its closing date, which is history, so not by close_vacancy (that is now).
        vacancy.status = VacancyStatus.CLOSED
        vacancy.closed_at = datetime.combine(vacancy.closing_date, time(17), UTC)
    demo.session.add_all(vacancies.values())
    demo.session.flush()


def _vacancy(demo: Demo, role: str, site_name: str, applicants: list[Applicant]) -> Vacancy:
    """Open from two weeks before the first referral until the day after the last."""
    site, pathway = demo.sites[site_name], demo.pathways[role]
    referrals = [applicant.starts_on - timedelta(days=REFERRED) for applicant in applicants]
    month = min(referrals)
    pay = _band_2_pay(month, pathway)
    return Vacancy(
        organisation_id=site.organisation_id,
        site_id=site.id,
        pathway_id=pathway.id,
        title=f"{TITLES[role]}, guaranteed interview scheme ({month:%B %Y})",
        description="Ring-fenced for residents who complete the six-week employability course.",
        positions=max(sum(applicant.outcome == "hired" for applicant in applicants), 1),
        pay_min=pay,
        pay_max=pay,
        pay_period=PayPeriod.ANNUAL,
        hours_per_week=37.5,
        shift_pattern=SHIFTS.get(role, ShiftPattern.EARLY_LATE),
        closing_date=max(referrals) + timedelta(days=1),
        status=VacancyStatus.OPEN,
        ring_fenced=True,
        guaranteed_interview=True,
        created_by_id=demo.employer.id,
        published_at=datetime.combine(month - timedelta(days=14), time(9), UTC),
    )


def _band_2_pay(on: date, pathway: Pathway) -> float:
    """AfC Band 2 for the pay year (from 1 April) of ``on``, else the catalogue's figure."""
    pay_year = on.year if on.month >= 4 else on.year - 1
    return AFC_BAND_2.get(pay_year, pathway.pay_min)


def _apply(demo: Demo, applicant: Applicant, vacancy: Vacancy, position: int, rng):
    """Refer, shortlist and move one application as far as its outcome says."""
    session, advisor, employer = demo.session, demo.advisor, demo.employer
    starts_on = applicant.starts_on
    referred_on = starts_on - timedelta(days=REFERRED)
    resident = demo.residents[applicant.enrolment.resident_id]
    application = refer(
        session=session,
        resident=resident,
        vacancy=vacancy,
        user=advisor,
        today=referred_on,
        referred_at=datetime.combine(referred_on, time(10), UTC),
    )
    shortlist(session=session, application=application, expected_version=1, by=employer)
    if applicant.outcome == "withdrew":
        _close(demo, application, applicant, position, advisor)
        return
    interview_at = datetime.combine(
        starts_on - timedelta(days=INTERVIEWED), time(9 + position % 7, 30 * (position % 2)), UTC
    )
    schedule_interview(
        session=session,
        application=application,
        interview_at=interview_at,
        expected_version=application.version,
        by=employer,
    )
    if applicant.outcome == "unsuccessful":
        _close(demo, application, applicant, position, employer)
        return
    offered_on = starts_on - timedelta(days=OFFERED)
    make_offer(
        session=session,
        application=application,
        on=offered_on,
        expected_version=application.version,
        by=employer,
    )
    if applicant.outcome == "declined":
        _close(demo, application, applicant, position, advisor)
        return
    start_checks(
        session=session, application=application, expected_version=application.version, by=employer
    )
    for kind, days_before in CHECKS_CLEARED.items():
        failed = applicant.outcome == "failed_checks" and kind == CheckKind.DBS
        record_check(
            session=session,
            application=application,
            kind=kind,
            status=CheckStatus.FAILED if failed else CheckStatus.CLEARED,
            on=starts_on - timedelta(days=days_before),
            expected_version=application.version,
            by=employer,
        )
    if applicant.outcome == "failed_checks":
        _close(demo, application, applicant, position, employer)
        return
    job_start = start_job(
        session=session,
        application=application,
        on=starts_on,
        expected_version=application.version,
        by=employer,
        pay_band="Band 2",
        annual_pay=vacancy.pay_min,
    )
    _after_the_start(demo, applicant.hire, job_start, resident, rng)


def _close(demo: Demo, application: Application, applicant: Applicant, position: int, by: User):
    reasons = CLOSING_REASONS[applicant.outcome]
    close_application(
        session=demo.session,
        application=application,
        outcome=ApplicationStage.UNSUCCESSFUL
        if by.id == demo.employer.id
        else ApplicationStage.WITHDRAWN,
        reason=reasons[position % len(reasons)],
        expected_version=application.version,
        by=by,
    )


def _after_the_start(
    demo: Demo, hire: Hire, job_start: MilestoneEvent, resident: Resident, rng: random.Random
) -> None:
    """Sustainment answers, leaving and progression, each on a date no later than today."""
    session, advisor, latest = demo.session, demo.advisor, today()
    starts_on = job_start.occurred_on
    if hire.left_after_days is not None:
        record_left_job(
            session=session,
            job_start=job_start,
            on=starts_on + timedelta(days=hire.left_after_days),
            by=advisor,
            note="Told their advisor they had left",
        )
    for weeks, in_work in hire.answers.items():
        answered_on = min(starts_on + timedelta(weeks=weeks, days=rng.randint(0, 9)), latest)
        evidence = hire.evidence if in_work else Evidence.SELF_REPORTED
        record_sustainment_check(
            session=session,
            job_start=job_start,
            weeks=weeks,
            in_work=in_work,
            on=answered_on,
            evidence=evidence,
            by=advisor,
        )
        if in_work and evidence == Evidence.SELF_REPORTED and weeks == WEEKS[0]:
            # The employer later confirms what the resident said, superseding the self-report.
            record_sustainment_check(
                session=session,
                job_start=job_start,
                weeks=weeks,
                in_work=True,
                on=min(answered_on + timedelta(days=5), latest),
                evidence=Evidence.EMPLOYER_CONFIRMED,
                by=advisor,
            )
    for step in hire.progressions:
        record_progression(
            session=session,
            job_start=job_start,
            kind=step.kind,
            on=starts_on + timedelta(days=step.after_days),
            by=advisor,
            evidence=Evidence.EMPLOYER_CONFIRMED,
            site_id=demo.sites[hire.site].id,
            pathway_id=demo.pathways[step.pathway].id,
            pay_band=step.pay_band,
            hours_per_week=37.5,
            note=step.note,
        )
    # In work unless they left or said they were not; "not yet known" is not "not in work".
    if hire.left_after_days is None and False not in hire.answers.values():
        set_status(session=session, resident=resident, status=ResidentStatus.IN_WORK)


def _record_attendance(
    demo: Demo,
    cohort: Cohort,
    plan: CohortPlan,
    enrolments: list[Enrolment],
    rng: random.Random,
) -> None:
    """Registers for every session so far: two never come, one leaves after two sessions."""
    days = (cohort.ends_on - cohort.starts_on).days + 1
    sessions = [
        day
        for day in (cohort.starts_on + timedelta(days=offset) for offset in range(days))
        if day.weekday() in plan.session_days and day <= today()
    ]
    leaver = enrolments[CURRENT_NO_SHOWS]
    for number, session_on in enumerate(sessions):
        register = {}
        for index, enrolment in enumerate(enrolments):
            if index < CURRENT_NO_SHOWS:
                register[enrolment.id] = False
            elif enrolment is leaver:
                if number < 2:
                    register[enrolment.id] = True
            else:
                register[enrolment.id] = number == 0 or rng.random() < 0.9
        record_cohort_attendance(
            session=demo.session,
            cohort=cohort,
            session_on=session_on,
            attendance=register,
            by=demo.advisor,
        )
        if number == 1:
            update_enrolments_in_bulk(
                session=demo.session,
                cohort=cohort,
                action=EnrolmentAction.LEAVE_EARLY,
                rows=[EnrolmentUpdate(leaver.id, session_on, "Started a full-time job elsewhere")],
                by=demo.advisor,
            )
