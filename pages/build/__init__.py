"""Build your own (/build): custom categories and regions, with live preview, and the library."""
