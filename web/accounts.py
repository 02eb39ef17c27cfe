"""``/account/…``: register, confirm, log in and out, my submissions.

Registration never tells whether an address is already registered (the same page follows either
way; the address's owner gets a mail saying so); a failed login shows one generic message.
Neither passwords nor tokens are logged (the ``log`` mail backend writes the mail with its link,
on purpose, marked as such)."""
from __future__ import annotations

import logging
import os

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import login_user, logout_user

from analytics.content import accounts, documents, mail, organisations
from analytics.content.accounts import AccountError, BadToken, DuplicateEmail, ExpiredToken
from web.core import WebUser, bp, db_url, limit, me, render, role_required, safe_next
from web.forms import ActionForm, LoginForm, RegisterForm

log = logging.getLogger(__name__)
GENERIC_LOGIN_FAILURE = "Wrong e-mail or password, or the address is not confirmed yet."
REGISTERED = ("If the address can be registered, a confirmation link is on its way to it. Open it within "
              "48 hours to finish the registration.")


def external(endpoint: str, **values) -> str:
    """An absolute link for a mail: under ``CLUSTER_PUBLIC_URL`` when set (so a forged Host header
    cannot redirect a confirmation link), else from the request."""
    base = current_app.config.get("CLUSTER_PUBLIC_URL") or os.environ.get("CLUSTER_PUBLIC_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _send_confirmation(user: accounts.User) -> None:
    token = accounts.confirmation_token(user, secret=current_app.secret_key)
    mail.send(user.email, *accounts.confirmation_mail(user, external("content.confirm", token=token)))


@bp.route("/account/register", methods=["GET", "POST"])
@limit("CLUSTER_RATELIMIT_REGISTER")
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.email.data, form.password.data, url=db_url())
        except DuplicateEmail:
            user = accounts.reregister_unconfirmed(form.email.data, form.password.data, url=db_url())
            if user is None:  # confirmed already: tell the owner, not the visitor
                email = accounts.normalise_email(form.email.data)
                mail.send(email, *accounts.already_registered_mail(email, external("content.login")))
            else:
                _send_confirmation(user)
        except AccountError as exc:  # the address or password is malformed (says nothing about others)
            form.form_errors.append(str(exc))
            return render("account/register.html", 400, form=form)
        else:
            _send_confirmation(user)
        log.info("registration form accepted")
        return render("account/message.html", title="Check your mail", message=REGISTERED)
    status = 400 if request.method == "POST" else 200
    return render("account/register.html", status, form=form)


@bp.route("/account/confirm/<token>")
def confirm(token: str):
    try:
        user = accounts.confirm_email(token, secret=current_app.secret_key, url=db_url())
    except ExpiredToken as exc:
        return render("account/message.html", 400, title="Link expired", message=str(exc))
    except BadToken as exc:
        return render("account/message.html", 400, title="Link not valid", message=str(exc))
    return render("account/message.html", title="Address confirmed",
                  message=f"{user.email} is confirmed. You can log in now.", login_link=True)


@bp.route("/account/login", methods=["GET", "POST"])
@limit("CLUSTER_RATELIMIT_LOGIN")
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"), "")
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data, url=db_url())
        if user is None:
            form.form_errors.append(GENERIC_LOGIN_FAILURE)
            return render("account/login.html", 200, form=form)
        target = safe_next(form.next.data)
        session.clear()  # a fresh session at login (no fixation)
        login_user(WebUser(user))
        flash(f"Logged in as {user.email}.")
        return redirect(target)
    return render("account/login.html", 400 if request.method == "POST" else 200, form=form)


@bp.route("/account/logout", methods=["POST"])
def logout():
    if ActionForm().validate_on_submit():
        logout_user()
        session.clear()
    return redirect("/")


@bp.route("/account/submissions")
@role_required("editor")
def submissions():
    user = me()
    return render("account/submissions.html", revisions=organisations.revisions_by(user.id, url=db_url()),
                  documents=documents.documents_by(user.id, url=db_url()), action=ActionForm())
