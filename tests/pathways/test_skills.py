"""The shared skills vocabulary in the database, and the typo-tolerant picker's suggestions."""

from sqlmodel import select

from matching import load_vocabulary
from pathways.models import Skill
from pathways.skills import (
    skill_label_for,
    skills_by_label,
    suggest_skill_labels,
    sync_skill_vocabulary,
)


def test_sync_adds_every_label_once_and_is_idempotent(db):
    added = sync_skill_vocabulary(db)
    labels = db.exec(select(Skill.label)).all()
    assert added == len(load_vocabulary()) == len(labels)
    assert sync_skill_vocabulary(db) == 0


def test_sync_restores_edited_synonyms(db):
    sync_skill_vocabulary(db)
    skill = db.exec(select(Skill).where(Skill.label == "cash handling")).one()
    skill.synonyms = "wrong"
    db.add(skill)
    assert sync_skill_vocabulary(db) == 1
    assert "tills" in skill.synonyms.split("|")


def test_skills_by_label_leaves_out_unknown_labels(db):
    sync_skill_vocabulary(db)
    found = skills_by_label(db, ["cleaning", "juggling"])
    assert list(found) == ["cleaning"]
    assert skills_by_label(db, []) == {}


def test_everyday_words_map_to_vocabulary_labels():
    assert skill_label_for("tills") == "cash handling"
    assert skill_label_for("HCA") == "healthcare assistant"
    assert skill_label_for("Cleaning") == "cleaning"
    assert skill_label_for("xyzzy") is None


def test_suggestions_tolerate_typos_and_put_meaning_first():
    assert suggest_skill_labels("tills")[0] == "cash handling"
    assert suggest_skill_labels("portr")[0] == "portering"
    assert "healthcare assistant" in suggest_skill_labels("helthcare")
    assert suggest_skill_labels("looked after my nan")[0] == "unpaid caring"
    assert suggest_skill_labels("   ") == []
    assert len(suggest_skill_labels("care", limit=3)) == 3
