from django.urls import path, re_path

from postings import views

app_name = "postings"

urlpatterns = [
    path("postings/", views.posting_list, name="list"),
    path("postings/upload/", views.posting_upload, name="upload"),
    path("postings/<int:pk>/", views.posting_detail, name="detail"),
    path("postings/<int:pk>/level/", views.posting_confirm_level, name="confirm-level"),
    re_path(
        r"^postings/(?P<pk>\d+)/compare/grade/(?P<number>\d+(?:\.\d+)?)/$",
        views.posting_compare_grade,
        name="compare-grade",
    ),
    path(
        "postings/<int:pk>/compare/<slug:family_slug>/<slug:level_slug>/",
        views.posting_compare_level,
        name="compare-level",
    ),
    path("api/postings/", views.api_posting_list, name="api-list"),
    path("api/postings/<int:pk>/", views.api_posting_detail, name="api-detail"),
]
