"""Component ids of /upload."""
PREFIX = "upload"
FILE = "upload-file"                  # dcc.Upload
ENDPOINT = "upload-endpoint"          # dcc.Store: the address the file is sent to (POST, JSON)
RECEIVED = "upload-received"          # dcc.Store: the endpoint's answer (problems, or preview and pending id)
SIZE_NOTE = "upload-size-note"        # a file over the size limit (assets/upload_size.js: dcc.Upload drops it silently)
STATUS = "upload-status"              # what happened to the last file (sending, refused, read)
PREVIEW = "upload-preview"            # the preview: summary, unmapped codes, first rows
BENCHMARK = "upload-benchmark"        # dbc.RadioItems: self / eu / us
ANALYSE = "upload-analyse"            # button
ANALYSE_AREA = "upload-analyse-area"  # benchmark + button (shown for a clean file)
RESULT = "upload-result"              # links to the analysed upload, its delete token
TOKENS = "upload-tokens"              # dcc.Store (localStorage): {key: {token, filename, expires}} of this browser
MINE = "upload-mine"                  # the uploads of this browser (open / delete)
MINE_MSG = "upload-mine-message"
DELETE = "upload-delete"              # pattern id {"type": DELETE, "index": n}
PREVIEW_TABLE = "upload-preview-table"
ERRORS = "upload-errors"
