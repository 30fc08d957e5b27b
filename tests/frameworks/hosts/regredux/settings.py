# Minimal Django host for django-registration-redux (default backend: an activation link by
# mail), with its own templates; templates/base.html is the one template a site must supply.
# Configuration only. REG_MODE=text sends the activation mail as text only
# (REGISTRATION_EMAIL_HTML = False); otherwise it is redux's default, text and HTML (multipart).
# From the environment: DJANGO_DB (the sqlite file), OTPCATCH_SMTP_HOST/PORT (set by `otpcatch run`).
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "otpcatch-test"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "urls"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "django.contrib.messages", "django.contrib.staticfiles", "registration"]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware",
              "django.middleware.common.CommonMiddleware",
              "django.middleware.csrf.CsrfViewMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "DIRS": [os.path.join(HERE, "templates")],
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DJANGO_DB"]}}
STATIC_URL = "/static/"
USE_TZ = True
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ["OTPCATCH_SMTP_HOST"]
EMAIL_PORT = int(os.environ["OTPCATCH_SMTP_PORT"])
DEFAULT_FROM_EMAIL = "registration@example.com"
ACCOUNT_ACTIVATION_DAYS = 7
LOGIN_REDIRECT_URL = "/accounts/password/change/"  # a page that needs a login: reaching it proves one
REGISTRATION_EMAIL_HTML = os.environ.get("REG_MODE", "html") != "text"
