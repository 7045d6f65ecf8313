from functools import wraps

from django.core.exceptions import PermissionDenied


def role_required(role):
    """Administrator pages refuse clerks and vice versa with 403 (anonymous users never get this far:
    LoginRequiredMiddleware sends them to the login page)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if getattr(request.user, "role", None) != role:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
