"""Forms for managing users, organisations, sites and searching the audit log."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.database import MAX_ID
from pathways.models import AuditAction, OrganisationKind, Role


def _label(value: str) -> str:
    return value.replace("_", " ").capitalize()


class UserForm(FlaskForm):
    full_name = StringField(
        "Full name", validators=[DataRequired("Enter the person's full name"), Length(max=200)]
    )
    email = EmailField(
        "Email address", validators=[DataRequired("Enter an email address"), Length(max=254)]
    )
    role = SelectField(
        "Role", choices=[SelectChoice(role.value, _label(role.value)) for role in Role]
    )
    organisation_id = SelectField("Organisation", coerce=int)
    password = PasswordField(
        "Initial password",
        validators=[DataRequired("Enter an initial password"), Length(max=200)],
    )


class OrganisationForm(FlaskForm):
    name = StringField(
        "Name", validators=[DataRequired("Enter the organisation's name"), Length(max=200)]
    )
    kind = SelectField(
        "Kind", choices=[SelectChoice(kind.value, _label(kind.value)) for kind in OrganisationKind]
    )
    ods_code = StringField("ODS code (optional)", validators=[Optional(), Length(max=10)])


class SiteForm(FlaskForm):
    name = StringField(
        "Site name", validators=[DataRequired("Enter the site's name"), Length(max=200)]
    )
    postcode = StringField(
        "Postcode", validators=[DataRequired("Enter the site's postcode"), Length(max=20)]
    )


class AuditSearchForm(FlaskForm):
    """Read-only search, sent by GET; it changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    user_email = StringField("User's email contains", validators=[Optional(), Length(max=254)])
    action = SelectField(
        "Action",
        choices=[SelectChoice("", "Any action")]
        + [SelectChoice(action.value, _label(action.value)) for action in AuditAction],
        validators=[Optional()],
    )
    entity_type = StringField("Record type", validators=[Optional(), Length(max=50)])
    entity_id = IntegerField(
        "Record number", validators=[Optional(), NumberRange(1, MAX_ID, "Enter a record number")]
    )
    on_or_after = DateField("From (YYYY-MM-DD)", validators=[Optional()])
    on_or_before = DateField("To (YYYY-MM-DD)", validators=[Optional()])
