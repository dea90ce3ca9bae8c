"""View helpers shared by the apps."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

View = Callable[..., HttpResponse]


def post_only(page: str, **arguments: str) -> Callable[[View], View]:
    """Like ``require_POST``, but a GET of the URL (a reload after an error, the language switch,
    a bookmarked step) goes to the page the form is on instead of a browser 405.

    ``arguments`` map the page's URL arguments to the view's: ``post_only("cases:application",
    pk="pk")``.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: str | int) -> HttpResponse:
            if request.method != "POST":
                return redirect(
                    reverse(
                        page, kwargs={name: kwargs[source] for name, source in arguments.items()}
                    )
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def add_errors(form: Form, exc: ValidationError) -> None:
    """Put an action's ``ValidationError`` on the form: on the field it names when the form has
    it, else above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def report_errors(request: HttpRequest, form: Form | None, exc: ValidationError) -> None:
    """Put an action's ``ValidationError`` on the form's fields when it names fields (above the
    form for a name the form lacks); else show it as an error message on the page (a refusal
    of the move itself: the stage, the role)."""
    if form is not None and hasattr(exc, "error_dict"):
        add_errors(form, exc)
    else:
        messages.error(request, messages_of(exc))


def messages_of(exc: ValidationError) -> str:
    """An action's refusal as one line."""
    return "；".join(exc.messages)
