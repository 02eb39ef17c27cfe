/* One URL writer for every page (components/url_state.py).
 *
 * url_state.write — clientside callback of each page's `<page>-url` store (the canonical query
 *   string of the page's state, built on the server from the page's one declaration): puts it
 *   into the address bar, so back and forward step through the views. replaceState on the first
 *   render and when the new address only adds settings the current one lacks (the page filling
 *   in its defaults, e.g. the suggested peers); pushState when a setting changes. No Dash event
 *   is sent, so Pages does not re-render.
 * popstate — going back or forward:
 *   - to another state of a page that restores in place (a `[data-url-pop]` marker whose path
 *     pattern matches: the map, which keeps its geometry), the marker's store gets {search, t}
 *     and the page's own callback restores the controls from the URL;
 *   - to another state of the same page (the `[data-url-page]` marker names its path), the page
 *     is loaded anew from the URL: the writer's pushState entries are unknown to Dash's
 *     Location, which would otherwise not see the change;
 *   - to another page, Dash Pages renders it as usual.
 */
(function () {
    // true when every setting of `before` keeps its value in `after` (which may add settings)
    function onlyAdds(before, after) {
        var b = new URLSearchParams(before), a = new URLSearchParams(after);
        var same = true;
        b.forEach(function (value, key) {
            if (a.getAll(key).join('\u0000') !== b.getAll(key).join('\u0000')) { same = false; }
        });
        return same;
    }

    // the page of a path: its first segment after the app's prefix ("map" of /map, "region" of
    // /region/eu/DE11, also under a prefix such as /app/)
    function pageOf(pathname) {
        var prefix = '/';
        try {
            prefix = JSON.parse(document.getElementById('_dash-config').textContent).requests_pathname_prefix || '/';
        } catch (e) { /* no config: the root */ }
        var p = String(pathname);
        if (p.indexOf(prefix) === 0) { p = p.slice(prefix.length); }
        return p.replace(/^\/+/, '').split('/')[0].toLowerCase();
    }

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.url_state = {
        write: function (query, path) {
            var nu = window.dash_clientside.no_update;
            if (query === null || query === undefined) { return nu; }
            // a page's query that arrives once the visitor is on another page (back pressed while
            // its callback ran) is not written onto that page's address
            if (path && pageOf(path) !== pageOf(window.location.pathname)) { return nu; }
            var url = window.location.pathname + query + window.location.hash;
            var current = window.location.pathname + window.location.search + window.location.hash;
            if (url === current) { return query; }
            var cc = window.dash_clientside.callback_context;
            var first = !cc || !cc.triggered || !cc.triggered.length || cc.triggered[0].prop_id === '.';
            if (first || onlyAdds(window.location.search, query)) {
                window.history.replaceState(window.history.state, '', url);
            } else {
                window.history.pushState({clusterObservatory: true}, '', url);
            }
            return query;
        }
    };

    window.addEventListener('popstate', function (event) {
        if (event.state && event.state.clusterObservatoryClick) { return; }  // a map click's own navigation
        var marker = document.querySelector('[data-url-pop]');
        var dc = window.dash_clientside;
        if (marker && new RegExp(marker.getAttribute('data-url-path')).test(window.location.pathname) &&
                dc && typeof dc.set_props === 'function') {
            event.stopImmediatePropagation();
            dc.set_props(marker.getAttribute('data-url-pop'), {data: {search: window.location.search, t: Date.now()}});
            return;
        }
        var page = document.querySelector('[data-url-page]');
        if (page && page.getAttribute('data-url-page') === window.location.pathname) {
            event.stopImmediatePropagation();
            window.location.reload();
        }
    });
}());
