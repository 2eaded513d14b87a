from django.urls import path

from drawings.consumers import ChildEventsConsumer

websocket_urlpatterns = [path("ws/", ChildEventsConsumer.as_asgi())]
