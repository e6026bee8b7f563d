"""Finding residents: likely duplicates at registration and import, and the advisor's caseload."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import sqlalchemy as sa
from rapidfuzz import fuzz, utils
from sqlmodel import Session, func, or_, select

from pathways.clock import today
from pathways.models import Resident, ResidentNote, ResidentStatus, User

# A likely duplicate needs a close name plus a matching date of birth or postcode.
DUPLICATE_THRESHOLD = 75
NAME_WEIGHT, BIRTH_WEIGHT, POSTCODE_WEIGHT = 0.5, 0.3, 0.2
# Fuzzy caseload search keeps names at least this similar to what was typed.
SEARCH_THRESHOLD = 70


@dataclass(frozen=True)
class LikelyMatch:
    """An existing resident who may be the person being registered, and how alike they are."""

    resident: Resident
    score: float


def full_name(resident: Resident) -> str:
    """First and last name, or a placeholder once erased."""
    if resident.erased_at is not None:
        return f"Erased resident {resident.id}"
    return f"{resident.first_name or ''} {resident.last_name or ''}".strip()


def duplicate_score(
    *,
    name: str,
    date_of_birth: date | None,
    postcode: str | None,
    other: Resident,
) -> float:
    """0-100: name similarity (half), date of birth (three tenths) and postcode (a fifth)."""
    name_score = fuzz.token_sort_ratio(name, full_name(other), processor=utils.default_process)
    return round(
        NAME_WEIGHT * name_score
        + BIRTH_WEIGHT * _birth_score(date_of_birth, other.date_of_birth)
        + POSTCODE_WEIGHT * _postcode_score(postcode, other.postcode),
        1,
    )


def _birth_score(ours: date | None, theirs: date | None) -> float:
    """Exact dates score 100; day and month swapped, or one part mistyped, score 60."""
    if ours is None or theirs is None:
        return 0
    if ours == theirs:
        return 100
    parts = [(ours.year, theirs.year), (ours.month, theirs.month), (ours.day, theirs.day)]
    swapped = (ours.year, ours.day, ours.month) == (theirs.year, theirs.month, theirs.day)
    return 60 if swapped or sum(a != b for a, b in parts) == 1 else 0


def _postcode_score(ours: str | None, theirs: str | None) -> float:
    """Same postcode 100; same sector (``LS9 7``) 50."""
    if not ours or not theirs:
        return 0
    if ours == theirs:
        return 100
    return 50 if ours[:-2] == theirs[:-2] else 0


def likely_duplicates(
    *,
    session: Session,
    organisation_id: int,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    postcode: str | None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[LikelyMatch]:
    """The organisation's residents who are probably this person, best match first."""
    # Without a matching birth date, sector or postcode a score cannot reach the threshold.
    sector = (postcode or "")[:-2]
    candidates = session.exec(
        select(Resident).where(
            Resident.organisation_id == organisation_id,
            Resident.erased_at.is_(None),
            Resident.merged_into_id.is_(None),
            or_(
                Resident.date_of_birth.between(
                    date(date_of_birth.year, 1, 1), date(date_of_birth.year, 12, 31)
                )
                if date_of_birth
                else sa.false(),
                Resident.postcode.startswith(sector) if sector else sa.false(),
            ),
        )
    )
    name = f"{first_name} {last_name}"
    matches = [
        LikelyMatch(
            other,
            duplicate_score(name=name, date_of_birth=date_of_birth, postcode=postcode, other=other),
        )
        for other in candidates
        if other.id != exclude_id
    ]
    matches = [m for m in matches if m.score >= DUPLICATE_THRESHOLD]
    return sorted(matches, key=lambda m: (-m.score, m.resident.id))[:limit]


class CaseloadSort(StrEnum):
    NAME = "name"
    NEXT_ACTION = "next_action"
    LAST_ACTIVITY = "last_activity"
    DECILE = "decile"
    REGISTERED = "registered"


class NextActionFilter(StrEnum):
    DUE = "due"  # due today or overdue
    THIS_WEEK = "this_week"
    ANY_OPEN = "any_open"


@dataclass(frozen=True)
class CaseloadQuery:
    """What the advisor asked to see; empty fields do not filter."""

    search: str = ""
    everyone_in_organisation: bool = False
    priority_area: str = ""  # a named area, or "any" for any priority area
    decile: int | None = None
    status: ResidentStatus | None = None
    next_action: NextActionFilter | None = None
    sort: CaseloadSort = CaseloadSort.NAME


@dataclass(frozen=True)
class CaseloadRow:
    resident: Resident
    next_action_due: date | None


def caseload(
    *, session: Session, advisor: User, query: CaseloadQuery, limit: int = 25, offset: int = 0
) -> tuple[list[CaseloadRow], int]:
    """One page of the advisor's residents matching the query, and how many match in all."""
    next_due = _next_action_due_by_resident()
    conditions = _caseload_conditions(advisor, query, next_due.c.next_action_due)
    if query.search.strip() or _sorts_or_filters_on_next_action(query):
        # Every row's next action is needed: one grouped pass over the open notes.
        due_on = next_due.c.next_action_due
        statement = select(Resident, due_on).join(
            next_due, next_due.c.resident_id == Resident.id, isouter=True
        )
    else:
        # Only the page's rows need theirs, so the page can stop early in index order.
        due_on = _next_action_due_of_row()
        statement = select(Resident, due_on)
    statement = statement.where(*conditions).order_by(*_ordering(query.sort, due_on))
    if query.search.strip():
        rows = [CaseloadRow(r, due) for r, due in session.exec(statement)]
        ranked = _fuzzy_filter(rows, query.search)
        return ranked[offset : offset + limit], len(ranked)
    counted = select(func.count()).select_from(Resident)
    if query.next_action is not None:
        counted = counted.join(next_due, next_due.c.resident_id == Resident.id)
    total = session.exec(counted.where(*conditions)).one()
    page = session.exec(statement.limit(limit).offset(offset))
    return [CaseloadRow(r, due) for r, due in page], total


def _sorts_or_filters_on_next_action(query: CaseloadQuery) -> bool:
    """Whether every resident's next action date is needed, not only the page's."""
    return query.sort == CaseloadSort.NEXT_ACTION or query.next_action is not None


def _open_actions() -> tuple[sa.ColumnElement[bool], ...]:
    """Notes whose next action is still to do and has a date."""
    return ResidentNote.done_at.is_(None), ResidentNote.due_on.is_not(None)


def _next_action_due_by_resident() -> sa.Subquery:
    """Each resident's earliest open next action, for joining."""
    return (
        select(ResidentNote.resident_id, func.min(ResidentNote.due_on).label("next_action_due"))
        .where(*_open_actions())
        .group_by(ResidentNote.resident_id)
        .subquery()
    )


def _next_action_due_of_row() -> sa.Label:
    """The earliest open next action of the resident on this row, looked up for that row."""
    return (
        select(func.min(ResidentNote.due_on))
        .where(ResidentNote.resident_id == Resident.id, *_open_actions())
        .scalar_subquery()
        .label("next_action_due")
    )


def _caseload_conditions(
    advisor: User, query: CaseloadQuery, next_action_due: sa.ColumnElement
) -> list[sa.ColumnElement[bool]]:
    """The query's filters on ``Resident`` (and on ``next_action_due`` for next actions)."""
    conditions = [
        Resident.organisation_id == advisor.organisation_id,
        Resident.erased_at.is_(None),
        Resident.merged_into_id.is_(None),
    ]
    if not query.everyone_in_organisation:
        conditions.append(Resident.advisor_id == advisor.id)
    if query.priority_area == "any":
        conditions.append(Resident.in_priority_area.is_(True))
    elif query.priority_area:
        conditions.append(Resident.priority_area == query.priority_area)
    if query.decile is not None:
        conditions.append(Resident.imd_decile == query.decile)
    if query.status is not None:
        conditions.append(Resident.status == query.status)
    if query.next_action is not None:
        conditions.append(next_action_due.is_not(None))
        horizon = {NextActionFilter.DUE: 0, NextActionFilter.THIS_WEEK: 7}.get(query.next_action)
        if horizon is not None:
            conditions.append(next_action_due <= today() + timedelta(days=horizon))
    return conditions


def _fuzzy_filter(rows: list[CaseloadRow], search: str) -> list[CaseloadRow]:
    """Rows whose name is like the search (typos allowed), the closest first."""
    scored = []
    for position, row in enumerate(rows):
        score = fuzz.WRatio(search, full_name(row.resident), processor=utils.default_process)
        if score >= SEARCH_THRESHOLD:
            scored.append((-score, position, row))
    return [row for _, _, row in sorted(scored, key=lambda item: item[:2])]


def _ordering(sort: CaseloadSort, next_action_due) -> list:
    by_name = [Resident.last_name, Resident.first_name, Resident.id]
    return {
        CaseloadSort.NAME: by_name,
        CaseloadSort.NEXT_ACTION: [next_action_due.is_(None), next_action_due, *by_name],
        CaseloadSort.LAST_ACTIVITY: [Resident.last_activity_at.desc(), Resident.id],
        CaseloadSort.DECILE: [Resident.imd_decile.is_(None), Resident.imd_decile, *by_name],
        CaseloadSort.REGISTERED: [Resident.created_at.desc(), Resident.id.desc()],
    }[sort]
