"""Sign-in and password forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Length(max=254, message="Enter a correct email address and password"),
        ],
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password"), Length(max=200)],
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Enter the new password again"),
            EqualTo("password", "The passwords do not match"),
        ],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password")]
    )
