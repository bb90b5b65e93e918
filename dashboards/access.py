"""Who may see what: the roles, the pages each role may open, who sees unmasked evidence.

Row-level rules live in the query layer (``queries/scope.py``): every query function takes the
signed-in :class:`Viewer` and refuses (``AccessDenied``) or narrows its rows itself, so no page
or filter can widen what a role sees.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("analyst", "risk", "compliance", "management", "agency")
INTERNAL_ROLES = ("analyst", "risk", "compliance", "management")
# Personal data in clear (original captures, unmuted audio, names and numbers): these only.
UNMASKED_ROLES = ("compliance", "risk")

# Page key (its URL path) → title and the roles that may open it. An agency sees only pages
# that can be narrowed to its own cases, conversations and figures.
PAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "overview": ("Overview", INTERNAL_ROLES),
    "channels": ("Channels", INTERNAL_ROLES),
    "sales_compliance": ("Sales compliance", ROLES),
    "collections": ("Collections", ROLES),
    "best_time_to_call": ("Best time to call", ROLES),
    "credit": ("Credit", ("analyst", "risk", "management")),
    "search": ("Search", ROLES),
    "data_health": ("Data health", INTERNAL_ROLES),
}


class AccessDenied(PermissionError):
    """The viewer's role may not see what was asked for."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in user as the query layer sees it."""

    username: str
    role: str
    agency_id: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"user {self.username!r}: unknown role {self.role!r} "
                             f"(one of {', '.join(ROLES)})")
        if (self.role == "agency") != bool(self.agency_id):
            raise ValueError(f"user {self.username!r}: an agency user needs an agency_id and "
                             "no other role may have one")

    @property
    def is_agency(self) -> bool:
        return self.role == "agency"

    @property
    def unmasked(self) -> bool:
        return self.role in UNMASKED_ROLES

    def may_open(self, page: str) -> bool:
        return self.role in PAGES[page][1]


def require_page(viewer: Viewer, page: str) -> None:
    if not viewer.may_open(page):
        raise AccessDenied(f"role {viewer.role} may not open {PAGES[page][0]}")


def require_internal(viewer: Viewer, what: str) -> None:
    """Lender-wide figures (all agencies and the in-house teams together)."""
    if viewer.is_agency:
        raise AccessDenied(f"{what} covers every handler; an agency sees only its own figures")
