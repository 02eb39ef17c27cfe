"""The write forms of organisation profiles: ``/organisations/new``, ``/organisation/<key>/edit``,
``/organisation/<key>/claim``. (The read-only pages ``/organisations`` and ``/organisation/<key>``
are Dash pages.)

An edit form carries the profile's version; a save based on an older version is refused (409) and
the form comes back with everything the user typed, the message, and the current values of the
fields that differ, so nothing typed is lost."""
from __future__ import annotations

from urllib.parse import quote

from flask import abort, flash, redirect, request

from analytics.content import ContentError, NotFound, StaleVersion
from analytics.content import organisations as orgs
from analytics.content.organisations import CREATE_FIELDS, EDITABLE, FieldErrors
from web.core import bp, db_url, form_errors, me, render, role_required
from web.forms import ClaimForm, OrganisationForm, organisation_form


def profile_href(key: str) -> str:
    return f"/organisation/{quote(key, safe='')}"


def _typed(form: OrganisationForm, creating: bool) -> dict:
    return {name: getattr(form, name).data for name in (CREATE_FIELDS if creating else EDITABLE)}


def _fill(form: OrganisationForm, values: dict) -> None:
    for name in CREATE_FIELDS:
        if name in values and hasattr(form, name):
            v = values[name]
            getattr(form, name).data = "" if v is None else str(v)


@bp.route("/organisations/new", methods=["GET", "POST"])
@role_required("editor")
def new_organisation():
    form = organisation_form(creating=True)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                rev = orgs.submit_create(me(), _typed(form, True), url=db_url())
            except FieldErrors as exc:
                form_errors(form, exc.errors)
            else:
                if rev.status == "approved":
                    flash("The profile is published.")
                    return redirect(profile_href(rev.org_key))
                flash("Thank you: the new profile waits for a moderator. You see its status here.")
                return redirect("/account/submissions")
        return render("organisations/edit.html", 400, form=form, creating=True, org=None)
    return render("organisations/edit.html", form=form, creating=True, org=None)


def _editable_org(key: str) -> dict:
    user = me()
    try:
        org = orgs.get_organisation(key, url=db_url())
    except NotFound:
        abort(404)
    if org["status"] != "published" and not user.can("moderator"):
        abort(404)
    if not orgs.can_edit(user, org):
        abort(403)
    return org


@bp.route("/organisation/<key>/edit", methods=["GET", "POST"])
@role_required("editor")
def edit_organisation(key: str):
    org = _editable_org(key)
    form = organisation_form(creating=False)
    if request.method == "GET":
        values = {k: org[k] for k in EDITABLE}
        from_rev = request.args.get("from", type=int)
        if from_rev:  # start again from one's own earlier (e.g. stale) revision's text
            try:
                rev = orgs.get_revision(from_rev, url=db_url())
            except NotFound:
                rev = None
            if rev is not None and rev.author_id == me().id and rev.org_id == org["id"] and rev.kind == "edit":
                values.update({k: rev.fields.get(k) for k in EDITABLE})
        _fill(form, values)
        form.base_version.data = str(org["version"])
        return render("organisations/edit.html", form=form, creating=False, org=org)
    message, status, current = None, 400, None
    if form.validate_on_submit():
        try:
            rev = orgs.submit_edit(me(), key, _typed(form, False), form.base_version.data, url=db_url())
        except StaleVersion as exc:
            message, status = str(exc), 409
            current = orgs.get_organisation(key, url=db_url())
            form.base_version.data = str(current["version"])  # a deliberate second save goes through
        except FieldErrors as exc:
            form_errors(form, exc.errors)
        except ContentError as exc:
            message = str(exc)
        else:
            if rev.status == "approved":
                flash("The profile is updated.")
                return redirect(profile_href(key))
            flash("Thank you: your edit waits for a moderator. You see its status here.")
            return redirect("/account/submissions")
    differs = {}
    if current is not None:
        typed = _typed(form, False)
        differs = {k: current[k] for k in EDITABLE if str(current[k] or "") != str(typed.get(k) or "")}
    return render("organisations/edit.html", status, form=form, creating=False, org=org, message=message,
                  current=differs)


@bp.route("/organisation/<key>/claim", methods=["GET", "POST"])
@role_required("editor")
def claim_organisation(key: str):
    try:
        org = orgs.get_organisation(key, url=db_url(), published_only=True)
    except NotFound:
        abort(404)
    form = ClaimForm()
    message = None
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                rev = orgs.submit_claim(me(), key, form.message.data or "", url=db_url())
            except ContentError as exc:
                message = str(exc)
            else:
                if rev.status == "approved":
                    flash("You are now the owner of this profile.")
                    return redirect(profile_href(key))
                flash("Thank you: your claim waits for a moderator.")
                return redirect("/account/submissions")
        return render("organisations/claim.html", 400, form=form, org=org, message=message)
    return render("organisations/claim.html", form=form, org=org, message=message)
