"""Django's SQLite backend with the German order of names (base/collation.py) registered on every connection, so
that a column declared with that collation (and its index) sorts the same as on PostgreSQL."""

from django.db.backends.sqlite3 import base

from base import collation


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.create_collation(collation.NAME, collation.compare)
        return connection
