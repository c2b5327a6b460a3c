"""Signed-in sessions: one row per login, named by the session cookie and the remember-me
cookie. Deleting the row signs that browser out, whatever copies of its cookies exist."""

import re
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import sessions
from core.extensions import db
from models.base import UTCDateTime, utcnow

# (name, pattern) in the order they are tried: the browsers built on Chrome name Chrome too,
# and Chrome names Safari, so the more particular come first.
BROWSERS = [
    ("Edge", r"\bEdg(?:e|A|iOS)?/"),
    ("Opera", r"\bOPR/|\bOpera\b"),
    ("Cốc Cốc", r"coc_coc_browser|\bCocCoc"),
    ("Zalo", r"\bZalo"),
    ("Facebook", r"\bFBA[NV]/|\bFB_IAB/"),
    ("Samsung Internet", r"\bSamsungBrowser/"),
    ("Firefox", r"\bFirefox/|\bFxiOS/"),
    ("Chrome", r"\bChrome/|\bCriOS/"),
    ("Safari", r"\bVersion/[\d.]+.*\bSafari/"),
    ("Internet Explorer", r"\bMSIE |\bTrident/"),
]
SYSTEMS = [
    ("Android", r"\bAndroid\b"),
    ("iPhone", r"\biPhone\b"),
    ("iPad", r"\biPad\b"),
    ("Windows", r"\bWindows\b"),
    ("ChromeOS", r"\bCrOS\b"),
    ("macOS", r"\bMacintosh\b|\bMac OS X\b"),
    ("Linux", r"\bLinux\b"),
]


def _first_match(table, text):
    for name, pattern in table:
        if re.search(pattern, text):
            return name
    return None


@sessions.bind_model
class LoginSession(db.Model):
    __tablename__ = "login_sessions"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'staff' AND staff_id IS NOT NULL AND customer_id IS NULL)"
            " OR (kind = 'customer' AND customer_id IS NOT NULL AND staff_id IS NULL)",
            name="one_person",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 of the secret the cookie carries: the table alone opens no session.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # "staff" or "customer"
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    # The shop whose login page opened it (a staff session also opens the staff's other shops).
    # The shop whose login this was; None for a staff user with no shop, signed in on the
    # platform's own login page.
    shop_id: Mapped[int | None] = mapped_column(
        ForeignKey("shops.id", ondelete="CASCADE"), index=True
    )
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str] = mapped_column(String(255), default="")

    shop = relationship("Shop")

    @property
    def browser(self):
        """A short name of the browser (``Chrome``), or None when the User-Agent says none."""
        return _first_match(BROWSERS, self.user_agent or "")

    @property
    def system(self):
        """The device's system (``Android``, ``iPhone``, ``Windows``…), or None."""
        return _first_match(SYSTEMS, self.user_agent or "")

    def __repr__(self):
        return f"<LoginSession {self.kind} {self.id}>"
