"""The read-only API: pathways and open vacancies, filters, pagination, 400s and OpenAPI."""

from datetime import date, timedelta

import pytest

from pathways.clock import today


def test_pathways_lists_at_least_30_with_apprenticeship_codes(client, catalogue):
    body = client.get("/api/v1/pathways?per_page=100").get_json()
    assert body["total"] == 49 and len(body["items"]) == 49
    apprenticeships = {
        item["slug"]: item["apprenticeship"]
        for item in body["items"]
        if item["kind"] == "apprenticeship"
    }
    assert apprenticeships["hcsw-apprenticeship-l2"]["standard_code"] == "ST0216"
    assert apprenticeships["hcsw-apprenticeship-l2"]["level"] == 2
    assert apprenticeships["nursing-associate-apprenticeship"]["standard_code"] == "ST0827"
    assert all(a["standard_code"] and a["level"] for a in apprenticeships.values())
    porter = next(i for i in body["items"] if i["slug"] == "hospital-porter")
    assert porter["apprenticeship"] is None and "manual handling" in porter["skills"]


def test_pathways_paginate(client, catalogue):
    first = client.get("/api/v1/pathways?per_page=20").get_json()
    last = client.get("/api/v1/pathways?per_page=20&page=3").get_json()
    assert (first["pages"], len(first["items"]), len(last["items"])) == (3, 20, 9)
    pages = [client.get(f"/api/v1/pathways?per_page=20&page={n}").get_json() for n in (1, 2, 3)]
    seen = {item["slug"] for page in pages for item in page["items"]}
    assert len(seen) == 49


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("kind=apprenticeship", lambda i: i["kind"] == "apprenticeship"),
        ("staff_group=Adult+social+care", lambda i: i["staff_group"] == "Adult social care"),
        ("level=3", lambda i: i["apprenticeship"]["level"] == 3),
        ("band=Band+4", lambda i: i["pay"]["band"] == "Band 4"),
    ],
)
def test_pathway_filters(client, catalogue, query, check):
    items = client.get(f"/api/v1/pathways?{query}&per_page=100").get_json()["items"]
    assert items and all(check(item) for item in items)


def test_pathway_search_tolerates_typos(client, catalogue):
    items = client.get("/api/v1/pathways?q=portr").get_json()["items"]
    assert items[0]["slug"] == "hospital-porter"


def test_pathway_detail_has_its_ladder(client, catalogue):
    body = client.get("/api/v1/pathways/hospital-porter").get_json()
    assert body["title"] == "Hospital porter"
    first_step = {step["slug"] for step in body["progression"]["up"][0]}
    assert "healthcare-support-worker-band-2" in first_step
    missing = client.get("/api/v1/pathways/no-such-thing")
    assert missing.status_code == 404 and "no-such-thing" in missing.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("/api/v1/pathways?page=0", "page"),
        ("/api/v1/pathways?page=abc", "page"),
        ("/api/v1/pathways?page=99", "page"),
        ("/api/v1/pathways?per_page=101", "per_page"),
        ("/api/v1/pathways?kind=job", "kind"),
        ("/api/v1/pathways?level=9", "level"),
        ("/api/v1/pathways?level=two", "level"),
        ("/api/v1/pathways?staffgroup=x", "staffgroup"),
        ("/api/v1/pathways?q=" + "x" * 101, "q"),
        ("/api/v1/vacancies?ring_fenced=maybe", "ring_fenced"),
        ("/api/v1/vacancies?within_km=5", "within_km"),
        ("/api/v1/vacancies?postcode=LS9+7TF&within_km=-1", "within_km"),
        ("/api/v1/vacancies?postcode=LS9+7TF&within_km=nan", "within_km"),
        ("/api/v1/vacancies?postcode=nonsense", "postcode"),
        ("/api/v1/vacancies?site=x", "site"),
        ("/api/v1/vacancies?pathway=no-such-pathway", "pathway"),
    ],
)
def test_malformed_parameters_get_400_naming_them(client, catalogue, url, named):
    response = client.get(url)
    assert response.status_code == 400
    assert f"'{named}'" in response.get_json()["error"]["message"]


def test_vacancies_lists_only_open_ones_with_filters(client, catalogue, make_vacancy, make_site):
    near_site = make_site(latitude=53.80688, longitude=-1.52036)
    far_site = make_site(latitude=53.9067, longitude=-1.6929)
    open_near = make_vacancy(site=near_site, ring_fenced=True)
    open_far = make_vacancy(site=far_site)
    make_vacancy(site=near_site, status="closed", title="Closed")
    make_vacancy(site=near_site, status="draft", title="Draft")
    make_vacancy(site=near_site, closing_date=today() - timedelta(days=1), title="Expired")

    def ids(query=""):
        return [i["id"] for i in client.get(f"/api/v1/vacancies?{query}").get_json()["items"]]

    assert set(ids()) == {open_near.id, open_far.id}
    assert ids("ring_fenced=true") == [open_near.id]
    assert ids("postcode=LS9+7TF&within_km=3") == [open_near.id]
    assert ids(f"site={far_site.id}") == [open_far.id]
    assert ids("pathway=hcsw-apprenticeship-l2") == []
    assert set(ids("pathway=hospital-porter")) == {open_near.id, open_far.id}
    item = client.get("/api/v1/vacancies?postcode=LS9+7TF").get_json()["items"][0]
    assert item["id"] == open_near.id and item["distance_km"] < 1
    assert date.fromisoformat(item["closing_date"]) > today()


def test_openapi_documents_the_catalogue_paths(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/pathways", "/pathways/{slug}", "/vacancies"):
        assert "400" in document["paths"][path]["get"]["responses"] or path.endswith("}")
    names = {p["name"] for p in document["paths"]["/vacancies"]["get"]["parameters"]}
    assert {"pathway", "site", "ring_fenced", "postcode", "within_km", "page", "per_page"} <= names
    assert {"Pathway", "Vacancy"} <= set(document["components"]["schemas"])
