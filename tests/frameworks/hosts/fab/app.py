# Minimal Flask-AppBuilder host: database auth with self-registration, which mails an activation
# link (FAB's default template; Flask-Mail sends it with an empty text part). Configuration only.
# From the environment: PORT (the test's free port), FAB_DB (the sqlite file), and
# OTPCATCH_SMTP_HOST/OTPCATCH_SMTP_PORT (set by `otpcatch run`).
import os

from flask import Flask
from flask_appbuilder import AppBuilder
from flask_appbuilder.models.sqla.base import SQLA
from flask_appbuilder.security.manager import AUTH_DB

app = Flask(__name__)
app.config.update(
    SECRET_KEY="otpcatch-test",
    SQLALCHEMY_DATABASE_URI="sqlite:///" + os.environ["FAB_DB"],
    AUTH_TYPE=AUTH_DB,
    AUTH_USER_REGISTRATION=True,              # /register/form and the activation mail
    AUTH_USER_REGISTRATION_ROLE="Public",
    RECAPTCHA_ENABLED=False,                  # no reCAPTCHA widget or check (no network)
    MAIL_SERVER=os.environ["OTPCATCH_SMTP_HOST"],
    MAIL_PORT=int(os.environ["OTPCATCH_SMTP_PORT"]),
    MAIL_USE_TLS=False,
    MAIL_DEFAULT_SENDER="fab@example.com",
)
db = SQLA(app)
with app.app_context():
    appbuilder = AppBuilder(app, db.session)

if __name__ == "__main__":
    app.run("127.0.0.1", int(os.environ["PORT"]))
