"""Settings of the ZVK member portal, read from the environment (django-environ).

Every variable is documented in `.env.example`. Development defaults exist only while DEBUG is on.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _secret(name: str, development_default: str) -> str:
    """A secret from the environment; a fixed development value only while DEBUG is on."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return development_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (in the environment or in .env).")


SECRET_KEY = _secret("SECRET_KEY", "dev-only-insecure-secret-key-not-for-production-use-0123456789")
# Key for the encrypted copy of one-time passwords (DESIGN §3); never stored in the database.
DEVELOPMENT_OTP_ENCRYPTION_KEY = "dev-only-insecure-otp-key"
OTP_ENCRYPTION_KEY = _secret("OTP_ENCRYPTION_KEY", DEVELOPMENT_OTP_ENCRYPTION_KEY)
# Earlier keys, still accepted for reading while one-time passwords encrypted with them exist (key rotation:
# the new key in OTP_ENCRYPTION_KEY, the old one here, then `manage.py rotate_otp_key`).
OTP_ENCRYPTION_KEY_FALLBACKS = env.list("OTP_ENCRYPTION_KEY_FALLBACKS", default=[])

# Production sits behind a TLS proxy: Secure cookies, HSTS, redirect to HTTPS. INSECURE_LOCAL_HTTP lets
# `make serve` be tried over plain http on this machine only (no Secure flag, no redirect); default off.
INSECURE_LOCAL_HTTP = env.bool("INSECURE_LOCAL_HTTP", default=False)
LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]
# The host names the portal answers to; loopback only for development and the local try-out.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=LOOPBACK_HOSTS if DEBUG or INSECURE_LOCAL_HTTP else [])

INSTALLED_APPS = [
    "zvk_portal.apps.PortalAdminConfig",  # django.contrib.admin with the portal's AdminSite
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # index expressions with an operator class (the trigram index of "Versicherte")
    # The apps, each one thing, lower ones first (tests/test_layers.py checks that domain code imports only below):
    "audit",  # the append-only audit log and its vocabulary
    "security",  # limits per client address, the client's address, the security log, deployment checks
    "outbox",  # every e-mail, written in the action's transaction and sent by the worker
    "billing_units",  # members and billing units
    "accounts",  # users, login, sessions, one-time passwords, trusted devices, memberships
    # The second factor: django-otp's framework, authenticator apps (TOTP) and recovery codes (static tokens),
    # passkeys and security keys (django-otp-webauthn); `factors` holds who needs what and every change of one.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "factors",  # second factors: policy, enrolment, "Anmeldung bestätigen", resets
    "insured",  # what the grants protect: Versicherte, Versicherungsverlauf, Meldungen, the log of every read
    "clerks",  # the administrator's screens: grants, member locks, who may act across members
    "registration",  # applications as administrator and their approval by fund staff
    "retention",  # the deletion rules per data type and their reports (`manage.py apply_retention`)
    "demo",  # `manage.py demo`: the documented demo logins (refused with DEBUG off)
]

MIDDLEWARE = [
    "zvk_portal.health.HealthCheckMiddleware",  # /healthz on its own short path, before sessions and host checks
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "factors.middleware.VerifiedSessionMiddleware",  # request.user.is_verified() (django-otp's contract)
    "django.contrib.messages.middleware.MessageMiddleware",
    "security.devices.DeviceCookieMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.LoginRequiredMiddleware",
    "factors.middleware.SecondFactorRequiredMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "accounts.middleware.AccessDeniedLogMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "zvk_portal.urls"
WSGI_APPLICATION = "zvk_portal.wsgi.application"

CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "zvk_portal.context_processors.fund",
    "zvk_portal.context_processors.session_clock",
]
TEMPLATES = [
    # The portal's pages are Jinja2 (several times faster than Django templates on long tables); see zvk_portal/jinja2.py.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "zvk_portal.jinja2.environment",
            "context_processors": [*CONTEXT_PROCESSORS, "zvk_portal.context_processors.csrf_once"],
        },
    },
    # The Django admin (with templates/admin/) and the e-mails (templates/emails/) stay Django templates.
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": CONTEXT_PROCESSORS},
    },
]

# --- Database -----------------------------------------------------------------------------------
# SQLite in the project folder is the embedded default; production uses PostgreSQL via DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores SELECT ... FOR UPDATE: IMMEDIATE transactions serialise writers instead, and the
    # timeout makes a second writer wait rather than fail with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
    # Race tests run threads with their own connections: they need a file, not a private in-memory DB.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
    # Django's backend with the German order of names registered on every connection (base/collation.py).
    DATABASES["default"]["ENGINE"] = "base.sqlite"
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A connection kept open (CONN_MAX_AGE > 0) is checked before a request reuses it, so a database restart
# costs no request a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL ends a statement that runs longer, or waits longer for a row lock, than this (milliseconds;
# 0 = no limit): a stuck transaction costs a request a German 503 page, not a stalled worker. Set for every
# connection; `migrate`/`migrate_locked` lift them for their own run, the bench scripts start with 0.
DB_STATEMENT_TIMEOUT_MS = env.int("DB_STATEMENT_TIMEOUT_MS", default=15_000)
DB_LOCK_TIMEOUT_MS = env.int("DB_LOCK_TIMEOUT_MS", default=5_000)
# PostgreSQL keeps the plan of a statement a connection has sent DB_PREPARE_AFTER times (psycopg's prepared
# statements, with the parameters bound on the server): a page's statements are planned once per connection, not on
# every request. Persistent connections (CONN_MAX_AGE) keep them; 0 turns them off (a PgBouncer in transaction
# mode before 1.21, or without max_prepared_statements, needs that).
DB_PREPARE_AFTER = env.int("DB_PREPARE_AFTER", default=5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout={DB_LOCK_TIMEOUT_MS}"
    )
    if DB_PREPARE_AFTER > 0:
        DATABASES["default"]["OPTIONS"].update({"server_side_binding": True, "prepare_threshold": DB_PREPARE_AFTER})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "accounts.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Argon2id parameters (OWASP password storage cheat sheet, second option: m=19 MiB, t=2, p=1).
ARGON2_MEMORY_COST_KIB = env.int("ARGON2_MEMORY_COST_KIB", default=19 * 1024)
ARGON2_TIME_COST = env.int("ARGON2_TIME_COST", default=2)
ARGON2_PARALLELISM = env.int("ARGON2_PARALLELISM", default=1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.PersonalWordsValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "accounts.validators.CommonPasswordValidator"},
    {"NAME": "accounts.validators.NumericPasswordValidator"},
    {"NAME": "accounts.validators.ContextWordsValidator"},
]

# One-time passwords and lockout (DESIGN §4, manual §6 and §8).
OTP_VALIDITY_DAYS = env.int("OTP_VALIDITY_DAYS", default=14)
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
FORGOT_PASSWORD_LIMIT_PER_HOUR = env.int("FORGOT_PASSWORD_LIMIT_PER_HOUR", default=3)
# "Passwort vergessen" answers no sooner than this, for known and unknown addresses alike (no enumeration by timing).
FORGOT_PASSWORD_MIN_SECONDS = env.float("FORGOT_PASSWORD_MIN_SECONDS", default=0.3)
# Trusted devices (DESIGN §8, security/devices.py): only wrong passwords from a browser that has logged in to the
# account before count towards LOGIN_FAILURE_LIMIT. Wrong passwords from anywhere else count per account: after
# UNTRUSTED_LOGIN_FAILURE_LIMIT of them within UNTRUSTED_LOGIN_WINDOW_SECONDS, untrusted clients are refused for
# that account until the window ends.
UNTRUSTED_LOGIN_FAILURE_LIMIT = env.int("UNTRUSTED_LOGIN_FAILURE_LIMIT", default=10)
UNTRUSTED_LOGIN_WINDOW_SECONDS = env.int("UNTRUSTED_LOGIN_WINDOW_SECONDS", default=15 * 60)
# A one-time password nobody has logged in with yet still opens its first login while untrusted clients are refused,
# checked for at most this many refused attempts per window (no endless guessing past the refusal).
UNTRUSTED_OTP_CHECKS_PER_WINDOW = env.int("UNTRUSTED_OTP_CHECKS_PER_WINDOW", default=50)
DEVICE_COOKIE_MAX_AGE_SECONDS = env.int("DEVICE_COOKIE_MAX_AGE_SECONDS", default=365 * 24 * 60 * 60)
# The second factor (factors/policy.py, SECURITY.md). Administrators and fund staff always need a passkey or an
# authenticator app. Clerks get a six-digit e-mail code: "always", "remembered_device" (only from a browser that has
# not confirmed one within CLERK_REMEMBER_DAYS) or "off".
CLERK_SECOND_FACTOR = env.str("CLERK_SECOND_FACTOR", default="remembered_device")
CLERK_REMEMBER_DAYS = env.int("CLERK_REMEMBER_DAYS", default=30)
EMAIL_CODE_VALIDITY_SECONDS = env.int("EMAIL_CODE_VALIDITY_SECONDS", default=10 * 60)
# At most this many e-mail codes per account and window (a password alone must not flood a clerk's mailbox);
# beyond, the last code stays valid and no mail is sent.
EMAIL_CODES_PER_ACCOUNT = env.int("EMAIL_CODES_PER_ACCOUNT", default=5)
EMAIL_CODE_WINDOW_SECONDS = env.int("EMAIL_CODE_WINDOW_SECONDS", default=15 * 60)
RECOVERY_CODE_COUNT = 10
OTP_TOTP_ISSUER = "ZVK Thüringen Mitgliederportal"
# Passkeys are the second step after the password, never a login of their own.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "ZVK Thüringen Mitgliederportal"
# The relying party is the host the browser talks to (validated by ALLOWED_HOSTS): factors/webauthn.py.
OTP_WEBAUTHN_RP_ID_CALLABLE = "factors.webauthn.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "factors.webauthn.PortalWebAuthnHelper"
# Local parts of e-mail addresses that name a role, not a person (manual §3 d). accounts.models.is_generic_email
# compares the whole local part (or its part before a "+"), without ".", "-", "_" and trailing digits, so
# "post.thomas@" and "infanger@" stay personal while "poststelle@", "Post-Stelle2@" and "info+gera@" do not.
GENERIC_EMAIL_LOCAL_PARTS = env.list(
    "GENERIC_EMAIL_LOCAL_PARTS",
    default=[
        # general enquiries and mailboxes (RFC 2142 and their German forms)
        *["info", "information", "kontakt", "contact", "anfrage", "anfragen", "post", "poststelle", "postfach"],
        *["posteingang", "eingang", "mail", "email", "office", "zentrale", "telefonzentrale", "empfang"],
        *["service", "buergerservice", "bürgerservice", "kundenservice", "support", "hilfe", "helpdesk"],
        *["hallo", "hello", "team", "redaktion", "presse", "newsletter"],
        # technical and automatic senders
        *["noreply", "donotreply", "postmaster", "hostmaster", "webmaster", "abuse", "root", "admin"],
        *["administrator", "it", "edv", "datenschutz"],
        # the offices of a municipal administration
        *["verwaltung", "stadtverwaltung", "gemeindeverwaltung", "amtsverwaltung", "kreisverwaltung", "rathaus"],
        *["gemeinde", "stadt", "amt", "hauptamt", "buergerbuero", "bürgerbüro", "buergermeister", "bürgermeister"],
        *["sekretariat", "vorzimmer", "buero", "büro", "kanzlei", "geschaeftsstelle", "geschäftsstelle"],
        # personnel, payroll and accounts: the departments that report to the fund
        *["personal", "personalamt", "personalabteilung", "personalbuero", "personalbüro", "personalstelle"],
        *["personalwesen", "hr", "bewerbung", "lohn", "gehalt", "entgelt", "lohnbuchhaltung", "abrechnung"],
        *["buchhaltung", "finanzen", "kasse", "stadtkasse", "kaemmerei", "kämmerei", "rechnung", "rechnungen"],
        *["zusatzversorgung", "zvk"],
    ],
)

# --- Sessions -----------------------------------------------------------------------------------
# The panels of "Verwaltung der Benutzer" are kept this long at most in each server process's local-memory cache
# (clerks/panels.py); a change of a member's user administration renews them at once.
PANELS_CACHE_SECONDS = env.int("PANELS_CACHE_SECONDS", default=300)

# Django's database sessions, written once per login (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env.int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", default=10 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Secure flags and the __Host- cookie names: see "Production hardening" below.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# --- E-mail -------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Zusatzversorgungskasse Thüringen <portal@kvt-zvk.de>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds the outbox worker waits for the mail server (connect and every answer); pages never talk to it.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10)
# The outbox worker (outbox/worker.py): seconds between polls when idle; retry back-off base and maximum;
# attempts before a mail is marked failed; how long a claimed mail is reserved for the worker sending it.
OUTBOX_POLL_SECONDS = env.float("OUTBOX_POLL_SECONDS", default=2)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=300)
# Mails that can wait (notices to administrators) are written at once only while their recipient got fewer than
# this many mails in the last hour; the rest goes into the day's digest (outbox.mail.within_rate).
OUTBOX_RATE_PER_RECIPIENT_HOUR = env.int("OUTBOX_RATE_PER_RECIPIENT_HOUR", default=6)
# /healthz reports the worker "stale" (and answers 503 while mails wait) when no worker has said it is alive for
# this many seconds; a running worker writes its heartbeat every few seconds.
OUTBOX_WORKER_STALE_SECONDS = env.int("OUTBOX_WORKER_STALE_SECONDS", default=60)
# /healthz's own statement timeout (milliseconds; it waits half as long for a lock): it answers within this time
# whatever else holds the database.
HEALTHZ_TIMEOUT_MS = env.int("HEALTHZ_TIMEOUT_MS", default=2000)
# Days a sent mail stays in the outbox (`manage.py clear_expired_otps` deletes it afterwards).
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=90)
# What the outbox worker also runs, every OUTBOX_WORKER_TASK_SECONDS: the administrators' notices of their clerks'
# cases ("Passwort vergessen", deactivation, expiring one-time passwords).
OUTBOX_WORKER_TASKS = ["clerks.notices.send_due"]
OUTBOX_WORKER_TASK_SECONDS = env.int("OUTBOX_WORKER_TASK_SECONDS", default=60)
# The yearly review of access ("Berechtigungen bestätigen", `manage.py start_access_reviews` daily by cron): it starts
# on this day of each year (MM-DD); reminders after 14 and 28 days; overdue for fund staff after 42.
ACCESS_REVIEW_DAY = env.str("ACCESS_REVIEW_DAY", default="01-15")
# Dormant accounts (`manage.py lock_inactive_accounts`, daily by cron): a user who has not logged in for
# INACTIVITY_DAYS, or whose one-time password expired unused, is warned by mail; still inactive
# INACTIVITY_WARNING_DAYS later it is locked with the reason "Inaktivität" (a member's last administrator is reported
# to fund staff instead).
INACTIVITY_DAYS = env.int("INACTIVITY_DAYS", default=180)
INACTIVITY_WARNING_DAYS = env.int("INACTIVITY_WARNING_DAYS", default=14)
# Deletion rules (SECURITY.md "Aufbewahrung und Löschung"; `manage.py apply_retention`, daily by cron): a Gesperrt
# user about whom nothing was recorded for this many years is pseudonymised; "Passwort vergessen" requests and
# rejected registrations are deleted this many days after they were made or decided.
RETENTION_LOCKED_USER_YEARS = env.int("RETENTION_LOCKED_USER_YEARS", default=3)
RETENTION_REQUEST_DAYS = env.int("RETENTION_REQUEST_DAYS", default=365)
# The clerk's workspace: reads of an insured person's data (the access log) are kept for this many full calendar
# years after the year of the read; processed Meldungen this many years after processing (their Abschnitte stay in
# the Verlauf); Meldungen left erfasst or zurückgewiesen are deleted this many years after their last change.
RETENTION_ACCESS_LOG_YEARS = env.int("RETENTION_ACCESS_LOG_YEARS", default=2)
RETENTION_PROCESSED_REPORT_YEARS = env.int("RETENTION_PROCESSED_REPORT_YEARS", default=10)
RETENTION_STALE_REPORT_YEARS = env.int("RETENTION_STALE_REPORT_YEARS", default=3)
# Umlage/Beitrag of a Versicherungsabschnitt: this share of the zusatzversorgungspflichtiges Entgelt, set by the
# fund's statutes; the fund computes it when it processes a Jahresmeldung.
INSURED_CONTRIBUTION_RATE = env.str("INSURED_CONTRIBUTION_RATE", default="0.0425")

# --- Language, time, formats --------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["zvk_portal.formats"]

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- Security headers ---------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Production hardening (SECURITY.md) -------------------------------------------------------
if INSECURE_LOCAL_HTTP and not set(ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]"}:
    raise ImproperlyConfigured("INSECURE_LOCAL_HTTP is for a local try-out only: ALLOWED_HOSTS must be loopback.")
HTTPS_ONLY = not DEBUG and not INSECURE_LOCAL_HTTP
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
if HTTPS_ONLY:
    # __Host- cookies must be Secure, for Path=/ and without Domain: no subdomain can plant them (SESS-08).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    DEVICE_COOKIE_NAME = "__Host-zvk-device"
    DEVICE_FACTOR_COOKIE_NAME = "__Host-zvk-factor"
else:
    DEVICE_COOKIE_NAME = "zvk-device"
    DEVICE_FACTOR_COOKIE_NAME = "zvk-factor"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS_ONLY)
# Name of the header by which the TLS proxy says the request came over https, e.g. HTTP_X_FORWARDED_PROTO.
_PROXY_SSL_HEADER = env.str("SECURE_PROXY_SSL_HEADER", default="")
SECURE_PROXY_SSL_HEADER = (_PROXY_SSL_HEADER, "https") if _PROXY_SSL_HEADER else None
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# "preload" only allows submitting the domain to the browsers' preload list; the fund decides on that.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# Client address for the per-address limits and the logs: REMOTE_ADDR, or, behind this many trusted
# proxies, the address the first of them (the one the client connected to) appended to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Content-Security-Policy (django-csp 4): nothing inline, nothing from elsewhere. The Django admin works
# under the same policy (its scripts and styles are files; checked in headless Chromium, see SECURITY.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Static files: WhiteNoise serves what collectstatic wrote, with hashed names and gzip copies.
# STATIC_FILES_COLLECTED=0 (development, the test suite) serves static/ directly without collectstatic.
STATIC_FILES_COLLECTED = env.bool("STATIC_FILES_COLLECTED", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_FILES_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_FILES_COLLECTED
WHITENOISE_AUTOREFRESH = not STATIC_FILES_COLLECTED

# Per client address limits of the public forms: attempts per window, the window starting
# with the first attempt. Refused before any password is checked, so they lock no account.
THROTTLE_WINDOW_SECONDS = env.int("THROTTLE_WINDOW_SECONDS", default=60)
LOGIN_ATTEMPTS_PER_ADDRESS = env.int("LOGIN_ATTEMPTS_PER_ADDRESS", default=10)
FORGOT_PASSWORD_REQUESTS_PER_ADDRESS = env.int("FORGOT_PASSWORD_REQUESTS_PER_ADDRESS", default=10)
REGISTRATIONS_PER_ADDRESS = env.int("REGISTRATIONS_PER_ADDRESS", default=5)
# "Barriere melden" goes to the fund's mailbox: per address and for the whole portal, per hour.
FEEDBACK_WINDOW_SECONDS = env.int("FEEDBACK_WINDOW_SECONDS", default=60 * 60)
FEEDBACK_PER_ADDRESS = env.int("FEEDBACK_PER_ADDRESS", default=5)
FEEDBACK_PER_HOUR = env.int("FEEDBACK_PER_HOUR", default=50)

# --- Fund contact, shown in the footer and the access letter (manual, cover page) ----------------
FUND_NAME = "Zusatzversorgungskasse Thüringen"
FUND_ADDRESS = ["Steile Hohle 6", "06556 Artern"]
FUND_EMAIL = "portal@kvt-zvk.de"
FUND_PHONE = "03466 / 3364 - 75"
FUND_WEB = "portal.meinezvk.de"
# Whom a clerk's mail names to turn to: the administrators who may act for it (DESIGN §8). The rule lives in clerks,
# above accounts, whose mails need it too ("Passwort vergessen", deactivation): the project wires it here.
CLERK_CONTACTS = "clerks.authority.credential_holders"
PORTAL_URL = env.str("PORTAL_URL", default="http://127.0.0.1:8000")
# Origins passkeys may be used from: the portal's own https address (browsers allow passkeys on plain http only for
# localhost, never for 127.0.0.1); factors/webauthn.py adds the request's own origin, which ALLOWED_HOSTS validated.
OTP_WEBAUTHN_ALLOWED_ORIGINS = [
    PORTAL_URL.rstrip("/") if PORTAL_URL.startswith("https://") else "http://localhost:8000",
]

# Logging (LOG-01..06): one JSON object per line on stderr, UTC ISO-8601 timestamps; JSON escapes CR/LF
# in user-supplied values. The "security" logger gets login, lockout, throttling and refused-access events
# (security/security_log.py); everything else at WARNING and above (e.g. 500s with their traceback).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message"],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "security": {
            "handlers": ["console"],
            "level": env.str("SECURITY_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
CSRF_FAILURE_VIEW = "zvk_portal.views.csrf_failure"

# The login name is the e-mail, unique per role (DESIGN §3); accounts.backends.PortalBackend handles it.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
