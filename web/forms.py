"""The blueprint's forms (Flask-WTF: each carries its CSRF token). The service layer
(:mod:`analytics.content`) checks the values again and is the authority on what is valid."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from analytics.content.accounts import MAX_PASSWORD, MIN_PASSWORD
from analytics.content.models import ROLES


class RegisterForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=MAX_PASSWORD)])
    confirm = PasswordField("Password again", validators=[DataRequired(), EqualTo("password", "The passwords differ.")])


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button that changes something (approve, delete, log out): only the CSRF token."""


REGION_HELP = ("Leave it empty and the region is found from the country and city (Europe), as for the imported "
               "organisations; if the city does not decide one region, the profile shows “region unknown”. "
               "Or give a NUTS 2021 level-2 code (e.g. DE23) or a US state's 2-digit FIPS code (e.g. 26).")


def organisation_form(creating: bool) -> OrganisationForm:
    """The profile form; an edit has no dataset field (a profile's dataset does not change)."""
    form = OrganisationForm()
    if not creating:
        del form.dataset
    return form


class OrganisationForm(FlaskForm):
    dataset = SelectField("Dataset", choices=[SelectChoice("eu", "Europe (eu)"),
                                              SelectChoice("us", "United States (us)")])
    name = StringField("Name", validators=[DataRequired(), Length(max=300)])
    country = StringField("Country (two-letter code)", validators=[Optional(), Length(max=2)],
                          description="ISO 3166, e.g. DE, GR, US")
    city = StringField("City", validators=[Optional(), Length(max=200)])
    region_id = StringField("Region id (NUTS 2 code or US state FIPS)", validators=[Optional(), Length(max=32)],
                            description=REGION_HELP)
    region_name = StringField("Region name", validators=[Optional(), Length(max=200)],
                              description="Left empty: the official name of the region.")
    lat = StringField("Latitude", validators=[Optional(), Length(max=32)],
                      description="Left empty: the city's point when the city is found.")
    lon = StringField("Longitude", validators=[Optional(), Length(max=32)])
    ecosystem = StringField("Industrial ecosystem id", validators=[Optional(), Length(max=64)])
    ecosystem_name = StringField("Industrial ecosystem", validators=[Optional(), Length(max=200)])
    categories = StringField("Categories (ids, separated by ';')", validators=[Optional(), Length(max=3000)])
    type = StringField("Type", validators=[Optional(), Length(max=100)])
    website = StringField("Website (https://…)", validators=[Optional(), Length(max=500)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    base_version = HiddenField()


class ClaimForm(FlaskForm):
    message = TextAreaField("Why you manage this organisation (for the moderators)",
                            validators=[Optional(), Length(max=2000)])


class RejectForm(FlaskForm):
    reason = TextAreaField("Reason (the author sees it)", validators=[DataRequired(), Length(max=2000)])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice(r) for r in ROLES])


class UploadForm(FlaskForm):
    file = FileField("PDF document (at most 10 MB)", validators=[FileRequired()])
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    abstract = TextAreaField("Abstract", validators=[Optional(), Length(max=5000)])
    regions = StringField("Regions (ids, separated by ';')", validators=[Optional(), Length(max=2000)])
    categories = StringField("Categories (ids, separated by ';')", validators=[Optional(), Length(max=3000)])
    year = StringField("Year", validators=[Optional(), Length(max=4)])
