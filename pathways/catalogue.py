"""The pathway catalogue: loading the packaged data, searching it, ladders and CSV imports.

The catalogue ships as CSV in ``pathways/data/catalogue`` (see its README for sources). The same
row rules serve the packaged load and an admin's upload, so both refuse the same mistakes.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz
from sqlmodel import Session, select

from matching import load_vocabulary
from pathways.clock import now_utc
from pathways.csv_import import Column, CsvRow, ImportRejected, RowError, read_csv, template_csv
from pathways.errors import NotFound
from pathways.models import (
    DbsLevel,
    Pathway,
    PathwayKind,
    PathwayProgression,
    PathwaySkill,
    ShiftPattern,
    Skill,
    SkillImportance,
)
from pathways.skills import (
    skill_label_for,
    skills_by_label,
    suggest_skill_labels,
    sync_skill_vocabulary,
)

DATA_DIR = Path(__file__).parent / "data" / "catalogue"
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STANDARD_CODE_PATTERN = re.compile(r"^ST\d{4}$", re.IGNORECASE)
SOC_PATTERN = re.compile(r"^\d{4}$")
# Below this (0-100) a match is noise: "portr" scores 91 against "porter", 67 against "support".
SEARCH_THRESHOLD = 75
# Where a word is found matters: a title match beats a skill, a skill beats the description.
FIELD_WEIGHTS = {"title": 1.0, "skills": 0.9, "description": 0.8}
MAX_LADDER_STEPS = 8
TRUE_WORDS = frozenset({"true", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", ""})

CATALOGUE_COLUMNS = [
    Column("slug", required=True),
    Column("title", required=True),
    Column("kind", aliases=("type",), required=True),
    Column("staff_group", required=True),
    Column("pay_band", aliases=("band", "afc band")),
    Column("pay_min_gbp", aliases=("pay min", "pay from")),
    Column("pay_max_gbp", aliases=("pay max", "pay to")),
    Column("hours_per_week", aliases=("hours",)),
    Column("apprenticeship_standard_code", aliases=("standard code", "standard")),
    Column("apprenticeship_level", aliases=("level",)),
    Column("typical_duration_months", aliases=("duration months",)),
    Column("typical_duration_weeks", aliases=("duration weeks",)),
    Column("min_age", aliases=("minimum age",)),
    Column("english_level", aliases=("english",)),
    Column("maths_level", aliases=("maths",)),
    Column("min_qualification_level", aliases=("qualification level",)),
    Column("requires_driving_licence", aliases=("driving licence",)),
    Column("dbs_level", aliases=("dbs",)),
    Column("shift_pattern", aliases=("shifts",)),
    Column("soc2020_code", aliases=("soc", "soc code")),
    Column("description"),
    Column("skills"),
    Column("source_url", aliases=("source",)),
]
TEMPLATE_EXAMPLES = [
    {
        "slug": "hospital-porter",
        "title": "Hospital porter",
        "kind": "entry_role",
        "staff_group": "Estates and ancillary",
        "pay_band": "Band 2",
        "pay_min_gbp": "24465",
        "pay_max_gbp": "24465",
        "hours_per_week": "37.5",
        "min_age": "18",
        "english_level": "1",
        "maths_level": "1",
        "min_qualification_level": "0",
        "requires_driving_licence": "false",
        "dbs_level": "enhanced",
        "shift_pattern": "rotating",
        "soc2020_code": "9262",
        "description": "You move patients, equipment and samples around the hospital.",
        "skills": "manual handling;customer service;teamwork",
        "source_url": "https://nhstakehomepaycalculator.co.uk/guides/nhs-pay-bands-2025-26",
    },
    {
        "slug": "hcsw-apprenticeship-l2",
        "title": "Healthcare support worker apprenticeship (Level 2)",
        "kind": "apprenticeship",
        "staff_group": "Support to clinical staff",
        "pay_band": "Band 2",
        "pay_min_gbp": "24465",
        "pay_max_gbp": "24465",
        "hours_per_week": "37.5",
        "apprenticeship_standard_code": "ST0216",
        "apprenticeship_level": "2",
        "typical_duration_months": "12",
        "min_age": "18",
        "english_level": "1",
        "maths_level": "1",
        "dbs_level": "enhanced_barred",
        "shift_pattern": "rotating",
        "soc2020_code": "6131",
        "description": "You care for patients on a ward while you train.",
        "skills": "personal care;patient observations;infection prevention and control",
        "source_url": "https://haso.skillsforhealth.org.uk/st0216-l2-healthcare-support-worker-standard/",
    },
]


@dataclass(frozen=True)
class PathwayRecord:
    """One checked catalogue row: the pathway's column values and its skill labels."""

    values: dict[str, object]
    skill_labels: tuple[str, ...]


@dataclass(frozen=True)
class ImportSummary:
    """What a catalogue load or import did."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    progressions_added: int = 0


@dataclass(frozen=True)
class CatalogueFilter:
    """The public catalogue's filters; empty values do not filter."""

    kind: PathwayKind | None = None
    staff_group: str = ""
    level: int | None = None
    band: str = ""
    query: str = ""


@dataclass(frozen=True)
class LadderStep:
    """One route on a ladder: where it goes, where it comes from, and why it works."""

    pathway: Pathway
    from_pathway: Pathway
    note: str


@dataclass
class Ladder:
    """A pathway's career ladder as ordered steps: nearest first, upwards and into it."""

    pathway: Pathway
    up: list[list[LadderStep]] = field(default_factory=list)
    into: list[list[LadderStep]] = field(default_factory=list)


def load_catalogue(session: Session) -> ImportSummary:
    """Add or update the packaged pathways, their skills and progressions; safe to run again."""
    sync_skill_vocabulary(session)
    records = _checked_records(
        read_csv((DATA_DIR / "pathways.csv").read_bytes(), CATALOGUE_COLUMNS)
    )
    summary = _store(session, records)
    added = _store_progressions(session, (DATA_DIR / "progressions.csv").read_bytes())
    return ImportSummary(summary.created, summary.updated, summary.unchanged, added)


def import_catalogue(session: Session, data: bytes | str) -> ImportSummary:
    """Store an uploaded catalogue CSV, or refuse it whole with every bad line (ImportRejected)."""
    sync_skill_vocabulary(session)
    return _store(session, _checked_records(read_csv(data, CATALOGUE_COLUMNS)))


def catalogue_template() -> str:
    """The downloadable catalogue template: every column, with two worked rows."""
    return template_csv(CATALOGUE_COLUMNS, TEMPLATE_EXAMPLES)


def search_pathways(*, session: Session, filters: CatalogueFilter) -> list[Pathway]:
    """Published pathways matching the filters; a search ranks by how well the words match."""
    statement = select(Pathway).where(Pathway.is_published)
    if filters.kind:
        statement = statement.where(Pathway.kind == filters.kind)
    if filters.staff_group:
        statement = statement.where(Pathway.staff_group == filters.staff_group)
    if filters.level is not None:
        statement = statement.where(Pathway.apprenticeship_level == filters.level)
    if filters.band:
        statement = statement.where(Pathway.pay_band == filters.band)
    pathways = list(session.exec(statement.order_by(Pathway.title)))
    words = _words(filters.query)
    if not words:
        return pathways
    skills = skill_labels_of(session=session, pathways=pathways)
    # Everyday words for a skill ("tills", "HCA") find pathways that use it.
    meant = {m.label for m in load_vocabulary().find(filters.query) if not m.negated}
    scored = [
        (_search_score(words, pathway, skills.get(pathway.id, []), meant), pathway)
        for pathway in pathways
    ]
    ranked = sorted((item for item in scored if item[0] >= SEARCH_THRESHOLD), key=lambda i: -i[0])
    return [pathway for _, pathway in ranked]


def filter_options(*, session: Session) -> dict[str, list]:
    """The values the catalogue's filters can take, from what is published."""
    pathways = list(session.exec(select(Pathway).where(Pathway.is_published)))
    return {
        "kinds": [kind for kind in PathwayKind if any(p.kind == kind for p in pathways)],
        "staff_groups": sorted({p.staff_group for p in pathways}),
        "levels": sorted({p.apprenticeship_level for p in pathways if p.apprenticeship_level}),
        "bands": sorted({p.pay_band for p in pathways if p.pay_band}),
    }


def pathway_by_slug(*, session: Session, slug: str) -> Pathway:
    """A published pathway, or NotFound."""
    pathway = session.exec(select(Pathway).where(Pathway.slug == slug)).first()
    if pathway is None or not pathway.is_published:
        raise NotFound("There is no pathway at this address")
    return pathway


def skill_labels_of(*, session: Session, pathways: list[Pathway]) -> dict[int, list[str]]:
    """Pathway id -> its skill labels, essential first, in one query."""
    ids = [pathway.id for pathway in pathways]
    if not ids:
        return {}
    rows = session.exec(
        select(PathwaySkill.pathway_id, Skill.label, PathwaySkill.importance)
        .join(Skill, Skill.id == PathwaySkill.skill_id)
        .where(PathwaySkill.pathway_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(PathwaySkill.importance, Skill.label)
    )
    labels: dict[int, list[str]] = defaultdict(list)
    for pathway_id, label, _ in rows:
        labels[pathway_id].append(label)
    return dict(labels)


def ladder_for(*, session: Session, pathway: Pathway) -> Ladder:
    """Routes up from a pathway and into it, step by step outward; each pathway appears once."""
    routes = list(session.exec(select(PathwayProgression)))
    published = {p.id: p for p in session.exec(select(Pathway).where(Pathway.is_published))}
    onward: dict[int, list[PathwayProgression]] = defaultdict(list)
    inward: dict[int, list[PathwayProgression]] = defaultdict(list)
    for route in routes:
        if route.from_pathway_id in published and route.to_pathway_id in published:
            onward[route.from_pathway_id].append(route)
            inward[route.to_pathway_id].append(route)
    return Ladder(
        pathway=pathway,
        up=_steps(pathway, published, onward, lambda route: route.to_pathway_id),
        into=_steps(pathway, published, inward, lambda route: route.from_pathway_id),
    )


def _steps(pathway, published, routes_from, other_end) -> list[list[LadderStep]]:
    """Breadth-first rings of routes, so each step is one move further from the pathway."""
    seen = {pathway.id}
    frontier = [pathway.id]
    steps: list[list[LadderStep]] = []
    while frontier and len(steps) < MAX_LADDER_STEPS:
        ring = []
        for pathway_id in frontier:
            for route in routes_from[pathway_id]:
                target = other_end(route)
                if target not in seen:
                    seen.add(target)
                    ring.append(LadderStep(published[target], published[pathway_id], route.note))
        if not ring:
            break
        ring.sort(key=lambda step: step.pathway.title)
        steps.append(ring)
        frontier = [step.pathway.id for step in ring]
    return steps


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", (text or "").lower())


def _word_score(query_word: str, word: str) -> float:
    """How well a typed word matches a word of the text; a typed prefix of a word counts in full."""
    if word.startswith(query_word):
        return 100.0
    if len(query_word) <= 3:
        return 0.0
    return max(fuzz.ratio(query_word, word), fuzz.ratio(query_word, word[: len(query_word)]))


def _search_score(
    query_words: list[str], pathway: Pathway, skills: list[str], meant_skills: set[str]
) -> float:
    """Mean over the typed words of each word's best weighted match in the pathway's text."""
    if meant_skills & set(skills):
        return 100 * FIELD_WEIGHTS["skills"]
    fields = {
        "title": set(_words(pathway.title)),
        "skills": set(_words(" ".join(skills))),
        "description": set(_words(pathway.description)),
    }
    total = 0.0
    for query_word in query_words:
        total += max(
            (
                _word_score(query_word, word) * FIELD_WEIGHTS[name]
                for name, words in fields.items()
                for word in words
            ),
            default=0.0,
        )
    return total / len(query_words)


def _checked_records(parsed) -> list[PathwayRecord]:
    """Every row checked; any error refuses the whole file."""
    errors: list[RowError] = []
    records: list[PathwayRecord] = []
    seen: dict[str, int] = {}
    for row in parsed.rows:
        record, row_errors = _check_row(row)
        slug = row.values.get("slug", "")
        if slug in seen:
            row_errors.append(RowError(row.line, "slug", f"repeats line {seen[slug]}"))
        seen.setdefault(slug, row.line)
        errors += row_errors
        if record is not None and not row_errors:
            records.append(record)
    if errors:
        raise ImportRejected(errors)
    return records


def _check_row(row: CsvRow) -> tuple[PathwayRecord | None, list[RowError]]:
    """A row's values converted to Pathway columns, or the reasons it cannot be."""
    reader = _RowReader(row)
    values: dict[str, object] = {
        "slug": reader.text(
            "slug",
            max_length=100,
            required=True,
            pattern=SLUG_PATTERN,
            pattern_hint="lowercase words joined by hyphens, like hospital-porter",
        ),
        "title": reader.text("title", max_length=200, required=True),
        "kind": reader.choice("kind", PathwayKind, required=True),
        "staff_group": reader.text("staff_group", max_length=100, required=True),
        "pay_band": reader.text("pay_band", max_length=40) or None,
        "pay_min": reader.number("pay_min_gbp", int, minimum=0, maximum=200_000),
        "pay_max": reader.number("pay_max_gbp", int, minimum=0, maximum=200_000),
        "hours_per_week": reader.number("hours_per_week", float, minimum=0, maximum=60),
        "apprenticeship_standard_code": reader.text(
            "apprenticeship_standard_code",
            max_length=10,
            pattern=STANDARD_CODE_PATTERN,
            pattern_hint="ST and four digits, like ST0216",
        ).upper()
        or None,
        "apprenticeship_level": reader.number("apprenticeship_level", int, minimum=2, maximum=7),
        "typical_duration_months": reader.number(
            "typical_duration_months", int, minimum=0, maximum=120
        ),
        "typical_duration_weeks": reader.number(
            "typical_duration_weeks", int, minimum=0, maximum=104
        ),
        "min_age": reader.number("min_age", int, minimum=16, maximum=25, default=16),
        "english_level": reader.number("english_level", int, minimum=0, maximum=3, default=0),
        "maths_level": reader.number("maths_level", int, minimum=0, maximum=3, default=0),
        "min_qualification_level": reader.number(
            "min_qualification_level", int, minimum=0, maximum=8, default=0
        ),
        "requires_driving_licence": reader.boolean("requires_driving_licence"),
        "dbs_level": reader.choice("dbs_level", DbsLevel) or DbsLevel.NONE,
        "shift_pattern": reader.choice("shift_pattern", ShiftPattern),
        "soc2020_code": reader.text(
            "soc2020_code", max_length=4, pattern=SOC_PATTERN, pattern_hint="four digits, like 9262"
        )
        or None,
        "description": reader.text("description", max_length=2000),
        "source_url": reader.text(
            "source_url",
            max_length=500,
            pattern=re.compile(r"^https?://\S+$"),
            pattern_hint="a web address starting http",
        )
        or None,
    }
    pay_min, pay_max = values["pay_min"], values["pay_max"]
    if pay_min is not None and pay_max is not None and pay_min > pay_max:
        reader.error("pay_max_gbp", "must not be less than pay_min_gbp")
    if values["kind"] == PathwayKind.APPRENTICESHIP:
        for name in ("apprenticeship_standard_code", "apprenticeship_level"):
            if values[name] is None and not reader.has_error(name):
                reader.error(name, "an apprenticeship needs its standard code and level")
    elif values["kind"] is not None:
        for name in ("apprenticeship_standard_code", "apprenticeship_level"):
            if values[name] is not None:
                reader.error(name, "only apprenticeships have a standard code and level")
    labels = reader.skill_labels("skills")
    return (PathwayRecord(values, labels) if not reader.errors else None), reader.errors


class _RowReader:
    """Reads typed values from one CSV row, noting an error per bad cell."""

    def __init__(self, row: CsvRow):
        self.row = row
        self.errors: list[RowError] = []

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.row.line, column, message))

    def has_error(self, column: str) -> bool:
        return any(error.column == column for error in self.errors)

    def raw(self, column: str) -> str:
        return self.row.values.get(column, "").strip()

    def text(self, column, *, max_length, required=False, pattern=None, pattern_hint="") -> str:
        value = self.raw(column)
        if not value:
            if required:
                self.error(column, "is required")
            return ""
        if len(value) > max_length:
            self.error(column, f"must be {max_length} characters or fewer")
        elif pattern is not None and not pattern.match(value):
            self.error(column, f"“{value[:40]}” should be {pattern_hint}")
        return value

    def number(self, column, kind, *, minimum, maximum, default=None):
        value = self.raw(column).replace(",", "").lstrip("£")
        if not value:
            return default
        try:
            number = float(value)
        except ValueError:
            self.error(column, f"“{value[:20]}” is not a number")
            return default
        if kind is int:
            if not number.is_integer():
                self.error(column, f"“{value[:20]}” is not a whole number")
                return default
            number = int(number)
        if not minimum <= number <= maximum:
            self.error(column, f"must be between {minimum} and {maximum}")
            return default
        return number

    def boolean(self, column: str) -> bool:
        value = self.raw(column).lower()
        if value in TRUE_WORDS:
            return True
        if value not in FALSE_WORDS:
            self.error(column, f"“{value[:20]}” should be true or false")
        return False

    def choice(self, column, enum_cls, *, required=False):
        value = self.raw(column).lower().replace(" ", "_").replace("-", "_")
        if not value:
            if required:
                self.error(column, "is required")
            return None
        try:
            return enum_cls(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum_cls)
            self.error(column, f"“{value[:30]}” should be one of {allowed}")
            return None

    def skill_labels(self, column: str) -> tuple[str, ...]:
        """Skills separated by ";", each as its vocabulary label ("tills" -> cash handling)."""
        labels: list[str] = []
        for phrase in filter(None, (part.strip() for part in self.raw(column).split(";"))):
            label = skill_label_for(phrase)
            if label is None:
                suggestions = suggest_skill_labels(phrase, limit=3)
                hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
                self.error(column, f"“{phrase[:40]}” is not in the skills vocabulary{hint}")
            elif label not in labels:
                labels.append(label)
        return tuple(labels)


def _store(session: Session, records: list[PathwayRecord]) -> ImportSummary:
    """Insert or update each pathway by slug, and make its skills exactly the listed ones."""
    existing = {p.slug: p for p in session.exec(select(Pathway))}
    skills = skills_by_label(session, sorted({label for r in records for label in r.skill_labels}))
    created = updated = unchanged = 0
    for record in records:
        pathway = existing.get(str(record.values["slug"]))
        is_new = pathway is None
        if is_new:
            pathway = Pathway(**record.values)
            session.add(pathway)
            session.flush()
            changed = True
        else:
            changed = any(getattr(pathway, name) != value for name, value in record.values.items())
            if changed:
                for name, value in record.values.items():
                    setattr(pathway, name, value)
                pathway.updated_at = now_utc()
                session.add(pathway)
        wanted = {skills[label].id for label in record.skill_labels}
        current = {
            link.skill_id: link
            for link in session.exec(
                select(PathwaySkill).where(PathwaySkill.pathway_id == pathway.id)
            )
        }
        for skill_id in set(current) - wanted:
            session.delete(current[skill_id])
            changed = True
        for skill_id in wanted - set(current):
            session.add(
                PathwaySkill(
                    pathway_id=pathway.id, skill_id=skill_id, importance=SkillImportance.ESSENTIAL
                )
            )
            changed = True
        if is_new:
            created += 1
        elif changed:
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)


def _store_progressions(session: Session, data: bytes) -> int:
    """Add the packaged routes that are missing; a route to an unknown slug is a data error."""
    parsed = read_csv(
        data, [Column("from_slug", required=True), Column("to_slug", required=True), Column("note")]
    )
    ids = {slug: pathway_id for slug, pathway_id in session.exec(select(Pathway.slug, Pathway.id))}
    existing = {
        (r.from_pathway_id, r.to_pathway_id): r for r in session.exec(select(PathwayProgression))
    }
    errors = [
        RowError(row.line, column, f"no pathway has slug “{row.values[column]}”")
        for row in parsed.rows
        for column in ("from_slug", "to_slug")
        if row.values[column] not in ids
    ]
    if errors:
        raise ImportRejected(errors)
    added = 0
    for row in parsed.rows:
        key = (ids[row.values["from_slug"]], ids[row.values["to_slug"]])
        note = row.values.get("note", "")[:500]
        route = existing.get(key)
        if route is None:
            session.add(PathwayProgression(from_pathway_id=key[0], to_pathway_id=key[1], note=note))
            added += 1
        elif route.note != note:
            route.note = note
            session.add(route)
    session.flush()
    return added
