"""Bulk import of an advisor's existing spreadsheet of residents: all or nothing, safe to repeat.

A row is the same person as an existing resident when its reference matches, or (without a
reference) when name, date of birth and postcode all match exactly; such rows are left alone, so
uploading the same file twice adds nobody. Close but inexact matches are reported for review.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, func, select

from pathways.clock import today
from pathways.csv_import import Column, CsvRow, ImportRejected, RowError, read_csv, template_csv
from pathways.geography import DEFAULT_PRIORITY_DECILE_THRESHOLD, normalise_postcode
from pathways.models import Resident, User
from pathways.resident_search import LikelyMatch, likely_duplicates
from pathways.residents import (
    ResidentDetails,
    parse_date,
    register_resident,
    resolve_skill_entries,
    split_skill_text,
    validate_details,
)

COLUMNS = [
    Column("reference", ("ref", "client ref", "client id", "participant id", "id", "external ref")),
    Column("first_name", ("first name", "forename", "forenames", "given name"), required=True),
    Column("last_name", ("last name", "surname", "family name"), required=True),
    Column("date_of_birth", ("dob", "d.o.b.", "date of birth", "birth date"), required=True),
    Column("postcode", ("post code", "postal code"), required=True),
    Column("email", ("e-mail", "email address")),
    Column("phone", ("telephone", "tel", "mobile", "phone number", "contact number")),
    Column("skills", ("skill", "skills and experience")),
    Column("driving_licence", ("driving licence", "driver", "full driving licence")),
    Column("right_to_work", ("right to work", "right to work in uk")),
    Column("consent_to_hold_data", ("consent", "consent to hold data", "gdpr consent"), True),
    Column("consent_date", ("date of consent", "consent given on")),
    Column("share_with_employers", ("consent to share", "share with employers")),
]
EXAMPLE_ROWS = [
    {
        "reference": "LP-0001",
        "first_name": "Jordan",
        "last_name": "Example",
        "date_of_birth": "14/02/1998",
        "postcode": "LS9 7JA",
        "email": "jordan@example.com",
        "phone": "07700 900123",
        "skills": "tills; cleaning; customer service",
        "driving_licence": "no",
        "right_to_work": "yes",
        "consent_to_hold_data": "yes",
        "consent_date": "01/11/2026",
        "share_with_employers": "yes",
    }
]
YES = frozenset({"yes", "y", "true", "1", "x"})
NO = frozenset({"no", "n", "false", "0", ""})


@dataclass
class ImportResult:
    """What an accepted file did, and the close matches an advisor should check."""

    created: list[Resident] = field(default_factory=list)
    already_registered: int = 0
    possible_duplicates: list[tuple[int, LikelyMatch]] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)


@dataclass
class _ParsedRow:
    line: int
    details: ResidentDetails
    skill_labels: list[str]
    consent_on: date | None
    share: bool


def resident_template() -> str:
    """The CSV template advisors download, with one worked example."""
    return template_csv(COLUMNS, EXAMPLE_ROWS)


def import_residents(
    *,
    session: Session,
    advisor: User,
    data: bytes | str,
    priority_decile_threshold: int = DEFAULT_PRIORITY_DECILE_THRESHOLD,
) -> ImportResult:
    """Register every new person in the file, or nobody: ImportRejected lists each bad row."""
    parsed = read_csv(data, COLUMNS)
    errors: list[RowError] = []
    rows: list[_ParsedRow] = []
    for csv_row in parsed.rows:
        row, row_errors = _parse_row(csv_row)
        errors += row_errors
        if row is not None:
            rows.append(row)
    errors += _repeated_people(rows)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: (e.line, e.column)))
    result = ImportResult(ignored_headers=parsed.ignored_headers)
    new_rows = []
    for row in rows:
        if _existing(session, advisor.organisation_id, row.details) is not None:
            result.already_registered += 1
            continue
        result.possible_duplicates += [
            (row.line, match)
            for match in likely_duplicates(
                session=session,
                organisation_id=advisor.organisation_id,
                first_name=row.details.first_name,
                last_name=row.details.last_name,
                date_of_birth=row.details.date_of_birth,
                postcode=row.details.postcode,
            )
        ]
        new_rows.append(row)
    for row in new_rows:
        result.created.append(
            register_resident(
                session=session,
                advisor=advisor,
                details=row.details,
                skill_labels=row.skill_labels,
                consent_to_hold_data=True,
                share_with_employers=row.share,
                consent_given_on=row.consent_on,
                priority_decile_threshold=priority_decile_threshold,
            )
        )
    return result


def _parse_row(csv_row: CsvRow) -> tuple[_ParsedRow | None, list[RowError]]:
    """The row as resident details, or the reasons it cannot be imported."""
    values = csv_row.values
    line = csv_row.line
    errors: list[RowError] = []

    def flag(column: str) -> bool:
        text = values.get(column, "").strip().lower()
        if text not in YES | NO:
            errors.append(RowError(line, column, f"“{text}” is not yes or no"))
        return text in YES

    typed_birth = values.get("date_of_birth", "")
    born = parse_date(typed_birth)
    skills = resolve_skill_entries(split_skill_text(values.get("skills", "")))
    details = ResidentDetails(
        external_ref=values.get("reference") or None,
        first_name=values.get("first_name", ""),
        last_name=values.get("last_name", ""),
        date_of_birth=born,
        postcode=values.get("postcode", ""),
        email=values.get("email", ""),
        phone=values.get("phone", ""),
        other_skills=", ".join(skills.unrecognised),
        has_driving_licence=flag("driving_licence"),
        has_right_to_work=flag("right_to_work"),
    )
    for name, message in validate_details(details).items():
        if name == "date_of_birth" and typed_birth and born is None:
            message = f"“{typed_birth}” is not a date; use dd/mm/yyyy or yyyy-mm-dd"
        errors.append(RowError(line, name, message))
    if not flag("consent_to_hold_data"):
        errors.append(RowError(line, "consent_to_hold_data", "the resident must consent (yes)"))
    consent_on = None
    if values.get("consent_date"):
        consent_on = parse_date(values["consent_date"])
        if consent_on is None or consent_on > today():
            errors.append(RowError(line, "consent_date", "not a past date like 31/10/2026"))
    share = flag("share_with_employers")
    if details.external_ref and len(details.external_ref) > 60:
        errors.append(RowError(line, "reference", "longer than 60 characters"))
    if errors:
        return None, errors
    details.postcode = normalise_postcode(details.postcode)
    return _ParsedRow(line, details, skills.labels, consent_on, share), []


def _identity(details: ResidentDetails) -> tuple:
    """Who a row is: the spreadsheet reference if there is one, else exact name, birth, postcode."""
    if details.external_ref:
        return ("reference", details.external_ref.strip())
    return (
        "person",
        details.first_name.strip().lower(),
        details.last_name.strip().lower(),
        details.date_of_birth,
        details.postcode,
    )


def _repeated_people(rows: list[_ParsedRow]) -> list[RowError]:
    """Rows that describe someone an earlier row of the same file already describes."""
    first_seen: dict[tuple, int] = {}
    errors = []
    for row in rows:
        key = _identity(row.details)
        if key in first_seen:
            errors.append(
                RowError(row.line, "", f"the same person as line {first_seen[key]}; remove one")
            )
        else:
            first_seen[key] = row.line
    return errors


def _existing(session: Session, organisation_id: int, details: ResidentDetails) -> Resident | None:
    """The stored resident this row is: same reference, or same name, birth date and postcode."""
    statement = select(Resident).where(Resident.organisation_id == organisation_id)
    if details.external_ref:
        statement = statement.where(Resident.external_ref == details.external_ref.strip())
    else:
        statement = statement.where(
            Resident.erased_at.is_(None),
            func.lower(Resident.first_name) == details.first_name.strip().lower(),
            func.lower(Resident.last_name) == details.last_name.strip().lower(),
            Resident.date_of_birth == details.date_of_birth,
            Resident.postcode == details.postcode,
        )
    return session.exec(statement).first()
