"""Matching pages: an advisor's ranked matches and referrals, an employer's shortlist."""

import runpy
from pathlib import Path
from types import SimpleNamespace

from sqlmodel import select

from app.matching import warm_up
from pathways import matchmaking
from pathways.clock import today
from pathways.matchmaking import current_catalogue, current_pool
from pathways.models import Application, ConsentKind, Role
from pathways.residents import record_consent
from tests.helpers import submit

WAREHOUSE = "Warehouse operative, lifting and moving heavy stock on a trolley all day"


def test_advisor_sees_ranked_matches_with_reasons_and_refers(
    client, db, login_as, make_resident, make_vacancy
):
    advisor = login_as(Role.ADVISOR)
    resident = make_resident(
        advisor, share=True, has_right_to_work=True, work_history=WAREHOUSE, skills=["portering"]
    )
    vacancy = make_vacancy(title="Porter, St James's")
    page = client.get(f"/residents/{resident.id}/matches").get_data(as_text=True)
    assert "Porter, St James&#39;s" in page
    assert "Skills they have:" in page and "portering" in page
    assert "Hospital porter" in page  # the pathway list

    url = f"/residents/{resident.id}/referrals/{vacancy.id}"
    response = submit(client, url, {}, page=f"/residents/{resident.id}/matches")
    assert response.status_code == 302
    applications = db.exec(select(Application).where(Application.resident_id == resident.id)).all()
    assert [a.vacancy_id for a in applications] == [vacancy.id]
    page = client.get(f"/residents/{resident.id}/matches").get_data(as_text=True)
    assert "Referred" in page and f"referrals/{vacancy.id}" not in page


def test_resident_without_sharing_consent_cannot_be_referred(
    client, db, login_as, make_resident, make_vacancy
):
    advisor = login_as(Role.ADVISOR)
    resident = make_resident(advisor, share=False, has_right_to_work=True)
    vacancy = make_vacancy()
    page = client.get(f"/residents/{resident.id}/matches").get_data(as_text=True)
    assert "No consent to share" in page
    assert f"referrals/{vacancy.id}" not in page
    url = f"/residents/{resident.id}/referrals/{vacancy.id}"
    response = submit(client, url, {}, page="/account/password")  # a page with a form's token
    assert response.status_code == 302
    assert db.exec(select(Application)).all() == []
    followed = client.get(response.location).get_data(as_text=True)
    assert "not agreed to share" in followed


def test_another_organisations_resident_is_not_found(client, login_as, make_resident):
    login_as(Role.ADVISOR)
    stranger = make_resident()
    assert client.get(f"/residents/{stranger.id}/matches").status_code == 404


def test_employer_shortlist_hides_names_until_asked_and_drops_withdrawn_consent(
    client, db, login_as, make_site, make_resident, make_vacancy
):
    employer = login_as(Role.EMPLOYER)
    vacancy = make_vacancy(site=make_site(organisation_id=employer.organisation_id))
    sharing = make_resident(
        share=True, first_name="Sharon", has_right_to_work=True, work_history=WAREHOUSE
    )
    make_resident(share=False, first_name="Private", has_right_to_work=True, work_history=WAREHOUSE)

    page = client.get(f"/vacancies/{vacancy.id}/shortlist").get_data(as_text=True)
    assert f"Candidate R{sharing.id:05d}" in page
    assert "Sharon" not in page and "Private" not in page
    named = client.get(f"/vacancies/{vacancy.id}/shortlist?names=show").get_data(as_text=True)
    assert "Sharon" in named and "Private" not in named

    record_consent(
        session=db,
        resident=sharing,
        kind=ConsentKind.SHARE_WITH_EMPLOYERS,
        granted=False,
        on=today(),
        by=None,
    )
    page = client.get(f"/vacancies/{vacancy.id}/shortlist?names=show").get_data(as_text=True)
    assert "Sharon" not in page and f"R{sharing.id:05d}" not in page


def test_employer_cannot_see_another_organisations_shortlist(client, login_as, make_vacancy):
    login_as(Role.EMPLOYER)
    assert client.get(f"/vacancies/{make_vacancy().id}/shortlist").status_code == 404


def test_advisors_cannot_open_shortlists(client, login_as, make_vacancy):
    login_as(Role.ADVISOR)
    assert client.get(f"/vacancies/{make_vacancy().id}/shortlist").status_code == 403


def test_a_warmed_worker_serves_its_first_shortlist_from_the_caches_it_built(
    app, db, make_vacancy, make_resident
):
    """The gunicorn hook fits the matcher and reads the pool before the first request."""
    make_vacancy()
    make_resident(share=True, has_right_to_work=True, work_history=WAREHOUSE)
    matchmaking._built.clear()
    matchmaking._pools.clear()

    warm_up(app)

    assert len(matchmaking._built) == 1 and len(matchmaking._pools) == 1
    (warmed,) = matchmaking._pools.values()
    (catalogue,) = matchmaking._built.values()
    assert current_pool(session=db) is warmed and len(warmed) == 1
    assert current_catalogue(session=db, today=today()) is catalogue


def test_a_preloading_master_warms_the_caches_once_and_keeps_no_connection(
    app, db, make_vacancy, make_resident
):
    """gunicorn.conf.py: with preload_app the master warms the caches its workers inherit."""
    hooks = runpy.run_path(str(Path(__file__).parents[2] / "gunicorn.conf.py"))
    make_vacancy()
    make_resident(share=True, has_right_to_work=True, work_history=WAREHOUSE)
    matchmaking._built.clear()
    matchmaking._pools.clear()
    server = SimpleNamespace(
        cfg=SimpleNamespace(preload_app=True), app=SimpleNamespace(wsgi=lambda: app), log=None
    )

    hooks["when_ready"](server)

    assert hooks["preload_app"] is True
    assert len(matchmaking._built) == 1 and len(matchmaking._pools) == 1
    assert app.extensions["pathways.engine"].pool.checkedin() == 0
