"""The front door: send each visitor where they belong."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def home(request: HttpRequest) -> HttpResponse:
    if getattr(request, "child", None) is not None:
        return redirect("drawings:canvas")
    if request.user.is_authenticated:
        return redirect("accounts:family")
    return render(request, "home.html")
