from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCLogoutView

from ladder import health, oidc


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (the admin).
    return HttpResponseRedirect(static("favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("healthz", health.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, extra_context={"sso_url": oidc.sign_in_url}
        ),
        name="login",
    ),
    # One sign-out for every kind of account; it also ends the provider's session when the
    # person came by single sign-on (OIDC_OP_LOGOUT_URL_METHOD).
    path("accounts/logout/", OIDCLogoutView.as_view(), name="logout"),
    # The names mozilla-django-oidc reverses.
    path(
        "oidc/authenticate/",
        oidc.AuthenticationRequestView.as_view(),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        OIDCAuthenticationCallbackView.as_view(),
        name="oidc_authentication_callback",
    ),
    path("admin/", admin.site.urls),
    path("", include("postings.urls")),
    path("", include("ladder.web_urls")),
]

handler400 = "ladder.errors.bad_request"
handler403 = "ladder.errors.permission_denied"
handler404 = "ladder.errors.page_not_found"
handler500 = "ladder.errors.server_error"
