"""What was typed into a form sent after the session ended: kept across the new login, for its owner only.

A view names the fields worth keeping (`keeps_input`): never a password, a one-time password or a code. When its
form arrives after the idle or absolute timeout (accounts.middleware), the named fields of the POST and the named
entries of the ended session (e.g. step 1 of a two-step form) are put aside in the new, anonymous session under
the ended user's id and the form's path; nothing is saved. After the next login of the *same* user the view asks
`restored(request)` on the first visit of that path and shows the form filled in again, to be checked and sent once
more. Another user's login drops them (`forget_unless`).
"""

from django.http import QueryDict

KEY = "typed_input"


def keeps_input(*fields: str, session_keys: tuple[str, ...] = ()):
    """Mark a view whose form keeps `fields` (and the session entries `session_keys`) across an ended session."""

    def decorator(view):
        view.keeps_input = (fields, session_keys)
        return view

    return decorator


def put_aside(request, view_func, *, user_id: int, ended_session: dict) -> bool:
    """Keep the named input of a form sent after the session of `user_id` ended; True if anything was kept."""
    fields, session_keys = getattr(view_func, "keeps_input", ((), ()))
    post = {field: request.POST.getlist(field) for field in fields if field in request.POST}
    carried = {key: ended_session[key] for key in session_keys if key in ended_session}
    if not post and not carried:
        return False
    request.session[KEY] = {"user": user_id, "path": request.path, "post": post, "session": carried}
    return True


def restored(request) -> QueryDict | None:
    """The input kept for this user and this page, once; the session entries it carried are put back."""
    kept = request.session.get(KEY)
    if not kept or kept["user"] != request.user.pk or kept["path"] != request.path:
        return None
    del request.session[KEY]
    for key, value in kept["session"].items():
        request.session[key] = value
    data = QueryDict(mutable=True)
    for field, values in kept["post"].items():
        data.setlist(field, values)
    return data


def forget_unless(request, user) -> None:
    """At a login: input kept for someone else is dropped."""
    kept = request.session.get(KEY)
    if kept and kept["user"] != user.pk:
        del request.session[KEY]
