"""The pages: one package per page (``layout.py``, ``callbacks.py``, its ``ids.py`` and what it
draws), registered here, in one place. Pages never import one another: what they share is in
``components/`` and the numbers come from ``analytics.serving``."""
from __future__ import annotations

import dash

from components.routes import ROUTES

TITLES = {
    "home": "Cluster Observatory",
    "map": "Map explorer · Cluster Observatory",
    "region": "Region profile · Cluster Observatory",
    "category": "Category profile · Cluster Observatory",
    "compare": "Peer benchmarking · Cluster Observatory",
    "build": "Build your own · Cluster Observatory",
    "methodology": "Methodology and sources · Cluster Observatory",
    "organisations": "Cluster organisations · Cluster Observatory",
    "organisation": "Organisation · Cluster Observatory",
    "partners": "Partner search · Cluster Observatory",
    "present": "Presenter mode · Cluster Observatory",
    "upload": "Analyse your own data · Cluster Observatory",
    "insights_prosperity": "Cluster strength and prosperity · Cluster Observatory",
    "insights_related": "Related clusters · Cluster Observatory",
    "transatlantic": "Europe and the US side by side · Cluster Observatory",
}


def register_all() -> None:
    """Register every page with Dash Pages (path or path template from its route) and import
    its callbacks."""
    from pages.build import callbacks as _build  # noqa: F401
    from pages.build import layout as build
    from pages.category import callbacks as _category  # noqa: F401
    from pages.category import layout as category
    from pages.compare import callbacks as _compare  # noqa: F401
    from pages.compare import layout as compare
    from pages.home import layout as home
    from pages.insights_prosperity import callbacks as _prosperity  # noqa: F401
    from pages.insights_prosperity import layout as prosperity
    from pages.insights_prosperity.route import PROSPERITY
    from pages.insights_related import callbacks as _related  # noqa: F401
    from pages.insights_related import layout as related
    from pages.insights_related.route import RELATED
    from pages.map import callbacks as _map  # noqa: F401
    from pages.map import layout as map_page
    from pages.methodology import callbacks as _methodology  # noqa: F401
    from pages.methodology import layout as methodology
    from pages.organisation import layout as organisation
    from pages.organisations import callbacks as _organisations  # noqa: F401
    from pages.organisations import layout as organisations
    from pages.partners import callbacks as _partners  # noqa: F401
    from pages.partners import layout as partners
    from pages.present import callbacks as _present  # noqa: F401
    from pages.present import layout as present
    from pages.present.route import CAROUSEL as PRESENT
    from pages.region import callbacks as _region  # noqa: F401
    from pages.region import layout as region
    from pages.transatlantic import callbacks as _transatlantic  # noqa: F401
    from pages.transatlantic import layout as transatlantic
    from pages.transatlantic.route import TRANSATLANTIC
    from pages.upload import callbacks as _upload  # noqa: F401
    from pages.upload import endpoint as upload_endpoint
    from pages.upload import layout as upload

    layouts = {"home": home.layout, "map": map_page.layout, "region": region.layout, "category": category.layout,
               "compare": compare.layout, "build": build.layout, "methodology": methodology.layout,
               "organisations": organisations.layout, "organisation": organisation.layout,
               "partners": partners.layout, "upload": upload.layout}
    upload_endpoint.init_app(dash.get_app().server)  # POST /upload/file, the templates; upload keys out of logs
    for name, route in ROUTES.items():
        path = {"path_template": route.path} if "<" in route.path else {"path": route.path}
        dash.register_page(name, layout=layouts[name], title=TITLES[name], **path)
    # pages whose route is declared in their own package (not in components.routes)
    for name, page_layout, route in (("present", present.layout, PRESENT),
                                     ("insights_prosperity", prosperity.layout, PROSPERITY),
                                     ("insights_related", related.layout, RELATED),
                                     ("transatlantic", transatlantic.layout, TRANSATLANTIC)):
        dash.register_page(name, layout=page_layout, title=TITLES[name], path=route.path)
