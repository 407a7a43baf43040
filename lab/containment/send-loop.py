#!/usr/bin/python3
# The lab's hijacked-account client: send messages through submission (587, STARTTLS, AUTH) one
# session each (closed with QUIT, as a spam tool that reconnects would), until the server refuses
# the login as suspended or `count` messages have been tried. Run inside a lab namespace
# (ip netns exec mflab-sender ...) by lab/containment-check.ts; the request comes as JSON on
# stdin, and each attempt is printed as one JSON line: {"n", "stage", "code", "text", "source"}.
# The request's "sources" are the local addresses the sessions leave from, in turn.
import json
import smtplib
import ssl
import sys
import time


def attempt(req, n, source):
    s = smtplib.SMTP(local_hostname=req["helo"], timeout=60, source_address=(source, 0))
    try:
        code, text = s.connect(req["address"], req["port"])
        if code != 220:
            return "greeting", code, text
        # The certificate names the server's hostname, not the address dialled: STARTTLS checks it
        # against that name (smtplib takes the name it verifies from the host it connected to).
        s._host = req["hostname"]
        s.ehlo()
        s.starttls(context=ssl.create_default_context(cafile=req["ca"]))
        s.ehlo()
        try:
            s.login(req["login"], req["password"])
        except smtplib.SMTPAuthenticationError as e:
            return "auth", e.smtp_code, e.smtp_error
        code, text = s.mail(req["from"])
        if code != 250:
            return "mail", code, text
        code, text = s.rcpt(req["to"])
        if code not in (250, 251):
            return "rcpt", code, text
        body = "From: <%s>\r\nTo: <%s>\r\nSubject: %s %d\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n" % (
            req["from"], req["to"], req["token"], n, req["body"])
        code, text = s.data(body.encode())
        return "data", code, text
    finally:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            s.close()


def main():
    req = json.load(sys.stdin)
    sources = req["sources"]
    for n in range(1, req["count"] + 1):
        source = sources[(n - 1) % len(sources)]
        try:
            stage, code, text = attempt(req, n, source)
        except (smtplib.SMTPException, OSError) as e:
            stage, code, text = "connection", 0, str(e).encode()
        text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
        print(json.dumps({"n": n, "stage": stage, "code": code, "text": text, "source": source}), flush=True)
        if 500 <= code < 600 and "suspended" in text:
            return
        time.sleep(req["pauseSeconds"])


if __name__ == "__main__":
    main()
