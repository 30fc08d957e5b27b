from django.urls import include, path
from django.views.generic import TemplateView

# frontend.html is the page djoser's links lead to (ACTIVATION_URL, PASSWORD_RESET_CONFIRM_URL),
# and a sign-in page; it calls djoser's API as a real frontend would.
frontend = TemplateView.as_view(template_name="frontend.html")
urlpatterns = [
    path("auth/", include("djoser.urls")),
    path("auth/", include("djoser.urls.authtoken")),
    path("activate/<str:uid>/<str:token>", frontend),
    path("reset/<str:uid>/<str:token>", frontend),
    path("login/", frontend),
]
