"""Managing the partnership's organisations and their sites."""

from sqlmodel import Session, select

from pathways.errors import ValidationFailed
from pathways.geography import resolve_postcode
from pathways.models import Organisation, OrganisationKind, Site


def create_organisation(
    *, session: Session, name: str, kind: OrganisationKind, ods_code: str | None = None
) -> Organisation:
    """Add an organisation with a unique name (and ODS code, when it has one)."""
    name = name.strip()
    ods_code = (ods_code or "").strip().upper() or None
    errors = {}
    if session.exec(select(Organisation).where(Organisation.name == name)).first():
        errors["name"] = "An organisation with this name already exists"
    if (
        ods_code
        and session.exec(select(Organisation).where(Organisation.ods_code == ods_code)).first()
    ):
        errors["ods_code"] = "Another organisation has this ODS code"
    if errors:
        raise ValidationFailed("The organisation could not be added", errors)
    organisation = Organisation(name=name, kind=OrganisationKind(kind), ods_code=ods_code)
    session.add(organisation)
    session.flush()
    return organisation


def add_site(*, session: Session, organisation: Organisation, name: str, postcode: str) -> Site:
    """Add a site, placing it by its postcode so travel distances can be measured."""
    name = name.strip()
    place = resolve_postcode(postcode)
    exists = session.exec(
        select(Site).where(Site.organisation_id == organisation.id, Site.name == name)
    ).first()
    if exists is not None:
        raise ValidationFailed(
            "The site could not be added",
            {"name": "This organisation already has a site with this name"},
        )
    site = Site(
        organisation_id=organisation.id,
        name=name,
        postcode=place.postcode,
        latitude=place.latitude,
        longitude=place.longitude,
    )
    session.add(site)
    session.flush()
    return site


def all_organisations(*, session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(Organisation.name)))


def sites_of(*, session: Session, organisation: Organisation) -> list[Site]:
    return list(
        session.exec(
            select(Site).where(Site.organisation_id == organisation.id).order_by(Site.name)
        )
    )
