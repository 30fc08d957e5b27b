# Minimal Django host for django-two-factor-auth with its email method (django-otp's EmailDevice):
# configuration only. OTP_MODE=html adds an HTML alternative to the code mail; otherwise the mail
# is django-otp's default, text only (otp/email/token.txt).
# From the environment: DJANGO_DB (the sqlite file), OTPCATCH_SMTP_HOST/PORT (set by `otpcatch run`).
import os

SECRET_KEY = "otpcatch-test"
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "urls"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                  "django.contrib.messages", "django.contrib.staticfiles", "django_otp",
                  "django_otp.plugins.otp_static", "django_otp.plugins.otp_totp",
                  "django_otp.plugins.otp_email", "two_factor", "two_factor.plugins.email"]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware",
              "django.middleware.common.CommonMiddleware",
              "django.middleware.csrf.CsrfViewMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django_otp.middleware.OTPMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.auth.context_processors.auth",
                                                 "django.contrib.messages.context_processors.messages"]}}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DJANGO_DB"]}}
STATIC_URL = "/static/"
USE_TZ = True
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "two_factor:profile"
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ["OTPCATCH_SMTP_HOST"]
EMAIL_PORT = int(os.environ["OTPCATCH_SMTP_PORT"])
DEFAULT_FROM_EMAIL = "two-factor@example.com"
OTP_EMAIL_COOLDOWN_DURATION = 0   # a code at setup, then another at login, within seconds
# django-otp sends no HTML by default; it renders this string as a template when set.
if os.environ.get("OTP_MODE") == "html":
    OTP_EMAIL_BODY_HTML_TEMPLATE = "<p>Your token: <b>{{ token }}</b></p>"
