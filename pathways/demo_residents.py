"""Demo residents for the demo advisor: invented people at real Leeds postcodes.

Most live in Lincoln Green and Harehills, the rest across other Leeds neighbourhoods; each has
skills, consent, and a first note, and some have a next action due. Re-running adds nobody: each
person is found by their demo reference first.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from pathways.clock import today
from pathways.models import Resident, User
from pathways.residents import ResidentDetails, add_note, register_resident
from pathways.skills import sync_skill_vocabulary


@dataclass(frozen=True)
class DemoResident:
    reference: str
    first_name: str
    last_name: str
    born: date
    postcode: str
    skills: tuple[str, ...]
    shares: bool
    note: str
    next_action: str = ""
    due_in_days: int | None = None
    barriers: tuple[str, ...] = ()


DEMO_RESIDENTS = [
    DemoResident(
        "DEMO-01",
        "Aisha",
        "Begum",
        date(1994, 3, 12),
        "LS9 7JA",
        ("cash handling", "customer service"),
        True,
        "Worked on tills for four years; wants steady daytime hours.",
        "Send HCA vacancy details",
        -2,
        ("childcare",),
    ),
    DemoResident(
        "DEMO-02",
        "Tomasz",
        "Nowak",
        date(1987, 7, 30),
        "LS9 7JB",
        ("cleaning", "manual handling"),
        True,
        "Hotel housekeeping background; interested in domestic roles.",
        "Book onto pre-employment course",
        3,
    ),
    DemoResident(
        "DEMO-03",
        "Shanice",
        "Campbell",
        date(2003, 11, 4),
        "LS9 7SU",
        ("customer service", "communication"),
        True,
        "Left college last year; keen on patient-facing work.",
        "Practice interview",
        0,
        ("confidence",),
    ),
    DemoResident(
        "DEMO-04",
        "Mohammed",
        "Hussain",
        date(1979, 1, 22),
        "LS9 7TA",
        ("portering", "physical fitness"),
        False,
        "Warehouse picker for ten years; back problems ruled out heavy lifting.",
        barriers=("health",),
    ),
    DemoResident(
        "DEMO-05",
        "Grace",
        "Okafor",
        date(1991, 5, 17),
        "LS9 7XG",
        ("personal care", "empathy"),
        True,
        "Cared for her mother for six years.",
        "Check DBS documents",
        7,
        ("caring",),
    ),
    DemoResident(
        "DEMO-06",
        "Liam",
        "Walsh",
        date(2000, 9, 9),
        "LS9 7HP",
        ("data entry", "typing"),
        True,
        "Good with computers; no work history yet.",
        "Register for IT skills course",
        10,
    ),
    DemoResident(
        "DEMO-07",
        "Fatima",
        "Ahmed",
        date(1985, 12, 2),
        "LS9 7SR",
        ("cooking", "cleaning"),
        False,
        "School kitchen volunteer; needs school-hours work.",
        barriers=("childcare",),
    ),
    DemoResident(
        "DEMO-08",
        "Daniel",
        "Moore",
        date(1998, 4, 25),
        "LS8 5BQ",
        ("customer service", "cash handling"),
        True,
        "Retail supervisor, made redundant in spring.",
        "Apply for ward clerk role",
        -5,
    ),
    DemoResident(
        "DEMO-09",
        "Nadia",
        "Khan",
        date(1996, 8, 14),
        "LS8 5XN",
        ("appointment booking", "telephone skills"),
        True,
        "Call centre background; wants a reception role.",
        "Send reference request",
        1,
    ),
    DemoResident(
        "DEMO-10",
        "Andrei",
        "Popescu",
        date(1983, 2, 8),
        "LS8 5AD",
        ("driving", "manual handling"),
        True,
        "HGV licence; interested in logistics.",
        barriers=("transport",),
    ),
    DemoResident(
        "DEMO-11",
        "Chloe",
        "Smith",
        date(2005, 6, 1),
        "LS8 5QB",
        ("childcare", "communication"),
        False,
        "Just turned 21; thinking about healthcare apprenticeships.",
        "Talk through apprenticeship options",
        14,
        ("confidence",),
    ),
    DemoResident(
        "DEMO-12",
        "Yusuf",
        "Abdi",
        date(1990, 10, 19),
        "LS8 5XY",
        ("cleaning", "infection prevention and control"),
        True,
        "Office cleaner on nights; wants days.",
        "Confirm availability",
        -1,
    ),
    DemoResident(
        "DEMO-13",
        "Hannah",
        "Mirza",
        date(1988, 3, 3),
        "LS8 5HL",
        ("record keeping", "spreadsheets"),
        True,
        "Bookkeeping for the family shop.",
        barriers=("caring",),
    ),
    DemoResident(
        "DEMO-14",
        "Kwame",
        "Mensah",
        date(1976, 7, 7),
        "LS8 5AQ",
        ("security", "customer service"),
        True,
        "Door supervisor; SIA licence lapsed.",
        "Look into SIA renewal costs",
        5,
    ),
    DemoResident(
        "DEMO-15",
        "Jodie",
        "Parker",
        date(1999, 1, 28),
        "LS8 4XF",
        ("personal care", "dementia awareness"),
        True,
        "Two years in a care home; wants NHS role.",
        "Send HCA bank application",
        -3,
    ),
    DemoResident(
        "DEMO-16",
        "Marek",
        "Kowalski",
        date(1982, 5, 11),
        "LS14 6QS",
        ("mechanical maintenance", "manual handling"),
        False,
        "Handyman; interested in estates work.",
    ),
    DemoResident(
        "DEMO-17",
        "Leanne",
        "Hughes",
        date(1993, 9, 23),
        "LS14 6TJ",
        ("cash handling", "stock control"),
        True,
        "Supermarket team leader.",
        "Follow up on interview",
        2,
        ("childcare",),
    ),
    DemoResident(
        "DEMO-18",
        "Samir",
        "Haddad",
        date(2001, 12, 30),
        "LS14 1DH",
        ("IT skills", "technical support"),
        True,
        "Fixes phones and laptops for friends.",
        barriers=("digital_access",),
    ),
    DemoResident(
        "DEMO-19",
        "Bethany",
        "Clarke",
        date(1997, 2, 14),
        "LS10 3AL",
        ("customer service", "listening"),
        True,
        "Samaritans volunteer.",
        "Check right-to-work documents",
        4,
    ),
    DemoResident(
        "DEMO-20",
        "Patrick",
        "Doyle",
        date(1968, 8, 8),
        "LS10 9AG",
        ("gardening", "outdoor work"),
        False,
        "Council parks worker, took early retirement, wants part-time.",
        barriers=("health",),
    ),
    DemoResident(
        "DEMO-21",
        "Amara",
        "Eze",
        date(1995, 4, 4),
        "LS11 9AT",
        ("communication", "peer support"),
        True,
        "Peer mentor at a youth project.",
        "Introduce to mental health trust recruiter",
        6,
    ),
    DemoResident(
        "DEMO-22",
        "Ryan",
        "Fletcher",
        date(2004, 10, 10),
        "LS11 8SQ",
        ("physical fitness", "portering"),
        True,
        "Plays semi-pro rugby; wants active work.",
        "Send porter vacancy",
        0,
    ),
    DemoResident(
        "DEMO-23",
        "Priya",
        "Patel",
        date(1989, 6, 21),
        "LS12 2AE",
        ("office administration", "filing"),
        True,
        "Admin in a solicitor's office before children.",
        barriers=("childcare",),
    ),
    DemoResident(
        "DEMO-24",
        "Callum",
        "Reid",
        date(1992, 11, 15),
        "LS12 1BR",
        ("cooking", "food hygiene"),
        True,
        "Line cook; wants regular hours.",
        "Book food hygiene refresher",
        9,
    ),
    DemoResident(
        "DEMO-25",
        "Zainab",
        "Ali",
        date(1986, 1, 9),
        "LS9 7PR",
        ("customer service", "data entry"),
        True,
        "Worked at a bank branch that closed.",
        "Apply for medical secretary apprenticeship",
        -4,
    ),
    DemoResident(
        "DEMO-26",
        "Oliver",
        "Brown",
        date(1980, 3, 27),
        "LS5 3HT",
        ("driving", "customer service"),
        False,
        "Taxi driver looking for a change.",
    ),
    DemoResident(
        "DEMO-27",
        "Ewa",
        "Zielinska",
        date(1994, 7, 19),
        "LS15 8JW",
        ("laundry", "cleaning"),
        True,
        "Hotel laundry supervisor.",
        "Arrange visit to hospital laundry",
        12,
    ),
    DemoResident(
        "DEMO-28",
        "Tyrone",
        "Williams",
        date(2002, 2, 2),
        "LS28 7UP",
        ("sales", "communication"),
        True,
        "Phone sales; wants something more meaningful.",
        barriers=("transport",),
    ),
    DemoResident(
        "DEMO-29",
        "Sadia",
        "Rahman",
        date(1999, 5, 5),
        "LS9 7JD",
        ("childcare", "first aid"),
        True,
        "Nursery assistant; paediatric first aid certificate.",
        "Send maternity support worker details",
        1,
    ),
    DemoResident(
        "DEMO-30",
        "Connor",
        "Lee",
        date(2006, 8, 18),
        "LS8 5LG",
        ("IT skills", "coding"),
        False,
        "Learning to code; no qualifications yet.",
        "Discuss digital apprenticeship",
        8,
        ("confidence", "digital_access"),
    ),
]


def seed_demo_residents(*, session: Session, advisor: User) -> int:
    """Register the demo residents the advisor does not have yet; return how many were added."""
    sync_skill_vocabulary(session)
    known = set(
        session.exec(
            select(Resident.external_ref).where(Resident.organisation_id == advisor.organisation_id)
        )
    )
    added = 0
    for person in DEMO_RESIDENTS:
        if person.reference in known:
            continue
        resident = register_resident(
            session=session,
            advisor=advisor,
            details=ResidentDetails(
                external_ref=person.reference,
                first_name=person.first_name,
                last_name=person.last_name,
                date_of_birth=person.born,
                postcode=person.postcode,
                barriers=list(person.barriers),
                has_right_to_work=True,
                english_level=3,
                maths_level=2,
            ),
            skill_labels=list(person.skills),
            consent_to_hold_data=True,
            share_with_employers=person.shares,
        )
        add_note(
            session=session,
            resident=resident,
            author=advisor,
            body=person.note,
            next_action=person.next_action,
            due_on=today() + timedelta(days=person.due_in_days)
            if person.due_in_days is not None
            else None,
        )
        added += 1
    return added
