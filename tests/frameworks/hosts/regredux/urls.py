from django.urls import include, path

urlpatterns = [path("accounts/", include("registration.backends.default.urls"))]
