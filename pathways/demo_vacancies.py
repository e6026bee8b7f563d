"""Demo vacancies at the Leeds demo sites, so the catalogue, browse and API have something open.

Pay is the catalogue's sourced figure for each pathway (AfC 2025/26 Band 2, and the Skills for Care
December 2025 median care-worker rate of £12.60 an hour); titles and numbers of posts are invented.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, select

from pathways.clock import now_utc, today
from pathways.models import (
    Pathway,
    PayPeriod,
    ShiftPattern,
    Site,
    Vacancy,
    VacancyStatus,
)


@dataclass(frozen=True)
class DemoVacancy:
    site: str
    pathway_slug: str
    title: str
    positions: int
    pay: float
    shift_pattern: ShiftPattern
    closes_in_days: int
    ring_fenced: bool
    guaranteed_interview: bool
    description: str
    pay_period: PayPeriod = PayPeriod.ANNUAL
    hours_per_week: float = 37.5


DEMO_VACANCIES = [
    DemoVacancy(
        "St James's University Hospital", "hospital-porter", "Hospital porter",
        4, 24465, ShiftPattern.ROTATING, 28, True, True,
        "Move patients, equipment and samples across St James's. Full training given.",
    ),
    DemoVacancy(
        "Leeds General Infirmary", "ward-housekeeper", "Ward housekeeper",
        2, 24465, ShiftPattern.EARLY_LATE, 21, True, False,
        "Keep wards clean, stocked and welcoming, and help serve patients' meals.",
    ),
    DemoVacancy(
        "St James's University Hospital", "healthcare-support-worker-band-2",
        "Healthcare support worker, older people's wards",
        6, 24465, ShiftPattern.ROTATING, 35, False, True,
        "Help patients wash, dress, eat and move, working with the nursing team.",
    ),
    DemoVacancy(
        "Chapel Allerton Hospital", "hcsw-apprenticeship-l2",
        "Apprentice healthcare support worker (ST0216)",
        3, 24465, ShiftPattern.ROTATING, 42, True, True,
        "A 12-month Level 2 apprenticeship on our rehabilitation wards, paid while you learn.",
    ),
    DemoVacancy(
        "Seacroft Hospital", "domestic-assistant", "Domestic assistant",
        3, 24465, ShiftPattern.EARLY_LATE, 21, True, False,
        "Clean clinics and wards to hospital standards. Part-time hours available.",
        hours_per_week=22.5,
    ),
    DemoVacancy(
        "Leeds General Infirmary", "catering-assistant", "Catering assistant",
        2, 24465, ShiftPattern.EARLY_LATE, 14, False, False,
        "Prepare and serve food in the restaurant and on wards; some till work.",
    ),
    DemoVacancy(
        "Harehills office", "care-worker-domiciliary", "Home care worker",
        5, 12.60, ShiftPattern.FLEXIBLE, 30, True, True,
        "Visit people in their own homes in east Leeds to help with daily living.",
        pay_period=PayPeriod.HOURLY,
    ),
]  # fmt: skip


def seed_demo_vacancies(*, session: Session) -> int:
    """Add the demo vacancies that are missing (found by site and title); return how many."""
    pathways = {p.slug: p for p in session.exec(select(Pathway))}
    added = 0
    for demo in DEMO_VACANCIES:
        # Demo site names are unique across the demo organisations.
        site = session.exec(select(Site).where(Site.name == demo.site)).one()
        exists = session.exec(
            select(Vacancy).where(Vacancy.site_id == site.id, Vacancy.title == demo.title)
        ).first()
        if exists is not None:
            continue
        session.add(
            Vacancy(
                organisation_id=site.organisation_id,
                site_id=site.id,
                pathway_id=pathways[demo.pathway_slug].id,
                title=demo.title,
                description=demo.description,
                positions=demo.positions,
                pay_min=demo.pay,
                pay_max=demo.pay,
                pay_period=demo.pay_period,
                hours_per_week=demo.hours_per_week,
                shift_pattern=demo.shift_pattern,
                closing_date=today() + timedelta(days=demo.closes_in_days),
                status=VacancyStatus.OPEN,
                ring_fenced=demo.ring_fenced,
                guaranteed_interview=demo.guaranteed_interview,
                published_at=now_utc(),
            )
        )
        added += 1
    session.flush()
    return added
