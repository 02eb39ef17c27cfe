"""One URL-state mechanism for every page: declare the query parameters once, then parse, write and link.

A page's :class:`Route` lists its :class:`Param` s in order. :meth:`Route.parse` turns the
values Dash Pages passes to ``layout(**kwargs)`` into a complete, valid state (each value checked
against the choices the earlier values allow, a default where it is missing, and a note for every
value it replaced); :meth:`Route.query` writes a state back as the canonical query string;
:meth:`Route.href` builds a link (``dash.get_relative_path``, so an app prefix is kept).

In the browser, one clientside writer (``assets/url_state.js``, registered per page by
:func:`register_writer`) puts the state's query into the address bar: ``replaceState`` on the
first render, ``pushState`` on every change, so back and forward step through the views. Going
back or forward to another state of the same page renders the page anew from its URL, except on
pages that restore in place (the map, which keeps its geometry: :func:`pop_store`), whose
callbacks re-parse the URL with the same declaration.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from dash import ClientsideFunction, Input, Output, State, clientside_callback, dcc, html


class ParamError(ValueError):
    """A query value that cannot be used; the message says why (shown in the page's note)."""


@dataclass(frozen=True)
class Kept:
    """What a ``check`` returns when it keeps part of a value: the part kept and a note on the rest."""

    value: Any
    note: str


def _always(_values) -> bool:
    return True


@dataclass(frozen=True)
class Param:
    """One query (or path) parameter.

    ``kind``: ``str``, ``int``, ``list`` (comma-separated values) or ``multi`` (the parameter
    repeated, ``?cpeer=a&cpeer=b``). ``default``: a value, or a function of the values parsed so
    far. ``choices``: a function of those values giving the allowed values (None = any).
    ``check``: a function ``(value, values) → value`` that may normalise the value or raise
    :class:`ParamError`. ``none``: a token meaning "explicitly nothing" (``start_year=none``).
    ``write``: whether the value goes into the URL (a function of the state; default: when not
    None). ``path``: a path variable of the route's template (never read from the query).
    """

    name: str
    kind: str = "str"
    default: Any = None
    choices: Callable[[dict], Iterable] | None = None
    check: Callable[[Any, dict], Any] | None = None
    none: str | None = None
    write: Callable[[dict], bool] = _always
    path: bool = False
    describe: Callable[[dict], str] | None = None

    def default_for(self, values: dict):
        return self.default(values) if callable(self.default) else self.default


def _convert(param: Param, raw):
    if param.kind == "int":
        try:
            return int(str(raw).strip())
        except (TypeError, ValueError):
            raise ParamError("is not a whole number") from None
    if param.kind == "list":
        items = raw if isinstance(raw, (list, tuple)) else str(raw).split(",")
        return tuple(dict.fromkeys(s.strip() for s in items if str(s).strip()))
    if param.kind == "multi":
        items = raw if isinstance(raw, (list, tuple)) else [raw]
        return tuple(dict.fromkeys(str(s) for s in items if str(s).strip()))
    return str(raw)


@dataclass(frozen=True)
class Route:
    """A page's address: ``path`` (a Dash Pages template such as ``/region/<dataset>/<region_id>``)
    and its parameters, in the order they are validated and written."""

    name: str
    path: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    order: tuple[str, ...] = ()  # the order parameters are written in (default: declaration order)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def _written(self) -> list[Param]:
        if not self.order:
            return list(self.params)
        by_name = {p.name: p for p in self.params}
        return [by_name[n] for n in self.order] + [p for p in self.params if p.name not in self.order]

    def split(self, kwargs: dict) -> tuple[dict, dict]:
        """(query values, path values) of a layout call. Inside Dash Pages' routing callback the
        address itself is read (so a repeated parameter is seen as such and a query parameter
        cannot pose as a path variable); otherwise the keyword arguments are split by name."""
        from urllib.parse import parse_qs

        import dash

        pathname = search = None
        try:
            inputs = dash.callback_context.inputs
            pathname, search = inputs.get("_pages_location.pathname"), inputs.get("_pages_location.search")
        except Exception:  # noqa: BLE001 - not inside a callback (tests, scripts)
            pass
        path_names = re.findall(r"<(\w+)>", self.path)
        if pathname is not None:
            query = {k: (v[0] if len(v) == 1 else v) for k, v in parse_qs((search or "").lstrip("?"),
                                                                        keep_blank_values=True).items()}
            return query, _path_values(self.path, pathname)
        query = {k: v for k, v in kwargs.items() if k not in path_names}
        return query, {k: kwargs.get(k) for k in path_names}

    def parse(self, query: dict | None, path_values: dict | None = None) -> tuple[dict, list[str]]:
        """(state, notes) from the query values (strings, or lists for repeated parameters) and
        the path variables. Never raises for bad input: bad values are replaced and noted."""
        query = dict(query or {})
        path_values = dict(path_values or {})
        values: dict = {}
        notes: list[str] = []
        for p in self.params:
            raw = path_values.get(p.name) if p.path else query.pop(p.name, None)
            if p.path and p.name in query:  # a query parameter never overrides a path variable
                notes.append(f"{p.name}={shorten(query.pop(p.name))} is part of the address's path here; ignored.")
            if isinstance(raw, (list, tuple)) and p.kind not in ("list", "multi"):
                if len(raw) > 1:
                    notes.append(f"{p.name} was given {len(raw)} times; the last one ({raw[-1]}) is used.")
                raw = raw[-1] if raw else None
            if raw is None or raw == "" or raw == []:
                values[p.name] = p.default_for(values)
                continue
            if p.none is not None and raw == p.none:
                values[p.name] = None
                continue
            try:
                value = _convert(p, raw)
                if p.choices is not None:
                    allowed = list(p.choices(values))
                    if p.kind in ("list", "multi"):
                        bad = [v for v in value if v not in allowed]
                        if bad:
                            notes.append(f"{p.name}: {', '.join(map(str, bad[:10]))} "
                                         f"{'is' if len(bad) == 1 else 'are'} not available; left out.")
                            value = tuple(v for v in value if v in allowed)
                    elif value not in allowed:
                        raise ParamError(f"is not {self._describe(p, values, allowed)}")
                if p.check is not None:
                    value = p.check(value, values)
                    if isinstance(value, Kept):
                        notes.append(f"{p.name}: {value.note}")
                        value = value.value
                values[p.name] = value
            except ParamError as exc:
                values[p.name] = p.default_for(values)
                shown = values[p.name] if values[p.name] not in (None, ()) else "nothing"
                notes.append(f"{p.name}={shorten(raw)} {str(exc).rstrip('.')}; showing {shown}.")
        unknown = {k: v for k, v in query.items() if k not in self.names}
        if unknown:
            notes.append("Ignored unknown setting(s): " + ", ".join(f"{k}={shorten(v)}" for k, v in unknown.items())
                         + ".")
        return values, notes

    @staticmethod
    def _describe(p: Param, values: dict, allowed: list) -> str:
        if p.describe is not None:
            return p.describe(values)
        shown = ", ".join(map(str, allowed[:12]))
        return "one of " + shown + (", …" if len(allowed) > 12 else "")

    def query(self, values: dict) -> str:
        """The canonical query string ("?a=1&b=2", parameters in declaration order; "" if empty)."""
        pairs: list[tuple[str, str]] = []
        for p in self._written():
            if p.path or p.name not in values or not p.write(values):
                continue
            v = values[p.name]
            if v is None:
                if p.none is not None:
                    pairs.append((p.name, p.none))
                continue
            if p.kind == "list":
                if v:
                    pairs.append((p.name, ",".join(map(str, v))))
            elif p.kind == "multi":
                pairs += [(p.name, str(x)) for x in v]
            else:
                pairs.append((p.name, str(v)))
        return ("?" + urlencode(pairs)) if pairs else ""

    def pathname(self, values: dict) -> str:
        def fill(m):
            return str(values[m.group(1)])
        return re.sub(r"<(\w+)>", fill, self.path)

    def href(self, **values) -> str:
        """A link to the page with these values (relative to the app's prefix)."""
        import dash

        path = self.pathname(values)
        try:
            path = dash.get_relative_path(path)
        except Exception:  # noqa: BLE001 - no app yet (e.g. a script): a root-relative link
            pass
        return path + self.query(values)


def _path_values(template: str, pathname: str) -> dict:
    """Path variables of ``pathname`` under ``template`` (``/region/<dataset>/<region_id>``)."""
    from urllib.parse import unquote

    import dash

    names = re.findall(r"<(\w+)>", template)
    if not names:
        return {}
    try:
        pathname = dash.strip_relative_path(pathname) or ""
    except Exception:  # noqa: BLE001
        pathname = pathname.strip("/")
    pattern = "^" + re.sub(r"<\w+>", "([^/]*)", template.strip("/")) + "/?$"
    m = re.match(pattern, pathname.strip("/"))
    return {n: unquote(v) for n, v in zip(names, m.groups())} if m else {n: None for n in names}


def shorten(value, limit: int = 80) -> str:
    text = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return text if len(text) <= limit else text[:limit] + "…"


# ---------------------------------------------------------------------------- the browser side


def url_store(prefix: str, route: Route, values: dict) -> list:
    """What a page's layout carries for its address: ``<prefix>-url`` (the canonical query the
    writer puts into the address bar), ``<prefix>-url-written`` (the writer's output), ``<prefix>-url-path``
    (the page's path: a query that arrives after the visitor has left the page is not written onto
    another page's address) and a marker
    naming the page's path, so going back or forward to another state of the same page renders
    it anew from the address (``assets/url_state.js``)."""
    import dash

    try:
        path = dash.get_relative_path(route.pathname(values))
    except Exception:  # noqa: BLE001 - no app (a script)
        path = route.pathname(values)
    return [dcc.Store(id=f"{prefix}-url", data=route.query(values)), dcc.Store(id=f"{prefix}-url-written"),
            dcc.Store(id=f"{prefix}-url-path", data=path), html.Div(hidden=True, **{"data-url-page": path})]


def pop_store(prefix: str, path_pattern: str) -> list:
    """For a page that restores in place on back/forward: the store ``<prefix>-url-pop`` that the
    browser sets to ``{"search": …, "t": …}`` when the address goes back or forward to a URL whose
    path matches ``path_pattern`` (a regular expression), and the marker that tells it so."""
    return [dcc.Store(id=f"{prefix}-url-pop"),
            html.Div(hidden=True, **{"data-url-pop": f"{prefix}-url-pop", "data-url-path": path_pattern})]


def register_writer(prefix: str) -> None:
    """The page's clientside URL writer (one function for every page: ``url_state.write``)."""
    clientside_callback(
        ClientsideFunction(namespace="url_state", function_name="write"),
        Output(f"{prefix}-url-written", "data"),
        Input(f"{prefix}-url", "data"), State(f"{prefix}-url-path", "data"),
    )
