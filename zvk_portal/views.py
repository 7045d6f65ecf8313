from django.shortcuts import render


def csrf_failure(request, reason=""):
    """A German page for an expired or missing form token; nothing was changed."""
    return render(request, "403_csrf.html", status=403)
