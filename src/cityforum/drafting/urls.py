from django.urls import path

from . import views

app_name = "drafting"

urlpatterns = [
    path("<slug:slug>/", views.document_page, name="document"),
    path("<slug:slug>/versions/", views.versions_page, name="versions"),
    path("<slug:slug>/compare/", views.compare_page, name="compare"),
    path("<slug:slug>/articles/<int:pk>/", views.article_page, name="article"),
    path("<slug:slug>/articles/<int:pk>/propose/", views.propose, name="propose"),
    path("amendments/<int:pk>/vote/", views.vote, name="vote"),
    path("amendments/<int:pk>/endorse/", views.endorse, name="endorse"),
    path("amendments/<int:pk>/decide/", views.decide, name="decide"),
]
