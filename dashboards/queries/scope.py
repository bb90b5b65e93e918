"""Building the WHERE clause of a query: the viewer's row-level rule, then the filters.

Column names are always written in the query modules, never taken from input; values are
always ``?`` parameters, so a filter value can never change what a query means.
"""

from __future__ import annotations

from dashboards.access import Viewer


class Where:
    def __init__(self) -> None:
        self._clauses: list[str] = []
        self.params: list[object] = []

    def add(self, clause: str, *params: object) -> Where:
        self._clauses.append(clause)
        self.params.extend(params)
        return self

    def equals(self, column: str, value: object) -> Where:
        """``column = value``, left out when no value is chosen (None or empty)."""
        if value is None or value == "":
            return self
        return self.add(f"{column} = ?", value)

    def between(self, column: str, low: object, high: object) -> Where:
        if low is not None:
            self.add(f"{column} >= ?", low)
        if high is not None:
            self.add(f"{column} <= ?", high)
        return self

    @property
    def sql(self) -> str:
        return ("where " + " and ".join(self._clauses)) if self._clauses else ""


def viewer_rows(viewer: Viewer, agency_column: str) -> Where:
    """A WHERE clause holding the viewer's row-level rule: an agency sees rows of its own
    agency only (rows of the lender's own staff have no agency and never match)."""
    where = Where()
    if viewer.is_agency:
        where.add(f"{agency_column} = ?", viewer.agency_id)
    return where
