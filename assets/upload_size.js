/* /upload: a file over the size limit gets a message at once.
 *
 * dcc.Upload with max_size drops a larger file without firing any callback (plotly/dash#2638), so
 * the page would stay silent. This listens to the file picker and to drops on the upload area
 * (#upload-file) and, for a file larger than the limit (data-max-bytes of #upload-size-note, the
 * server's own limit), shows the note; a file within the limit hides it again. Nothing is read or sent.
 */
(function () {
    'use strict';
    var ZONE = 'upload-file', NOTE = 'upload-size-note';

    function mb(bytes) { return (bytes / 1048576).toLocaleString('en', {maximumFractionDigits: 1}) + ' MB'; }

    function check(files) {
        var note = document.getElementById(NOTE);
        if (!note || !files || !files.length) { return; }
        var max = +note.getAttribute('data-max-bytes'), file = files[0];
        if (max && file.size > max) {
            note.textContent = file.name + ': the file is ' + mb(file.size) + '; the limit is ' + mb(max) +
                ': refused before reading it, nothing imported. Split it (for example by year) or keep only ' +
                'the columns the template has.';
            note.hidden = false;
        } else {
            note.hidden = true;
            note.textContent = '';
        }
    }

    document.addEventListener('change', function (event) {
        var t = event.target;
        if (t && t.type === 'file' && t.closest && t.closest('#' + ZONE)) { check(t.files); }
    }, true);
    document.addEventListener('drop', function (event) {
        var t = event.target;
        if (t && t.closest && t.closest('#' + ZONE) && event.dataTransfer) { check(event.dataTransfer.files); }
    }, true);
}());
