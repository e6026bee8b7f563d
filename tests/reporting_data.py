"""A small partnership with outcomes counted by hand, for the reporting tests.

Programme "Ready for Work" (partner: the trust) has cohort A (January 2023, 12 enrolled) and
cohort B (May 2023, 8 enrolled); programme "Care Start" (partner: Care Co) has cohort C
(January 2024, 3 enrolled). The report date is 30 June 2024. Every figure the tests expect is
worked out in the test that uses it, from the rows below.

Rows are inserted directly, not through ``pathways.progress``, so the data can hold exactly the
awkward cases a report must handle (superseded events, a job before enrolment).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session

from pathways.models import (
    Cohort,
    Enrolment,
    Evidence,
    MilestoneEvent,
    MilestoneKind,
    Organisation,
    OrganisationKind,
    Pathway,
    PathwayKind,
    Programme,
    ProgressionKind,
    Resident,
    Site,
)

AS_OF = date(2024, 6, 30)
K = MilestoneKind


@dataclass
class OutcomeData:
    trust: Organisation
    care: Organisation
    programme: Programme
    other_programme: Programme
    cohort_a: Cohort
    cohort_b: Cohort
    cohort_c: Cohort
    residents: dict[str, Resident] = field(default_factory=dict)


def build_outcome_data(db: Session) -> OutcomeData:
    provider = _add(db, Organisation(name="Provider", kind=OrganisationKind.EMPLOYABILITY_PROVIDER))
    trust = _add(db, Organisation(name="Leeds Trust", kind=OrganisationKind.NHS_TRUST))
    care = _add(db, Organisation(name="Care Co", kind=OrganisationKind.CARE_PROVIDER))
    site = _add(db, Site(organisation_id=trust.id, name="St James's", postcode="LS9 7TF"))
    porter = _add(
        db,
        Pathway(slug="t-porter", title="Porter", kind=PathwayKind.ENTRY_ROLE, staff_group="E"),
    )
    apprentice = _add(
        db,
        Pathway(
            slug="t-hca",
            title="HCA apprentice",
            kind=PathwayKind.APPRENTICESHIP,
            staff_group="S",
            apprenticeship_standard_code="ST0216",
            apprenticeship_level=2,
        ),
    )
    course = _add(
        db,
        Pathway(slug="t-course", title="Course", kind=PathwayKind.PRE_EMPLOYMENT, staff_group="E"),
    )
    programme = _add(
        db,
        Programme(
            name="Ready for Work",
            provider_organisation_id=provider.id,
            partner_employer_id=trust.id,
        ),
    )
    other = _add(
        db,
        Programme(
            name="Care Start", provider_organisation_id=provider.id, partner_employer_id=care.id
        ),
    )

    def cohort(of: Programme, name: str, starts_on: date) -> Cohort:
        """A six-week run of a programme."""
        ends_on = starts_on + timedelta(weeks=6) - timedelta(days=3)
        return _add(db, Cohort(programme_id=of.id, name=name, starts_on=starts_on, ends_on=ends_on))

    cohort_a = cohort(programme, "January 2023", date(2023, 1, 9))
    cohort_b = cohort(programme, "May 2023", date(2023, 5, 2))
    cohort_c = cohort(other, "January 2024", date(2024, 1, 8))
    data = OutcomeData(trust, care, programme, other, cohort_a, cohort_b, cohort_c)

    def resident(key: str, **fields) -> Resident:
        data.residents[key] = _add(db, Resident(organisation_id=provider.id, **fields))
        return data.residents[key]

    def enrol(person: Resident, cohort: Cohort, on: date) -> Enrolment:
        return _add(db, Enrolment(resident_id=person.id, cohort_id=cohort.id, enrolled_on=on))

    def event(person: Resident, kind: MilestoneKind, on: date, **fields) -> MilestoneEvent:
        return _add(db, MilestoneEvent(resident_id=person.id, kind=kind, occurred_on=on, **fields))

    def job(person, on, employer=trust, pathway=porter, **pay) -> MilestoneEvent:
        return event(
            person,
            K.JOB_STARTED,
            on,
            employer_id=employer.id,
            site_id=site.id if employer is trust else None,
            pathway_id=pathway.id,
            **pay,
        )

    def check(person, weeks, in_work, on, employer=trust) -> MilestoneEvent:
        return event(
            person,
            K.SUSTAINMENT_CHECK,
            on,
            employer_id=employer.id,
            weeks_after_start=weeks,
            in_work=in_work,
        )

    # Cohort A: A1-A6 live in Lincoln Green, A7-A12 in Harehills (all IMD decile 1).
    for number in range(1, 13):
        person = resident(
            f"A{number}",
            priority_area="Lincoln Green" if number <= 6 else "Harehills",
            in_priority_area=True,
            imd_decile=1,
            ward_name="Burmantofts and Richmond Hill",
            age_band="25-34" if number % 2 else "35-49",
            sex="female" if number <= 6 else "male",
            ethnicity="White British" if number <= 8 else "Black African",
            disability="no",
        )
        enrolment = enrol(person, cohort_a, date(2023, 1, 2))
        if number <= 10:
            event(person, K.PROGRAMME_STARTED, date(2023, 1, 9), enrolment_id=enrolment.id)
        if number <= 8:
            event(person, K.PROGRAMME_COMPLETED, date(2023, 2, 17), enrolment_id=enrolment.id)
        if number <= 7 or number == 11:
            event(person, K.INTERVIEW, date(2023, 3, 1), employer_id=trust.id)
        if number <= 6:
            event(person, K.OFFER, date(2023, 3, 8), employer_id=trust.id)
    a = data.residents
    job(a["A1"], date(2023, 3, 20), hourly_pay=10.00)  # 70 days; rate then £9.90
    wrong = job(a["A2"], date(2023, 4, 10), hourly_pay=8.00)
    right = job(a["A2"], date(2023, 4, 3), annual_pay=22383, hours_per_week=37.5)  # 84 days
    wrong.superseded_by_id = right.id
    job(a["A3"], date(2023, 4, 3), hourly_pay=10.90)  # 84 days, exactly the rate
    job(a["A4"], date(2023, 4, 17), hourly_pay=10.50)  # 98 days, below £10.90
    job(a["A5"], date(2023, 5, 1), pathway=apprentice, hourly_pay=6.40)  # 112 days
    job(a["A6"], date(2023, 5, 15), pathway=apprentice)  # 126 days, pay not recorded
    job(a["A11"], date(2023, 4, 3), hourly_pay=11.00)  # never started the programme
    for key in ("A1", "A2", "A3"):
        check(a[key], 13, True, date(2023, 8, 1))
    first_a4 = check(a["A4"], 13, True, date(2023, 8, 1))
    a4 = check(a["A4"], 13, False, date(2023, 8, 2))
    first_a4.superseded_by_id = a4.id
    check(a["A5"], 13, None, date(2023, 8, 7))  # "not yet known" recorded
    for key in ("A1", "A2", "A5", "A6"):
        check(a[key], 26, True, date(2023, 11, 20))
    event(a["A3"], K.LEFT_JOB, date(2023, 6, 1), employer_id=trust.id)
    check(a["A1"], 52, True, date(2024, 3, 25))
    check(a["A2"], 52, False, date(2024, 4, 8))
    event(
        a["A1"],
        K.PROGRESSED,
        date(2024, 1, 10),
        employer_id=trust.id,
        progression_kind=ProgressionKind.BAND_CHANGE,
    )

    # Cohort B: B1-B4 in IMD decile 5, B5-B8 with no known postcode data; no named area.
    for number in range(1, 9):
        person = resident(
            f"B{number}",
            in_priority_area=False,
            imd_decile=5 if number <= 4 else None,
            ward_name="Roundhay" if number <= 4 else None,
            age_band="16-24",
            ethnicity="prefer_not_to_say" if number <= 2 else None,
        )
        enrolment = enrol(person, cohort_b, date(2023, 4, 24))
        if number <= 7:
            event(person, K.PROGRAMME_STARTED, date(2023, 5, 2), enrolment_id=enrolment.id)
        if number <= 5:
            event(person, K.PROGRAMME_COMPLETED, date(2023, 6, 9), enrolment_id=enrolment.id)
            event(person, K.INTERVIEW, date(2023, 6, 14), employer_id=trust.id)
        if number <= 4:
            event(person, K.OFFER, date(2023, 6, 20), employer_id=trust.id)
    b = data.residents
    job(b["B1"], date(2023, 7, 3), hourly_pay=11.00)  # 62 days
    job(b["B2"], date(2023, 7, 3), annual_pay=22383)  # 62 days; hours unknown
    job(b["B3"], date(2023, 7, 3), hourly_pay=12.00)  # 62 days
    job(b["B4"], date(2024, 5, 6), employer=care, hourly_pay=12.00)  # 370 days, no check due
    job(b["B5"], date(2022, 1, 1), hourly_pay=9.50)  # before enrolling; rate then £9.50
    for key in ("B1", "B2", "B3"):
        check(b[key], 13, True, date(2023, 10, 2))
    check(b["B1"], 26, True, date(2024, 1, 2))
    check(b["B2"], 26, None, date(2024, 1, 2))
    check(b["B3"], 26, True, date(2024, 1, 3))

    # Cohort C, another programme: C1 works at the trust; C1 lives in decile 2.
    for number in range(1, 4):
        person = resident(f"C{number}", imd_decile=2 if number == 1 else 6)
        enrolment = enrol(person, cohort_c, date(2024, 1, 2))
        event(person, K.PROGRAMME_STARTED, date(2024, 1, 8), enrolment_id=enrolment.id)
    job(data.residents["C1"], date(2024, 3, 4), hourly_pay=12.00)

    # Residents on no programme: D1's job is a course (not an anchor role), D2 lives in decile 2.
    d1 = resident("D1", imd_decile=1, in_priority_area=True)
    job(d1, date(2024, 2, 5), pathway=course, hourly_pay=12.00)
    d2 = resident("D2", imd_decile=2)
    job(d2, date(2024, 6, 3), evidence=Evidence.EMPLOYER_CONFIRMED)
    # A merged duplicate's rows are not counted anywhere.
    merged = resident("M1", imd_decile=1, merged_into_id=d2.id)
    enrol(merged, cohort_a, date(2023, 1, 2))
    job(merged, date(2023, 4, 3), hourly_pay=11.00)
    db.flush()
    return data


def _add(db: Session, row):
    db.add(row)
    db.flush()
    return row
