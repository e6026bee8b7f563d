"""The one shared skills vocabulary, kept in the database so pathways and residents can link to it.

The vocabulary itself lives in the matching library (``matching/data/skills_vocabulary.csv``, built
from ESCO with everyday synonyms); this module copies it into the ``skill`` table and looks labels
up in it, so what a resident picks and what a pathway needs are always the same words.
"""

from rapidfuzz import fuzz, process
from sqlmodel import Session, select

from matching import load_vocabulary
from pathways.models import Skill


def sync_skill_vocabulary(session: Session) -> int:
    """Add or update a ``skill`` row for every vocabulary label; return how many changed."""
    existing = {skill.label: skill for skill in session.exec(select(Skill))}
    changed = 0
    for entry in load_vocabulary().labels:
        synonyms = "|".join(entry.synonyms)
        esco_uri = entry.esco_uri or None
        skill = existing.get(entry.label)
        if skill is None:
            session.add(Skill(label=entry.label, synonyms=synonyms, esco_uri=esco_uri))
            changed += 1
        elif (skill.synonyms, skill.esco_uri) != (synonyms, esco_uri):
            skill.synonyms, skill.esco_uri = synonyms, esco_uri
            session.add(skill)
            changed += 1
    session.flush()
    return changed


def skill_label_for(phrase: str) -> str | None:
    """The vocabulary label a typed phrase stands for ("tills" -> "cash handling"), or None."""
    return load_vocabulary().canonical(phrase)


def suggest_skill_labels(text: str, limit: int = 8) -> list[str]:
    """Vocabulary labels for a picker: what the words mean first, then labels spelt like them."""
    text = text.strip()
    if not text:
        return []
    vocabulary = load_vocabulary()
    suggestions = [m.label for m in vocabulary.find(text) if not m.negated]
    choices = {entry.label: entry.label for entry in vocabulary.labels}
    for entry in vocabulary.labels:
        for synonym in entry.synonyms:
            choices.setdefault(synonym, entry.label)
    typed = text.lower()
    corrected = " ".join(vocabulary.correct(word) for word in typed.split())
    suggestions += [
        label for key, label in choices.items() if key.lower().startswith((typed, corrected))
    ]
    for key, _, _ in process.extract(
        typed, list(choices), scorer=fuzz.ratio, limit=limit, score_cutoff=75
    ):
        suggestions.append(choices[key])
    return list(dict.fromkeys(suggestions))[:limit]


def skills_by_label(session: Session, labels: list[str]) -> dict[str, Skill]:
    """The ``skill`` rows for these labels (labels not in the vocabulary are left out)."""
    if not labels:
        return {}
    rows = session.exec(select(Skill).where(Skill.label.in_(labels)))  # type: ignore[attr-defined]
    return {skill.label: skill for skill in rows}
