"""The portal's session store: Django's database sessions, written once per login instead of three times.

Django's `cycle_key()` at login inserts the new session at once (after a query whether its random key exists) and
updates it with the login's data when the response goes out. Here the new key is only chosen at `cycle_key()`
and the row is inserted once, with the data, when the response saves the session; the old session is deleted at
once as before (SESS-01). A 32-character random key does not collide in practice, and the INSERT's unique key
refuses one that does: a new key is then drawn and the INSERT tried again. The INSERT runs in autocommit, without a
transaction of its own.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.db import IntegrityError, router, transaction
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
                self._insert()
            except CreateError:
                self._session_key = self._get_new_session_key()
                continue
            self._insert_pending = False
            return None

    def _insert(self) -> None:
        """The new session's one INSERT. Outside a transaction it is atomic by itself, and a refused key leaves the
        connection usable: Django's own transaction around it (BEGIN and COMMIT, two more round trips of a login) is
        kept only inside another transaction, whose work a refused INSERT must not undo."""
        instance = self.create_model_instance(self._get_session(no_load=True))
        using = router.db_for_write(self.model, instance=instance)
        if transaction.get_connection(using).in_atomic_block:
            return super().save(must_create=True)
        try:
            instance.save(force_insert=True, using=using)
        except IntegrityError as error:
            raise CreateError from error
