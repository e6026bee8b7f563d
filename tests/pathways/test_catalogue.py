"""The catalogue: idempotent load, filters, typo-tolerant search, ladders and CSV import."""

import csv
from pathlib import Path

import pytest
from sqlmodel import func, select

from matching import load_vocabulary
from pathways.catalogue import (
    CATALOGUE_COLUMNS,
    CatalogueFilter,
    ImportSummary,
    catalogue_template,
    import_catalogue,
    ladder_for,
    load_catalogue,
    search_pathways,
    skill_labels_of,
)
from pathways.csv_import import ImportRejected
from pathways.models import Pathway, PathwayKind, PathwayProgression, PathwaySkill

DATA = Path(__file__).resolve().parents[2] / "pathways" / "data" / "catalogue"


def slugs(pathways):
    return [pathway.slug for pathway in pathways]


def count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_every_packaged_skill_is_exactly_a_vocabulary_label():
    vocabulary = load_vocabulary()
    with open(DATA / "pathways.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    not_labels = {
        (row["slug"], skill)
        for row in rows
        for skill in row["skills"].split(";")
        if skill not in vocabulary
    }
    assert not_labels == set()
    assert all(4 <= len(row["skills"].split(";")) <= 9 for row in rows)


def test_every_pathway_has_the_facts_an_advisor_needs(db, catalogue):
    skills = skill_labels_of(session=db, pathways=list(catalogue.values()))
    for slug, pathway in catalogue.items():
        assert pathway.staff_group and pathway.description, slug
        assert pathway.pay_band or pathway.pay_min is not None, slug
        assert pathway.hours_per_week, slug
        assert pathway.min_age >= 16 and pathway.source_url, slug
        assert len(skills[pathway.id]) >= 2, slug
    kinds = {pathway.kind for pathway in catalogue.values()}
    assert kinds == set(PathwayKind)


def test_load_is_complete_and_idempotent(db):
    first = load_catalogue(db)
    assert (first.created, first.progressions_added) == (49, 62)
    counts = [count(db, model) for model in (Pathway, PathwaySkill, PathwayProgression)]
    again = load_catalogue(db)
    assert again == ImportSummary(created=0, updated=0, unchanged=49, progressions_added=0)
    assert [count(db, model) for model in (Pathway, PathwaySkill, PathwayProgression)] == counts
    assert counts[1] >= 49 * 4


def test_apprenticeships_carry_verified_codes_and_levels(db, catalogue):
    expected = {
        "hcsw-apprenticeship-l2": ("ST0216", 2),
        "senior-hcsw-apprenticeship-l3": ("ST0217", 3),
        "nursing-associate-apprenticeship": ("ST0827", 5),
        "registered-nurse-degree-apprenticeship": ("ST0781", 6),
        "adult-care-worker-apprenticeship": ("ST0005", 2),
        "business-administrator-apprenticeship": ("ST0070", 3),
    }
    for slug, (code, level) in expected.items():
        pathway = catalogue[slug]
        assert (pathway.apprenticeship_standard_code, pathway.apprenticeship_level) == (code, level)
    apprenticeships = [p for p in catalogue.values() if p.kind == PathwayKind.APPRENTICESHIP]
    assert len(apprenticeships) == 17
    assert all(p.apprenticeship_standard_code.startswith("ST") for p in apprenticeships)


@pytest.mark.parametrize(
    ("filters", "expected_count", "must_include"),
    [
        (CatalogueFilter(kind=PathwayKind.APPRENTICESHIP), 17, "hcsw-apprenticeship-l2"),
        (CatalogueFilter(kind=PathwayKind.PRE_EMPLOYMENT), 6, "swap-health-and-care"),
        (CatalogueFilter(staff_group="Adult social care"), None, "care-worker-domiciliary"),
        (CatalogueFilter(level=5), 1, "nursing-associate-apprenticeship"),
        (CatalogueFilter(band="Band 4"), None, "medical-secretary"),
        (CatalogueFilter(kind=PathwayKind.APPRENTICESHIP, level=2, band="Band 2"), None,
         "hcsw-apprenticeship-l2"),
    ],
)  # fmt: skip
def test_filters(db, catalogue, filters, expected_count, must_include):
    found = search_pathways(session=db, filters=filters)
    assert must_include in slugs(found)
    if expected_count is not None:
        assert len(found) == expected_count
    for pathway in found:
        assert filters.kind in (None, pathway.kind)
        assert filters.staff_group in ("", pathway.staff_group)
        assert filters.level in (None, pathway.apprenticeship_level)
        assert filters.band in ("", pathway.pay_band)


@pytest.mark.parametrize(
    ("query", "first", "excluded"),
    [
        ("portr", "hospital-porter", "healthcare-support-worker-band-2"),
        ("helthcare", None, "hospital-porter"),
        ("hospital porter", "hospital-porter", "medical-secretary"),
        ("admn", None, "hospital-porter"),
    ],
)
def test_search_tolerates_typos(db, catalogue, query, first, excluded):
    found = slugs(search_pathways(session=db, filters=CatalogueFilter(query=query)))
    assert found, query
    if first:
        assert found[0] == first
    assert excluded not in found


def test_helthcare_finds_healthcare_support_workers(db, catalogue):
    found = slugs(search_pathways(session=db, filters=CatalogueFilter(query="helthcare")))
    assert {"healthcare-support-worker-band-2", "hcsw-apprenticeship-l2"} <= set(found)


def test_search_understands_everyday_skill_words(db, catalogue):
    found = slugs(search_pathways(session=db, filters=CatalogueFilter(query="tills")))
    assert "catering-assistant" in found


def test_search_with_nonsense_finds_nothing(db, catalogue):
    assert search_pathways(session=db, filters=CatalogueFilter(query="xqzvw")) == []


def test_ladder_runs_from_porter_to_registered_nurse(db, catalogue):
    ladder = ladder_for(session=db, pathway=catalogue["hospital-porter"])
    rings = [slugs(step.pathway for step in ring) for ring in ladder.up]
    assert "healthcare-support-worker-band-2" in rings[0]
    flat = [slug for ring in rings for slug in ring]
    assert flat.index("hcsw-apprenticeship-l2") < flat.index("nursing-associate-apprenticeship")
    assert flat.index("nursing-associate-apprenticeship") < flat.index(
        "registered-nurse-degree-apprenticeship"
    )
    assert len(flat) == len(set(flat)) and "hospital-porter" not in flat


def test_ladder_shows_routes_into_a_pathway(db, catalogue):
    ladder = ladder_for(session=db, pathway=catalogue["senior-hcsw-apprenticeship-l3"])
    assert "healthcare-support-worker-band-3" in slugs(step.pathway for step in ladder.into[0])


GOOD_ROW = (
    "slug,title,kind,staff group,band,pay_min_gbp,pay_max_gbp,standard code,level,skills\n"
    "test-phlebotomy-trainee,Trainee phlebotomist,entry_role,Support to clinical staff,Band 2,"
    "24465,24465,,,communication;tills\n"
    "test-apprentice,Test apprentice,apprenticeship,Support to clinical staff,Band 2,"
    "24465,24465,st0216,2,personal care\n"
)


def test_import_stores_a_good_file_and_maps_skill_synonyms(db, catalogue):
    summary = import_catalogue(db, GOOD_ROW)
    assert (summary.created, summary.updated) == (2, 0)
    trainee = db.exec(select(Pathway).where(Pathway.slug == "test-phlebotomy-trainee")).one()
    assert skill_labels_of(session=db, pathways=[trainee])[trainee.id] == [
        "cash handling",
        "communication",
    ]
    apprentice = db.exec(select(Pathway).where(Pathway.slug == "test-apprentice")).one()
    assert apprentice.apprenticeship_standard_code == "ST0216"


def test_import_updates_an_existing_pathway_by_slug(db, catalogue):
    text = (
        "slug,title,kind,staff_group,skills\n"
        "hospital-porter,Hospital porter (updated),entry_role,Estates and ancillary,teamwork\n"
    )
    summary = import_catalogue(db, text)
    assert (summary.created, summary.updated) == (0, 1)
    db.refresh(catalogue["hospital-porter"])
    assert catalogue["hospital-porter"].title == "Hospital porter (updated)"


def test_a_bad_file_is_refused_whole_with_every_line_reported(db, catalogue):
    before = count(db, Pathway)
    text = (
        "slug,title,kind,staff_group,pay_min_gbp,pay_max_gbp,standard code,level,skills\n"
        "fine-row,Fine,entry_role,Estates and ancillary,24000,25000,,,teamwork\n"
        "Bad Slug,No kind,,Estates and ancillary,,,,,\n"
        "apprentice-no-code,Apprentice,apprenticeship,Estates and ancillary,,,,,teamwork\n"
        "pay-upside-down,Pay,entry_role,Estates and ancillary,30000,20000,,,juggling fire\n"
        "fine-row,Again,entry_role,Estates and ancillary,,,,,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        import_catalogue(db, text)
    problems = {(e.line, e.column) for e in rejected.value.row_errors}
    assert {(3, "slug"), (3, "kind"), (4, "apprenticeship_standard_code"),
            (4, "apprenticeship_level"), (5, "pay_max_gbp"), (5, "skills"),
            (6, "slug")} <= problems  # fmt: skip
    assert 2 not in {line for line, _ in problems}
    assert count(db, Pathway) == before


def test_template_has_every_column_and_imports_cleanly(db, catalogue):
    template = catalogue_template()
    assert template.splitlines()[0].split(",") == [c.name for c in CATALOGUE_COLUMNS]
    assert import_catalogue(db, template).updated == 2  # the examples are shortened rows
    assert import_catalogue(db, template).unchanged == 2
