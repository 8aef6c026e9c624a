"""URLs of the live opinion map, added to the synthesis app's (namespace ``synthesis``)."""

from django.urls import path

from . import live_views

urlpatterns = [
    path("<slug:consultation_slug>/live/", live_views.live_page, name="live"),
    path("<slug:consultation_slug>/live/map/", live_views.live_fragment, name="live_fragment"),
    path("<slug:consultation_slug>/live/switch/", live_views.live_switch, name="live_switch"),
    path("<slug:consultation_slug>/live/polis/", live_views.polis_replay, name="live_polis_replay"),
    path("live/updates/<int:pk>/", live_views.update_page, name="live_update"),
    path("live/updates/<int:pk>/pin/", live_views.live_pin, name="live_pin"),
]
