"""Public catalogue pages, and the catalogue import for admins and programme leads."""

import io

from sqlmodel import select

from pathways.models import Pathway, Role
from tests.helpers import csrf_token_from


def test_catalogue_lists_every_pathway_without_sign_in(client, catalogue):
    page = client.get("/pathways/").get_data(as_text=True)
    assert "49 pathways" in page
    assert "ST0216, Level 2" in page


def test_catalogue_filters_and_typo_tolerant_search(client, catalogue):
    page = client.get("/pathways/?q=portr").get_data(as_text=True)
    assert "1 pathway<" in page and "Hospital porter" in page
    page = client.get("/pathways/?kind=apprenticeship&level=5").get_data(as_text=True)
    assert "1 pathway<" in page and "Nursing associate apprenticeship" in page
    page = client.get("/pathways/?staff_group=Adult+social+care&band=Not+AfC").get_data(
        as_text=True
    )
    assert "Care worker (home care / domiciliary)" in page and "Hospital porter" not in page


def test_an_unknown_filter_value_is_ignored_not_an_error(client, catalogue):
    response = client.get("/pathways/?kind=nonsense")
    assert response.status_code == 200 and "49 pathways" in response.get_data(as_text=True)


def test_detail_shows_requirements_ladder_and_open_vacancies(client, catalogue, make_vacancy):
    make_vacancy(title="Night porter, St James's")
    page = client.get("/pathways/hospital-porter").get_data(as_text=True)
    assert "Where this can lead" in page and "Healthcare support worker (Band 2)" in page
    assert "Night porter, St James&#39;s" in page
    assert "Enhanced" in page
    assert client.get("/pathways/no-such-pathway").status_code == 404


def test_detail_of_an_apprenticeship_shows_standard_and_ways_in(client, catalogue):
    page = client.get("/pathways/senior-hcsw-apprenticeship-l3").get_data(as_text=True)
    assert "ST0217, Level 3" in page and "Ways in" in page


def upload(client, url, text):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "pathways.csv")},
        content_type="multipart/form-data",
    )


def test_import_refuses_a_bad_file_and_stores_nothing(client, db, catalogue, login_as):
    login_as(Role.PROGRAMME_LEAD)
    text = (
        "slug,title,kind,staff_group,skills\n"
        "new-good-row,Good,entry_role,Estates and ancillary,teamwork\n"
        "Bad Slug,Bad,robot,Estates and ancillary,teamwork\n"
    )
    response = upload(client, "/pathways/import", text)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Problems to fix (2)" in page and "nhsuk-error-summary" in page
    assert db.exec(select(Pathway).where(Pathway.slug == "new-good-row")).first() is None


def test_import_stores_a_good_file(client, db, catalogue, login_as):
    login_as(Role.ADMIN)
    text = "slug,title,kind,staff_group,skills\nnew-good-row,Good,entry_role,Estates,teamwork\n"
    response = upload(client, "/pathways/import", text)
    assert response.status_code == 302
    assert db.exec(select(Pathway).where(Pathway.slug == "new-good-row")).one().title == "Good"


def test_import_template_downloads(client, login_as):
    login_as(Role.ADMIN)
    response = client.get("/pathways/import/template.csv")
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith("slug,title,kind,staff_group")


def test_everyone_sees_the_pathways_link(client):
    assert 'href="/pathways/"' in client.get("/").get_data(as_text=True)
