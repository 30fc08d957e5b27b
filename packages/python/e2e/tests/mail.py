"""Sending a test message straight to the run's otpcatch server over SMTP."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from otpcatch import Server


def send(server: Server, to: str, subject: str, text: str, sender: str = "Tester <tester@site.example.test>") -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    with smtplib.SMTP(server.smtp_host, server.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)
