"""A small site of otpcatch's own, for the examples: sign up with an email
address, receive a six-digit code by email over SMTP, enter it, and the
account is verified. Standard library only.

    python3 site.py [--port 0]

Mail goes to OTPCATCH_SMTP_HOST:OTPCATCH_SMTP_PORT (set by `otpcatch run`).
Prints "listening on http://127.0.0.1:PORT" once ready.
"""

import argparse
import html
import http.server
import os
import secrets
import smtplib
import sys
import urllib.parse
from email.message import EmailMessage

ACCOUNTS = {}  # email -> {"code": str, "verified": bool}

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1 id="status">{title}</h1>{body}</main></body></html>"""


def send_code(address, code):
    message = EmailMessage()
    message["From"] = "Example Site <no-reply@site.example.test>"
    message["To"] = address
    message["Subject"] = "Confirm your Example Site account"
    message.set_content(f"Welcome!\n\nYour verification code is {code}. It expires in 10 minutes.\n")
    message.add_alternative(
        f"<p>Welcome!</p><p>Your verification code is</p><p style=\"font-size:28px\"><b>{code}</b></p>"
        "<p>It expires in 10 minutes.</p>",
        subtype="html",
    )
    host = os.environ.get("OTPCATCH_SMTP_HOST", "127.0.0.1")
    port = int(os.environ.get("OTPCATCH_SMTP_PORT", "2525"))
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        smtp.send_message(message)


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
        else:
            self.reply(404, "Not found", "")

    def do_POST(self):
        fields = self.form()
        email = fields.get("email", "").strip().lower()
        if self.path == "/signup":
            code = f"{secrets.randbelow(1_000_000):06d}"
            ACCOUNTS[email] = {"code": code, "verified": False}
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
