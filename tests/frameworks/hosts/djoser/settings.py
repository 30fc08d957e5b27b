# Minimal Django host for djoser: configuration only. djoser is an API; its own UI here is DRF's
# browsable API, and frontend.html stands in for the frontend its mails link to.
# From the environment: PORT (the test's free port), DJANGO_DB (the sqlite file), and
# OTPCATCH_SMTP_HOST/OTPCATCH_SMTP_PORT (set by `otpcatch run`).
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "otpcatch-test"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "urls"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "django.contrib.messages", "django.contrib.staticfiles",
                  "rest_framework", "rest_framework.authtoken", "djoser"]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware",
              "django.middleware.common.CommonMiddleware",
              "django.middleware.csrf.CsrfViewMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [HERE], "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DJANGO_DB"]}}
STATIC_URL = "/static/"
USE_TZ = True
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ["OTPCATCH_SMTP_HOST"]
EMAIL_PORT = int(os.environ["OTPCATCH_SMTP_PORT"])
DEFAULT_FROM_EMAIL = "djoser@example.com"
# Token authentication first: anonymous requests get 401 (not 403), and the browsable API still
# shows its POST forms.
REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication",
                                                     "rest_framework.authentication.SessionAuthentication"]}
DJOSER = {
    "SEND_ACTIVATION_EMAIL": True,                  # the activation link
    "SEND_CONFIRMATION_EMAIL": True,                # "account activated": a notice, no link
    "PASSWORD_CHANGED_EMAIL_CONFIRMATION": True,    # "password changed": a notice, no link
    "ACTIVATION_URL": "activate/{uid}/{token}",
    "PASSWORD_RESET_CONFIRM_URL": "reset/{uid}/{token}",
    "DOMAIN": "127.0.0.1:" + os.environ.get("PORT", "8000"),
    "SITE_NAME": "otpcatch-djoser",
}
