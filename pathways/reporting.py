"""Cohort outcome reports for partnership boards: one query layer, computed with pandas.

A report covers *journeys*: enrolments on cohorts chosen by cohort, programme, partner employer
and period (the cohort's start date), in any combination. Each journey is followed from the
enrolment through programme start and completion to interview, offer, job start, sustained work
at 13, 26 and 52 weeks, and progression. Only current events count (a correction supersedes the
event it corrects). Milestones about work count from the day the resident enrolled.

Figures from interview onwards count residents who started the programme, so every rate reads
"of those who started, how many ...". A sustainment check counts in its denominator only once it
is due (weeks after the first job start since enrolment) and has a known answer; "not yet known"
is reported beside it and is never "not in work". Leaving the job by the due date is "not in work".

The figures here are exact; ``pathways.disclosure`` hides small numbers before anyone sees them.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from pathways.clock import today
from pathways.disclosure import (
    LOW_BASE,
    DisclosureRules,
    is_small,
    show_count,
    show_rate,
    show_total,
    suppress_table,
)
from pathways.errors import NotFound
from pathways.models import (
    EMPLOYER_KINDS,
    Cohort,
    Enrolment,
    MilestoneEvent,
    MilestoneKind,
    Organisation,
    Pathway,
    PathwayKind,
    Programme,
    Resident,
    Site,
)
from pathways.progress import SUSTAINMENT_WEEKS
from pathways.vacancies import WEEKS_PER_YEAR

PAY_DATA = Path(__file__).parent / "data" / "pay" / "real_living_wage.csv"
ANCHOR_PATHWAY_KINDS = (PathwayKind.ENTRY_ROLE, PathwayKind.APPRENTICESHIP)
ANCHOR_DECILES = (1, 2)

NOT_KNOWN = "Not known"
NOT_ASKED = "Not asked"
NO_JOB = "No job start yet"


@dataclass(frozen=True)
class Stage:
    """One line of the funnel: its label, and the journeys counted above and below the line."""

    key: str
    label: str
    denominator: str


STAGES = (
    Stage("registered", "Registered on the cohort", "registered"),
    Stage("started_programme", "Started the programme", "registered"),
    Stage("completed", "Completed the programme", "started_programme"),
    Stage("interviewed", "Interviewed", "started_programme"),
    Stage("offered", "Offered a job", "started_programme"),
    Stage("started_job", "Started a job", "started_programme"),
    *(
        Stage(f"in_work_{weeks}", f"In work at {weeks} weeks", f"known_{weeks}")
        for weeks in SUSTAINMENT_WEEKS
    ),
    Stage("progressed", "Progressed in work", "started_job"),
)
STAGE_KEYS = tuple(stage.key for stage in STAGES)


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    title: str


BREAKDOWNS = (
    Dimension("priority_area", "Priority area", "By priority area"),
    Dimension("imd_decile", "IMD 2025 decile", "By IMD 2025 decile (1 is the most deprived)"),
    Dimension("ward", "Ward", "By ward"),
    Dimension("age_band", "Age band", "By age band"),
    Dimension("sex", "Sex", "By sex"),
    Dimension("ethnicity", "Ethnicity", "By ethnicity"),
    Dimension("disability", "Disability", "By disability"),
    Dimension("pathway", "Pathway of first job", "By pathway of first job"),
    Dimension("employer_site", "Employer and site", "By employer and site of first job"),
)
# The measures each breakdown row shows; the rate is started job over started programme.
BREAKDOWN_MEASURES = ("registered", "started_programme", "completed", "started_job", "in_work_26")


@dataclass(frozen=True)
class ReportScope:
    """Which journeys a report covers; unset parts do not filter."""

    cohort_id: int | None = None
    programme_id: int | None = None
    employer_id: int | None = None
    starts_from: date | None = None
    starts_to: date | None = None

    @property
    def is_empty(self) -> bool:
        return all(value is None for value in self.__dict__.values())


@dataclass
class OutcomeReport:
    """Exact figures for one scope, before disclosure control."""

    title: str
    scope: ReportScope
    as_of: date
    journeys: pd.DataFrame
    funnel: pd.DataFrame
    median_days_to_job: float | None
    median_count: int
    breakdowns: dict[str, pd.DataFrame] = field(default_factory=dict)
    cohorts: pd.DataFrame | None = None
    trend: pd.DataFrame | None = None


# The query layer: every figure comes from these two statements (and the anchor one below).


def _in_scope(scope: ReportScope):
    """Enrolments in scope (joined to cohort, programme and resident); merged records excluded."""
    statement = (
        select(Enrolment.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .join(Programme, Programme.id == Cohort.programme_id)
        .join(Resident, Resident.id == Enrolment.resident_id)
        .where(col(Resident.merged_into_id).is_(None))
    )
    if scope.cohort_id is not None:
        statement = statement.where(Enrolment.cohort_id == scope.cohort_id)
    if scope.programme_id is not None:
        statement = statement.where(Cohort.programme_id == scope.programme_id)
    if scope.employer_id is not None:
        partner = sa.func.coalesce(Cohort.partner_employer_id, Programme.partner_employer_id)
        statement = statement.where(partner == scope.employer_id)
    if scope.starts_from is not None:
        statement = statement.where(Cohort.starts_on >= scope.starts_from)
    if scope.starts_to is not None:
        statement = statement.where(Cohort.starts_on <= scope.starts_to)
    return statement


_CURRENT = col(MilestoneEvent.superseded_by_id).is_(None)


def _dated(kind: MilestoneKind, summary, name: str) -> sa.Label:
    """The first or last date of one kind of event, within a GROUP BY."""
    return summary(sa.case((MilestoneEvent.kind == kind.value, MilestoneEvent.occurred_on))).label(
        name
    )


def _scoped_journeys(scope: ReportScope):
    """One row per enrolment in scope: who, which cohort, and the dates the funnel needs.

    The database summarises events that only need a date: when the programme started and was
    completed (per enrolment), and the latest interview, offer and progression (per resident).
    """
    in_scope = _in_scope(scope)
    residents = in_scope.with_only_columns(Enrolment.resident_id)
    # For every cohort, the summaries need no filter: the outer joins below pick their rows.
    everyone = scope.is_empty
    programme = (
        select(
            MilestoneEvent.enrolment_id,
            _dated(MilestoneKind.PROGRAMME_STARTED, sa.func.min, "started_on"),
            _dated(MilestoneKind.PROGRAMME_COMPLETED, sa.func.min, "completed_on"),
        )
        .where(
            _CURRENT,
            sa.true() if everyone else col(MilestoneEvent.enrolment_id).in_(in_scope),
            col(MilestoneEvent.kind).in_(
                [MilestoneKind.PROGRAMME_STARTED.value, MilestoneKind.PROGRAMME_COMPLETED.value]
            ),
        )
        .group_by(MilestoneEvent.enrolment_id)
        .subquery()
    )
    latest = (
        select(
            MilestoneEvent.resident_id,
            _dated(MilestoneKind.INTERVIEW, sa.func.max, "last_interview_on"),
            _dated(MilestoneKind.OFFER, sa.func.max, "last_offer_on"),
            _dated(MilestoneKind.PROGRESSED, sa.func.max, "last_progressed_on"),
        )
        .where(
            _CURRENT,
            sa.true() if everyone else col(MilestoneEvent.resident_id).in_(residents),
            col(MilestoneEvent.kind).in_(
                [kind.value for kind in (MilestoneKind.INTERVIEW, MilestoneKind.OFFER)]
                + [MilestoneKind.PROGRESSED.value]
            ),
        )
        .group_by(MilestoneEvent.resident_id)
        .subquery()
    )
    return (
        in_scope.with_only_columns(
            col(Enrolment.id).label("enrolment_id"),
            Enrolment.resident_id,
            Enrolment.cohort_id,
            Enrolment.enrolled_on,
            col(Cohort.name).label("cohort_name"),
            col(Cohort.starts_on).label("cohort_starts_on"),
            Cohort.programme_id,
            col(Programme.name).label("programme_name"),
            Resident.priority_area,
            _as_int(Resident.in_priority_area),
            Resident.imd_decile,
            col(Resident.ward_name).label("ward"),
            Resident.age_band,
            Resident.sex,
            Resident.ethnicity,
            Resident.disability,
            programme.c.started_on,
            programme.c.completed_on,
            latest.c.last_interview_on,
            latest.c.last_offer_on,
            latest.c.last_progressed_on,
        )
        .outerjoin(programme, programme.c.enrolment_id == Enrolment.id)
        .outerjoin(latest, latest.c.resident_id == Enrolment.resident_id)
    )


# Events about a job, whose details (which job, which check, the answer) the report needs.
_JOB_KINDS = (MilestoneKind.JOB_STARTED, MilestoneKind.SUSTAINMENT_CHECK, MilestoneKind.LEFT_JOB)


def _scoped_job_events(scope: ReportScope):
    """Current job starts, sustainment checks and leaving dates of the residents in scope."""
    residents = _in_scope(scope).with_only_columns(Enrolment.resident_id)
    in_scope = sa.true() if scope.is_empty else col(MilestoneEvent.resident_id).in_(residents)
    return select(
        MilestoneEvent.resident_id,
        MilestoneEvent.kind,
        MilestoneEvent.occurred_on,
        MilestoneEvent.application_id,
        MilestoneEvent.employer_id,
        MilestoneEvent.site_id,
        MilestoneEvent.pathway_id,
        MilestoneEvent.weeks_after_start,
        _as_int(MilestoneEvent.in_work),
    ).where(
        _CURRENT,
        col(MilestoneEvent.kind).in_([kind.value for kind in _JOB_KINDS]),
        in_scope,
    )


def _anchor_starts(employer_id: int):
    """The employer's current entry-role and apprenticeship job starts, with where starters live."""
    return (
        select(
            col(MilestoneEvent.id).label("event_id"),
            MilestoneEvent.occurred_on,
            MilestoneEvent.hourly_pay,
            MilestoneEvent.annual_pay,
            MilestoneEvent.hours_per_week,
            col(Pathway.kind).label("pathway_kind"),
            _as_int(Resident.in_priority_area),
            Resident.imd_decile,
        )
        .join(Pathway, Pathway.id == MilestoneEvent.pathway_id)
        .join(Resident, Resident.id == MilestoneEvent.resident_id)
        .where(
            MilestoneEvent.employer_id == employer_id,
            MilestoneEvent.kind == MilestoneKind.JOB_STARTED,
            _CURRENT,
            col(Pathway.kind).in_([kind.value for kind in ANCHOR_PATHWAY_KINDS]),
            col(Resident.merged_into_id).is_(None),
        )
    )


def _as_int(column) -> sa.Label:
    """A true/false column as 1/0 (NULL stays NULL), read the same from either database."""
    return sa.cast(column, sa.Integer).label(column.key)


def _read(session: Session, statement, dates: tuple[str, ...]) -> pd.DataFrame:
    """Run a statement into a DataFrame with real dates, on SQLite and PostgreSQL alike.

    PostgreSQL streams the result as CSV (COPY), which pandas parses in C: several times faster
    than building a Python object per value. Every bound value in these statements is an id,
    date or enum value from this module, never text typed by a user, so inlining them is safe.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # JIT compiling these plans costs more than it saves (about 0.3 s a query); LOCAL keeps
        # the setting to this transaction.
        connection.exec_driver_sql("SET LOCAL jit = off")
        sql = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
        buffer = io.BytesIO()
        copy_sql = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)"
        with (
            connection.connection.driver_connection.cursor() as cursor,
            cursor.copy(copy_sql) as copy,
        ):
            for block in copy:
                buffer.write(block)
        buffer.seek(0)
        # Only empty fields are missing: a cohort called "NA" keeps its name.
        frame = pd.read_csv(buffer, keep_default_na=False, na_values=[""], dtype=_TEXT_COLUMNS)
    else:
        frame = pd.read_sql(statement, connection)
    for name in dates:
        frame[name] = pd.to_datetime(frame[name])
    return frame


# Read as text even when every value looks like a number (ward "1", cohort "2019").
_TEXT_COLUMNS = {
    name: "object"
    for name in (
        "cohort_name",
        "programme_name",
        "priority_area",
        "ward",
        "age_band",
        "sex",
        "ethnicity",
        "disability",
        "kind",
        "pathway_kind",
    )
}


_JOURNEY_DATES = (
    "enrolled_on",
    "cohort_starts_on",
    "started_on",
    "completed_on",
    "last_interview_on",
    "last_offer_on",
    "last_progressed_on",
)


def load_journeys(*, session: Session, scope: ReportScope) -> pd.DataFrame:
    return _read(session, _scoped_journeys(scope), _JOURNEY_DATES)


def load_events(*, session: Session, scope: ReportScope) -> pd.DataFrame:
    return _read(session, _scoped_job_events(scope), ("occurred_on",))


def _names(session: Session, model, ids: pd.Series) -> dict[int, str]:
    ids = sorted(int(value) for value in ids.dropna().unique())
    if not ids:
        return {}
    label = model.title if model is Pathway else model.name
    rows = session.exec(select(model.id, label).where(col(model.id).in_(ids))).all()
    return dict(rows)


# Computing the figures.


def build_report(
    *, session: Session, scope: ReportScope, as_of: date | None = None, title: str | None = None
) -> OutcomeReport:
    """The full outcome report for a scope: funnel, breakdowns, cohorts side by side, trend."""
    as_of = as_of or today()
    journeys = journey_outcomes(
        load_journeys(session=session, scope=scope),
        load_events(session=session, scope=scope),
        as_of=as_of,
    )
    _label_jobs(session, journeys)
    median, median_count = median_days_to_job(journeys)
    return OutcomeReport(
        title=title or describe_scope(session=session, scope=scope),
        scope=scope,
        as_of=as_of,
        journeys=journeys,
        funnel=funnel(journeys),
        median_days_to_job=median,
        median_count=median_count,
        breakdowns={
            dimension.key: counts_by(journeys, dimension.key, BREAKDOWN_MEASURES)
            for dimension in BREAKDOWNS
        },
        cohorts=counts_by(journeys, "cohort_label", STAGE_KEYS + _KNOWN_KEYS),
        trend=counts_by(journeys, "quarter", ("registered", "started_programme", "started_job")),
    )


_KNOWN_KEYS = tuple(f"known_{weeks}" for weeks in SUSTAINMENT_WEEKS)


def journey_outcomes(journeys: pd.DataFrame, events: pd.DataFrame, *, as_of: date) -> pd.DataFrame:
    """One row per enrolment with a true/false column for each stage and its categories."""
    out = journeys.copy()
    out = out.sort_values(["cohort_starts_on", "cohort_id", "enrolment_id"], kind="stable")
    out = out.reset_index(drop=True)
    by_enrolment = out.set_index("enrolment_id")
    started = out["started_on"].notna()
    out["registered"] = True
    out["started_programme"] = started
    out["completed"] = started & out["completed_on"].notna()
    # Work counts from enrolment: an interview before it belongs to an earlier attempt.
    out["interviewed"] = started & (out["last_interview_on"] >= out["enrolled_on"])
    out["offered"] = started & (out["last_offer_on"] >= out["enrolled_on"])

    work = _work_events(events, by_enrolment)

    starts = work.loc[work["kind"] == MilestoneKind.JOB_STARTED.value].sort_values(
        ["enrolment_id", "occurred_on", "job_key"]
    )
    first = starts.drop_duplicates("enrolment_id").set_index("enrolment_id")
    for source, name in (
        ("occurred_on", "job_on"),
        ("job_key", "job_key"),
        ("employer_id", "job_employer_id"),
        ("site_id", "job_site_id"),
        ("pathway_id", "job_pathway_id"),
    ):
        out[name] = _lookup(first[source], out["enrolment_id"])
    job = started & out["job_on"].notna()
    out["started_job"] = job

    as_of = pd.Timestamp(as_of)
    checks = work.loc[work["kind"] == MilestoneKind.SUSTAINMENT_CHECK.value]
    leaving = work.loc[work["kind"] == MilestoneKind.LEFT_JOB.value]
    left_on = leaving.groupby(["enrolment_id", "job_key"])["occurred_on"].min()
    job_index = pd.MultiIndex.from_arrays([out["enrolment_id"], out["job_key"]])
    left = _lookup(left_on, job_index)
    for weeks in SUSTAINMENT_WEEKS:
        due_on = out["job_on"] + pd.Timedelta(weeks=weeks)
        due = job & (due_on <= as_of)
        answers = (
            checks.loc[checks["weeks_after_start"] == weeks]
            .sort_values("occurred_on")
            .drop_duplicates(["enrolment_id", "job_key"], keep="last")
            .set_index(["enrolment_id", "job_key"])["in_work"]
        )
        answer = _lookup(answers, job_index)
        said_yes, said_no = answer == 1, answer == 0
        left_by_due = ~said_yes & ~said_no & left.notna() & (left <= due_on)
        out[f"in_work_{weeks}"] = due & said_yes
        out[f"known_{weeks}"] = due & (said_yes | said_no | left_by_due)
        out[f"not_known_{weeks}"] = due & ~out[f"known_{weeks}"]

    out["progressed"] = job & (out["last_progressed_on"] >= out["job_on"])

    out["days_to_job"] = (out["job_on"] - out["started_on"]).dt.days.where(job)
    out["priority_area"] = _priority_label(out)
    out["imd_decile"] = _by_value(out["imd_decile"], lambda value: f"{int(value)}", NOT_KNOWN)
    for name in ("ward", "age_band"):
        out[name] = out[name].astype(object).fillna(NOT_KNOWN)
    for name in ("sex", "ethnicity", "disability"):
        out[name] = _by_value(out[name], _words, NOT_ASKED)
    out["cohort_label"] = out["cohort_name"]
    if out["programme_id"].nunique() > 1:
        out["cohort_label"] = out["programme_name"] + ": " + out["cohort_name"]
    out["quarter"] = _by_value(out["cohort_starts_on"], financial_quarter, NOT_KNOWN)
    return out


def _lookup(values: pd.Series, keys) -> pd.Series:
    """``values`` looked up by ``keys``, keeping its dtype even when nothing matches."""
    return pd.Series(values.reindex(keys).to_numpy(), index=range(len(keys)))


def _work_events(events: pd.DataFrame, by_enrolment: pd.DataFrame) -> pd.DataFrame:
    """Events about work, once per enrolment of their resident, from the day they enrolled."""
    enrolments = by_enrolment[["resident_id", "enrolled_on"]].reset_index()
    work = events.merge(enrolments, on="resident_id", how="inner")
    work = work.loc[work["occurred_on"] >= work["enrolled_on"]]
    # A job is its application, or for work found elsewhere, its employer (as in progress).
    work = work.assign(
        job_key=np.where(
            work["application_id"].notna(),
            work["application_id"].fillna(0),
            -work["employer_id"].fillna(0),
        ).astype("int64")
    )
    return work


def _by_value(values: pd.Series, label, missing: str) -> pd.Series:
    """Label each distinct value once (there are few), then look the labels up for every row."""
    labels = {value: label(value) for value in values.dropna().unique()}
    return values.map(labels).astype(object).fillna(missing)


def _words(value: str) -> str:
    """Stored codes such as "prefer_not_to_say" as words; free text keeps its capitals."""
    value = value.replace("_", " ")
    return value[:1].upper() + value[1:]


def _priority_label(out: pd.DataFrame) -> pd.Series:
    named = out["priority_area"]
    fallback = np.where(
        out["in_priority_area"].astype(bool), "Priority decile", "Not in a priority area"
    )
    return named.where(named.notna(), pd.Series(fallback, index=out.index))


def financial_quarter(day) -> str:
    """The NHS financial-year quarter of a day: April to June 2019 is "2019/20 Q1"."""
    if pd.isna(day):
        return NOT_KNOWN
    year = day.year if day.month >= 4 else day.year - 1
    quarter = (day.month - 4) % 12 // 3 + 1
    return f"{year}/{(year + 1) % 100:02d} Q{quarter}"


def funnel(journeys: pd.DataFrame) -> pd.DataFrame:
    """Numerator, denominator and exact rate of each stage; "not known" for sustainment."""
    totals = journeys[list(STAGE_KEYS + _KNOWN_KEYS)].sum()
    rows = []
    for stage in STAGES:
        numerator, denominator = int(totals[stage.key]), int(totals[stage.denominator])
        not_known = None
        if stage.key.startswith("in_work_"):
            not_known = int(journeys[stage.key.replace("in_work_", "not_known_")].sum())
        rows.append(
            {
                "stage": stage.key,
                "label": stage.label,
                "numerator": numerator,
                "denominator": denominator,
                "rate": numerator / denominator if denominator else None,
                "not_known": not_known,
            }
        )
    return pd.DataFrame(rows).set_index("stage")


def median_days_to_job(journeys: pd.DataFrame) -> tuple[float | None, int]:
    """Median days from programme start to the first job start, and how many it is over."""
    days = journeys["days_to_job"].dropna()
    return (float(days.median()) if len(days) else None), len(days)


def counts_by(journeys: pd.DataFrame, by: str, measures: tuple[str, ...]) -> pd.DataFrame:
    """Counts of each measure per category, categories in a stable order, no total row."""
    counts = journeys.groupby(by, sort=False)[list(measures)].sum().astype("int64")
    return counts.loc[_order(counts.index, by)]


def _order(categories: pd.Index, by: str) -> list[str]:
    last = {NOT_KNOWN, NOT_ASKED, NO_JOB, "Not in a priority area", "Priority decile"}
    if by in ("cohort_label", "quarter"):
        return list(categories)  # journeys are already in cohort start order
    if by == "imd_decile":
        return sorted(
            categories, key=lambda value: (value in last, int(value) if value.isdigit() else 0)
        )
    return sorted(categories, key=lambda value: (value in last, str(value).lower()))


def _label_jobs(session: Session, journeys: pd.DataFrame) -> None:
    """Names for the pathway and the employer and site of each first job."""
    pathways = _names(session, Pathway, journeys["job_pathway_id"])
    employers = _names(session, Organisation, journeys["job_employer_id"])
    sites = _names(session, Site, journeys["job_site_id"])
    has_job = journeys["started_job"]
    pathway = journeys["job_pathway_id"].map(pathways).astype(object).fillna(NOT_KNOWN)
    journeys["pathway"] = pathway.where(has_job, NO_JOB)
    named = [
        ", ".join(name for name in (employers.get(employer, NOT_KNOWN), sites.get(site)) if name)
        for employer, site in zip(journeys["job_employer_id"], journeys["job_site_id"], strict=True)
    ]
    journeys["employer_site"] = np.where(has_job, named, NO_JOB)


# Choosing and naming a scope.


def describe_scope(*, session: Session, scope: ReportScope) -> str:
    """A heading for the report: what it covers, in words."""
    parts = []
    if scope.cohort_id is not None:
        cohort = session.get(Cohort, scope.cohort_id)
        programme = session.get(Programme, cohort.programme_id)
        parts.append(f"{programme.name}: {cohort.name}")
    if scope.programme_id is not None:
        parts.append(session.get(Programme, scope.programme_id).name)
    if scope.employer_id is not None:
        parts.append(f"cohorts with {session.get(Organisation, scope.employer_id).name}")
    if scope.starts_from or scope.starts_to:
        start = f"{scope.starts_from:%-d %B %Y}" if scope.starts_from else "the first cohort"
        end = f"{scope.starts_to:%-d %B %Y}" if scope.starts_to else "today"
        parts.append(f"cohorts starting {start} to {end}")
    return "; ".join(parts) or "All cohorts"


def check_scope(*, session: Session, scope: ReportScope) -> None:
    """Raise NotFound if the scope names a cohort, programme or employer that does not exist."""
    for model, key in (
        (Cohort, scope.cohort_id),
        (Programme, scope.programme_id),
        (Organisation, scope.employer_id),
    ):
        if key is not None and session.get(model, key) is None:
            raise NotFound(f"{model.__name__} not found")


def report_choices(*, session: Session) -> dict[str, list[tuple[int, str]]]:
    """Cohorts, programmes and partner employers a programme lead can report on."""
    cohorts = session.exec(
        select(Cohort.id, Programme.name, Cohort.name)
        .join(Programme, Programme.id == Cohort.programme_id)
        .order_by(Programme.name, Cohort.starts_on, Cohort.name)
    ).all()
    programmes = session.exec(select(Programme.id, Programme.name).order_by(Programme.name)).all()
    employers = session.exec(
        select(Organisation.id, Organisation.name)
        .where(col(Organisation.kind).in_([kind.value for kind in EMPLOYER_KINDS]))
        .order_by(Organisation.name)
    ).all()
    return {
        "cohorts": [(row[0], f"{row[1]}: {row[2]}") for row in cohorts],
        "programmes": [tuple(row) for row in programmes],
        "employers": [tuple(row) for row in employers],
    }


# Anchor measures for a trust or care employer.


@dataclass(frozen=True)
class LivingWageRate:
    year: str
    hourly_rate: float
    announced_on: date
    pay_by: date


@cache
def living_wage_rates() -> tuple[LivingWageRate, ...]:
    """The Real Living Wage (UK outside London) by year, oldest first; see the data README."""
    with PAY_DATA.open(newline="", encoding="utf-8") as handle:
        rates = [
            LivingWageRate(
                year=row["year"],
                hourly_rate=float(row["uk_hourly_rate_gbp"]),
                announced_on=date.fromisoformat(row["announced_on"]),
                pay_by=date.fromisoformat(row["employers_pay_by"]),
            )
            for row in csv.DictReader(handle)
        ]
    return tuple(sorted(rates, key=lambda rate: rate.announced_on))


def living_wage_on(day: date) -> LivingWageRate | None:
    """The rate an accredited employer had to pay on a day: the latest whose deadline had passed.

    Employers have six months from each autumn announcement to pay the new rate, so a start
    is held to the previous year's rate until then. None before the earliest deadline we hold.
    """
    due = [rate for rate in living_wage_rates() if rate.pay_by <= day]
    return due[-1] if due else None


@dataclass(frozen=True)
class AnchorMeasures:
    """Exact anchor figures for one employer, before disclosure control."""

    employer_name: str
    as_of: date
    starts: int
    from_priority_areas: int
    paid_living_wage: int
    pay_known: int
    by_year: pd.DataFrame


def anchor_measures(
    *, session: Session, employer_id: int, as_of: date | None = None
) -> AnchorMeasures:
    """Entry-role and apprenticeship starts at the employer: how many from priority areas or
    IMD deciles 1-2, and how many paid at or above the Real Living Wage when they started."""
    employer = session.get(Organisation, employer_id)
    if employer is None:
        raise NotFound("Organisation not found")
    starts = _read(session, _anchor_starts(employer_id), ("occurred_on",))
    starts = anchor_outcomes(starts)
    by_year = (
        starts.groupby("year", sort=True)[
            ["starts", "from_priority_areas", "pay_known", "paid_living_wage"]
        ]
        .sum()
        .astype("int64")
    )
    return AnchorMeasures(
        employer_name=employer.name,
        as_of=as_of or today(),
        starts=len(starts),
        from_priority_areas=int(starts["from_priority_areas"].sum()),
        paid_living_wage=int(starts["paid_living_wage"].sum()),
        pay_known=int(starts["pay_known"].sum()),
        by_year=by_year,
    )


def anchor_outcomes(starts: pd.DataFrame) -> pd.DataFrame:
    """Per job start: from a priority area, hourly pay, and whether it met the living wage."""
    out = starts.copy()
    out["starts"] = True
    deciles = pd.to_numeric(out["imd_decile"], errors="coerce")
    out["from_priority_areas"] = out["in_priority_area"].astype(bool) | deciles.isin(ANCHOR_DECILES)
    annual = out["annual_pay"] / (out["hours_per_week"] * WEEKS_PER_YEAR)
    out["hourly"] = out["hourly_pay"].where(out["hourly_pay"].notna(), annual)
    rates = out["occurred_on"].map(lambda day: living_wage_on(day.date()))
    out["living_wage"] = rates.map(lambda rate: rate.hourly_rate if rate else np.nan)
    out["pay_known"] = out["hourly"].notna() & out["living_wage"].notna()
    # Pay is compared in pence, so £12.60 an hour meets a £12.60 rate despite float rounding.
    out["paid_living_wage"] = out["pay_known"] & (
        (out["hourly"] * 100).round() >= (out["living_wage"] * 100).round()
    )
    out["year"] = out["occurred_on"].map(financial_year)
    return out


def financial_year(day) -> str:
    year = day.year if day.month >= 4 else day.year - 1
    return f"{year}/{(year + 1) % 100:02d}"


# Tables as people see them: the page, the CSV and XLSX exports and the API all use these.


@dataclass(frozen=True)
class Table:
    """A published table: every figure already through disclosure control."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    note: str = ""


RATE = "Rate (%)"


def report_tables(report: OutcomeReport, rules: DisclosureRules) -> list[Table]:
    """Every table of an outcome report, in the order the page shows them."""
    tables = [_funnel_table(report, rules), _median_table(report, rules)]
    if report.cohorts is not None and len(report.cohorts) > 1:
        tables.append(_cohorts_table(report, rules))
    tables.append(
        _breakdown_table(
            "trend",
            "Trend by quarter of cohort start (NHS financial year)",
            "Quarter",
            report.trend,
            rules,
            rate=("started_job", "started_programme"),
        )
    )
    for dimension in BREAKDOWNS:
        tables.append(
            _breakdown_table(
                f"by_{dimension.key}",
                dimension.title,
                dimension.label,
                report.breakdowns[dimension.key],
                rules,
                rate=("started_job", "started_programme"),
            )
        )
    return tables


def _stage_label(key: str) -> str:
    extra = {f"known_{weeks}": f"Known at {weeks} weeks" for weeks in SUSTAINMENT_WEEKS}
    return {stage.key: stage.label for stage in STAGES}.get(key) or extra[key]


def _funnel_table(report: OutcomeReport, rules: DisclosureRules) -> Table:
    rows = []
    for _, row in report.funnel.iterrows():
        numerator, denominator = int(row["numerator"]), int(row["denominator"])
        not_known = row["not_known"]
        rows.append(
            (
                row["label"],
                show_total(numerator, rules),
                show_total(denominator, rules),
                show_rate(
                    numerator,
                    denominator,
                    rules,
                    denominator_hidden=is_small(denominator, rules),
                ),
                "" if pd.isna(not_known) else show_total(int(not_known), rules),
            )
        )
    return Table(
        "funnel",
        "Outcomes",
        ("Stage", "Number", "Out of", RATE, "Not yet known"),
        tuple(rows),
        note=(
            "From interview on, figures count residents who started the programme. In work at "
            "13, 26 and 52 weeks is out of checks that are due and have an answer; checks due "
            "without an answer are shown as not yet known."
        ),
    )


def _median_table(report: OutcomeReport, rules: DisclosureRules) -> Table:
    count = report.median_count
    if report.median_days_to_job is None or count < rules.min_denominator:
        median: object = LOW_BASE
    else:
        median = round(report.median_days_to_job, 1)
        median = int(median) if median.is_integer() else median
    return Table(
        "time_to_work",
        "Time to work",
        ("Measure", "Days", "People"),
        (("Median days from programme start to job start", median, show_total(count, rules)),),
    )


def _breakdown_table(
    key: str,
    title: str,
    heading: str,
    counts: pd.DataFrame,
    rules: DisclosureRules,
    *,
    rate: tuple[str, str],
) -> Table:
    """Categories as rows with a total row; each column suppressed against its total."""
    values, marks = _columns(counts, rules)
    numerators, denominators = values[rate[0]], values[rate[1]]
    rows = []
    for row, category in enumerate(counts.index):
        cells = [show_count(values[name][row], marks[name][row], rules) for name in counts]
        cells.append(
            show_rate(
                numerators[row],
                denominators[row],
                rules,
                numerator_hidden=marks[rate[0]][row] is not None,
                denominator_hidden=marks[rate[1]][row] is not None,
            )
        )
        rows.append((str(category), *cells))
    totals = {name: sum(column) for name, column in values.items()}
    numerator, denominator = totals[rate[0]], totals[rate[1]]
    rows.append(
        (
            "Total",
            *(show_total(totals[name], rules) for name in counts.columns),
            show_rate(
                numerator, denominator, rules, denominator_hidden=is_small(denominator, rules)
            ),
        )
    )
    columns = (
        heading,
        *(_stage_label(name) for name in counts.columns),
        f"Into work {RATE.lower()}",
    )
    return Table(key, title, columns, tuple(rows))


def _columns(counts: pd.DataFrame, rules: DisclosureRules) -> tuple[dict, dict]:
    """Each column's counts and disclosure marks as plain lists, for building rows quickly."""
    marks = suppress_table(counts, rules)
    values = {name: [int(value) for value in counts[name].tolist()] for name in counts.columns}
    return values, {name: marks[name].tolist() for name in counts.columns}


def _cohorts_table(report: OutcomeReport, rules: DisclosureRules) -> Table:
    """Cohorts side by side: stages as rows, one column per cohort and one for them all."""
    counts = report.cohorts
    values, marks = _columns(counts, rules)
    totals = {name: sum(column) for name, column in values.items()}
    cohorts = range(len(counts.index))
    rows = []
    for stage in STAGES:
        key, below = stage.key, stage.denominator
        rows.append(
            (
                stage.label,
                *(show_count(values[key][c], marks[key][c], rules) for c in cohorts),
                show_total(totals[key], rules),
            )
        )
        if key == "registered":
            continue
        rows.append(
            (
                f"{stage.label}: {RATE.lower()}",
                *(
                    show_rate(
                        values[key][c],
                        values[below][c],
                        rules,
                        numerator_hidden=marks[key][c] is not None,
                        denominator_hidden=marks[below][c] is not None,
                    )
                    for c in cohorts
                ),
                show_rate(
                    totals[key],
                    totals[below],
                    rules,
                    denominator_hidden=is_small(totals[below], rules),
                ),
            )
        )
    return Table(
        "cohorts",
        "Cohorts side by side",
        ("Stage", *(str(cohort) for cohort in counts.index), "All cohorts"),
        tuple(rows),
    )


def anchor_tables(measures: AnchorMeasures, rules: DisclosureRules) -> list[Table]:
    """The anchor measures of one employer, overall and by financial year of start."""
    starts = measures.starts
    summary = Table(
        "anchor",
        f"Anchor measures: {measures.employer_name}",
        ("Measure", "Number", "Out of", RATE),
        (
            ("Entry-role and apprenticeship starts", show_total(starts, rules), "", ""),
            (
                "Living in a priority area or IMD decile 1-2",
                show_total(measures.from_priority_areas, rules),
                show_total(starts, rules),
                show_rate(
                    measures.from_priority_areas,
                    starts,
                    rules,
                    denominator_hidden=is_small(starts, rules),
                ),
            ),
            (
                "Paid at or above the Real Living Wage when they started",
                show_total(measures.paid_living_wage, rules),
                show_total(measures.pay_known, rules),
                show_rate(
                    measures.paid_living_wage,
                    measures.pay_known,
                    rules,
                    denominator_hidden=is_small(measures.pay_known, rules),
                ),
            ),
        ),
        note=(
            "Real Living Wage: the Living Wage Foundation's UK rate (outside London) that "
            "employers had to pay on the start date, allowing six months from each announcement. "
            "The living wage share is out of starts with their pay recorded."
        ),
    )
    counts = measures.by_year
    marks = suppress_table(counts, rules)
    labels = {
        "starts": "Starts",
        "from_priority_areas": "Living in a priority area or IMD decile 1-2",
        "pay_known": "Pay recorded",
        "paid_living_wage": "Paid at or above the Real Living Wage",
    }
    rows = [
        (
            str(year),
            *(show_count(counts.at[year, name], marks.at[year, name], rules) for name in counts),
        )
        for year in counts.index
    ]
    rows.append(("Total", *(show_total(int(counts[name].sum()), rules) for name in counts)))
    by_year = Table(
        "anchor_by_year",
        "By NHS financial year of start",
        ("Year", *(labels[name] for name in counts.columns)),
        tuple(rows),
    )
    return [summary, by_year]


def tables_as_json(tables: list[Table]) -> list[dict]:
    """The tables as plain JSON: suppressed figures are their symbols, as on the page."""
    return [
        {
            "key": table.key,
            "title": table.title,
            "columns": list(table.columns),
            "rows": [list(row) for row in table.rows],
            "note": table.note,
        }
        for table in tables
    ]
