from django.urls import path

from . import export_views, views

app_name = "drafting"

urlpatterns = [
    path("<slug:slug>/", views.document_page, name="document"),
    path("<slug:slug>/versions/", views.versions_page, name="versions"),
    path("<slug:slug>/compare/", views.compare_page, name="compare"),
    path("<slug:slug>/freeze/", views.freeze, name="freeze"),
    path("<slug:slug>/signatories/", views.signatories_page, name="signatories"),
    path("<slug:slug>/sign/", views.sign, name="sign"),
    path("<slug:slug>/articles/<int:pk>/", views.article_page, name="article"),
    path("<slug:slug>/articles/<int:pk>/propose/", views.propose, name="propose"),
    path("<slug:slug>/articles/<int:pk>/opinion/", views.opine, name="opine"),
    path("<slug:slug>/articles/<int:pk>/cite/", views.cite, name="cite"),
    path("<slug:slug>/articles/<int:pk>/translate/", views.translate, name="translate"),
    path("sources/<int:pk>/remove/", views.uncite, name="uncite"),
    path("amendments/<int:pk>/", views.amendment_page, name="amendment"),
    path("amendments/<int:pk>/vote/", views.vote, name="vote"),
    path("amendments/<int:pk>/endorse/", views.endorse, name="endorse"),
    path("amendments/<int:pk>/decide/", views.decide, name="decide"),
    path("amendments/<int:pk>/comment/", views.comment, name="comment"),
    path("amendments/<int:pk>/moderate/", views.moderate_amendment, name="moderate"),
    path("comments/<int:pk>/report/", views.report_comment, name="report_comment"),
    path("comments/<int:pk>/moderate/", views.moderate_comment, name="moderate_comment"),
    path("<slug:slug>/export/", export_views.export, name="export"),
]
