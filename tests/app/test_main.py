"""Public pages, the health check, error pages and security headers."""

from app import create_app


def test_start_page_renders_with_the_nhs_layout(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "nhsuk-header" in html and "Pathways" in html
    assert "/assets/nhsuk-frontend.min.css" in html
    assert "Open Government Licence" in html  # attribution in the footer


def test_about_page_carries_every_attribution(client):
    html = client.get("/about").get_data(as_text=True)
    for phrase in [
        "National Statistics Postcode Lookup",
        "Indices of Deprivation 2025",
        "ESCO",
        "SOC 2020",
        "Royal Mail",
    ]:
        assert phrase in html


def test_nhsuk_frontend_assets_are_served_from_the_npm_package(client):
    with client.get("/assets/nhsuk-frontend.min.css") as css:
        assert css.status_code == 200 and b".nhsuk-header" in css.data
    with client.get("/assets/images/favicon.svg") as icon:
        assert icon.status_code == 200
    assert client.get("/assets/../../package.json").status_code == 404


def test_stylesheet_is_served_without_remote_fonts(client):
    """The CSP (font-src 'self') would refuse assets.nhs.uk's Frutiger, an error on every page."""
    with client.get("/assets/nhsuk-frontend.min.css") as css:
        text = css.get_data(as_text=True)
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert "assets.nhs.uk" not in text and "@font-face" not in text
    assert "font-family:Frutiger W01,arial,sans-serif" in text  # Arial takes over
    assert css.cache_control.max_age == 86400


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable():
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
        }
    )
    response = app.test_client().get("/healthz")
    app.extensions["pathways.engine"].dispose()
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_security_headers_forbid_inline_script_and_framing(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_the_one_inline_script_carries_the_request_nonce(client):
    response = client.get("/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    html = response.get_data(as_text=True)
    assert html.count("<script") == html.count(f'nonce="{nonce}"') + html.count(
        'type="module" src='
    )
