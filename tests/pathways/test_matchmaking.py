"""Matching residents to the catalogue and open vacancies, shortlists, and referrals."""

from datetime import timedelta

import pytest
from sqlmodel import select

from pathways.clock import today
from pathways.errors import ValidationFailed
from pathways.matchmaking import (
    current_pool,
    matches_for_resident,
    refer,
    shortlist_for_vacancy,
    shortlist_pool,
)
from pathways.models import (
    Application,
    ApplicationStage,
    AuditEvent,
    ConsentKind,
    Resident,
    ResidentStatus,
    VacancyStatus,
)
from pathways.residents import record_consent, set_resident_skills, set_status

TODAY = today()
WAREHOUSE = "Warehouse operative for three years, lifting and moving stock"


@pytest.fixture
def resident_for_matching(make_resident):
    """A resident who may work and has warehouse experience; sharing consent unless told."""

    def make(*, share: bool = True, **details) -> Resident:
        values = {"has_right_to_work": True, "work_history": WAREHOUSE}
        return make_resident(share=share, **(values | details))

    return make


def test_pathways_and_open_vacancies_are_ranked_separately_and_explained(
    db, make_vacancy, resident_for_matching
):
    open_vacancy = make_vacancy()
    make_vacancy(title="Closed porter job", status=VacancyStatus.CLOSED)
    make_vacancy(title="Expired porter job", closing_date=TODAY - timedelta(days=1))
    resident = resident_for_matching(skills=["portering"])

    matches = matches_for_resident(session=db, resident=resident, today=TODAY)

    slugs = [m.pathway.slug for m in matches.pathways]
    assert "hospital-porter" in slugs[:3]
    assert [m.match.rank for m in matches.pathways] == list(range(1, len(slugs) + 1))
    assert [m.vacancy.id for m in matches.vacancies] == [open_vacancy.id]
    porter = matches.pathways[slugs.index("hospital-porter")].match
    assert {"portering", "manual handling"} <= set(porter.matched_skills)
    assert porter.missing_skills and porter.bridging is not None
    vacancy_match = matches.vacancies[0].match
    assert vacancy_match.rank == 1
    assert vacancy_match.distance_km == pytest.approx(0.7, abs=0.5)  # LS9 7JA to LS9 7TF


def test_no_catalogue_means_no_matches(db, resident_for_matching):
    matches = matches_for_resident(session=db, resident=resident_for_matching(), today=TODAY)
    assert (matches.pathways, matches.vacancies) == ([], [])


def test_missing_right_to_work_makes_everything_ineligible_with_a_reason(
    db, catalogue, resident_for_matching
):
    resident = resident_for_matching(has_right_to_work=False)
    matches = matches_for_resident(session=db, resident=resident, today=TODAY)
    assert matches.pathways and not any(m.match.eligible for m in matches.pathways)
    assert any("right to work" in reason for reason in matches.pathways[0].match.reasons)


def test_part_time_only_resident_is_ruled_out_of_full_time_vacancy(
    db, make_vacancy, resident_for_matching
):
    full_time = make_vacancy(hours_per_week=37.5)
    part_time = make_vacancy(title="Part-time porter", hours_per_week=20)
    resident = resident_for_matching(part_time_only=True)
    eligible = {
        m.vacancy.id: m.match.eligible
        for m in matches_for_resident(session=db, resident=resident, today=TODAY).vacancies
    }
    assert eligible == {part_time.id: True, full_time.id: False}


def test_shortlist_ranks_candidates_and_marks_those_already_referred(
    db, make_vacancy, resident_for_matching, make_user
):
    vacancy = make_vacancy()
    strong = resident_for_matching(first_name="Strong", skills=["portering", "manual handling"])
    weak = resident_for_matching(first_name="Weak", work_history="Hairdresser for ten years")
    refer(session=db, resident=strong, vacancy=vacancy, user=make_user(), today=TODAY)

    shortlist = shortlist_for_vacancy(
        session=db, vacancy=vacancy, candidates=[weak, strong], today=TODAY
    )

    assert [c.resident.first_name for c in shortlist] == ["Strong", "Weak"]
    assert [c.already_referred for c in shortlist] == [True, False]
    assert shortlist[0].match.score > shortlist[1].match.score


def test_shortlist_pool_holds_only_active_residents_sharing_now(db, resident_for_matching):
    sharing = resident_for_matching()
    resident_for_matching(share=False)
    withdrawn = resident_for_matching()
    record_consent(
        session=db,
        resident=withdrawn,
        kind=ConsentKind.SHARE_WITH_EMPLOYERS,
        granted=False,
        on=TODAY,
        by=None,
    )
    assert [r.id for r in shortlist_pool(session=db)] == [sharing.id]


def test_shortlist_of_a_closed_vacancy_is_empty(db, make_vacancy, resident_for_matching):
    vacancy = make_vacancy(status=VacancyStatus.CLOSED)
    shortlist = shortlist_for_vacancy(
        session=db, vacancy=vacancy, candidates=[resident_for_matching()], today=TODAY
    )
    assert shortlist == []


def test_referral_creates_one_application_and_an_audit_entry(
    db, make_vacancy, resident_for_matching, make_user
):
    vacancy, resident, advisor = make_vacancy(), resident_for_matching(), make_user()
    application = refer(session=db, resident=resident, vacancy=vacancy, user=advisor, today=TODAY)
    assert application.stage == ApplicationStage.REFERRED
    assert application.referred_by_id == advisor.id
    audit = db.exec(select(AuditEvent).where(AuditEvent.entity_type == "application")).all()
    assert [event.entity_id for event in audit] == [application.id]
    with pytest.raises(ValidationFailed, match="already been referred"):
        refer(session=db, resident=resident, vacancy=vacancy, user=advisor, today=TODAY)


def test_referral_needs_sharing_consent(db, make_vacancy, resident_for_matching, make_user):
    resident = resident_for_matching(share=False)
    with pytest.raises(ValidationFailed, match="not agreed to share"):
        refer(session=db, resident=resident, vacancy=make_vacancy(), user=make_user(), today=TODAY)
    assert db.exec(select(Application)).all() == []


def test_referral_to_a_vacancy_past_its_closing_date_is_refused(
    db, make_vacancy, resident_for_matching, make_user
):
    vacancy = make_vacancy(closing_date=TODAY - timedelta(days=1))
    with pytest.raises(ValidationFailed, match="not open"):
        refer(
            session=db,
            resident=resident_for_matching(),
            vacancy=vacancy,
            user=make_user(),
            today=TODAY,
        )


def test_a_worker_reuses_its_catalogue_until_the_database_changes(db, make_vacancy):
    from pathways.matchmaking import current_catalogue
    from pathways.vacancies import close_vacancy

    vacancy = make_vacancy(title="Porter A")
    first = current_catalogue(session=db, today=TODAY)
    assert current_catalogue(session=db, today=TODAY) is first
    vacancy.title = "Porter B"
    db.add(vacancy)
    db.flush()
    edited = current_catalogue(session=db, today=TODAY)
    assert edited is not first
    assert edited.vacancies[vacancy.id].vacancy.title == "Porter B"
    close_vacancy(session=db, vacancy=vacancy)
    assert vacancy.id not in current_catalogue(session=db, today=TODAY).vacancies
    assert current_catalogue(session=db, today=TODAY + timedelta(days=1)) is not edited


def test_the_cached_pool_shortlists_exactly_as_the_residents_do(
    db, make_vacancy, resident_for_matching, make_user
):
    vacancy = make_vacancy(hours_per_week=37.5)
    strong = resident_for_matching(skills=["portering", "manual handling"])
    resident_for_matching(work_history="Hairdresser for ten years", no_nights=True)
    resident_for_matching(skills=["cleaning"], part_time_only=True, max_travel_km=2)
    resident_for_matching(postcode="LS1 4AP", english_level=2, maths_level=1)
    resident_for_matching(share=False, skills=["portering"])
    refer(session=db, resident=strong, vacancy=vacancy, user=make_user(), today=TODAY)

    cached = shortlist_for_vacancy(session=db, vacancy=vacancy, today=TODAY)
    direct = shortlist_for_vacancy(
        session=db, vacancy=vacancy, candidates=shortlist_pool(session=db), today=TODAY
    )

    assert len(cached) == 3  # the part-time-only resident is ineligible; one does not share
    assert [(c.resident.id, c.match, c.already_referred) for c in cached] == [
        (c.resident.id, c.match, c.already_referred) for c in direct
    ]
    assert cached[0].resident.id == strong.id and cached[0].already_referred
    again = shortlist_for_vacancy(session=db, vacancy=vacancy, today=TODAY)
    assert [c.match for c in again] == [c.match for c in cached]
    assert all(a.match is c.match for a, c in zip(again, cached, strict=True))  # ranked once


def test_the_shortlist_follows_every_change_to_the_pool(db, make_vacancy, resident_for_matching):
    vacancy = make_vacancy()
    first = resident_for_matching(first_name="First", skills=["portering", "manual handling"])
    second = resident_for_matching(first_name="Second", work_history="Hairdresser for ten years")

    def scores() -> dict[str, float]:
        shortlist = shortlist_for_vacancy(session=db, vacancy=vacancy, today=TODAY)
        return {c.resident.first_name: c.match.score for c in shortlist}

    before = scores()
    assert list(before) == ["First", "Second"]
    pool = current_pool(session=db)
    assert current_pool(session=db) is pool  # nothing changed: the worker's copy is reused

    # A direct edit that leaves updated_at alone must still be seen.
    second.work_history = WAREHOUSE
    db.add(second)
    db.flush()
    assert current_pool(session=db) is not pool
    edited = scores()
    assert edited["Second"] > before["Second"]

    set_resident_skills(session=db, resident=second, labels=["portering", "manual handling"])
    assert scores()["Second"] > edited["Second"]

    record_consent(
        session=db,
        resident=first,
        kind=ConsentKind.SHARE_WITH_EMPLOYERS,
        granted=False,
        on=TODAY,
        by=None,
    )
    assert list(scores()) == ["Second"]
    set_status(session=db, resident=second, status=ResidentStatus.IN_WORK)
    assert scores() == {}
