"""Bulk import of an advisor's spreadsheet: header variants, all or nothing, safe to repeat."""

import pytest
from sqlmodel import func, select

from pathways.csv_import import ImportRejected, read_csv
from pathways.models import ConsentKind, Resident, Role
from pathways.permissions import has_current_consent
from pathways.resident_import import COLUMNS, import_residents, resident_template
from pathways.residents import skill_labels_of
from pathways.skills import sync_skill_vocabulary

SPREADSHEET = """Client ID,Forename,Surname,DOB,Post code,Mobile,Skills,Consent,Consent to share
LP-1,Aisha,Begum,31/03/1990,ls9 7ja,07700 900123,tills; cleaning,yes,yes
LP-2,Tomasz,Nowak,1988-11-02,LS8 5BQ,,customer service,Y,no
,Claire,Wood,02/02/2000,SW1A 1AA,,,yes,
"""


def residents_of(db, advisor) -> int:
    return db.exec(
        select(func.count())
        .select_from(Resident)
        .where(Resident.organisation_id == advisor.organisation_id)
    ).one()


def test_header_variants_and_date_formats_are_understood(db, make_user):
    sync_skill_vocabulary(db)
    advisor = make_user(Role.ADVISOR)
    result = import_residents(session=db, advisor=advisor, data=SPREADSHEET.encode())
    assert len(result.created) == 3 and result.already_registered == 0
    aisha, tomasz, claire = result.created
    assert (aisha.external_ref, aisha.postcode, aisha.priority_area) == (
        "LP-1",
        "LS9 7JA",
        "Lincoln Green",
    )
    assert aisha.date_of_birth.isoformat() == "1990-03-31"
    assert tomasz.date_of_birth.isoformat() == "1988-11-02"
    assert skill_labels_of(session=db, resident=aisha) == ["cash handling", "cleaning"]
    assert has_current_consent(session=db, resident=aisha, kind=ConsentKind.SHARE_WITH_EMPLOYERS)
    assert not has_current_consent(
        session=db, resident=tomasz, kind=ConsentKind.SHARE_WITH_EMPLOYERS
    )
    assert claire.imd_decile is None and claire.advisor_id == advisor.id


def test_reimporting_the_same_file_creates_no_duplicates(db, make_user):
    advisor = make_user(Role.ADVISOR)
    import_residents(session=db, advisor=advisor, data=SPREADSHEET)
    again = import_residents(session=db, advisor=advisor, data=SPREADSHEET)
    assert again.created == [] and again.already_registered == 3
    assert residents_of(db, advisor) == 3


def test_one_bad_row_stores_nothing_and_every_bad_row_is_reported(db, make_user):
    advisor = make_user(Role.ADVISOR)
    bad = SPREADSHEET + (
        "LP-4,Kofi,Mensah,31/02/1990,LS9 7JA,,,yes,\n"
        "LP-5,Zara,Khan,01/01/2015,nonsense,,,yes,\n"
        "LP-6,Sam,Lee,01/01/1980,LS9 7JA,,,no,\n"
        "LP-1,Aisha,Begum,31/03/1990,LS9 7JA,,,yes,\n"
    )
    with pytest.raises(ImportRejected) as caught:
        import_residents(session=db, advisor=advisor, data=bad)
    problems = {(e.line, e.column) for e in caught.value.row_errors}
    assert problems == {
        (5, "date_of_birth"),
        (6, "date_of_birth"),
        (6, "postcode"),
        (7, "consent_to_hold_data"),
        (8, ""),
    }
    messages = " ".join(str(e) for e in caught.value.row_errors)
    assert "“31/02/1990” is not a date" in messages and "same person as line 2" in messages
    assert residents_of(db, advisor) == 0


def test_a_missing_required_column_is_refused():
    with pytest.raises(ImportRejected) as caught:
        read_csv("First name,Surname\nA,B\n", COLUMNS)
    assert {e.column for e in caught.value.row_errors} == {
        "date_of_birth",
        "postcode",
        "consent_to_hold_data",
    }


def test_the_template_imports_cleanly(db, make_user):
    result = import_residents(session=db, advisor=make_user(Role.ADVISOR), data=resident_template())
    assert [r.external_ref for r in result.created] == ["LP-0001"]


def test_close_matches_are_reported_for_review(db, make_user, make_resident):
    advisor = make_user(Role.ADVISOR)
    existing = make_resident(advisor, first_name="Aysha", last_name="Begum")
    existing.date_of_birth = existing.date_of_birth.replace(year=1990, month=3, day=31)
    db.add(existing)
    db.flush()
    result = import_residents(session=db, advisor=advisor, data=SPREADSHEET)
    assert [(line, m.resident.id) for line, m in result.possible_duplicates] == [(2, existing.id)]
