/* Map explorer (/map): a click on a region opens its profile, with the map's year, growth window
 * (start_year, the series default or the one picked), star rules and LQ denominator (the address
 * parts come from the server, pages/map/layout.py: page_data). */
(function () {
    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.map = {
        open_region: function (clickData, page) {
            var nu = window.dash_clientside.no_update;
            if (!clickData || !clickData.points || !clickData.points.length || !page) { return nu; }
            var point = clickData.points[0];
            var id = point.location;
            if (point.curveNumber === 1 && page.state && page.state.creg) {
                id = 'custom';  // a member of the custom region: open the custom region's profile
            }
            var gd = document.querySelector('#map-graph .js-plotly-plot');
            var meta = gd && gd.layout && gd.layout.meta;
            if (!id || (meta && meta.unlinked && meta.unlinked.indexOf(id) >= 0)) { return null; }
            var href = id === 'custom' ? page.custom_href : page.region_base + encodeURIComponent(id) + page.region_query;
            window.history.pushState({}, '', href);
            // Dash's Location components listen to popstate: they read the new URL and Pages renders it.
            window.dispatchEvent(new PopStateEvent('popstate', {state: {clusterObservatoryClick: true}}));
            return null;
        }
    };
}());
