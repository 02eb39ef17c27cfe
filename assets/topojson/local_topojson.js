/* Every plotly graph asks this app, not plotly's CDN, for the base-map topology that geo maps
 * request (web/geo.py serves an empty one at /basemap/): Plotly.setPlotConfig as soon as
 * plotly.js is loaded (it is loaded after this file, on demand). */
(function () {
    var url = '/basemap/';
    function apply(P) {
        try { if (P && P.setPlotConfig) { P.setPlotConfig({topojsonURL: url}); } } catch (e) { /* keep going */ }
    }
    if (window.Plotly) { apply(window.Plotly); return; }
    var value;
    try {
        Object.defineProperty(window, 'Plotly', {
            configurable: true, enumerable: true,
            get: function () { return value; },
            set: function (p) { value = p; apply(p); }
        });
    } catch (e) {
        var timer = setInterval(function () { if (window.Plotly) { apply(window.Plotly); clearInterval(timer); } }, 20);
    }
})();
