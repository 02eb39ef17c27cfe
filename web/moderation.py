"""``/moderation``: the queue of pending profile revisions, claims and documents; approve, reject
(with a reason), delete (hide) a profile, delete a document. Moderators and admins only."""
from __future__ import annotations

from flask import abort, flash, redirect

from analytics.content import ContentError, StaleVersion
from analytics.content import documents as docs
from analytics.content import organisations as orgs
from analytics.content.organisations import FieldErrors
from web.core import bp, db_url, me, render, role_required, upload_dir
from web.forms import ActionForm, RejectForm


def queue(status: int = 200, message: str | None = None):
    return render("moderation/queue.html", status, revisions=orgs.pending_revisions(url=db_url()),
                  documents=docs.pending_documents(url=db_url()), action=ActionForm(formdata=None),
                  reject=RejectForm(formdata=None), message=message)


@bp.route("/moderation")
@role_required("moderator")
def moderation():
    return queue()


def _valid_action() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.route("/moderation/revision/<int:rev_id>/approve", methods=["POST"])
@role_required("moderator")
def approve_revision(rev_id: int):
    _valid_action()
    try:
        rev = orgs.approve(me(), rev_id, url=db_url())
    except StaleVersion as exc:
        return queue(409, str(exc))
    except ContentError as exc:
        return queue(400, str(exc))
    flash(f"Revision #{rev.id} approved ({rev.kind} of {rev.org_name or rev.org_key}).")
    return redirect("/moderation")


@bp.route("/moderation/revision/<int:rev_id>/reject", methods=["POST"])
@role_required("moderator")
def reject_revision(rev_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        return queue(400, "A reason is needed to reject (the author sees it).")
    try:
        orgs.reject(me(), rev_id, form.reason.data, url=db_url())
    except FieldErrors:
        return queue(400, "A reason is needed to reject (the author sees it).")
    except ContentError as exc:
        return queue(400, str(exc))
    flash(f"Revision #{rev_id} rejected.")
    return redirect("/moderation")


@bp.route("/moderation/organisation/<key>/delete", methods=["POST"])
@role_required("moderator")
def delete_organisation(key: str):
    _valid_action()
    orgs.delete_organisation(me(), key, url=db_url())
    flash("The profile is hidden from every page (it stays in the database and can be published again).")
    return redirect("/moderation")


@bp.route("/moderation/organisation/<key>/publish", methods=["POST"])
@role_required("moderator")
def publish_organisation(key: str):
    _valid_action()
    orgs.set_status(me(), key, "published", url=db_url())
    flash("The profile is published again.")
    return redirect("/moderation")


@bp.route("/moderation/document/<int:doc_id>/approve", methods=["POST"])
@role_required("moderator")
def approve_document(doc_id: int):
    _valid_action()
    try:
        docs.approve_document(me(), doc_id, url=db_url())
    except ContentError as exc:
        return queue(400, str(exc))
    flash(f"Document #{doc_id} approved.")
    return redirect("/moderation")


@bp.route("/moderation/document/<int:doc_id>/reject", methods=["POST"])
@role_required("moderator")
def reject_document(doc_id: int):
    form = RejectForm()
    if not form.validate_on_submit():
        return queue(400, "A reason is needed to reject (the uploader sees it).")
    try:
        docs.reject_document(me(), doc_id, form.reason.data, url=db_url())
    except ContentError as exc:
        return queue(400, str(exc))
    flash(f"Document #{doc_id} rejected.")
    return redirect("/moderation")


@bp.route("/moderation/document/<int:doc_id>/delete", methods=["POST"])
@role_required("moderator")
def delete_document(doc_id: int):
    _valid_action()
    docs.delete_document(me(), doc_id, url=db_url(), upload_dir_override=upload_dir())
    flash(f"Document #{doc_id} deleted.")
    return redirect("/library")
