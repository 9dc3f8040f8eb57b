from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the admin).
    return HttpResponseRedirect(static("favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("", include("postings.urls")),
    path("", include("ladder.web_urls")),
]

handler400 = "ladder.errors.bad_request"
handler403 = "ladder.errors.permission_denied"
handler404 = "ladder.errors.page_not_found"
handler500 = "ladder.errors.server_error"
