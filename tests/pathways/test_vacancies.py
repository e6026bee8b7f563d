"""Vacancies: the rules, publishing and closing, auto-closing, referral counts, browse, import."""

from datetime import date, timedelta

import pytest
from freezegun import freeze_time
from sqlmodel import func, select

from pathways.csv_import import ImportRejected
from pathways.errors import NotFound, ValidationFailed
from pathways.models import Application, PayPeriod, Role, Vacancy, VacancyStatus
from pathways.vacancies import (
    VacancyDetails,
    VacancyFilter,
    close_expired_vacancies,
    create_vacancy,
    import_vacancies,
    open_vacancies,
    organisation_vacancies,
    publish_vacancy,
    update_vacancy,
    vacancy_of_organisation,
    vacancy_template,
)

TODAY = date(2026, 11, 20)


@pytest.fixture
def employer(make_user):
    return make_user(Role.EMPLOYER)


@pytest.fixture
def site(employer, make_site):
    return make_site(organisation_id=employer.organisation_id, name="St James's")


def details(catalogue, site, **overrides) -> VacancyDetails:
    values = {
        "pathway_id": catalogue["hospital-porter"].id,
        "site_id": site.id,
        "title": "Hospital porter",
        "positions": 2,
        "pay_min": 24465.0,
        "pay_max": 24465.0,
        "closing_date": TODAY + timedelta(days=14),
    }
    return VacancyDetails(**(values | overrides))


def count(db) -> int:
    return db.exec(select(func.count()).select_from(Vacancy)).one()


def test_a_valid_vacancy_is_created_as_a_draft(db, catalogue, employer, site):
    vacancy = create_vacancy(session=db, user=employer, details=details(catalogue, site), on=TODAY)
    assert vacancy.status == VacancyStatus.DRAFT
    assert vacancy.organisation_id == employer.organisation_id
    assert vacancy.created_by_id == employer.id


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"closing_date": TODAY}, "closing_date", "must be in the future"),
        ({"closing_date": TODAY - timedelta(days=1)}, "closing_date", "must be in the future"),
        ({"positions": 0}, "positions", "at least 1"),
        ({"pay_min": 20000.0, "pay_max": 20000.0}, "pay_min", "at least £24,465.00 a year"),
        ({"pay_min": 24465.0, "pay_max": 30000.0}, "pay_max", "no more than £25,688.25 a year"),
        ({"pay_min": 25000.0, "pay_max": 24500.0}, "pay_max", "must not be less"),
        ({"pay_min": 11.0, "pay_max": None, "pay_period": PayPeriod.HOURLY}, "pay_min",
         "at least £12.51 an hour"),
        ({"title": "  "}, "title", "Enter a job title"),
    ],
)  # fmt: skip
def test_each_rule_is_reported_against_its_field(
    db, catalogue, employer, site, overrides, field, message
):
    with pytest.raises(ValidationFailed) as failed:
        create_vacancy(
            session=db, user=employer, details=details(catalogue, site, **overrides), on=TODAY
        )
    assert message in failed.value.errors[field]
    assert count(db) == 0


def test_pay_within_band_including_the_uplift_allowance_is_accepted(db, catalogue, employer, site):
    pay = details(catalogue, site, pay_min=24465.0, pay_max=25272.0)  # 2026/27 uplift of 3.3%
    assert create_vacancy(session=db, user=employer, details=pay, on=TODAY).pay_max == 25272.0


def test_social_care_pay_has_a_floor_but_no_ceiling(db, catalogue, employer, site):
    care = catalogue["care-worker-domiciliary"].id
    above = details(catalogue, site, pathway_id=care, pay_min=14.0, pay_max=None,
                    pay_period=PayPeriod.HOURLY)  # fmt: skip
    assert create_vacancy(session=db, user=employer, details=above, on=TODAY).pay_max == 14.0
    below = details(catalogue, site, pathway_id=care, pay_min=12.0, pay_max=None,
                    pay_period=PayPeriod.HOURLY)  # fmt: skip
    with pytest.raises(ValidationFailed) as failed:
        create_vacancy(session=db, user=employer, details=below, on=TODAY)
    assert "at least £12.21 an hour" in failed.value.errors["pay_min"]


def test_the_site_must_belong_to_the_employer(db, catalogue, employer, make_site):
    elsewhere = make_site()
    with pytest.raises(ValidationFailed) as failed:
        create_vacancy(session=db, user=employer, details=details(catalogue, elsewhere), on=TODAY)
    assert failed.value.errors == {"site_id": "Choose one of your organisation's sites"}


def test_a_pre_employment_course_is_not_a_vacancy(db, catalogue, employer, site):
    course = details(catalogue, site, pathway_id=catalogue["swap-health-and-care"].id)
    with pytest.raises(ValidationFailed) as failed:
        create_vacancy(session=db, user=employer, details=course, on=TODAY)
    assert "pathway_id" in failed.value.errors


def test_publish_edit_and_close(db, catalogue, employer, site):
    vacancy = create_vacancy(session=db, user=employer, details=details(catalogue, site), on=TODAY)
    publish_vacancy(session=db, vacancy=vacancy, on=TODAY)
    assert vacancy.status == VacancyStatus.OPEN and vacancy.published_at is not None
    update_vacancy(
        session=db, vacancy=vacancy, details=details(catalogue, site, positions=5), on=TODAY
    )
    assert vacancy.positions == 5
    with pytest.raises(ValidationFailed):
        update_vacancy(
            session=db, vacancy=vacancy, details=details(catalogue, site, positions=0), on=TODAY
        )


def test_a_draft_past_its_closing_date_cannot_be_published(db, catalogue, employer, site):
    vacancy = create_vacancy(session=db, user=employer, details=details(catalogue, site), on=TODAY)
    with pytest.raises(ValidationFailed) as failed:
        publish_vacancy(session=db, vacancy=vacancy, on=vacancy.closing_date)
    assert "closing_date" in failed.value.errors


def test_open_vacancies_close_themselves_after_the_closing_date(db, make_vacancy):
    with freeze_time("2026-11-20"):
        closes_today = make_vacancy(closing_date=date(2026, 11, 20))
        closed_yesterday = make_vacancy(closing_date=date(2026, 11, 19))
        draft = make_vacancy(closing_date=date(2026, 11, 1), status=VacancyStatus.DRAFT)
        assert close_expired_vacancies(session=db) == 1
        assert closed_yesterday.status == VacancyStatus.CLOSED
        assert closed_yesterday.closed_at is not None
        assert closes_today.status == VacancyStatus.OPEN
        assert draft.status == VacancyStatus.DRAFT
    with freeze_time("2026-11-21"):
        ids = [row.vacancy.id for row in open_vacancies(session=db)]
        assert closes_today.id not in ids
        assert closes_today.status == VacancyStatus.CLOSED


def test_another_organisations_vacancy_is_not_found(db, make_vacancy, employer):
    theirs = make_vacancy()
    with pytest.raises(NotFound):
        vacancy_of_organisation(
            session=db, organisation_id=employer.organisation_id, vacancy_id=theirs.id
        )


def test_referral_counts_per_vacancy(db, make_vacancy, make_resident, site):
    busy, quiet = make_vacancy(site=site), make_vacancy(site=site, title="Porter (nights)")
    for _ in range(3):
        db.add(Application(resident_id=make_resident().id, vacancy_id=busy.id))
    db.flush()
    counts = {
        row.vacancy.id: row.referrals
        for row in organisation_vacancies(session=db, organisation_id=site.organisation_id)
    }
    assert counts == {busy.id: 3, quiet.id: 0}


def test_browse_filters_by_distance_pathway_site_and_ring_fence(
    db, catalogue, make_vacancy, make_site
):
    st_james = make_site(latitude=53.80688, longitude=-1.52036)  # LS9 7TF
    wharfedale = make_site(latitude=53.9067, longitude=-1.6929)  # LS21 2LY, Otley
    near = make_vacancy(site=st_james, ring_fenced=True)
    far = make_vacancy(site=wharfedale)
    hcsw = make_vacancy(site=st_james, pathway_id=catalogue["hcsw-apprenticeship-l2"].id)

    def ids(**filters):
        return [
            row.vacancy.id for row in open_vacancies(session=db, filters=VacancyFilter(**filters))
        ]

    within = open_vacancies(session=db, filters=VacancyFilter(postcode="LS9 7TF", within_km=5))
    assert {row.vacancy.id for row in within} == {near.id, hcsw.id}
    assert all(row.distance_km < 1 for row in within)
    nearest_first = ids(postcode="ls97tf")
    assert nearest_first.index(far.id) > nearest_first.index(near.id)
    assert ids(pathway_id=catalogue["hcsw-apprenticeship-l2"].id) == [hcsw.id]
    assert set(ids(site_id=wharfedale.id)) == {far.id}
    assert ids(ring_fenced_only=True) == [near.id]


def test_browse_refuses_a_distance_without_a_usable_postcode(db):
    with pytest.raises(ValidationFailed) as failed:
        open_vacancies(session=db, filters=VacancyFilter(within_km=5))
    assert "postcode" in failed.value.errors
    with pytest.raises(ValidationFailed):
        open_vacancies(session=db, filters=VacancyFilter(postcode="not a postcode"))


def test_import_stores_all_rows_as_drafts(db, catalogue, employer, site):
    text = (
        "pathway,site,title,positions,pay,pay_period,closing_date,ring fenced\n"
        f"hospital-porter,{site.name},Porter,3,24465,annual,2026-12-31,yes\n"
        f"Domestic assistant,{site.name.upper()},Domestic,1,12.60,hourly,31/12/2026,no\n"
    )
    created = import_vacancies(session=db, user=employer, data=text, on=TODAY)
    assert [(v.title, v.positions, v.ring_fenced) for v in created] == [
        ("Porter", 3, True),
        ("Domestic", 1, False),
    ]
    assert {v.status for v in created} == {VacancyStatus.DRAFT}
    assert created[1].closing_date == date(2026, 12, 31)


def test_a_bad_import_stores_nothing_and_reports_each_line(db, catalogue, employer, site):
    text = (
        "pathway,site,title,positions,pay,closing_date\n"
        f"hospital-porter,{site.name},Good row,1,24465,2026-12-31\n"
        f"no-such-pathway,{site.name},Bad pathway,1,24465,2026-12-31\n"
        f"hospital-porter,Somebody else's site,Bad site,1,24465,2026-12-31\n"
        f"hospital-porter,{site.name},Bad numbers,zero,24465,someday\n"
        f"hospital-porter,{site.name},Past and cheap,0,100,2020-01-01\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        import_vacancies(session=db, user=employer, data=text, on=TODAY)
    problems = {(e.line, e.column) for e in rejected.value.row_errors}
    assert problems == {
        (3, "pathway"),
        (4, "site"),
        (5, "positions"),
        (5, "closing_date"),
        (6, "positions"),
        (6, "pay_min"),
        (6, "closing_date"),
    }
    assert count(db) == 0


def test_the_template_imports_cleanly(db, catalogue, employer, site):
    created = import_vacancies(
        session=db, user=employer, data=vacancy_template(sites=[site]), on=TODAY
    )
    assert len(created) == 2


def test_demo_seed_adds_open_vacancies_once(db):
    from pathways.demo import seed_demo

    seed_demo(session=db)
    first = db.exec(select(Vacancy)).all()
    seed_demo(session=db)
    # 7 open demo vacancies, and 16 closed ones the demo cohorts were recruited through.
    assert len(db.exec(select(Vacancy)).all()) == len(first) == 7 + 16
    assert sorted(v.status for v in first) == [VacancyStatus.CLOSED] * 16 + [VacancyStatus.OPEN] * 7
    assert len(open_vacancies(session=db)) == 7
