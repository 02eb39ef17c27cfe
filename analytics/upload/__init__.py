"""Analyse your own data: an uploaded CSV/XLSX of employment by region × industry × year, read,
validated all-or-nothing and analysed exactly as the built-in datasets are (docs/UPLOAD.md).

* :func:`read_upload` (``reader``) → :class:`UploadResult`: the clean rows, or line-numbered problems
  (header = line 1) and nothing else; :func:`preview` for the page before the user accepts;
  :func:`template_csv` / :func:`template_xlsx` for the template to download.
* :func:`build_store` (``store``) → :class:`UploadStore`: the codes rolled up / mapped to the build's
  building blocks (``codes``) and every number computed by the build's own functions, against the
  file itself (``self``), Europe (``eu``) or the US (``us``), same or nearest year.

For the UI: :class:`UploadStore` is a :class:`analytics.serving.store.Store`, with the methods the
region profile, map and /compare read (``table``, ``year_metrics``, ``level_metrics``, ``stars``,
``indicators``, ``regions``, ``region_names``, ``categories``, ``category_names``, ``levels``,
``level_years``, ``level_regions``, ``geometry``/``has_geometry``/``map_levels``/``map_regions`` and
``neighbours`` borrowed from the built-in level when the region ids are NUTS, state or county codes,
``facts``, ``nation_of``, ``meta``, ``quality``). Its ``dataset`` is a random key ``upload-…``;
:func:`register` (``registry``) keeps it on disk, private, until it expires (a delete token for its
uploader) and :func:`lookup` finds it in any worker, so ``analytics.serving.store.get_store``
resolves that key and every view (``analytics.serving.views``) works on it unchanged. ``notes`` and ``unmapped`` are what
the page must say (benchmark year used, codes in no category, rows left out of E(r)).
"""
from analytics.upload.reader import (
    MAX_BYTES,
    MAX_ROWS,
    UploadResult,
    preview,
    read_upload,
    template_csv,
    template_xlsx,
)
from analytics.upload.registry import Registration, delete, forget, is_upload_key, lookup, register
from analytics.upload.store import UploadError, UploadStore, build_store

__all__ = ["MAX_BYTES", "MAX_ROWS", "Registration", "UploadError", "UploadResult", "UploadStore", "build_store",
           "delete", "forget", "is_upload_key", "lookup", "preview", "read_upload", "register", "template_csv",
           "template_xlsx"]
