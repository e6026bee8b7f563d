"""Bad input, generated: forms, searches, CSV imports, the API and URLs never give a 500.

Hypothesis sends unicode, very long text, NUL and other control characters, HTML and SQL
metacharacters, malformed dates, postcodes and numbers. Whatever is sent: no server error, no
half-stored record, and nothing sent comes back as live HTML.
"""

import csv
import io
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from pathways.clock import today
from pathways.models import ConsentKind, ConsentRecord, Resident, Role, Vacancy

# Markup that must never come back unescaped; every strategy mixes it in.
CANARY = '<img src=x onerror="alert(1)">'
NASTY = [
    CANARY,
    "<script>alert(1)</script>",
    "'; DROP TABLE resident; --",
    "' OR '1'='1",
    "%' OR 1=1 --",
    "\\",
    "\x00",
    "a\x00b",
    "\x1b[31m\x07\x08\x0b\x0c\x7f",
    "\u202eevil\u202c",
    "\ufeff",
    "\U0001d518\U0001d52b\U0001d526 \U0001f9ea \u1e9e \u0130 \u01c5 \u0645\u0631\u062d\u0628\u0627",
    "{{ 7*7 }}{% raw %}",
    "=cmd|' /C calc'!A0",
    "  ",
    "\r\n\t",
    "x" * 5000,
    "9" * 400,
]
nasty_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(min_size=250, max_size=2_000),
    st.builds(lambda a, b: a + CANARY + b, st.text(max_size=10), st.text(max_size=10)),
)
bad_dates = st.one_of(
    nasty_text,
    st.sampled_from(
        ["31/02/1990", "00/00/0000", "1990-13-45", "99999-01-01", "0001-01-01", "29/02/2023"]
    ),
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(lambda d: d.isoformat()),
)
bad_postcodes = st.one_of(
    nasty_text,
    st.sampled_from(["LS9 7JA", "ls97ja", " L S 9 7 J A ", "ZZ99 9ZZ", "LS99 9ZZ", "SW1A 1AA"]),
    st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", fullmatch=True),
)
bad_numbers = st.one_of(
    nasty_text,
    st.sampled_from(
        ["nan", "NaN", "sNaN", "-sNaN", "inf", "-Infinity", "1e309", "-1", "-0", "0x1F", "1_000"]
    ),
    st.integers().map(str),
    st.integers(min_value=2**31 - 2, max_value=2**70).map(str),
    st.floats().map(str),
)


def count(db, model, *conditions) -> int:
    return db.exec(select(func.count()).select_from(model).where(*conditions)).one()


def assert_safe(response, *sent: str) -> str:
    """No server error, and no markup that was sent comes back unescaped."""
    assert response.status_code < 500, response.get_data(as_text=True)[:2000]
    body = response.get_data(as_text=True)
    for value in sent:
        if isinstance(value, str) and ("<" in value or CANARY in value):
            assert CANARY not in body
            assert "<script>alert(1)" not in body
    return body


def assert_search_page_copes(client, path: str, params: dict) -> None:
    """A page of filters shows results or its errors, whatever the query string."""
    response = client.get(path, query_string=params)
    assert_safe(response, *params.values())
    assert response.status_code in (200, 400)


@pytest.fixture
def no_csrf(app):
    """CSRF is tested elsewhere; here each example is one request, not two."""
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def advisor(no_csrf, login_as):
    return login_as(Role.ADVISOR)


@pytest.fixture
def employer_site(no_csrf, login_as, make_site, catalogue):
    employer = login_as(Role.EMPLOYER)
    return make_site(organisation_id=employer.organisation_id, name="Fuzz General")


@given(email=nasty_text, password=nasty_text)
def test_sign_in_form(no_csrf, client, email, password):
    response = client.post("/sign-in", data={"email": email, "password": password})
    assert_safe(response, email)
    assert response.status_code in (200, 400)


@settings(max_examples=30)
@given(
    first_name=nasty_text,
    last_name=nasty_text,
    date_of_birth=bad_dates,
    postcode=bad_postcodes,
    email=nasty_text,
    phone=nasty_text,
    typed_skills=nasty_text,
    hours=bad_numbers,
    travel=bad_numbers,
    consent_given_on=st.one_of(
        bad_dates, st.integers(-3, 3).map(lambda d: (today() + timedelta(d)).strftime("%d/%m/%Y"))
    ),
    barrier=st.one_of(st.just("childcare"), nasty_text),
)
def test_resident_registration_form(advisor, client, db, **fields):
    data = {
        "first_name": fields["first_name"],
        "last_name": fields["last_name"],
        "date_of_birth": fields["date_of_birth"],
        "postcode": fields["postcode"],
        "email": fields["email"],
        "phone": fields["phone"],
        "typed_skills": fields["typed_skills"],
        "available_hours_per_week": fields["hours"],
        "max_travel_km": fields["travel"],
        "consent_given_on": fields["consent_given_on"],
        "barriers": fields["barrier"],
        "english_level": "1",
        "maths_level": "1",
        "highest_qualification_level": "0",
        "consent_to_hold_data": "y",
        "register_anyway": "y",
    }
    before = count(db, Resident)
    response = client.post("/residents/new", data=data)
    assert_safe(response, *data.values())
    if response.status_code == 302:
        resident = db.exec(select(Resident).order_by(Resident.id.desc())).first()
        assert count(db, Resident) == before + 1
        assert count(
            db,
            ConsentRecord,
            ConsentRecord.resident_id == resident.id,
            ConsentRecord.kind == ConsentKind.HOLD_DATA,
        )
    else:
        assert response.status_code in (200, 400)
        assert count(db, Resident) == before


@settings(max_examples=30)
@given(
    title=nasty_text,
    positions=bad_numbers,
    pay_min=bad_numbers,
    pay_max=st.one_of(st.just(""), bad_numbers),
    hours=st.one_of(st.just(""), bad_numbers),
    closing_date=st.one_of(bad_dates, st.just((today() + timedelta(days=40)).isoformat())),
    description=nasty_text,
    pathway_id=st.one_of(st.just(None), bad_numbers),
    shift_pattern=st.one_of(st.just("days"), nasty_text),
)
def test_vacancy_form(employer_site, client, db, catalogue, **fields):
    hours = fields.pop("hours")
    data = fields | {
        "pathway_id": fields["pathway_id"] or str(catalogue["hospital-porter"].id),
        "site_id": str(employer_site.id),
        "pay_period": "annual",
        "hours_per_week": hours,
    }
    before = count(db, Vacancy)
    response = client.post("/vacancies/new", data=data)
    assert_safe(response, *data.values())
    if response.status_code == 302:
        assert count(db, Vacancy) == before + 1
    else:
        assert response.status_code in (200, 400)
        assert count(db, Vacancy) == before


@given(
    search=nasty_text,
    page=bad_numbers,
    decile=bad_numbers,
    sort=nasty_text,
    priority_area=nasty_text,
    next_action=nasty_text,
)
def test_caseload_search_parameters(advisor, client, **params):
    assert_search_page_copes(client, "/residents/", params)


@given(
    postcode=bad_postcodes,
    within_km=bad_numbers,
    pathway_id=bad_numbers,
    site_id=bad_numbers,
    ring_fenced=nasty_text,
)
def test_vacancy_browse_parameters(advisor, client, **params):
    assert_search_page_copes(client, "/vacancies/browse", params)


@given(q=nasty_text, kind=nasty_text, staff_group=nasty_text, level=bad_numbers, band=nasty_text)
def test_catalogue_search_parameters(client, catalogue, **params):
    assert_search_page_copes(client, "/pathways/", params)


CSV_CELL = st.one_of(nasty_text, bad_dates, bad_postcodes, st.sampled_from(["yes", "no", ""]))
PEOPLE_HEADER = ["reference", "first_name", "last_name", "date_of_birth", "postcode", "email"]
PEOPLE_HEADER += ["phone", "skills", "consent_to_hold_data", "consent_date"]
PEOPLE_HEADER += ["share_with_employers"]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8", errors="surrogatepass")


def upload(client, path: str, data: bytes):
    return client.post(
        path,
        data={"file": (io.BytesIO(data), "fuzz.csv")},
        content_type="multipart/form-data",
    )


@settings(max_examples=30)
@given(
    rows=st.lists(
        st.lists(CSV_CELL, min_size=len(PEOPLE_HEADER), max_size=len(PEOPLE_HEADER)),
        min_size=1,
        max_size=4,
    ),
    good_rows=st.integers(0, 2),
)
def test_resident_import(advisor, client, db, rows, good_rows):
    good = [
        [f"FZ-{n}", "Fuzz", f"Good{n}", "31/03/1990", "LS9 7JA", "", "", "", "yes", "", "no"]
        for n in range(good_rows)
    ]
    before = count(db, Resident)
    response = upload(client, "/residents/import", csv_bytes(PEOPLE_HEADER, good + rows))
    assert_safe(response, *(cell for row in rows for cell in row))
    after = count(db, Resident)
    if response.status_code == 200:
        assert after >= before  # accepted (new rows, or all already registered)
    else:
        assert response.status_code == 400
        assert after == before


@given(data=st.binary(max_size=3_000))
def test_resident_import_of_arbitrary_bytes(advisor, client, db, data):
    before = count(db, Resident)
    response = upload(client, "/residents/import", data)
    assert_safe(response)
    if response.status_code != 200:
        assert count(db, Resident) == before


VACANCY_HEADER = ["pathway", "site", "title", "positions", "pay_min", "pay_max", "pay_period"]
VACANCY_HEADER += ["hours_per_week", "shift_pattern", "closing_date", "ring_fenced"]
VACANCY_HEADER += ["guaranteed_interview", "description"]


@settings(max_examples=30)
@given(
    rows=st.lists(
        st.lists(
            st.one_of(CSV_CELL, bad_numbers),
            min_size=len(VACANCY_HEADER),
            max_size=len(VACANCY_HEADER),
        ),
        min_size=1,
        max_size=4,
    ),
    use_real_site=st.booleans(),
)
def test_vacancy_import(employer_site, client, db, rows, use_real_site):
    if use_real_site:
        for row in rows:
            row[0], row[1] = "hospital-porter", employer_site.name
    before = count(db, Vacancy)
    response = upload(client, "/vacancies/import", csv_bytes(VACANCY_HEADER, rows))
    assert_safe(response, *(cell for row in rows for cell in row))
    if response.status_code == 302:
        assert count(db, Vacancy) == before + len(rows)
    else:
        assert response.status_code in (200, 400)
        assert count(db, Vacancy) == before


API_PATHWAY_PARAMS = ["kind", "staff_group", "level", "band", "q", "page", "per_page", "x"]
API_VACANCY_PARAMS = ["pathway", "site", "ring_fenced", "postcode", "within_km", "page"]
API_VACANCY_PARAMS += ["per_page"]


@given(params=st.dictionaries(st.sampled_from(API_PATHWAY_PARAMS), bad_numbers, max_size=4))
def test_api_pathway_parameters(client, catalogue, params):
    response = client.get("/api/v1/pathways", query_string=params)
    assert_safe(response)
    assert response.status_code in (200, 400) and response.is_json


@given(
    params=st.dictionaries(
        st.sampled_from(API_VACANCY_PARAMS), st.one_of(bad_numbers, bad_postcodes), max_size=4
    )
)
def test_api_vacancy_parameters(client, catalogue, params):
    response = client.get("/api/v1/vacancies", query_string=params)
    assert_safe(response)
    assert response.status_code in (200, 400) and response.is_json


@given(text=st.one_of(bad_postcodes, nasty_text))
def test_api_postcode_lookup(client, text):
    from urllib.parse import quote

    response = client.get("/api/v1/postcodes/" + quote(text, safe=""))
    assert_safe(response)
    if response.status_code == 308:  # "//" in the text: the canonical URL has single slashes
        return
    assert response.status_code in (200, 400, 404) and response.is_json


@pytest.mark.parametrize(
    "path",
    [
        "/residents/2147483648",
        "/residents/99999999999999999999999999",
        "/residents/2147483647",
        "/residents/0",
        "/residents/-1/matches",
        "/residents/99999999999999999999/notes/1/done",
        "/vacancies/92233720368547758070/shortlist",
        "/vacancies/92233720368547758070/edit",
    ],
)
def test_huge_ids_in_urls_are_404(no_csrf, login_as, client, path):
    role = Role.EMPLOYER if path.startswith("/vacancies") else Role.ADVISOR
    login_as(role)
    method = "post" if path.endswith("/done") else "get"
    assert getattr(client, method)(path).status_code == 404


@pytest.mark.parametrize("page", ["99999999999999999999", "2147483648", "-5", "0", "x"])
def test_huge_page_numbers_show_a_page(advisor, client, page):
    response = client.get(f"/residents/?page={page}")
    assert response.status_code == 200


def test_merge_form_with_huge_record_numbers(no_csrf, login_as, client):
    login_as(Role.ADMIN)
    response = client.post("/residents/merge", data={"keep_id": "9" * 30, "duplicate_id": "1"})
    assert response.status_code == 200
    assert "There is no record in use with that number" in response.get_data(as_text=True)


def test_nul_characters_are_a_400_with_a_message(advisor, client):
    for response in (
        client.get("/residents/?search=a%00b"),
        client.post("/residents/new", data={"first_name": "a\x00b"}),
        client.get("/api/v1/pathways/porter%00"),
    ):
        assert response.status_code == 400
        assert "NUL" in response.get_data(as_text=True)
    assert client.get("/api/v1/pathways?q=%00").get_json()["error"]["status"] == 400


def test_oversize_upload_is_413_with_a_clear_page(advisor, client, db):
    before = count(db, Resident)
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    # Raw bytes, so the test client keeps the body in memory rather than in a temporary file.
    body = b"--edge\r\nContent-Disposition: form-data; name=file; filename=big.csv\r\n\r\n"
    response = client.post(
        "/residents/import",
        data=body + b"x" * limit + b"\r\n--edge--\r\n",
        content_type="multipart/form-data; boundary=edge",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file is too large" in html and "smaller than 5 MB" in html
    assert "nhsuk-header" in html
    assert count(db, Resident) == before


@pytest.mark.parametrize("value", ["sNaN", "NaN", "Infinity", "-inf"])
def test_numbers_that_are_not_finite_are_field_errors(employer_site, client, db, value):
    """``sNaN`` parses as a Decimal but breaks every comparison; it once gave a 500."""
    before = count(db, Vacancy)
    response = client.post(
        "/vacancies/new",
        data={
            "pathway_id": "1",
            "site_id": str(employer_site.id),
            "title": "Porter",
            "positions": "1",
            "pay_min": value,
            "hours_per_week": value,
            "pay_period": "annual",
            "shift_pattern": "days",
            "closing_date": (today() + timedelta(days=40)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "Not a valid decimal value" in response.get_data(as_text=True)
    assert count(db, Vacancy) == before
