"""Vacancies: employers post them at their own sites, advisors browse the open ones.

Rules a vacancy must meet are checked here, once, for the web form, the CSV import and any other
caller. Open vacancies past their closing date are closed whenever vacancies are read, and by the
``flask close-expired-vacancies`` command for a scheduler.
"""

import math
import re
from dataclasses import dataclass, fields
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, func, select

from matching import haversine_km
from pathways.catalogue import FALSE_WORDS, TRUE_WORDS
from pathways.clock import now_utc, today
from pathways.csv_import import Column, ImportRejected, RowError, read_csv, template_csv
from pathways.errors import NotFound, ValidationFailed
from pathways.geography import resolve_postcode
from pathways.models import (
    Application,
    Organisation,
    Pathway,
    PathwayKind,
    PayPeriod,
    ShiftPattern,
    Site,
    User,
    Vacancy,
    VacancyStatus,
)

# NHS Agenda for Change converts annual pay to hourly over 52.143 weeks a year.
WEEKS_PER_YEAR = 52.143
FULL_TIME_HOURS = 37.5
MAX_POSITIONS = 500
# The catalogue carries the AfC 2025/26 scale; the 3.3% 2026/27 award is accepted but not yet
# tabulated there, so pay up to 5% above a band's top point is allowed.
PAY_UPLIFT_ALLOWANCE = 0.05
AFC_BAND = re.compile(r"^Band \d")


@dataclass(frozen=True)
class VacancyDetails:
    """What an employer enters for a vacancy."""

    pathway_id: int | None
    site_id: int | None
    title: str
    positions: int | None
    pay_min: float | None
    pay_max: float | None
    closing_date: date | None
    pay_period: PayPeriod = PayPeriod.ANNUAL
    hours_per_week: float | None = None
    shift_pattern: ShiftPattern = ShiftPattern.DAYS
    ring_fenced: bool = False
    guaranteed_interview: bool = False
    description: str = ""


@dataclass(frozen=True)
class VacancyRow:
    """A vacancy with its site, pathway, referral count and (when asked) distance."""

    vacancy: Vacancy
    site: Site
    pathway: Pathway
    organisation: Organisation
    referrals: int = 0
    distance_km: float | None = None


@dataclass(frozen=True)
class VacancyFilter:
    """An advisor's (or API client's) filters on open vacancies; empty values do not filter."""

    pathway_id: int | None = None
    site_id: int | None = None
    ring_fenced_only: bool = False
    postcode: str = ""
    within_km: float | None = None


def vacancy_pathways(*, session: Session) -> list[Pathway]:
    """Pathways a vacancy can be for: published jobs and apprenticeships, not unpaid courses."""
    return list(
        session.exec(
            select(Pathway)
            .where(Pathway.is_published, Pathway.kind != PathwayKind.PRE_EMPLOYMENT)
            .order_by(Pathway.title)
        )
    )


def employer_sites(*, session: Session, organisation_id: int) -> list[Site]:
    """The active sites an employer can post vacancies at."""
    return list(
        session.exec(
            select(Site)
            .where(Site.organisation_id == organisation_id, Site.is_active)
            .order_by(Site.name)
        )
    )


def sites_with_open_vacancies(*, session: Session) -> list[tuple[Site, Organisation]]:
    """Sites that have an open vacancy, with their organisation, for the browse filter."""
    return list(
        session.exec(
            select(Site, Organisation)
            .join(Organisation, Organisation.id == Site.organisation_id)
            .where(
                Site.id.in_(  # type: ignore[union-attr]
                    select(Vacancy.site_id).where(Vacancy.status == VacancyStatus.OPEN)
                )
            )
            .order_by(Site.name)
        )
    )


def create_vacancy(
    *, session: Session, user: User, details: VacancyDetails, on: date | None = None
) -> Vacancy:
    """A new draft vacancy at one of the user's organisation's sites; ValidationFailed if not."""
    _check(session=session, organisation_id=user.organisation_id, details=details, on=on)
    vacancy = Vacancy(
        organisation_id=user.organisation_id,
        created_by_id=user.id,
        status=VacancyStatus.DRAFT,
        **_columns(details),
    )
    session.add(vacancy)
    session.flush()
    return vacancy


def update_vacancy(
    *, session: Session, vacancy: Vacancy, details: VacancyDetails, on: date | None = None
) -> Vacancy:
    """Change a vacancy's details, checked by the same rules as a new one."""
    _check(session=session, organisation_id=vacancy.organisation_id, details=details, on=on)
    for name, value in _columns(details).items():
        setattr(vacancy, name, value)
    session.add(vacancy)
    session.flush()
    return vacancy


def publish_vacancy(*, session: Session, vacancy: Vacancy, on: date | None = None) -> Vacancy:
    """Open a draft (or reopen a closed) vacancy, if its closing date is still ahead."""
    if vacancy.status == VacancyStatus.OPEN:
        return vacancy
    if vacancy.closing_date <= (on or today()):
        raise ValidationFailed(
            "Change the closing date before publishing",
            errors={"closing_date": "The closing date must be in the future"},
        )
    vacancy.status = VacancyStatus.OPEN
    vacancy.published_at = now_utc()
    vacancy.closed_at = None
    session.add(vacancy)
    session.flush()
    return vacancy


def close_vacancy(*, session: Session, vacancy: Vacancy) -> Vacancy:
    """Stop taking referrals for a vacancy."""
    if vacancy.status != VacancyStatus.CLOSED:
        vacancy.status = VacancyStatus.CLOSED
        vacancy.closed_at = now_utc()
        session.add(vacancy)
        session.flush()
    return vacancy


def close_expired_vacancies(*, session: Session, on: date | None = None) -> int:
    """Close open vacancies whose closing date has passed; return how many were closed."""
    expired = list(
        session.exec(
            select(Vacancy).where(
                Vacancy.status == VacancyStatus.OPEN, Vacancy.closing_date < (on or today())
            )
        )
    )
    for vacancy in expired:
        close_vacancy(session=session, vacancy=vacancy)
    return len(expired)


def vacancy_of_organisation(
    *, session: Session, organisation_id: int, vacancy_id: int, on: date | None = None
) -> Vacancy:
    """One of the organisation's vacancies; another organisation's is NotFound."""
    close_expired_vacancies(session=session, on=on)
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None or vacancy.organisation_id != organisation_id:
        raise NotFound("There is no vacancy at this address")
    return vacancy


def organisation_vacancies(
    *, session: Session, organisation_id: int, on: date | None = None
) -> list[VacancyRow]:
    """The organisation's vacancies, open first, each with its number of referrals."""
    close_expired_vacancies(session=session, on=on)
    rows = _rows(session, Vacancy.organisation_id == organisation_id)
    order = {VacancyStatus.OPEN: 0, VacancyStatus.DRAFT: 1, VacancyStatus.CLOSED: 2}
    return sorted(rows, key=lambda r: (order[r.vacancy.status], r.vacancy.closing_date))


def referral_counts(*, session: Session, vacancy_ids: list[int]) -> dict[int, int]:
    """Vacancy id -> how many residents have been referred to it (every stage counts)."""
    if not vacancy_ids:
        return {}
    counts = session.exec(
        select(Application.vacancy_id, func.count())
        .where(Application.vacancy_id.in_(vacancy_ids))  # type: ignore[attr-defined]
        .group_by(Application.vacancy_id)
    )
    return dict(counts.all())


def open_vacancies(
    *, session: Session, filters: VacancyFilter = VacancyFilter(), on: date | None = None
) -> list[VacancyRow]:
    """Open vacancies matching the filters: nearest first from a postcode, else closing soonest.

    A postcode outside the shipped lookup, or a distance without a postcode, is ValidationFailed.
    """
    close_expired_vacancies(session=session, on=on)
    conditions = [Vacancy.status == VacancyStatus.OPEN]
    if filters.pathway_id is not None:
        conditions.append(Vacancy.pathway_id == filters.pathway_id)
    if filters.site_id is not None:
        conditions.append(Vacancy.site_id == filters.site_id)
    if filters.ring_fenced_only:
        conditions.append(Vacancy.ring_fenced)
    rows = _rows(session, sa.and_(*conditions))
    if not filters.postcode:
        if filters.within_km is not None:
            raise ValidationFailed(
                "Enter a postcode to measure distance from",
                errors={"postcode": "Enter a postcode to measure distance from"},
            )
        return sorted(rows, key=lambda r: (r.vacancy.closing_date, r.vacancy.title))
    place = resolve_postcode(filters.postcode)
    if place.latitude is None or place.longitude is None:
        raise ValidationFailed(
            f"We have no location for {place.postcode}",
            errors={"postcode": f"We only know locations of Leeds postcodes, not {place.postcode}"},
        )
    measured = [
        _with_distance(row, place.latitude, place.longitude)
        for row in rows
        if row.site.latitude is not None and row.site.longitude is not None
    ]
    if filters.within_km is not None:
        measured = [row for row in measured if row.distance_km <= filters.within_km]
    return sorted(measured, key=lambda r: (r.distance_km, r.vacancy.closing_date))


def _with_distance(row: VacancyRow, latitude: float, longitude: float) -> VacancyRow:
    distance = float(haversine_km(latitude, longitude, row.site.latitude, row.site.longitude))
    return VacancyRow(
        row.vacancy, row.site, row.pathway, row.organisation, row.referrals, round(distance, 1)
    )


def _rows(session: Session, condition) -> list[VacancyRow]:
    results = list(
        session.exec(
            select(Vacancy, Site, Pathway, Organisation)
            .join(Site, Site.id == Vacancy.site_id)
            .join(Pathway, Pathway.id == Vacancy.pathway_id)
            .join(Organisation, Organisation.id == Vacancy.organisation_id)
            .where(condition)
        )
    )
    counts = referral_counts(session=session, vacancy_ids=[row[0].id for row in results])
    return [
        VacancyRow(vacancy, site, pathway, organisation, counts.get(vacancy.id, 0))
        for vacancy, site, pathway, organisation in results
    ]


def _columns(details: VacancyDetails) -> dict[str, object]:
    values = {f.name: getattr(details, f.name) for f in fields(details)}
    values["title"] = details.title.strip()
    values["description"] = details.description.strip()
    if values["pay_max"] is None:
        values["pay_max"] = details.pay_min
    return values


def _check(*, session: Session, organisation_id: int, details: VacancyDetails, on: date | None):
    """Every rule a vacancy must meet; all broken rules are reported together."""
    errors: dict[str, str] = {}
    pathway = session.get(Pathway, details.pathway_id) if details.pathway_id else None
    if pathway is None or not pathway.is_published:
        errors["pathway_id"] = "Choose the job or apprenticeship this vacancy is for"
    elif pathway.kind == PathwayKind.PRE_EMPLOYMENT:
        errors["pathway_id"] = "Choose a job or apprenticeship, not a pre-employment course"
    site = session.get(Site, details.site_id) if details.site_id else None
    if site is None or site.organisation_id != organisation_id or not site.is_active:
        errors["site_id"] = "Choose one of your organisation's sites"
    if not details.title.strip():
        errors["title"] = "Enter a job title"
    elif len(details.title.strip()) > 200:
        errors["title"] = "Job title must be 200 characters or fewer"
    if details.positions is None or details.positions < 1:
        errors["positions"] = "Positions must be at least 1"
    elif details.positions > MAX_POSITIONS:
        errors["positions"] = f"Positions must be {MAX_POSITIONS} or fewer"
    if details.closing_date is None:
        errors["closing_date"] = "Enter a closing date"
    elif details.closing_date <= (on or today()):
        errors["closing_date"] = "The closing date must be in the future"
    if details.hours_per_week is not None and not 0 < details.hours_per_week <= 60:
        errors["hours_per_week"] = "Hours must be more than 0 and no more than 60 a week"
    errors |= _pay_errors(details, pathway if "pathway_id" not in errors else None)
    if errors:
        raise ValidationFailed("The vacancy has problems to fix", errors=errors)


def _pay_errors(details: VacancyDetails, pathway: Pathway | None) -> dict[str, str]:
    """Pay must be given, ordered, and within the pathway's band.

    An NHS band bounds both ends; social care ranges run from the legal minimum (National Living
    Wage) to the Real Living Wage, so only their floor binds: paying more is allowed.
    """
    low, high = details.pay_min, details.pay_max if details.pay_max is not None else details.pay_min
    if low is None:
        return {"pay_min": "Enter the pay"}
    if not (math.isfinite(low) and math.isfinite(high)) or low < 0 or high < 0:
        return {"pay_min": "Enter pay as a positive amount, like 24465 or 12.60"}
    if high < low:
        return {"pay_max": "The top of the pay range must not be less than the bottom"}
    if pathway is None or pathway.pay_min is None:
        return {}
    floor, ceiling = _pathway_pay(pathway, details.pay_period)
    unit = "an hour" if details.pay_period == PayPeriod.HOURLY else "a year"
    if low < floor:
        return {"pay_min": f"Pay must be at least £{floor:,.2f} {unit} for {pathway.title}"}
    if ceiling is not None and high > ceiling:
        field_name = "pay_max" if details.pay_max is not None else "pay_min"
        return {field_name: f"Pay must be no more than £{ceiling:,.2f} {unit} for {pathway.title}"}
    return {}


def _pathway_pay(pathway: Pathway, period: PayPeriod) -> tuple[float, float | None]:
    """The pathway's pay floor and ceiling in the vacancy's period (a year is full-time pay)."""
    floor = float(pathway.pay_min or 0)
    is_band = bool(pathway.pay_band and AFC_BAND.match(pathway.pay_band))
    ceiling = (pathway.pay_max or floor) * (1 + PAY_UPLIFT_ALLOWANCE) if is_band else None
    if period == PayPeriod.HOURLY:
        hours_a_year = (pathway.hours_per_week or FULL_TIME_HOURS) * WEEKS_PER_YEAR
        floor = math.floor(floor / hours_a_year * 100) / 100
        ceiling = math.ceil(ceiling / hours_a_year * 100) / 100 if ceiling else None
    return floor, ceiling


# Bulk import: one row per vacancy, sites and pathways named as people know them.
VACANCY_COLUMNS = [
    Column("pathway", aliases=("pathway_slug", "role", "job"), required=True),
    Column("site", aliases=("site_name", "location"), required=True),
    Column("title", aliases=("job title",), required=True),
    Column("positions", aliases=("vacancies", "number of posts")),
    Column("pay_min", aliases=("pay", "pay from", "salary")),
    Column("pay_max", aliases=("pay to",)),
    Column("pay_period", aliases=("per",)),
    Column("hours_per_week", aliases=("hours",)),
    Column("shift_pattern", aliases=("shifts",)),
    Column("closing_date", aliases=("closes", "closing"), required=True),
    Column("ring_fenced", aliases=("ring fenced", "priority areas only")),
    Column("guaranteed_interview", aliases=("guaranteed interview",)),
    Column("description"),
]
# Import errors name the file's columns, not the form's fields.
_IMPORT_COLUMN = {"pathway_id": "pathway", "site_id": "site"}


def vacancy_template(*, sites: list[Site]) -> str:
    """The downloadable vacancy template, its example rows at the employer's own first site."""
    site = sites[0].name if sites else "St James's University Hospital"
    examples = [
        {
            "pathway": "hospital-porter",
            "site": site,
            "title": "Hospital porter",
            "positions": "3",
            "pay_min": "24465",
            "pay_max": "24465",
            "pay_period": "annual",
            "hours_per_week": "37.5",
            "shift_pattern": "rotating",
            "closing_date": "2030-01-31",
            "ring_fenced": "yes",
            "guaranteed_interview": "yes",
            "description": "Moving patients and equipment around the hospital.",
        },
        {
            "pathway": "hcsw-apprenticeship-l2",
            "site": site,
            "title": "Apprentice healthcare support worker",
            "positions": "2",
            "pay_min": "24465",
            "pay_period": "annual",
            "hours_per_week": "37.5",
            "shift_pattern": "rotating",
            "closing_date": "2030-01-31",
            "ring_fenced": "no",
            "guaranteed_interview": "no",
            "description": "Care for patients on a ward while you train for ST0216.",
        },
    ]
    return template_csv(VACANCY_COLUMNS, examples)


def import_vacancies(
    *, session: Session, user: User, data: bytes | str, on: date | None = None
) -> list[Vacancy]:
    """Store every row as a draft vacancy, or none: ImportRejected lists each bad line."""
    parsed = read_csv(data, VACANCY_COLUMNS)
    pathways = {p.slug: p for p in vacancy_pathways(session=session)}
    pathways_by_title = {p.title.lower(): p for p in pathways.values()}
    sites = {
        s.name.lower(): s
        for s in employer_sites(session=session, organisation_id=user.organisation_id)
    }
    errors: list[RowError] = []
    details_by_line: list[VacancyDetails] = []
    for row in parsed.rows:
        cell_errors: dict[str, str] = {}
        value = row.values.get
        pathway_text = value("pathway", "").strip()
        pathway = pathways.get(pathway_text.lower()) or pathways_by_title.get(pathway_text.lower())
        if pathway is None:
            cell_errors["pathway"] = f"“{pathway_text[:60]}” is not a job or apprenticeship slug"
        site = sites.get(value("site", "").strip().lower())
        if site is None:
            cell_errors["site"] = f"“{value('site', '')[:60]}” is not one of your sites"
        details = VacancyDetails(
            pathway_id=pathway.id if pathway else None,
            site_id=site.id if site else None,
            title=value("title", ""),
            positions=_cell(cell_errors, "positions", value("positions", "") or "1", int),
            pay_min=_cell(cell_errors, "pay_min", value("pay_min", ""), float),
            pay_max=_cell(cell_errors, "pay_max", value("pay_max", ""), float),
            closing_date=_cell(cell_errors, "closing_date", value("closing_date", ""), _date),
            pay_period=_cell(
                cell_errors, "pay_period", value("pay_period", "") or "annual", PayPeriod
            )
            or PayPeriod.ANNUAL,
            hours_per_week=_cell(cell_errors, "hours_per_week", value("hours_per_week", ""), float),
            shift_pattern=_cell(
                cell_errors, "shift_pattern", value("shift_pattern", "") or "days", ShiftPattern
            )
            or ShiftPattern.DAYS,
            ring_fenced=_cell(cell_errors, "ring_fenced", value("ring_fenced", ""), _yes_no)
            or False,
            guaranteed_interview=_cell(
                cell_errors, "guaranteed_interview", value("guaranteed_interview", ""), _yes_no
            )
            or False,
            description=value("description", ""),
        )
        if not cell_errors:
            try:
                _check(
                    session=session, organisation_id=user.organisation_id, details=details, on=on
                )
            except ValidationFailed as error:
                cell_errors |= {_IMPORT_COLUMN.get(k, k): v for k, v in error.errors.items()}
        errors += [RowError(row.line, column, message) for column, message in cell_errors.items()]
        details_by_line.append(details)
    if errors:
        raise ImportRejected(errors)
    return [create_vacancy(session=session, user=user, details=d, on=on) for d in details_by_line]


def _cell(errors: dict[str, str], column: str, text: str, convert):
    """A cell converted, or None with an error noted; an empty cell is None."""
    text = text.strip().replace(",", "").lstrip("£")
    if not text and convert is not _yes_no:
        return None
    try:
        return convert(text.lower() if convert in (PayPeriod, ShiftPattern) else text)
    except ValueError:
        errors[column] = f"“{text[:30]}” is not {_EXPECTED.get(convert, 'valid')}"
        return None


def _date(text: str) -> date:
    """A date as ISO (2026-12-31) or as UK spreadsheets write it (31/12/2026)."""
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return date(year, month, day)
    return date.fromisoformat(text)


def _yes_no(text: str) -> bool:
    word = text.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(text)


_EXPECTED = {
    int: "a whole number",
    float: "a number",
    _date: "a date like 2026-12-31 or 31/12/2026",
    _yes_no: "yes or no",
    PayPeriod: "annual or hourly",
    ShiftPattern: "one of " + ", ".join(s.value for s in ShiftPattern),
}
