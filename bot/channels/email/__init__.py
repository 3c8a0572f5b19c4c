"""Staff alerts by e-mail over SMTP (aiosmtplib)."""
