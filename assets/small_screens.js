/* Small screens, client side only.
 *
 * 1. Slide-in panels (below 768 px; assets/responsive.css): a button `.js-panel-open` with
 *    data-panel=<id> opens the panel of that id (the map's settings), `.js-panel-close`, the
 *    backdrop and Escape close it; focus moves into the panel and back to the button.
 * 2. Charts on narrow screens (below 576 px), after every draw of a plotly graph (plotly_afterplot,
 *    so the server's redraws and patches are followed): heatmap numbers are hidden when a cell is
 *    too narrow to hold them (hover still tells), a bubble chart labels only its largest bubbles
 *    (hover names the others) and a label running off the plot area moves to the side where it
 *    fits, a colour-bar title wider than its room wraps onto two lines, as do a quadrant chart's corner
 *    labels (annotations named "quadrant"), a long axis title gets a
 *    smaller font, and the in-figure title, subtitle and source are wrapped to the screen. What was changed is remembered and given back when the window widens.
 *    Changes go through Plotly.update, which Dash's graph does not report as a relayout.
 */
(function () {
    'use strict';
    var NARROW = 576, MIN_CELL = 30, CHAR_W = 6.4;

    // ------------------------------------------------------------ slide-in panels
    var opener = null;

    function backdrop() {
        var b = document.getElementById('slide-panel-backdrop');
        if (!b) {
            b = document.createElement('div');
            b.id = 'slide-panel-backdrop';
            b.className = 'slide-panel-backdrop';
            b.addEventListener('click', closePanels);
            document.body.appendChild(b);
        }
        return b;
    }

    function setExpanded(panelId, open) {
        document.querySelectorAll('.js-panel-open[data-panel="' + panelId + '"]').forEach(function (btn) {
            btn.setAttribute('aria-expanded', open ? 'true' : 'false');
        });
    }

    function openPanel(panelId, button) {
        var panel = document.getElementById(panelId);
        if (!panel) { return; }
        opener = button || null;
        panel.classList.add('is-open');
        panel.setAttribute('role', 'dialog');
        panel.setAttribute('aria-modal', 'true');
        backdrop().classList.add('is-open');
        document.body.classList.add('slide-panel-shown');
        setExpanded(panelId, true);
        var first = panel.querySelector('select, input, button:not(.js-panel-close)');
        if (first) { window.setTimeout(function () { first.focus(); }, 50); }
    }

    function closePanels() {
        document.querySelectorAll('.slide-panel.is-open').forEach(function (panel) {
            panel.classList.remove('is-open');
            panel.removeAttribute('role');
            panel.removeAttribute('aria-modal');
            setExpanded(panel.id, false);
        });
        var b = document.getElementById('slide-panel-backdrop');
        if (b) { b.classList.remove('is-open'); }
        document.body.classList.remove('slide-panel-shown');
        if (opener && document.body.contains(opener)) { opener.focus(); }
        opener = null;
    }

    document.addEventListener('click', function (event) {
        if (!event.target.closest) { return; }
        var open = event.target.closest('.js-panel-open');
        if (open) { openPanel(open.getAttribute('data-panel'), open); return; }
        if (event.target.closest('.js-panel-close')) { closePanels(); }
    });
    document.addEventListener('keydown', function (event) {
        if (event.key === 'Escape' && document.querySelector('.slide-panel.is-open')) { closePanels(); }
    });
    window.addEventListener('resize', function () {
        if (window.innerWidth >= 768 && document.querySelector('.slide-panel.is-open')) { closePanels(); }
    });
    window.addEventListener('popstate', closePanels);

    // ------------------------------------------------------------ charts on narrow screens
    function get(obj, path) {
        return path.replace(/\[(\d+)\]/g, '.$1').split('.')
            .reduce(function (o, k) { return o == null ? undefined : o[k]; }, obj);
    }

    function wrapText(text, maxChars) {
        // break a title at the space nearest its middle (plotly's <br>), once
        if (!text || text.indexOf('<br>') >= 0 || text.length <= maxChars) { return text; }
        var mid = Math.floor(text.length / 2), best = -1;
        for (var i = 0; i < text.length; i++) {
            if (text[i] === ' ' && (best < 0 || Math.abs(i - mid) < Math.abs(best - mid))) { best = i; }
        }
        return best < 0 ? text : text.slice(0, best) + '<br>' + text.slice(best + 1);
    }

    function titleText(t) { return t == null ? '' : (typeof t === 'string' ? t : (t.text || '')); }

    function horizontal(pos) { return /left/.test(pos) ? 'left' : (/right/.test(pos) ? 'right' : 'center'); }

    function vertical(pos) { return /top/.test(pos) ? 'top' : (/bottom/.test(pos) ? 'bottom' : 'middle'); }

    function labelFits(x, w, pos, lo, hi) {
        var h = horizontal(pos), left = h === 'center' ? x - w / 2 : (h === 'left' ? x - w - 4 : x + 4);
        return left >= lo && left + w <= hi;
    }

    function fitPosition(x, w, pos, lo, hi) {
        if (labelFits(x, w, pos, lo, hi)) { return pos; }
        var v = vertical(pos), options = [v + ' left', v + ' right', v + ' center'];
        if (v === 'middle') { options = ['middle left', 'middle right', 'top center']; }
        for (var i = 0; i < options.length; i++) {
            var p = options[i] === 'middle center' ? 'top center' : options[i];
            if (labelFits(x, w, p, lo, hi)) { return p; }
        }
        return pos;
    }

    function words(text, maxChars) {
        // lines of at most maxChars characters, words kept whole (the text is already escaped)
        var lines = [], line = '';
        text.split(/\s+/).filter(Boolean).forEach(function (w) {
            if (line && (line + ' ' + w).length > maxChars) { lines.push(line); line = w; } else { line = line ? line + ' ' + w : w; }
        });
        if (line) { lines.push(line); }
        return lines;
    }

    function rewrapTitleAndSource(gd, width, layout) {
        // components/figures.add_title_and_source wraps for the chart's usual width: on a phone the
        // title, its grey subtitle and the source below are wrapped again to the screen, and the
        // margins grow by the lines added so nothing runs into the plot
        var title = titleText(get(gd.layout, 'title'));
        var margin = gd.layout.margin || {};
        if (title && title.indexOf('<b>') === 0) {
            var parts = title.split('<br>'), bold = [], sub = [], style = '';
            parts.forEach(function (part) {
                var m = /^<span style='([^']*)'>(.*)<\/span>$/.exec(part);
                if (m) { style = m[1]; sub.push(m[2]); } else { bold.push(part.replace(/<\/?b>/g, '')); }
            });
            var t = words(bold.join(' '), Math.floor((width - 20) / 8.6));
            var st = sub.length ? words(sub.join(' '), Math.floor((width - 20) / 6.4)) : [];
            var text = t.map(function (l) { return '<b>' + l + '</b>'; }).join('<br>') +
                st.map(function (l) { return "<br><span style='" + style + "'>" + l + '</span>'; }).join('');
            if (text !== title) {
                layout['title.text'] = text;
                var added = (t.length + st.length) - parts.length;
                if (added && margin.t != null) { layout['margin.t'] = margin.t + 19 * added; }
            }
        }
        (gd.layout.annotations || []).forEach(function (a, i) {
            if (a.name === 'quadrant' && typeof a.text === 'string') {
                // corner labels of a quadrant chart: two side by side must share the plot's width
                var half = (((gd._fullLayout.xaxis && gd._fullLayout.xaxis._length) || width) / 2) - 8;
                var q = wrapText(a.text, Math.max(6, Math.floor(half / CHAR_W)));
                if (q !== a.text) { layout['annotations[' + i + '].text'] = q; }
                return;
            }
            if (a.name !== 'source' || typeof a.text !== 'string') { return; }
            // the source starts at the plot area's left edge: its room is what lies right of that
            var room = width - ((gd._fullLayout._size && gd._fullLayout._size.l) || 0) - 8;
            var old = a.text.split('<br>'), lines = words(old.join(' '), Math.floor(room / 5.4));
            var text = lines.join('<br>');
            if (text === a.text) { return; }
            layout['annotations[' + i + '].text'] = text;
            var more = lines.length - old.length;
            if (more && margin.b != null) { layout['margin.b'] = (layout['margin.b'] || margin.b) + 13 * more; }
        });
    }

    function plan(gd) {
        // the changes a narrow screen wants: {data: {attr: [per trace]}, traces: [..], layout: {path: value}}
        var full = gd._fullLayout, data = gd._fullData || [], layout = {}, restyle = {}, idx = [];
        if (!full) { return null; }
        var width = full.width || gd.clientWidth;
        // bubble charts: only the largest bubbles keep a label (about one per 60 px of plot width)
        var sized = [];
        data.forEach(function (tr) {
            if (tr.type === 'scatter' && tr.mode && tr.mode.indexOf('text') >= 0 && tr.marker &&
                    tr.marker.size && tr.marker.size.length && tr.text && tr.text.length) {
                for (var k = 0; k < tr.text.length; k++) {
                    if (tr.text[k]) { sized.push({i: tr.index, k: k, size: +tr.marker.size[k] || 0}); }
                }
            }
        });
        var keep = null;
        if (sized.length) {
            var xa0 = full.xaxis, room = Math.max(4, Math.floor(((xa0 && xa0._length) || width) / 60));
            if (sized.length > room) {
                keep = {};
                sized.sort(function (a, b) { return b.size - a.size; }).slice(0, room).forEach(function (p) {
                    keep[p.i + ':' + p.k] = true;
                });
            }
        }
        data.forEach(function (tr) {
            var i = tr.index;
            if (i === undefined || !gd.data[i]) { return; }
            var xa = tr.xaxis && full[tr.xaxis.replace('x', 'xaxis')];
            if (tr.type === 'heatmap' && tr.texttemplate && xa && xa._length) {
                var cols = tr.x ? tr.x.length : (tr.z && tr.z[0] ? tr.z[0].length : 0);
                if (cols && xa._length / cols < MIN_CELL) {
                    (restyle.texttemplate = restyle.texttemplate || {})[i] = '';
                    idx.push(i);
                }
            }
            if ((tr.type === 'scatter' || tr.type === 'bar') && tr.text && tr.x && tr.x.length && xa && xa._length &&
                    tr.orientation !== 'h' && (tr.mode ? tr.mode.indexOf('text') >= 0 : tr.type === 'scatter')) {
                var lo = xa._offset, hi = xa._offset + xa._length, changed = false;
                var given = gd.data[i].textposition, positions = [];
                for (var k = 0; k < tr.x.length; k++) {
                    var label = Array.isArray(tr.text) ? tr.text[k] : tr.text;
                    var pos = Array.isArray(given) ? given[k] : (given || 'top center');
                    var px = xa._offset + xa.c2p(xa.d2c ? xa.d2c(tr.x[k]) : tr.x[k]);
                    var clean = String(label || '').replace(/<[^>]+>/g, '');
                    var fit = clean && isFinite(px) ? fitPosition(px, clean.length * CHAR_W, pos, lo, hi) : pos;
                    positions.push(fit);
                    if (fit !== pos) { changed = true; }
                }
                if (changed) { (restyle.textposition = restyle.textposition || {})[i] = positions; idx.push(i); }
                if (keep && tr.marker && tr.marker.size && tr.marker.size.length) {
                    var texts = [], dropped = false;
                    for (var m = 0; m < tr.text.length; m++) {
                        var kept = keep[i + ':' + m] ? tr.text[m] : '';
                        if (kept !== tr.text[m]) { dropped = true; }
                        texts.push(kept);
                    }
                    if (dropped) { (restyle.text = restyle.text || {})[i] = texts; idx.push(i); }
                }
            }
            var cbPath = tr.marker && tr.marker.colorbar && tr.marker.showscale ? 'marker.colorbar' : 'colorbar';
            var cb = get(gd.data[i], cbPath);
            if (tr.showscale !== false && cb && cb.title && !tr.coloraxis) {
                var text = titleText(cb.title), maxChars = Math.floor((cb.orientation === 'h' ? width : full.height) /
                                                                       CHAR_W) - 4;
                var wrapped = wrapText(text, maxChars);
                if (wrapped !== text) {
                    (restyle[cbPath + '.title.text'] = restyle[cbPath + '.title.text'] || {})[i] = wrapped;
                    idx.push(i);
                }
            }
        });
        Object.keys(full).forEach(function (key) {
            var ax = full[key];
            if (/^coloraxis\d*$/.test(key) && ax && ax.showscale && ax.colorbar) {
                var cbt = titleText(get(gd.layout, key + '.colorbar.title'));
                var room = ax.colorbar.orientation === 'h' ? width : full.height;
                var w = wrapText(cbt, Math.floor(room / CHAR_W) - 4);
                if (w !== cbt) { layout[key + '.colorbar.title.text'] = w; }
            }
            if (/^[xy]axis\d*$/.test(key) && ax && ax._length && ax.title) {
                // a long axis title gets a smaller font (a second line would run into the ticks or the source)
                var at = titleText(ax.title), size = (ax.title.font && ax.title.font.size) || 12;
                // centred on the axis: its room is the axis plus the narrower margin on each side
                var sz = full._size || {l: 0, r: 0, t: 0, b: 0};
                var roomPx = key[0] === 'x' ? ax._length + 2 * Math.min(sz.l, sz.r) - 10
                    : ax._length + 2 * Math.min(sz.t, sz.b) - 10;
                var clean = at.replace(/<[^>]+>/g, '');
                if (at.indexOf('<br>') < 0 && clean.length * size * 0.5 > roomPx) {
                    var smaller = Math.max(9, Math.floor(roomPx / (clean.length * 0.5)));
                    if (smaller < size) { layout[key + '.title.font.size'] = smaller; }
                }
            }
        });
        rewrapTitleAndSource(gd, width, layout);
        var traces = idx.filter(function (v, j) { return idx.indexOf(v) === j; });
        return {restyle: restyle, traces: traces, layout: layout};
    }

    function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

    function settle(gd) {
        // an update of ours finished: if the window changed meanwhile, look again
        gd._smallBusy = false;
        if (gd._smallAgain) { gd._smallAgain = false; window.setTimeout(function () { apply(gd); }, 0); }
    }

    function giveBack(gd) {
        // what we changed, as an update back to the original values; an attribute whose value is no
        // longer the one we set came new from the server and is left alone. (Dash's graph may hand
        // plotly the very objects our update changed, so object identity says nothing here.)
        var saved = gd._smallSaved, restyle = {}, layout = {}, traces = [];
        gd._smallSaved = null;
        if (!saved) { return null; }
        Object.keys(saved.restyle).forEach(function (key) {
            var e = saved.restyle[key];
            if (gd.data[e.i] && same(get(gd.data[e.i], e.attr), e.set)) {
                if (traces.indexOf(e.i) < 0) { traces.push(e.i); }
            }
        });
        Object.keys(saved.restyle).forEach(function (key) {
            var e = saved.restyle[key];
            if (traces.indexOf(e.i) < 0 || !same(get(gd.data[e.i], e.attr), e.set)) { return; }
            restyle[e.attr] = restyle[e.attr] || traces.map(function (i) { return get(gd.data[i], e.attr); });
            restyle[e.attr][traces.indexOf(e.i)] = e.orig;
        });
        Object.keys(saved.layout).forEach(function (path) {
            var e = saved.layout[path];
            if (same(get(gd.layout, path), e.set)) { layout[path] = e.orig; }
        });
        if (!traces.length && !Object.keys(layout).length) { return null; }
        return {restyle: restyle, layout: layout, traces: traces};
    }

    function apply(gd, resized) {
        if (!window.Plotly || !gd._fullLayout) { return; }
        if (gd._smallBusy) {  // a resize during our own update: look again after it
            if (resized === true) { gd._smallAgain = true; }
            return;
        }
        var narrow = window.innerWidth < NARROW;
        if (!narrow) {
            var back = giveBack(gd);
            if (!back) { return; }
            gd._smallBusy = true;
            var after = function () { settle(gd); };
            window.Plotly.update(gd, back.restyle, back.layout, back.traces).then(after, after);
            return;
        }
        var p = plan(gd);
        if (!p || (!p.traces.length && !Object.keys(p.layout).length)) { return; }
        var saved = gd._smallSaved || {restyle: {}, layout: {}}, data = {};
        Object.keys(p.restyle).forEach(function (attr) {
            data[attr] = p.traces.map(function (i) {
                var now = get(gd.data[i], attr), want = p.restyle[attr][i];
                if (want === undefined) { return now; }
                var key = i + ':' + attr;
                if (!saved.restyle[key] || !same(now, saved.restyle[key].set)) {
                    saved.restyle[key] = {i: i, attr: attr, orig: now};  // first change, or new from the server
                }
                saved.restyle[key].set = want;
                return want;
            });
        });
        Object.keys(p.layout).forEach(function (path) {
            var now = get(gd.layout, path);
            if (!saved.layout[path] || !same(now, saved.layout[path].set)) { saved.layout[path] = {orig: now}; }
            saved.layout[path].set = p.layout[path];
        });
        gd._smallSaved = saved;
        gd._smallBusy = true;
        var done = function () { settle(gd); };
        window.Plotly.update(gd, data, p.layout, p.traces.length ? p.traces : undefined).then(done, done);
    }

    function watch(gd) {
        if (gd._smallWatched || !gd.on) { return; }
        gd._smallWatched = true;
        gd.on('plotly_afterplot', function () { window.setTimeout(function () { apply(gd); }, 0); });
        apply(gd);
    }

    function scan() { document.querySelectorAll('.js-plotly-plot').forEach(watch); }

    var pending = null;
    new MutationObserver(function () {
        if (pending) { return; }
        pending = window.setTimeout(function () { pending = null; scan(); }, 200);
    }).observe(document.documentElement, {childList: true, subtree: true});
    window.addEventListener('resize', function () {
        window.clearTimeout(apply.resizeTimer);
        apply.resizeTimer = window.setTimeout(function () {
            document.querySelectorAll('.js-plotly-plot').forEach(function (gd) { apply(gd, true); });
        }, 300);
    });
}());
