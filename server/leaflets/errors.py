"""The one error every leaflet step raises."""


class LeafletError(Exception):
    """A leaflet cannot be made or written; the message says why and what to do."""
