"""Postcode resolution: normalising, deprivation, priority areas and clear refusals."""

import pytest

from pathways.errors import UnknownPostcode
from pathways.geography import normalise_postcode, priority_area_names, resolve_postcode


@pytest.mark.parametrize("text", ["ls9 7ja", "LS97JA", "  ls9   7JA ", "Ls9 7jA"])
def test_normalises_any_spacing_and_case(text):
    assert normalise_postcode(text) == "LS9 7JA"


def test_lincoln_green_postcode_is_decile_one_and_a_priority_area():
    place = resolve_postcode("ls9 7ja")
    assert place.postcode == "LS9 7JA"
    assert place.imd_decile == 1
    assert place.priority_area == "Lincoln Green"
    assert place.is_priority
    assert place.ward_name == "Burmantofts & Richmond Hill"
    assert place.lsoa21_code == "E01033035"
    assert place.latitude == pytest.approx(53.80258)
    assert place.longitude == pytest.approx(-1.52738)


def test_deprived_decile_outside_named_areas_counts_by_the_threshold_setting():
    # LS12 2AE (Armley) is in a decile-2 LSOA that is not one of the named neighbourhoods.
    place = resolve_postcode("LS12 2AE")
    assert (place.priority_area, place.imd_decile, place.is_priority) == (None, 2, True)
    assert not resolve_postcode("LS12 2AE", priority_decile_threshold=1).is_priority


def test_affluent_postcode_is_not_priority():
    place = resolve_postcode("LS21 2LY")
    assert place.imd_decile is not None and place.imd_decile > 2
    assert not place.is_priority


def test_valid_postcode_outside_the_data_is_accepted_without_deprivation_data():
    place = resolve_postcode("sw1a1aa")
    assert place.postcode == "SW1A 1AA"
    assert not place.in_coverage
    assert not place.has_deprivation_data
    assert not place.is_priority


def test_postcode_in_the_data_without_an_lsoa_has_no_deprivation_data():
    place = resolve_postcode("LS1 9AR")
    assert place.in_coverage and not place.has_deprivation_data and place.latitude is None


@pytest.mark.parametrize("text", ["nonsense", "", "LS9", "12345", "LS9 7JA7"])
def test_invalid_text_is_refused_with_a_field_message(text):
    with pytest.raises(UnknownPostcode) as caught:
        resolve_postcode(text)
    assert "postcode" in caught.value.errors


def test_unknown_postcode_in_a_covered_area_is_refused():
    with pytest.raises(UnknownPostcode, match="LS9 9ZZ is not a known postcode"):
        resolve_postcode("LS9 9ZZ")


def test_named_priority_areas_are_listed():
    assert priority_area_names() == [
        "Belle Isle",
        "Harehills",
        "Holbeck",
        "Lincoln Green",
        "Seacroft",
    ]
