from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("postings.urls")),
    path("", include("ladder.web_urls")),
]

handler400 = "ladder.errors.bad_request"
handler403 = "ladder.errors.permission_denied"
handler404 = "ladder.errors.page_not_found"
handler500 = "ladder.errors.server_error"
