#!/usr/bin/python3
# The lab's password guesser: `count` failed SMTP AUTH logins on submission (587, STARTTLS) and
# `count` failed IMAP logins (993), one connection each, both protocols side by side. Run inside
# the lab's scanner namespace (ip netns exec mflab-scanner ...) by lab/faults/induce.ts, whose
# connections leave from many addresses in turn, as a guessing botnet's do. The request comes as
# JSON on stdin; each attempt is printed as one JSON line: {"proto", "n", "refused", "text"}.
# The server's certificate is not checked: a guesser does not care whose it is, and the
# certificate fault of the same phase swaps it.
import imaplib
import json
import smtplib
import ssl
import sys
import threading

NO_CHECK = ssl.create_default_context()
NO_CHECK.check_hostname = False
NO_CHECK.verify_mode = ssl.CERT_NONE
lock = threading.Lock()


def report(proto, n, refused, text):
    with lock:
        print(json.dumps({"proto": proto, "n": n, "refused": refused, "text": text}), flush=True)


def smtp_attempt(req):
    s = smtplib.SMTP(req["address"], req["smtpPort"], local_hostname="guesser.spam.test", timeout=60)
    try:
        s.ehlo()
        s.starttls(context=NO_CHECK)
        s.ehlo()
        try:
            s.login(req["login"], req["password"])
        except smtplib.SMTPAuthenticationError as e:
            return True, f"{e.smtp_code} {e.smtp_error.decode(errors='replace')}"
        return False, "235 the wrong password was accepted"
    finally:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            s.close()


def imap_attempt(req):
    m = imaplib.IMAP4_SSL(req["address"], req["imapPort"], ssl_context=NO_CHECK, timeout=60)
    try:
        m.login(req["login"], req["password"])
        return False, "OK the wrong password was accepted"
    except imaplib.IMAP4.error as e:
        return True, str(e)
    finally:
        try:
            m.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def guess(proto, attempt, req, numbers):
    for n in numbers:
        try:
            refused, text = attempt(req)
        except (smtplib.SMTPException, imaplib.IMAP4.error, OSError) as e:
            refused, text = False, f"connection: {e}"
        report(proto, n, refused, text)


def main():
    req = json.load(sys.stdin)
    # Several guessers per protocol at once, like a botnet's: each refusal costs the server's
    # failure delay (Dovecot's auth_failure_delay, Postfix's error sleep), and one after another
    # twenty took almost three minutes under TCG, longer than the alarm period they must fall in.
    lanes = req.get("parallel", 5)
    numbers = range(1, req["count"] + 1)
    threads = [threading.Thread(target=guess, args=(p, a, req, numbers[k::lanes]))
               for p, a in (("smtp", smtp_attempt), ("imap", imap_attempt)) for k in range(lanes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
