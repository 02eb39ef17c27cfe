"""``/admin/…``: users and their roles, and the audit log. Admins only."""
from __future__ import annotations

from flask import flash, redirect

from analytics.content import ContentError, accounts, audit
from analytics.content.models import ROLES
from web.core import bp, db_url, me, render, role_required
from web.forms import RoleForm


@bp.route("/admin/users")
@role_required("admin")
def admin_users():
    return render("admin/users.html", users=accounts.list_users(url=db_url()), form=RoleForm(formdata=None), roles=ROLES)


@bp.route("/admin/users/<int:user_id>/role", methods=["POST"])
@role_required("admin")
def set_role(user_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the roles.")
        return redirect("/admin/users")
    try:
        user = accounts.set_role(me(), user_id, form.role.data, url=db_url())
    except ContentError as exc:
        return render("admin/users.html", 400, users=accounts.list_users(url=db_url()),
                      form=RoleForm(formdata=None), roles=ROLES, message=str(exc))
    flash(f"{user.email} is now {user.role}.")
    return redirect("/admin/users")


@bp.route("/admin/audit")
@role_required("admin")
def audit_log():
    return render("admin/audit.html", entries=audit.entries(limit=300, url=db_url()))
