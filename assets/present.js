/* Presenter mode (/present, pages/present/): keys, caption buttons, full screen, back/forward.
 * Client side only; it makes no request itself: a slide change sets the `present-index` store
 * (dash_clientside.set_props) and the page's callback draws the slide and puts i= in the address.
 *
 * Keys (ignored with Ctrl/Alt/Meta held or while typing in a field):
 *   → PageDown space  next slide        ← PageUp Shift+space  previous slide
 *   Home / End        first / last      F                     full screen on / off
 *   Esc               leave presenter mode for the normal view of the slide (the caption's
 *                     Exit link). In full screen the browser's own Esc leaves full screen first.
 * The deck element (#present-deck) carries data-n (slides), data-i (the first slide shown) and
 * data-key (the deck's canonical query without i); a new deck resets the count.
 * Back/forward between slides of the same deck changes the slide in place (no reload).
 * On a small screen (< 800 px wide) `present-size` is set to "compact" (smaller plot text).
 * A link with data-present-over="category|year|region" (the map explorer's "Present this view")
 * opens presenter mode for the address of the page it is on, at the moment it is clicked.
 */
(function () {
    var COMPACT_BELOW = 800;
    var st = {key: null, cur: 1, n: 1, size: null};

    function props(id, value) {
        var dc = window.dash_clientside;
        if (dc && typeof dc.set_props === 'function') { dc.set_props(id, value); }
    }

    function sizeMode() { return window.innerWidth < COMPACT_BELOW ? 'compact' : 'wide'; }

    function applySize() {
        var mode = sizeMode();
        if (mode !== st.size) {
            var first = st.size === null;
            st.size = mode;
            if (!(first && mode === 'wide')) { props('present-size', {data: mode}); }  // the page is drawn wide
        }
    }

    // the deck on the page (null when presenter mode is not shown); a new deck resets the state
    function sync() {
        var d = document.getElementById('present-deck');
        if (!d) { st.key = null; return null; }
        var key = d.getAttribute('data-key');
        if (key !== st.key) {
            st.key = key;
            st.n = parseInt(d.getAttribute('data-n'), 10) || 1;
            st.cur = parseInt(d.getAttribute('data-i'), 10) || 1;
            st.size = null;
            applySize();
        }
        return d;
    }

    function clamp(i) { return Math.min(Math.max(i, 1), st.n); }

    function go(i) {
        if (!sync()) { return; }
        i = clamp(i);
        if (i === st.cur) { return; }
        st.cur = i;
        var count = document.getElementById('present-count');
        if (count) { count.textContent = i + ' / ' + st.n; }
        props('present-index', {data: i});
    }

    function fullscreenElement() { return document.fullscreenElement || document.webkitFullscreenElement; }

    function toggleFullscreen() {
        var el = document.documentElement;
        if (fullscreenElement()) {
            (document.exitFullscreen || document.webkitExitFullscreen).call(document);
        } else if (el.requestFullscreen) {
            el.requestFullscreen().catch(function () { /* refused (no user gesture, or not allowed) */ });
        } else if (el.webkitRequestFullscreen) {
            el.webkitRequestFullscreen();
        }
    }

    function leave() {
        if (fullscreenElement()) { (document.exitFullscreen || document.webkitExitFullscreen).call(document); }
        var exit = document.getElementById('present-exit');
        if (exit) { exit.click(); }
    }

    document.addEventListener('keydown', function (e) {
        if (!sync() || e.ctrlKey || e.metaKey || e.altKey) { return; }
        var t = e.target;
        if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
        switch (e.key) {
        case 'ArrowRight': case 'Right': case 'PageDown': go(st.cur + 1); break;
        case 'ArrowLeft': case 'Left': case 'PageUp': go(st.cur - 1); break;
        case ' ': case 'Spacebar': go(st.cur + (e.shiftKey ? -1 : 1)); break;
        case 'Home': go(1); break;
        case 'End': go(st.n); break;
        case 'Escape': case 'Esc': leave(); break;
        case 'f': case 'F': toggleFullscreen(); break;
        default: return;
        }
        e.preventDefault();
    });

    document.addEventListener('click', function (e) {
        if (!e.target || !e.target.closest || !sync()) { return; }
        if (e.target.closest('#present-prev')) { go(st.cur - 1); } else if (e.target.closest('#present-next')) {
            go(st.cur + 1);
        } else if (e.target.closest('#present-fullscreen')) { toggleFullscreen(); }
    });

    function fullscreenLabel() {
        var b = document.getElementById('present-fullscreen');
        if (b) { b.textContent = fullscreenElement() ? 'Leave full screen' : 'Full screen'; }
    }
    document.addEventListener('fullscreenchange', fullscreenLabel);
    document.addEventListener('webkitfullscreenchange', fullscreenLabel);

    var resizeTimer = null;
    window.addEventListener('resize', function () {
        window.clearTimeout(resizeTimer);
        resizeTimer = window.setTimeout(function () { if (sync()) { applySize(); } }, 250);
    });

    // the same settings apart from i (a repeated parameter in its order)
    function sameDeck(a, b) {
        function entries(q) {
            var p = new URLSearchParams(q), out = [];
            p.forEach(function (v, k) { if (k !== 'i') { out.push(k + '\u0000' + v); } });
            return out.sort().join('\u0001');
        }
        return entries(a) === entries(b);
    }

    // registered before url_state.js (assets load in name order): back/forward to another slide
    // of this deck changes the slide here; anything else goes on to the app's own handling
    window.addEventListener('popstate', function (event) {
        if (event.state && event.state.clusterObservatoryClick) { return; }
        var d = sync();
        if (!d || !/\/present\/?$/.test(window.location.pathname) || !sameDeck(window.location.search, st.key || '')) {
            return;
        }
        event.stopImmediatePropagation();
        var i = parseInt(new URLSearchParams(window.location.search).get('i'), 10);
        go(isNaN(i) ? 1 : i);
    });

    // "Present this view" (a link with data-present-over, e.g. on the map explorer): at the click, the
    // link takes the view's current address (the page keeps every setting in it) plus over=…
    document.addEventListener('click', function (e) {
        var a = e.target && e.target.closest && e.target.closest('a[data-present-over]');
        if (!a) { return; }
        var params = new URLSearchParams(window.location.search);
        params.delete('i');
        params.set('over', a.getAttribute('data-present-over'));
        var url = new URL(a.href, window.location.href);
        a.href = url.pathname + '?' + params.toString();
    }, true);

    // the first render of a deck: pick the size now (before any key is pressed)
    var observer = new MutationObserver(function () { if (document.getElementById('present-deck')) { sync(); } });
    function watch() { observer.observe(document.body, {childList: true, subtree: true}); }
    if (document.body) { watch(); } else { document.addEventListener('DOMContentLoaded', watch); }
}());
