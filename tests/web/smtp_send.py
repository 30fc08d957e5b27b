"""Deliver mail to `otpcatch serve` over one SMTP connection, for the web inbox tests.

Reads JSON on stdin:
  send: {"host", "port", "messages": [{"from", "to": [...], "data": "raw RFC 5322 text"}]}
  bulk: {"host", "port", "to", "n"}   n small messages "Bulk message 00000".."n-1"; prints the seconds
"""
import json
import smtplib
import sys
import time


def main() -> None:
    mode = sys.argv[1]
    job = json.load(sys.stdin)
    with smtplib.SMTP(job["host"], job["port"], timeout=60) as smtp:
        if mode == "send":
            for m in job["messages"]:
                smtp.sendmail(m["from"], m["to"], m["data"].encode("utf-8"))
        elif mode == "bulk":
            to, n = job["to"], job["n"]
            t0 = time.monotonic()
            for i in range(n):
                data = (
                    f"From: Bulk Sender <bulk@sender.example>\r\nTo: {to}\r\n"
                    f"Subject: Bulk message {i:05d}\r\nMessage-ID: <bulk-{i}@sender.example>\r\n"
                    f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    f"Message number {i} of {n}.\r\n"
                )
                smtp.sendmail("bulk@sender.example", [to], data.encode("utf-8"))
            print(f"{time.monotonic() - t0:.3f}")
        else:
            sys.exit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main()
