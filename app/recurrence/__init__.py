"""RFC 5545 recurrence sets expanded by a maintained library (python-dateutil), outside the pure core.

The core (``app.sync``) asks a ``SeriesExpander`` for a series' instants; ``RruleExpander`` is the
one the services inject.
"""
from app.recurrence.expander import RruleExpander

__all__ = ["RruleExpander"]
