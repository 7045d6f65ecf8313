"""The "security" log (checklist LOG-01 to LOG-06): one JSON line per event, see LOGGING in the settings.

Each record carries `event` (a code like "login.failed"), `outcome` (granted, refused, throttled, denied …),
`user_id` and `ip`, plus a few details. The JSON formatter adds a UTC timestamp and escapes CR/LF and other
control characters, so a login name like "x\\r\\nFAKE" cannot forge a second line.

Never pass a password, one-time password, session key or CSRF token: the tests capture all log output of
the login, reset and one-time password flows and look for them.
"""

import logging

logger = logging.getLogger("security")

# A login name is logged for failed attempts (which account was tried); cut so a flood cannot fill the disk.
MAX_LOGIN_NAME = 254


def event(name: str, *, outcome: str, user=None, ip: str | None = None, level: int = logging.INFO, **details) -> None:
    """Log one security event. `user` may be a User, a primary key or None."""
    user_id = getattr(user, "pk", user)
    logger.log(level, name, extra={"event": name, "outcome": outcome, "user_id": user_id, "ip": ip, **details})


def warning(name: str, **kwargs) -> None:
    """A refusal or anything else an operator should look at."""
    event(name, level=logging.WARNING, **kwargs)


def login_name(value: str | None) -> str:
    return (value or "")[:MAX_LOGIN_NAME]
