"""Outcome reports against a fixture counted by hand (tests/reporting_data.py, as of 30 June 2024).

Programme "Ready for Work" = cohort A (12 enrolled) + cohort B (8). By hand:
registered 12 + 8 = 20; started A1-A10 + B1-B7 = 17; completed A1-A8 + B1-B5 = 13;
interviewed A1-A7 + B1-B5 = 12 (A11 was interviewed but never started); offered A1-A6 + B1-B4 = 10;
started a job A1-A6 + B1-B4 = 10 (A11's job does not count; B5's job was before enrolling).
13 weeks: in work A1 A2 A3 B1 B2 B3 = 6; not in work A4 (corrected from in work) = 1; known 7;
not yet known A5 (recorded), A6 (no check) = 2; B4's check is not due until 5 August 2024.
26 weeks: in work A1 A2 A5 A6 B1 B3 = 6; A3 left before it was due = not in work; known 7;
not yet known A4, B2 = 2. 52 weeks: in work A1 = 1; not in work A2, A3 (left) = known 3; not yet
known A4 A5 A6 = 3; B1-B3 fall due on 1 July 2024, the day after the report date.
Progressed: A1 = 1 of 10. Days from programme start to job start: A 70 84 84 98 112 126,
B 62 62 62 370: median of ten = 84 (A2's superseded start would have made it 91 for A2).
"""

from datetime import date

import pytest

from pathways.disclosure import DisclosureRules
from pathways.errors import NotFound
from pathways.reporting import (
    ReportScope,
    anchor_measures,
    anchor_tables,
    build_report,
    check_scope,
    financial_quarter,
    living_wage_on,
    report_tables,
)
from tests.reporting_data import AS_OF

RULES = DisclosureRules()


def _report(db, as_of=AS_OF, **scope):
    return build_report(session=db, scope=ReportScope(**scope), as_of=as_of)


def _figures(report, column):
    return report.funnel[column].to_dict()


def _table(tables, key):
    return next(table for table in tables if table.key == key)


def test_programme_funnel_counts_every_stage(db, outcome_data):
    report = _report(db, programme_id=outcome_data.programme.id)
    assert _figures(report, "numerator") == {
        "registered": 20,
        "started_programme": 17,
        "completed": 13,
        "interviewed": 12,
        "offered": 10,
        "started_job": 10,
        "in_work_13": 6,
        "in_work_26": 6,
        "in_work_52": 1,
        "progressed": 1,
    }
    assert _figures(report, "denominator") == {
        "registered": 20,
        "started_programme": 20,
        "completed": 17,
        "interviewed": 17,
        "offered": 17,
        "started_job": 17,
        "in_work_13": 7,
        "in_work_26": 7,
        "in_work_52": 3,
        "progressed": 10,
    }
    not_known = report.funnel["not_known"].dropna().astype(int).to_dict()
    assert not_known == {"in_work_13": 2, "in_work_26": 2, "in_work_52": 3}
    assert report.funnel.loc["started_job", "rate"] == pytest.approx(10 / 17)
    assert report.median_days_to_job == 84
    assert report.median_count == 10


def test_published_funnel_hides_small_numbers_and_rates(db, outcome_data):
    report = _report(db, programme_id=outcome_data.programme.id)
    assert _table(report_tables(report, RULES), "funnel").rows == (
        ("Registered on the cohort", 20, 20, 100, ""),
        ("Started the programme", 17, 20, 85, ""),
        ("Completed the programme", 13, 17, 76, ""),
        ("Interviewed", 12, 17, 71, ""),
        ("Offered a job", 10, 17, 59, ""),
        ("Started a job", 10, 17, 59, ""),
        ("In work at 13 weeks", 6, 7, "[low]", "<5"),
        ("In work at 26 weeks", 6, 7, "[low]", "<5"),
        ("In work at 52 weeks", "<5", "<5", "[low]", "<5"),
        ("Progressed in work", "<5", 10, "[c]", ""),
    )
    assert _table(report_tables(report, RULES), "time_to_work").rows == (
        ("Median days from programme start to job start", 84, 10),
    )


def test_one_cohort_uses_only_current_events(db, outcome_data):
    report = _report(db, cohort_id=outcome_data.cohort_a.id)
    assert _figures(report, "numerator") == {
        "registered": 12,
        "started_programme": 10,
        "completed": 8,
        "interviewed": 7,
        "offered": 6,
        "started_job": 6,
        "in_work_13": 3,  # A4's "in work" was corrected to "not in work"
        "in_work_26": 4,
        "in_work_52": 1,
        "progressed": 1,
    }
    assert _figures(report, "denominator")["in_work_13"] == 4
    assert report.median_days_to_job == 91  # (84 + 98) / 2, with A2's corrected start
    tables = report_tables(report, RULES)
    assert _table(tables, "time_to_work").rows == (
        ("Median days from programme start to job start", "[low]", 6),
    )
    assert [table.key for table in tables if table.key == "cohorts"] == []


def test_checks_fall_due_with_the_report_date(db, outcome_data):
    later = _report(db, as_of=date(2024, 7, 1), programme_id=outcome_data.programme.id)
    # B1-B3's 52-week checks are due from 1 July 2024 and have no answer yet.
    assert later.funnel.loc["in_work_52", "denominator"] == 3
    assert later.funnel.loc["in_work_52", "not_known"] == 6


def test_cohorts_side_by_side_suppress_across_cohorts(db, outcome_data):
    report = _report(db, programme_id=outcome_data.programme.id)
    assert _table(report_tables(report, RULES), "cohorts").rows == (
        ("Registered on the cohort", 12, 8, 20),
        ("Started the programme", 10, 7, 17),
        ("Started the programme: rate (%)", 83, "[low]", 85),
        ("Completed the programme", 8, 5, 13),
        ("Completed the programme: rate (%)", 80, "[low]", 76),
        ("Interviewed", 7, 5, 12),
        ("Interviewed: rate (%)", 70, "[low]", 71),
        ("Offered a job", "[c]", "<5", 10),
        ("Offered a job: rate (%)", "[c]", "[low]", 59),
        ("Started a job", "[c]", "<5", 10),
        ("Started a job: rate (%)", "[c]", "[low]", 59),
        ("In work at 13 weeks", "<5", "<5", 6),
        ("In work at 13 weeks: rate (%)", "[low]", "[low]", "[low]"),
        ("In work at 26 weeks", "<5", "<5", 6),
        ("In work at 26 weeks: rate (%)", "[low]", "[low]", "[low]"),
        ("In work at 52 weeks", "<5", 0, "<5"),
        ("In work at 52 weeks: rate (%)", "[low]", "[low]", "[low]"),
        ("Progressed in work", "<5", 0, "<5"),
        ("Progressed in work: rate (%)", "[low]", "[low]", "[c]"),
    )


def test_trend_by_financial_quarter_of_cohort_start(db, outcome_data):
    report = _report(db, programme_id=outcome_data.programme.id)
    table = _table(report_tables(report, RULES), "trend")
    assert table.columns == (
        "Quarter",
        "Registered on the cohort",
        "Started the programme",
        "Started a job",
        "Into work rate (%)",
    )
    assert table.rows == (
        ("2022/23 Q4", 12, 10, "[c]", "[c]"),
        ("2023/24 Q1", 8, 7, "<5", "[low]"),
        ("Total", 20, 17, 10, 59),
    )
    assert financial_quarter(date(2019, 4, 1)) == "2019/20 Q1"
    assert financial_quarter(date(2020, 3, 31)) == "2019/20 Q4"


def test_breakdown_by_priority_area_with_secondary_suppression(db, outcome_data):
    report = _report(db, programme_id=outcome_data.programme.id)
    counts = report.breakdowns["priority_area"]
    assert counts.to_dict("index") == {
        "Harehills": {
            "registered": 6,
            "started_programme": 4,
            "completed": 2,
            "started_job": 0,
            "in_work_26": 0,
        },
        "Lincoln Green": {
            "registered": 6,
            "started_programme": 6,
            "completed": 6,
            "started_job": 6,
            "in_work_26": 4,
        },
        "Not in a priority area": {
            "registered": 8,
            "started_programme": 7,
            "completed": 5,
            "started_job": 4,
            "in_work_26": 2,
        },
    }
    assert _table(report_tables(report, RULES), "by_priority_area").rows == (
        ("Harehills", 6, "<5", "<5", 0, 0, "[low]"),
        ("Lincoln Green", 6, "[c]", 6, "[c]", "<5", "[low]"),
        ("Not in a priority area", 8, 7, "[c]", "<5", "<5", "[low]"),
        ("Total", 20, 17, 13, 10, 6, 59),
    )


def test_other_breakdowns_name_their_categories(db, outcome_data):
    report = _report(db, programme_id=outcome_data.programme.id)
    assert report.breakdowns["imd_decile"]["registered"].to_dict() == {
        "1": 12,
        "5": 4,
        "Not known": 4,
    }
    assert report.breakdowns["ethnicity"]["registered"].to_dict() == {
        "Black African": 4,
        "Prefer not to say": 2,
        "White British": 8,
        "Not asked": 6,
    }
    assert report.breakdowns["employer_site"]["started_job"].to_dict() == {
        "Care Co": 1,
        "Leeds Trust, St James's": 9,
        "No job start yet": 0,
    }
    assert report.breakdowns["pathway"]["started_job"].to_dict() == {
        "HCA apprentice": 2,
        "Porter": 8,
        "No job start yet": 0,
    }
    assert report.breakdowns["sex"]["registered"].to_dict() == {
        "Female": 6,
        "Male": 6,
        "Not asked": 8,
    }
    assert report.breakdowns["age_band"]["registered"].to_dict() == {
        "16-24": 8,
        "25-34": 6,
        "35-49": 6,
    }


@pytest.mark.parametrize(
    ("scope", "registered", "started_job"),
    [
        ({}, 23, 11),  # every cohort; C1 started a job too
        ({"employer": "trust"}, 20, 10),
        ({"employer": "care"}, 3, 1),
        ({"starts_from": date(2023, 4, 1), "starts_to": date(2023, 12, 31)}, 8, 4),
        ({"starts_from": date(2024, 1, 1)}, 3, 1),
    ],
)
def test_scopes_choose_cohorts(db, outcome_data, scope, registered, started_job):
    if "employer" in scope:
        scope = {"employer_id": getattr(outcome_data, scope["employer"]).id}
    report = _report(db, **scope)
    assert report.funnel.loc["registered", "numerator"] == registered
    assert report.funnel.loc["started_job", "numerator"] == started_job


def test_unknown_ids_are_not_found(db, outcome_data):
    with pytest.raises(NotFound):
        check_scope(session=db, scope=ReportScope(cohort_id=999999))
    check_scope(session=db, scope=ReportScope(cohort_id=outcome_data.cohort_a.id))


def test_anchor_measures_for_a_trust(db, outcome_data):
    # Entry-role and apprenticeship starts at the trust, current only, merged records excluded:
    # A1-A6, A11, B1-B3, B5 (2022), C1, D2 = 13. D1's course is not an anchor role.
    # Priority area or decile 1-2: A1-A6, A11, C1 (decile 2), D2 (decile 2) = 9.
    # Pay known with a rate: all but A6, B2 (no hours) and D2 = 10; at or above: A1 (£10.00 vs
    # £9.90), A2 (£22,383 / 37.5 h = £11.45 vs £10.90), A3 (exactly £10.90), A11, B1, B3,
    # B5 (exactly £9.50), C1 (£12.00 vs £10.90) = 8; below: A4 £10.50, A5 £6.40.
    measures = anchor_measures(session=db, employer_id=outcome_data.trust.id, as_of=AS_OF)
    assert (measures.starts, measures.from_priority_areas) == (13, 9)
    assert (measures.paid_living_wage, measures.pay_known) == (8, 10)
    summary, by_year = anchor_tables(measures, RULES)
    assert summary.rows == (
        ("Entry-role and apprenticeship starts", 13, "", ""),
        ("Living in a priority area or IMD decile 1-2", 9, 13, 69),
        ("Paid at or above the Real Living Wage when they started", 8, 10, 80),
    )
    assert by_year.rows == (
        ("2021/22", "<5", 0, "<5", "<5"),
        ("2022/23", "<5", "<5", "<5", "<5"),
        ("2023/24", 10, 7, 8, 6),
        ("2024/25", "<5", "<5", 0, 0),
        ("Total", 13, 9, 10, 8),
    )


def test_anchor_measures_need_a_real_organisation(db, outcome_data):
    with pytest.raises(NotFound):
        anchor_measures(session=db, employer_id=999999)


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (date(2019, 4, 30), None),  # before the earliest deadline held
        (date(2019, 5, 1), 9.00),
        (date(2023, 3, 21), 9.90),  # £10.90 announced September 2022, due from 22 March 2023
        (date(2023, 3, 22), 10.90),
        (date(2024, 4, 30), 10.90),
        (date(2024, 5, 1), 12.00),
        (date(2026, 5, 1), 13.45),
    ],
)
def test_living_wage_for_the_start_date(day, rate):
    found = living_wage_on(day)
    assert (found.hourly_rate if found else None) == rate


def test_demo_pilot_reports_49_started_and_29_into_work(db):
    from datetime import UTC, datetime

    from freezegun import freeze_time
    from sqlmodel import select

    from pathways.demo import seed_demo
    from pathways.models import Cohort

    with freeze_time(datetime(2026, 11, 25, 12, 0, tzinfo=UTC)):
        seed_demo(session=db)
        db.flush()
        pilot = db.exec(select(Cohort).where(Cohort.name == "Lincoln Green 2019")).one()
        report = build_report(session=db, scope=ReportScope(cohort_id=pilot.id))
    funnel = _table(report_tables(report, RULES), "funnel")
    assert funnel.rows[1][:4] == ("Started the programme", 49, 52, 94)
    assert funnel.rows[5][:4] == ("Started a job", 29, 49, 59)
    # The demo's sustained work at 13, 26 and 52 weeks, all long due.
    assert [row[1] for row in funnel.rows[6:9]] == [26, 24, 21]
