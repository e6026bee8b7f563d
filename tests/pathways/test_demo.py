"""The Leeds demo data: the right organisations, sites and logins, and safe to run twice."""

from sqlmodel import func, select

from pathways.accounts import find_user_by_email, verify_password
from pathways.demo import DEMO_PASSWORD, LTHT, seed_demo
from pathways.models import Organisation, Role, Site, User


def count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def test_seed_creates_the_partnership_and_one_login_per_role(db):
    logins = seed_demo(session=db)
    assert {login.role for login in logins} == set(Role)
    trust = db.exec(select(Organisation).where(Organisation.name == LTHT)).one()
    site_names = set(db.exec(select(Site.name).where(Site.organisation_id == trust.id)))
    assert site_names == {
        "St James's University Hospital",
        "Leeds General Infirmary",
        "Chapel Allerton Hospital",
        "Seacroft Hospital",
        "Wharfedale Hospital",
    }
    st_james = db.exec(select(Site).where(Site.name == "St James's University Hospital")).one()
    assert st_james.postcode == "LS9 7TF" and st_james.latitude is not None
    for login in logins:
        user = find_user_by_email(session=db, email=login.email)
        assert user.role == login.role
        assert verify_password(user.password_hash, DEMO_PASSWORD)


def test_seed_is_idempotent(db):
    seed_demo(session=db)
    counts = [count(db, model) for model in (Organisation, Site, User)]
    seed_demo(session=db)
    assert [count(db, model) for model in (Organisation, Site, User)] == counts
    assert counts == [6, 9, 4]
