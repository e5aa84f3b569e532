"""Sending one e-mail over SMTP, configured by the settings SMTP_HOST, SMTP_PORT, SMTP_USER,
SMTP_PASSWORD, SMTP_FROM, SMTP_TLS=starttls|ssl|off (app/config.py). Without SMTP_HOST nothing is sent."""
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage


class MailNotConfigured(Exception):
    """SMTP_HOST is not set: messages wait in the database until it is."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    sender: str
    tls: str  # starttls | ssl | off

    @classmethod
    def from_config(cls, config) -> "SmtpSettings":
        if not config["SMTP_HOST"]:
            raise MailNotConfigured()
        tls = config["SMTP_TLS"]
        default_port = {"ssl": 465, "starttls": 587}.get(tls, 25)
        return cls(config["SMTP_HOST"], config["SMTP_PORT"] or default_port, config["SMTP_USER"] or None,
                   config["SMTP_PASSWORD"] or None, config["SMTP_FROM"], tls)


class Mailer:
    """One SMTP connection for a run of messages."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._smtp = None

    def __enter__(self):
        s = self.settings
        context = ssl.create_default_context()
        if s.tls == "ssl":
            self._smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=20, context=context)
        else:
            self._smtp = smtplib.SMTP(s.host, s.port, timeout=20)
            if s.tls == "starttls":
                self._smtp.starttls(context=context)
        if s.user:
            self._smtp.login(s.user, s.password or "")
        return self

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.settings.sender, to, subject
        message.set_content(body)  # UTF-8: æ, ø, å
        self._smtp.send_message(message)

    def __exit__(self, *exc):
        try:
            self._smtp.quit()
        except smtplib.SMTPException:
            pass
