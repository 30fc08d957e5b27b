"""A small site of otpcatch's own, for the examples and the packages' tests.
Standard library only.

- Sign up with an email address, receive a six-digit code by email over
  SMTP, enter it, and the account is verified (`/`).
- Once verified, turn on two-factor sign-in: the site shows a TOTP secret
  (RFC 6238, 6 digits, 30 s, SHA-1) and asks for its current code
  (`/2fa?email=…`).
- Or sign in by email: ask for a link (`/signin`), open the one-time link
  the email carries, and the page says who is signed in.

    python3 site.py [--port 0]

Mail goes to OTPCATCH_SMTP_HOST:OTPCATCH_SMTP_PORT (set by `otpcatch run`).
Prints "listening on http://127.0.0.1:PORT" once ready.
"""

import argparse
import base64
import hashlib
import hmac
import html
import http.server
import os
import secrets
import smtplib
import struct
import sys
import time
import urllib.parse
from email.message import EmailMessage

ACCOUNTS = {}  # email -> {"code": str, "verified": bool, "totp_secret": str | None, "two_factor": bool}
SIGN_IN_LINKS = {}  # one-time token -> email

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1 id="status">{title}</h1>{body}</main></body></html>"""


def totp_now(secret, at=None):
    """The current RFC 6238 code for a base32 secret: 6 digits, 30 s, SHA-1."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def send(address, subject, text, markup):
    message = EmailMessage()
    message["From"] = "Example Site <no-reply@site.example.test>"
    message["To"] = address
    message["Subject"] = subject
    message.set_content(text)
    message.add_alternative(markup, subtype="html")
    host = os.environ.get("OTPCATCH_SMTP_HOST", "127.0.0.1")
    port = int(os.environ.get("OTPCATCH_SMTP_PORT", "2525"))
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        smtp.send_message(message)


def send_code(address, code):
    send(address, "Confirm your Example Site account",
         f"Welcome!\n\nYour verification code is {code}. It expires in 10 minutes.\n",
         f"<p>Welcome!</p><p>Your verification code is</p><p style=\"font-size:28px\"><b>{code}</b></p>"
         "<p>It expires in 10 minutes.</p>")


def send_sign_in_link(address, link):
    send(address, "Sign in to Example Site",
         f"Hello,\n\nUse this link to sign in to Example Site:\n{link}\n\nIt works once, for 15 minutes.\n",
         f"<p>Hello,</p><p><a href=\"{html.escape(link)}\">Sign in to Example Site</a></p>"
         "<p>The link works once, for 15 minutes.</p>")


class Site(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, title, body):
        content = PAGE.format(title=html.escape(title), body=body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def form(self):
        length = int(self.headers.get("Content-Length", "0"))
        return {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}

    def do_GET(self):
        path = urllib.parse.urlparse(self.path)
        if path.path == "/":
            self.reply(200, "Sign up", '<form method="post" action="/signup"><input id="email" name="email" type="email">'
                       '<button id="signup" type="submit">Sign up</button></form>')
        elif path.path == "/verify":
            email = html.escape(urllib.parse.parse_qs(path.query).get("email", [""])[0])
            self.reply(200, "Check your email", f'<form method="post" action="/verify"><input type="hidden" name="email" value="{email}">'
                       '<input id="code" name="code" inputmode="numeric"><button id="verify" type="submit">Verify</button></form>')
        elif path.path == "/2fa":
            email = urllib.parse.parse_qs(path.query).get("email", [""])[0]
            account = ACCOUNTS.get(email)
            if not account or not account["verified"]:
                self.reply(403, "Verify your email first", "")
                return
            account["totp_secret"] = account["totp_secret"] or base64.b32encode(secrets.token_bytes(20)).decode()
            self.reply(200, "Turn on two-factor sign-in",
                       f'<p>Add this secret to your authenticator: <code id="secret">{account["totp_secret"]}</code></p>'
                       f'<form method="post" action="/2fa"><input type="hidden" name="email" value="{html.escape(email)}">'
                       '<input id="totp" name="code" inputmode="numeric"><button id="enable" type="submit">Turn on</button></form>')
        elif path.path == "/signin":
            self.reply(200, "Sign in", '<form method="post" action="/signin"><input id="email" name="email" type="email">'
                       '<button id="send-link" type="submit">Email me a link</button></form>')
        elif path.path == "/magic":
            email = SIGN_IN_LINKS.pop(urllib.parse.parse_qs(path.query).get("token", [""])[0], None)
            if email:
                self.reply(200, "Signed in", f'<p id="who">{html.escape(email)}</p>')
            else:
                self.reply(400, "This link has expired", "")
        else:
            self.reply(404, "Not found", "")

    def do_POST(self):
        fields = self.form()
        email = fields.get("email", "").strip().lower()
        if self.path == "/signup":
            code = f"{secrets.randbelow(1_000_000):06d}"
            ACCOUNTS[email] = {"code": code, "verified": False, "totp_secret": None, "two_factor": False}
            send_code(email, code)
            self.send_response(303)
            self.send_header("Location", "/verify?" + urllib.parse.urlencode({"email": email}))
            self.end_headers()
        elif self.path == "/verify":
            account = ACCOUNTS.get(email)
            if account and fields.get("code", "").strip() == account["code"]:
                account["verified"] = True
                self.reply(200, "Account verified", "")
            else:
                self.reply(400, "Wrong code", "")
        elif self.path == "/2fa":
            account = ACCOUNTS.get(email)
            secret = account and account["totp_secret"]
            if secret and fields.get("code", "").strip() == totp_now(secret):
                account["two_factor"] = True
                self.reply(200, "Two-factor sign-in is on", "")
            else:
                self.reply(400, "Wrong code", "")
        elif self.path == "/signin":
            token = secrets.token_urlsafe(24)
            SIGN_IN_LINKS[token] = email
            host, port = self.server.server_address[:2]
            send_sign_in_link(email, f"http://{host}:{port}/magic?token={token}")
            self.reply(200, "Check your email", "")
        else:
            self.reply(404, "Not found", "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    port = parser.parse_args().port
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Site)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
