"""The portal's session store: Django's database sessions, written once per login instead of three times.

Django's `cycle_key()` at login inserts the new session at once (after a query whether its random key exists) and
updates it with the login's data when the response goes out. Here the new key is only chosen at `cycle_key()`
and the row is inserted once, with the data, when the response saves the session; the old session is deleted at
once as before (SESS-01). A 32-character random key does not collide in practice, and the INSERT's unique key
refuses one that does: a new key is then drawn and the INSERT tried again.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.utils.crypto import get_random_string


class SessionStore(db.SessionStore):
    _insert_pending = False

    def _get_new_session_key(self) -> str:
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self) -> None:
        data = self._session
        old_key = self.session_key
        self._session_key = self._get_new_session_key()
        self._session_cache = data
        self._insert_pending = True
        self.modified = True
        if old_key:
            self.delete(old_key)

    def save(self, must_create: bool = False) -> None:
        if self.session_key is None:
            return self.create()
        if not (must_create or self._insert_pending):
            return super().save()
        while True:
            try:
                super().save(must_create=True)
            except CreateError:
                self._session_key = self._get_new_session_key()
                continue
            self._insert_pending = False
            return None
