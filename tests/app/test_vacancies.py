"""Employer vacancy pages (own organisation only) and the advisor's browse."""

import io
from datetime import timedelta

from sqlmodel import select

from pathways.clock import today
from pathways.models import Application, Role, Vacancy, VacancyStatus
from tests.helpers import csrf_token_from, submit


def employer_with_site(login_as, make_site):
    user = login_as(Role.EMPLOYER)
    return user, make_site(organisation_id=user.organisation_id, name="St James's")


def form_data(catalogue, site, **overrides):
    values = {
        "pathway_id": catalogue["hospital-porter"].id,
        "site_id": site.id,
        "title": "Hospital porter",
        "positions": "2",
        "pay_min": "24465",
        "pay_max": "24465",
        "pay_period": "annual",
        "hours_per_week": "37.5",
        "shift_pattern": "rotating",
        "closing_date": (today() + timedelta(days=20)).isoformat(),
        "ring_fenced": "y",
        "description": "Moving patients.",
    }
    return values | overrides


def test_employer_posts_publishes_and_closes_a_vacancy(client, db, catalogue, login_as, make_site):
    _, site = employer_with_site(login_as, make_site)
    response = submit(client, "/vacancies/new", form_data(catalogue, site))
    assert response.status_code == 302
    vacancy = db.exec(select(Vacancy).where(Vacancy.site_id == site.id)).one()
    assert (vacancy.status, vacancy.ring_fenced, vacancy.positions) == (
        VacancyStatus.DRAFT, True, 2,
    )  # fmt: skip
    submit(client, f"/vacancies/{vacancy.id}/publish", {}, page="/vacancies/")
    db.refresh(vacancy)
    assert vacancy.status == VacancyStatus.OPEN
    submit(client, f"/vacancies/{vacancy.id}/close", {}, page="/vacancies/")
    db.refresh(vacancy)
    assert vacancy.status == VacancyStatus.CLOSED


def test_errors_appear_beside_the_fields_and_in_the_summary(
    client, db, catalogue, login_as, make_site
):
    _, site = employer_with_site(login_as, make_site)
    bad = form_data(
        catalogue,
        site,
        positions="0",
        pay_min="20000",
        closing_date=today().isoformat(),
    )
    page = submit(client, "/vacancies/new", bad).get_data(as_text=True)
    assert "nhsuk-error-summary" in page
    for field, message in [
        ("positions", "Positions must be at least 1"),
        ("pay_min", "Pay must be at least £24,465.00 a year"),
        ("closing_date", "The closing date must be in the future"),
    ]:
        assert f'id="{field}--error-message"' in page or f'id="{field}-error"' in page, field
        assert message in page
        assert f'href="#{field}"' in page
    assert db.exec(select(Vacancy).where(Vacancy.site_id == site.id)).first() is None


def test_employer_cannot_touch_another_organisations_vacancy(
    client, db, catalogue, login_as, make_vacancy
):
    login_as(Role.EMPLOYER)
    theirs = make_vacancy()
    assert client.get(f"/vacancies/{theirs.id}/edit").status_code == 404
    response = submit(client, f"/vacancies/{theirs.id}/close", {}, page="/vacancies/new")
    assert response.status_code == 404
    db.refresh(theirs)
    assert theirs.status == VacancyStatus.OPEN
    assert f"vacancy-{theirs.id}" not in client.get("/vacancies/").get_data(as_text=True)


def test_employer_list_shows_referral_counts(client, db, login_as, make_site, make_vacancy,
                                             make_resident):  # fmt: skip
    _, site = employer_with_site(login_as, make_site)
    vacancy = make_vacancy(site=site)
    for _ in range(2):
        db.add(Application(resident_id=make_resident().id, vacancy_id=vacancy.id))
    db.flush()
    page = client.get("/vacancies/").get_data(as_text=True)
    assert 'data-referrals="2"' in page


def test_expired_vacancies_show_as_closed_to_the_employer(
    client, db, login_as, make_site, make_vacancy
):
    _, site = employer_with_site(login_as, make_site)
    expired = make_vacancy(site=site, closing_date=today() - timedelta(days=2))
    client.get("/vacancies/")
    db.refresh(expired)
    assert expired.status == VacancyStatus.CLOSED


def test_advisor_browses_with_a_distance_filter(client, catalogue, login_as, make_site,
                                                make_vacancy):  # fmt: skip
    login_as(Role.ADVISOR)
    make_vacancy(site=make_site(latitude=53.80688, longitude=-1.52036), title="Near porter")
    make_vacancy(site=make_site(latitude=53.9067, longitude=-1.6929), title="Otley porter")
    page = client.get("/vacancies/browse?postcode=LS9+7TF&within_km=5").get_data(as_text=True)
    assert "1 open vacancy" in page and "Near porter" in page and "Otley porter" not in page
    page = client.get("/vacancies/browse").get_data(as_text=True)
    assert "2 open vacancies" in page
    page = client.get("/vacancies/browse?within_km=5").get_data(as_text=True)
    assert "Enter a postcode to measure distance from" in page


def test_vacancy_import_all_or_nothing(client, db, catalogue, login_as, make_site):
    _, site = employer_with_site(login_as, make_site)
    closing = (today() + timedelta(days=20)).isoformat()
    good = f"hospital-porter,{site.name},Porter,2,24465,{closing}\n"
    header = "pathway,site,title,positions,pay_min,closing_date\n"

    def upload(text):
        token = csrf_token_from(client.get("/vacancies/import").get_data(as_text=True))
        return client.post(
            "/vacancies/import",
            data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "v.csv")},
            content_type="multipart/form-data",
        )

    page = upload(header + good + f"hospital-porter,Nowhere,Porter,2,24465,{closing}\n")
    assert "Problems to fix (1)" in page.get_data(as_text=True)
    assert db.exec(select(Vacancy).where(Vacancy.site_id == site.id)).first() is None
    assert upload(header + good + good).status_code == 302
    assert len(db.exec(select(Vacancy).where(Vacancy.site_id == site.id)).all()) == 2


def test_vacancy_template_names_the_employers_site(client, login_as, make_site):
    _, site = employer_with_site(login_as, make_site)
    body = client.get("/vacancies/import/template.csv").get_data(as_text=True)
    assert body.startswith("pathway,site,title") and site.name in body


def test_role_navigation_links(client, login_as):
    login_as(Role.EMPLOYER)
    assert 'href="/vacancies/"' in client.get("/").get_data(as_text=True)


def test_advisor_navigation_links(client, login_as):
    login_as(Role.ADVISOR)
    assert 'href="/vacancies/browse"' in client.get("/").get_data(as_text=True)


def test_close_expired_vacancies_command(app, db, make_vacancy):
    expired = make_vacancy(closing_date=today() - timedelta(days=1))
    current = make_vacancy()
    result = app.test_cli_runner().invoke(args=["close-expired-vacancies"])
    assert result.exit_code == 0 and "Closed 1 expired vacancy." in result.output
    db.refresh(expired)
    db.refresh(current)
    assert (expired.status, current.status) == (VacancyStatus.CLOSED, VacancyStatus.OPEN)
