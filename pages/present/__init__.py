"""Presenter mode (/present): a full-screen sequence of views (a carousel over the categories, years
or regions of a map view, or a saved story of app addresses) with large type, a slim caption and
keyboard navigation (``assets/present.js``)."""
