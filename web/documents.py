"""``/library``: search the approved documents, upload one (editors), download one.

An upload is bounded twice: the request's length (werkzeug answers 413 before reading beyond
:data:`web.core.UPLOAD_LIMIT`) and the file's stream (counted while it is copied,
:func:`analytics.content.documents.save_upload`). A download is always an attachment under a
safe name, with ``nosniff``."""
from __future__ import annotations

from flask import abort, flash, redirect, request, send_file

from analytics.content import NotFound
from analytics.content import documents as docs
from analytics.content.documents import DocumentError, TooLarge
from analytics.content.organisations import FieldErrors
from web.core import UPLOAD_LIMIT, bp, db_url, form_errors, limit, me, render, role_required, upload_dir
from web.forms import ActionForm, UploadForm


@bp.route("/library")
def library():
    q = (request.args.get("q") or "").strip()[:200]
    region = (request.args.get("region") or "").strip()[:32]
    category = (request.args.get("category") or "").strip()[:64]
    year = request.args.get("year", type=int)
    found = docs.search_documents(q or None, region or None, category or None, year, url=db_url())
    return render("library/list.html", documents=found, q=q, region=region, category=category,
                  year=year or "", action=ActionForm(formdata=None))


@bp.route("/library/upload", methods=["GET", "POST"])
@role_required("editor")
@limit("CLUSTER_RATELIMIT_UPLOAD")
def upload():
    if request.method == "POST" and (request.content_length or 0) > UPLOAD_LIMIT:
        abort(413)
    form = UploadForm()
    if request.method == "GET":
        return render("library/upload.html", form=form)
    message = None
    if form.validate_on_submit():
        storage = form.file.data
        meta = {k: getattr(form, k).data for k in ("title", "abstract", "regions", "categories", "year")}
        try:
            doc = docs.save_upload(me(), storage.stream, storage.filename, meta, url=db_url(),
                                   upload_dir_override=upload_dir())
        except TooLarge as exc:
            return render("library/upload.html", 413, form=form, message=str(exc))
        except FieldErrors as exc:
            form_errors(form, exc.errors)
        except DocumentError as exc:
            message = str(exc)
        else:
            if doc.status == "approved":
                flash(f"“{doc.title}” is in the library.")
                return redirect("/library")
            flash(f"Thank you: “{doc.title}” waits for a moderator.")
            return redirect("/account/submissions")
    return render("library/upload.html", 400, form=form, message=message)


@bp.route("/library/<int:doc_id>/download")
def download(doc_id: int):
    try:
        doc = docs.get_document(doc_id, url=db_url())
    except NotFound:
        abort(404)
    if not docs.can_download(me(), doc):
        abort(404)  # pending or rejected documents do not exist for others
    path = docs.document_file(doc, upload_dir_override=upload_dir())
    response = send_file(path, mimetype="application/pdf", as_attachment=True, download_name=doc.filename,
                         max_age=0, conditional=True, etag=doc.sha256)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
