"""Rows that are written once and never changed: the audit log and the access log. The model and its queryset refuse
every change and deletion with the model's German messages; on PostgreSQL a trigger on the table refuses them too,
and each log's one allowed change (pseudonymisation, the deletion rule) goes through a database function of its
own, past these methods (`QuerySet.update(...)` / `QuerySet.delete(...)` called on the plain class)."""

from django.db import models


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(self.model.REFUSED_CHANGE)

    def delete(self):
        raise AppendOnlyError(self.model.REFUSED_DELETION)


class AppendOnly(models.Model):
    """An append-only model names its refusals: `REFUSED_CHANGE`, `REFUSED_DELETION`; its manager's queryset derives
    from `AppendOnlyQuerySet`."""

    REFUSED_CHANGE = "Dieser Eintrag kann nicht geändert werden."
    REFUSED_DELETION = "Dieser Eintrag kann nicht gelöscht werden."

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(self.REFUSED_CHANGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(self.REFUSED_DELETION)
