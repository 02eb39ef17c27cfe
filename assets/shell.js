/* App shell, client side only: "Copy link" (navigator.clipboard with a fallback) and the SVG
 * download buttons of charts (layouts/common.py: svg_button) using plotly's own downloadImage. */
(function () {
    function say(message) {
        var dc = window.dash_clientside;
        dc.set_props('app-copy-link-done', {children: message});
        window.clearTimeout(say.timer);
        say.timer = window.setTimeout(function () { dc.set_props('app-copy-link-done', {children: ''}); }, 3000);
    }

    function fallbackCopy(text) {
        var ta = document.createElement('textarea');
        ta.value = text;
        ta.setAttribute('readonly', '');
        ta.style.position = 'fixed';
        ta.style.top = '-1000px';
        document.body.appendChild(ta);
        ta.select();
        var ok = false;
        try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
        document.body.removeChild(ta);
        say(ok ? 'Link copied' : 'Copy failed: use the address bar');
    }

    window.dash_clientside = window.dash_clientside || {};
    window.dash_clientside.shell = {
        copy_link: function (n) {
            if (!n) { return window.dash_clientside.no_update; }
            var url = window.location.href;
            if (navigator.clipboard && window.isSecureContext) {
                navigator.clipboard.writeText(url).then(function () { say('Link copied'); },
                    function () { fallbackCopy(url); });
            } else {
                fallbackCopy(url);
            }
            return 'Copying…';
        }
    };

    document.addEventListener('click', function (event) {
        var button = event.target.closest ? event.target.closest('.js-svg-download') : null;
        if (!button || !window.Plotly) { return; }
        var host = document.getElementById(button.getAttribute('data-graph'));
        if (!host) { return; }
        var gd = host.classList.contains('js-plotly-plot') ? host : host.querySelector('.js-plotly-plot');
        if (!gd) { return; }
        var opts = (gd._context && gd._context.toImageButtonOptions) || {};  // the camera's size and name
        window.Plotly.downloadImage(gd, {format: 'svg', width: opts.width, height: opts.height,
                                         filename: opts.filename || button.getAttribute('data-filename') || 'chart'});
    });
}());

/* "Report (PDF)" / "Print view" (components/routes.py report_links): the page's address holds its
 * current state, so the report's address is built from it at the click. */
document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a.js-report-link');
    if (!link) { return; }
    var path = window.location.pathname.replace(/\/+$/, '');
    link.href = path + '/' + link.getAttribute('data-report') + window.location.search;
}, true);
