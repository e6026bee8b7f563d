"""Forms for the catalogue's filters and its CSV upload."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SearchField, SelectField
from wtforms.validators import Length, Optional


class CatalogueFilterForm(FlaskForm):
    """Read-only filters sent by GET; they change nothing, so need no CSRF token."""

    class Meta:
        csrf = False

    q = SearchField("Search", validators=[Optional(), Length(max=100)])
    kind = SelectField("Kind", validators=[Optional()])
    staff_group = SelectField("Staff group", validators=[Optional()])
    level = SelectField("Apprenticeship level", validators=[Optional()])
    band = SelectField("Pay band", validators=[Optional()])


class ImportForm(FlaskForm):
    """A CSV upload; shared by the catalogue and vacancy imports."""

    file = FileField(
        "CSV file",
        validators=[
            FileRequired("Choose a CSV file to upload"),
            FileAllowed(["csv"], "The file must be a CSV (.csv)"),
        ],
    )
