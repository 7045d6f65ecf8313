"""A guard for helpers that change rows as part of their caller's transaction."""

import functools

from django.db import connection


def inside_transaction(function):
    """The decorated helper must run inside the calling service's `transaction.atomic()`: it relies on the row locks
    taken there and on one commit for the whole change. Called outside one, it refuses instead of committing half."""

    @functools.wraps(function)
    def guarded(*args, **kwargs):
        if not connection.in_atomic_block:
            raise RuntimeError(f"{function.__qualname__} must run inside its caller's transaction")
        return function(*args, **kwargs)

    return guarded
