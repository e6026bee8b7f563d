"""The public postcode lookup: normalising, deprivation, priority areas and clear refusals."""

import pytest


@pytest.mark.parametrize("path", ["/api/v1/postcodes/LS9%207JA", "/api/v1/postcodes/ls97ja"])
def test_lincoln_green_postcode_is_decile_one(client, path):
    response = client.get(path)
    assert response.status_code == 200
    body = response.get_json()
    assert body["postcode"] == "LS9 7JA"
    assert body["imd2025_decile"] == 1 and body["imd2019_decile"] == 1
    assert body["priority_area"] == "Lincoln Green" and body["in_priority_area"] is True
    assert body["ward"] == "Burmantofts & Richmond Hill"
    assert body["lsoa21_code"] == "E01033035"
    assert body["note"] is None


def test_nonsense_is_a_400_with_a_message(client):
    response = client.get("/api/v1/postcodes/nonsense")
    assert response.status_code == 400
    assert "not a valid UK postcode" in response.get_json()["error"]["message"]


def test_unknown_leeds_postcode_is_a_400(client):
    response = client.get("/api/v1/postcodes/LS9%209ZZ")
    assert response.status_code == 400
    assert "LS9 9ZZ is not a known postcode" in response.get_json()["error"]["message"]


def test_valid_postcode_outside_the_data_has_null_deprivation_and_a_note(client):
    body = client.get("/api/v1/postcodes/sw1a1aa").get_json()
    assert body["postcode"] == "SW1A 1AA"
    assert body["imd2025_decile"] is None and body["ward"] is None
    assert body["priority_area"] is None and body["in_priority_area"] is False
    assert "no deprivation data" in body["note"]


def test_the_lookup_is_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/postcodes/{postcode}"]["get"]
    assert set(operation["responses"]) == {"200", "400"}
    assert "Postcode" in document["components"]["schemas"]
