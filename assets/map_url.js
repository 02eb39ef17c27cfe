/* Map explorer (/map): URL state, back/forward and region clicks.
 *
 * push_query  — clientside callback: writes the pickers into the query string with
 *               history.pushState when it differs (replaceState on the first render), without a
 *               Dash event, so Dash Pages does not re-render the page (and resend the geometry).
 * popstate    — back/forward between two map views: the map stays mounted and the pickers are
 *               restored from the URL through the `map-pop` store (callbacks/map_callbacks.py).
 *               Dash's own Location would not see these URLs (they were pushed without an
 *               event), so the event is handled here. Other navigations go to Dash as usual.
 * open_region — clientside callback: a click on a region opens /region/<dataset>/<id>?year=…
 *
 * Keep PARAMS and the query format in step with layouts/map_state.py (PARAMS, to_query).
 */
(function () {
    var PARAMS = ['dataset', 'level', 'category', 'metric', 'year', 'start_year', 'rules', 'denominator'];
    var MAP_PATH = /\/map\/?$/;

    function toQuery(values) {
        var v = {};
        PARAMS.forEach(function (k, i) { v[k] = values[i]; });
        var q = new URLSearchParams();
        PARAMS.forEach(function (k) {
            if (v[k] === null || v[k] === undefined || v[k] === '') { return; }
            if (k === 'start_year' && v.metric !== 'growth') { return; }
            q.append(k, String(v[k]));
        });
        // a custom category (category=custom) keeps its spec from the address (layouts/map_state.to_query)
        var ccat = new URLSearchParams(window.location.search).get('ccat');
        if (v.category === 'custom' && ccat) { q.append('ccat', ccat); }
        return '?' + q.toString();
    }

    function basePath() {  // app prefix ('' or '/prefix') before 'map'
        return window.location.pathname.replace(/\/map\/?$/, '');
    }

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.map = {
        push_query: function () {
            var nu = window.dash_clientside.no_update;
            if (!MAP_PATH.test(window.location.pathname)) { return nu; }
            var query = toQuery(Array.prototype.slice.call(arguments));
            if (query === window.location.search) { return nu; }
            var cc = window.dash_clientside.callback_context;
            var first = !cc || !cc.triggered || !cc.triggered.length || cc.triggered[0].prop_id === '.';
            var url = window.location.pathname + query + window.location.hash;
            if (first) {
                window.history.replaceState(window.history.state, '', url);
            } else {
                window.history.pushState({clusterMap: true}, '', url);
            }
            return query;
        },

        open_region: function (clickData, page) {
            var nu = window.dash_clientside.no_update;
            if (!clickData || !clickData.points || !clickData.points.length || !page || !page.state) { return nu; }
            var s = page.state;
            var id = clickData.points[0].location;
            var gd = document.querySelector('#map-graph .js-plotly-plot');
            var meta = gd && gd.layout && gd.layout.meta;
            if (!id || (meta && meta.unlinked && meta.unlinked.indexOf(id) >= 0)) { return null; }
            var q = new URLSearchParams();
            ['year', 'rules', 'denominator'].forEach(function (k) { if (s[k] !== null) { q.append(k, String(s[k])); } });
            if (s.metric === 'growth' && s.start_year !== null) { q.append('start_year', String(s.start_year)); }
            var href = basePath() + '/region/' + encodeURIComponent(s.dataset) + '/' + encodeURIComponent(id) +
                '?' + q.toString();
            window.history.pushState({}, '', href);
            // Dash's Location components listen to popstate: they read the new URL and Pages renders it.
            window.dispatchEvent(new PopStateEvent('popstate', {state: {}}));
            return null;
        }
    };

    window.addEventListener('popstate', function (event) {
        if (!MAP_PATH.test(window.location.pathname) || !document.getElementById('map-graph')) { return; }
        var dc = window.dash_clientside;
        if (!dc || typeof dc.set_props !== 'function') { return; }
        event.stopImmediatePropagation();
        dc.set_props('map-pop', {data: {search: window.location.search, t: Date.now()}});
    });
}());
