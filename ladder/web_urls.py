from django.urls import path, re_path

from ladder import api, views

app_name = "ladder"

urlpatterns = [
    path("", views.index, name="index"),
    path("families/<slug:slug>/", views.family, name="family"),
    path("families/<slug:slug>/history/", views.family_history, name="family-history"),
    path(
        "families/<slug:slug>/history/<int:a>/<int:b>/",
        views.family_history_diff,
        name="family-history-diff",
    ),
    path("families/<slug:family_slug>/<slug:level_slug>/", views.level, name="level"),
    re_path(r"^grades/(?P<number>\d+(?:\.\d+)?)/$", views.grade, name="grade"),
    path("search/", views.search, name="search"),
    path("compare/", views.compare, name="compare"),
    path("compare/levels/", views.compare_level_options, name="compare-levels"),
    path("compare/find/", views.compare_find, name="compare-find"),
    path("api/families/", api.family_list, name="api-families"),
    path("api/families/<slug:slug>/", api.family_detail, name="api-family"),
    re_path(r"^api/(?P<rest>.*)$", api.not_found),
]
