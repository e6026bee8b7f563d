"""Registering residents: validation, postcode resolution, skills, consent, duplicates, caseload."""

from datetime import UTC, date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import select

from pathways.errors import NotFound, ValidationFailed
from pathways.models import (
    Application,
    ConsentKind,
    ConsentRecord,
    Enrolment,
    MilestoneEvent,
    MilestoneKind,
    Organisation,
    Resident,
    ResidentNote,
    ResidentStatus,
    Role,
)
from pathways.permissions import has_current_consent
from pathways.resident_merge import merge_residents
from pathways.resident_search import (
    CaseloadQuery,
    CaseloadSort,
    NextActionFilter,
    caseload,
    likely_duplicates,
)
from pathways.residents import (
    ResidentDetails,
    add_note,
    mark_note_done,
    record_consent,
    register_resident,
    resident_for,
    resolve_skill_entries,
    skill_labels_of,
    update_resident,
)
from pathways.skills import sync_skill_vocabulary


def details(**overrides) -> ResidentDetails:
    values = {
        "first_name": "Aisha",
        "last_name": "Begum",
        "date_of_birth": date(1990, 3, 31),
        "postcode": "ls97ja",
    }
    return ResidentDetails(**(values | overrides))


def register(db, advisor, **overrides):
    return register_resident(
        session=db,
        advisor=advisor,
        details=details(**overrides),
        skill_labels=[],
        consent_to_hold_data=True,
    )


@freeze_time("2026-11-24")
def test_registration_resolves_the_postcode_at_once(db, make_user):
    resident = register(db, make_user(Role.ADVISOR))
    assert resident.postcode == "LS9 7JA"
    assert (resident.imd_decile, resident.priority_area) == (1, "Lincoln Green")
    assert resident.in_priority_area
    assert resident.ward_name == "Burmantofts & Richmond Hill"
    assert resident.lsoa21_code == "E01033035"
    assert resident.age_band == "35-49"


def test_postcode_outside_the_data_is_accepted_with_no_deprivation_data(db, make_user):
    resident = register(db, make_user(Role.ADVISOR), postcode="SW1A 1AA")
    assert resident.postcode == "SW1A 1AA"
    assert resident.imd_decile is None and resident.ward_name is None
    assert not resident.in_priority_area


@freeze_time("2026-11-24")
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": " "}, "first_name", "Enter the resident's first name"),
        ({"date_of_birth": date(2010, 11, 25)}, "date_of_birth", "must be 16 or over"),
        ({"date_of_birth": None}, "date_of_birth", "Enter a date of birth"),
        ({"postcode": "nonsense"}, "postcode", "Enter a full UK postcode"),
        ({"postcode": "LS9 9ZZ"}, "postcode", "We cannot find LS9 9ZZ"),
        ({"email": "aisha@"}, "email", "correct format"),
        ({"phone": "12345"}, "phone", "UK phone number"),
        ({"sex": "unknown"}, "sex", "Choose an answer"),
    ],
)
def test_invalid_details_are_refused_field_by_field(db, make_user, overrides, field, message):
    with pytest.raises(ValidationFailed) as caught:
        register(db, make_user(Role.ADVISOR), **overrides)
    assert message in caught.value.errors[field]


@freeze_time("2026-11-24")
def test_sixteenth_birthday_today_is_old_enough_and_prefer_not_to_say_is_an_answer(db, make_user):
    resident = register(
        db,
        make_user(Role.ADVISOR),
        date_of_birth=date(2010, 11, 24),
        phone="07700 900123",
        sex="prefer_not_to_say",
    )
    assert resident.age_band == "16-24" and resident.sex == "prefer_not_to_say"


def test_consent_to_hold_data_is_required(db, make_user):
    with pytest.raises(ValidationFailed) as caught:
        register_resident(
            session=db,
            advisor=make_user(Role.ADVISOR),
            details=details(),
            skill_labels=[],
            consent_to_hold_data=False,
        )
    assert "consent_to_hold_data" in caught.value.errors


def test_sharing_consent_is_separate_dated_and_withdrawable(db, make_user, make_resident):
    advisor = make_user(Role.ADVISOR)
    resident = make_resident(advisor)
    assert has_current_consent(session=db, resident=resident, kind=ConsentKind.HOLD_DATA)
    assert not has_current_consent(
        session=db, resident=resident, kind=ConsentKind.SHARE_WITH_EMPLOYERS
    )
    day = date.today() - timedelta(days=3)
    record_consent(
        session=db,
        resident=resident,
        kind=ConsentKind.SHARE_WITH_EMPLOYERS,
        granted=True,
        on=day,
        by=advisor,
    )
    assert has_current_consent(session=db, resident=resident, kind=ConsentKind.SHARE_WITH_EMPLOYERS)
    record_consent(
        session=db,
        resident=resident,
        kind=ConsentKind.SHARE_WITH_EMPLOYERS,
        granted=False,
        on=date.today(),
        by=advisor,
    )
    assert not has_current_consent(
        session=db, resident=resident, kind=ConsentKind.SHARE_WITH_EMPLOYERS
    )
    kinds = db.exec(
        select(ConsentRecord.kind, ConsentRecord.granted).where(
            ConsentRecord.resident_id == resident.id
        )
    ).all()
    assert len(kinds) == 3


def test_typed_skills_match_the_vocabulary_and_unknown_ones_get_suggestions():
    entries = resolve_skill_entries(["tills", "cleening", "origami", "stok control"])
    assert entries.labels == ["cash handling", "cleaning"]
    assert entries.unrecognised["origami"] == []
    assert "stock control" in entries.unrecognised["stok control"]


def test_skills_are_stored_from_the_vocabulary_and_replaced_on_update(db, make_user):
    sync_skill_vocabulary(db)
    advisor = make_user(Role.ADVISOR)
    resident = register_resident(
        session=db,
        advisor=advisor,
        details=details(other_skills="looked after my nan"),
        skill_labels=["cash handling", "cleaning", "not a skill"],
        consent_to_hold_data=True,
    )
    assert skill_labels_of(session=db, resident=resident) == ["cash handling", "cleaning"]
    update_resident(
        session=db, resident=resident, details=details(), skill_labels=["customer service"]
    )
    assert skill_labels_of(session=db, resident=resident) == ["customer service"]


def test_likely_duplicates_are_found_by_name_birth_date_and_postcode(db, make_user):
    advisor = make_user(Role.ADVISOR)
    existing = register(db, advisor)
    other = register(db, advisor, first_name="Mohammed", last_name="Ali")
    matches = likely_duplicates(
        session=db,
        organisation_id=advisor.organisation_id,
        first_name="Aysha",
        last_name="Begum",
        date_of_birth=date(1990, 3, 31),
        postcode="LS9 7JA",
    )
    assert [m.resident.id for m in matches] == [existing.id]
    assert 90 <= matches[0].score < 100
    assert other.id not in [m.resident.id for m in matches]
    # Same name but a different birth date and postcode is someone else.
    assert not likely_duplicates(
        session=db,
        organisation_id=advisor.organisation_id,
        first_name="Aisha",
        last_name="Begum",
        date_of_birth=date(1978, 1, 2),
        postcode="LS12 2AE",
    )
    # Another organisation's residents are never offered.
    elsewhere = make_user(Role.ADVISOR)
    assert not likely_duplicates(
        session=db,
        organisation_id=elsewhere.organisation_id,
        first_name="Aisha",
        last_name="Begum",
        date_of_birth=date(1990, 3, 31),
        postcode="LS9 7JA",
    )


def test_another_organisations_resident_is_not_found(db, make_user, make_resident):
    resident = make_resident(make_user(Role.ADVISOR))
    with pytest.raises(NotFound):
        resident_for(session=db, user=make_user(Role.ADVISOR), resident_id=resident.id)


@freeze_time("2026-11-24")
def test_caseload_filters_search_sort_and_pages(db, make_user, make_resident):
    advisor = make_user(Role.ADVISOR)
    lincoln = make_resident(advisor, first_name="Aisha", last_name="Begum", postcode="LS9 7JA")
    harehills = make_resident(advisor, first_name="Tomasz", last_name="Nowak", postcode="LS8 5BQ")
    affluent = make_resident(advisor, first_name="Claire", last_name="Wood", postcode="LS21 2LY")
    outside = make_resident(advisor, first_name="Kofi", last_name="Mensah", postcode="SW1A 1AA")
    make_resident(make_user(Role.ADVISOR), first_name="Aisha", last_name="Begum")
    add_note(
        session=db,
        resident=harehills,
        author=advisor,
        body="Called",
        next_action="Send CV",
        due_on=date(2026, 11, 20),
    )
    done = add_note(
        session=db,
        resident=affluent,
        author=advisor,
        body="Met",
        next_action="Book course",
        due_on=date(2026, 11, 1),
    )
    mark_note_done(session=db, note=done)

    def ids(**query):
        rows, total = caseload(session=db, advisor=advisor, query=CaseloadQuery(**query))
        assert total == len(rows)
        return [row.resident.id for row in rows]

    assert ids() == [lincoln.id, outside.id, harehills.id, affluent.id]  # by last name
    assert ids(search="aysha begun") == [lincoln.id]
    assert ids(priority_area="Lincoln Green") == [lincoln.id]
    assert set(ids(priority_area="any")) == {lincoln.id, harehills.id}
    assert ids(decile=1) == [lincoln.id, harehills.id]
    assert ids(decile=9) == [affluent.id]
    assert ids(next_action=NextActionFilter.DUE) == [harehills.id]
    assert ids(sort=CaseloadSort.DECILE)[-1] == outside.id
    assert ids(sort=CaseloadSort.NEXT_ACTION)[0] == harehills.id
    assert ids(status=ResidentStatus.IN_WORK) == []
    page, total = caseload(session=db, advisor=advisor, query=CaseloadQuery(), limit=3, offset=3)
    assert total == 4 and [row.resident.id for row in page] == [affluent.id]


def by_name(resident: Resident) -> tuple:
    return resident.last_name, resident.first_name, resident.id


def newest_first(moment: datetime) -> float:
    """A sort key putting later moments first; SQLite returns naive UTC datetimes."""
    return -(moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def caseload_by_hand(db, advisor, query: CaseloadQuery) -> list[tuple[int, date | None]]:
    """The caseload worked out in Python from every row: (resident id, next action due)."""
    notes = db.exec(select(ResidentNote)).all()
    due: dict[int, date] = {}
    for note in notes:
        if note.done_at is None and note.due_on is not None:
            due[note.resident_id] = min(due.get(note.resident_id, note.due_on), note.due_on)
    residents = [
        r
        for r in db.exec(select(Resident)).all()
        if r.organisation_id == advisor.organisation_id
        and r.erased_at is None
        and r.merged_into_id is None
        and (query.everyone_in_organisation or r.advisor_id == advisor.id)
        and (query.decile is None or r.imd_decile == query.decile)
        and (query.next_action is None or r.id in due)
    ]
    key = {
        CaseloadSort.NAME: by_name,
        CaseloadSort.NEXT_ACTION: lambda r: (r.id not in due, due.get(r.id, date.min), by_name(r)),
        CaseloadSort.LAST_ACTIVITY: lambda r: (newest_first(r.last_activity_at), r.id),
        CaseloadSort.DECILE: lambda r: (r.imd_decile is None, r.imd_decile or 0, by_name(r)),
        CaseloadSort.REGISTERED: lambda r: (newest_first(r.created_at), -r.id),
    }[query.sort]
    return [(r.id, due.get(r.id)) for r in sorted(residents, key=key)]


@pytest.mark.parametrize("sort", list(CaseloadSort))
def test_caseload_pages_follow_each_order_exactly(db, make_user, make_resident, sort):
    advisor = make_user(Role.ADVISOR)
    colleague = make_user(Role.ADVISOR, organisation=db.get(Organisation, advisor.organisation_id))
    names = [("Aisha", "Begum"), ("Aisha", "Begum"), ("Zoe", "Begum"), ("Ben", "Adams")]
    names += [("Cara", "Wood"), ("Dan", "Wood"), ("Eve", "Nowak"), ("Fay", "Ali")]
    postcodes = ["LS9 7JA", "LS8 5BQ", "LS21 2LY", "SW1A 1AA"]
    residents = []
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    for number, (first, last) in enumerate(names * 2):
        with freeze_time(start + timedelta(hours=number % 5)):
            resident = make_resident(
                advisor if number % 3 else colleague,
                first_name=first,
                last_name=last,
                postcode=postcodes[number % 4],
            )
        residents.append(resident)
    for number, resident in enumerate(residents[:9]):
        due_on = date(2026, 11, 20) + timedelta(days=number % 3)
        add_note(
            session=db,
            resident=resident,
            author=advisor,
            body="Called",
            next_action="Ring",
            due_on=due_on,
        )
        if number % 2:
            note = add_note(
                session=db,
                resident=resident,
                author=advisor,
                body="Met",
                next_action="CV",
                due_on=date(2026, 11, 1),
            )
            mark_note_done(session=db, note=note)
    add_note(session=db, resident=residents[9], author=advisor, body="No action")
    residents[10].erased_at = start
    residents[11].merged_into_id = residents[0].id
    make_resident(make_user(Role.ADVISOR), first_name="Aisha", last_name="Begum")
    for resident in residents:
        resident.last_activity_at = start + timedelta(days=resident.id % 4)
        db.add(resident)
    db.flush()
    queries = [
        CaseloadQuery(sort=sort),
        CaseloadQuery(sort=sort, everyone_in_organisation=True),
        CaseloadQuery(
            sort=sort, everyone_in_organisation=True, next_action=NextActionFilter.ANY_OPEN
        ),
        CaseloadQuery(sort=sort, everyone_in_organisation=True, decile=1),
    ]
    for query in queries:
        expected = caseload_by_hand(db, advisor, query)
        assert len(expected) > 1
        for size in (1, 4, 5, 100):
            pages = []
            for offset in range(0, len(expected) + size, size):
                rows, total = caseload(
                    session=db, advisor=advisor, query=query, limit=size, offset=offset
                )
                assert total == len(expected)
                pages += [(row.resident.id, row.next_action_due) for row in rows]
            assert pages == expected, (query, size)


def test_merge_moves_every_event_to_the_kept_record(db, make_user, make_resident):
    sync_skill_vocabulary(db)
    advisor = make_user(Role.ADVISOR)
    keep = make_resident(advisor, skills=["cleaning"], external_ref=None)
    duplicate = make_resident(
        advisor, skills=["cleaning", "cash handling"], external_ref="LP-7", share=True
    )
    add_note(session=db, resident=duplicate, author=advisor, body="First meeting")
    for kind in (MilestoneKind.REGISTERED, MilestoneKind.INTERVIEW):
        db.add(MilestoneEvent(resident_id=duplicate.id, kind=kind, occurred_on=date(2026, 1, 5)))
    db.flush()
    moved = merge_residents(session=db, keep=keep, duplicate=duplicate)
    assert moved == {
        "notes": 1,
        "consents": 2,
        "enrolments": 0,
        "applications": 0,
        "milestones": 2,
        "skills": 2,
    }
    assert duplicate.merged_into_id == keep.id and keep.external_ref == "LP-7"
    assert skill_labels_of(session=db, resident=keep) == ["cash handling", "cleaning"]
    assert (
        len(db.exec(select(MilestoneEvent).where(MilestoneEvent.resident_id == keep.id)).all()) == 2
    )
    assert len(db.exec(select(ResidentNote).where(ResidentNote.resident_id == keep.id)).all()) == 1
    assert (
        len(db.exec(select(ConsentRecord).where(ConsentRecord.resident_id == keep.id)).all()) == 3
    )
    assert not db.exec(select(Application).where(Application.resident_id == duplicate.id)).all()
    assert not db.exec(select(Enrolment).where(Enrolment.resident_id == duplicate.id)).all()
    with pytest.raises(ValidationFailed):
        merge_residents(session=db, keep=keep, duplicate=duplicate)


def test_demo_residents_are_spread_over_priority_areas_and_idempotent(db, make_user):
    from pathways.demo_residents import DEMO_RESIDENTS, seed_demo_residents

    advisor = make_user(Role.ADVISOR)
    assert seed_demo_residents(session=db, advisor=advisor) == len(DEMO_RESIDENTS) == 30
    assert seed_demo_residents(session=db, advisor=advisor) == 0
    rows, total = caseload(session=db, advisor=advisor, query=CaseloadQuery())
    assert total == 30
    areas = [row.resident.priority_area for row in rows]
    assert areas.count("Lincoln Green") >= 8 and areas.count("Harehills") >= 6
    due, _ = caseload(
        session=db, advisor=advisor, query=CaseloadQuery(next_action=NextActionFilter.DUE)
    )
    assert len(due) == 7
