"""Every setting Loa reads, in one place.

Each setting comes from a ``LOA_*`` environment variable, falling back to the default
written here. ``create_app(test_config)`` may override any of them. The README lists them
all (a test checks that it does).
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# name -> (default, one-line description). The README table is checked against this.
SETTINGS: dict[str, tuple[str, str]] = {
    "LOA_INSTANCE_DIR": (
        str(PROJECT_ROOT / "instance"),
        "folder for the SQLite database, the secret key and backups",
    ),
    "LOA_DATABASE_URL": (
        "",
        "SQLAlchemy URL, e.g. `postgresql+psycopg://loa:PASSWORD@localhost/loa`; empty means SQLite "
        "at `<instance>/loa.sqlite3` (WAL mode)",
    ),
    "LOA_SECRET_KEY": (
        "",
        "key for signing cookies; empty means one generated once into `<instance>/secret_key`",
    ),
    "LOA_CONTENT_DIR": (str(PROJECT_ROOT / "content"), "campaign content folder (topics, quizzes, events)"),
    "LOA_TRANSLATIONS_DIR": (str(PROJECT_ROOT / "translations"), "Babel catalogues folder"),
    "LOA_PUBLIC_URL": (
        "",
        "public address, in leaflet QR codes; empty means `http://<LOA_HOST>:<PORT>` (with "
        "`LOA_HOST=0.0.0.0`, this machine's network address); `https://` turns on secure cookies and HSTS",
    ),
    "LOA_DEFAULT_LANG": ("vi", "language when nothing else chooses one"),
    "LOA_BEHIND_PROXY": ("0", "`1` to trust one proxy's `X-Forwarded-For/-Proto/-Host` headers"),
    "LOA_SYNC_MAX_RECORDS": (
        "500",
        "most records in one sync batch (more is 413); phones are told it and follow it",
    ),
    "LOA_MAX_BODY_BYTES": (
        "1048576",
        "largest request body, after gzip is undone (more is 413); phones are told it and follow it",
    ),
    "LOA_PICTURE_MAX_BYTES": (
        "12000000",
        "largest picture file the studio accepts (a phone's photo); it is stored as a WebP of 30 KB at most",
    ),
    "LOA_AUDIO_MAX_BYTES": (
        "30000000",
        "largest recording file the studio and `loa audio add` accept (ten minutes of WAV from a voice recorder)",
    ),
    "LOA_AUDIO_MAX_MINUTES": (
        "10",
        "longest recording accepted, in minutes (longer is refused, nothing stored)",
    ),
    "LOA_BROADCAST_BITRATE": ("64000", "bit rate of the commune loudspeaker spots (MP3, mono), in bit/s"),
    "LOA_BROADCAST_SAMPLE_RATE": ("44100", "sample rate of the spots, Hz: 44100 or 48000"),
    "LOA_BROADCAST_SIGNATURE": (
        "chime",
        "sound at the start and end of each spot: `chime` (Loa's own), a path to an audio file, or empty for none",
    ),
    "LOA_SYNC_RATE_PER_MINUTE": ("120", "sync requests one device may make per minute (more is 429)"),
    "LOA_LOGIN_RATE_PER_MINUTE": ("10", "login attempts per address per minute (more is 429)"),
    "LOA_LOGIN_FREE_FAILURES": (
        "5",
        "wrong passwords for one account before each further try must wait (1 s, then doubling)",
    ),
    "LOA_LOGIN_BACKOFF_MAX_SECONDS": (
        "900",
        "longest wait between tries at one account's password; a browser or phone that logged in "
        "to it before does not wait (so strangers cannot lock anyone out)",
    ),
    "LOA_THROTTLE_MAX_KEYS": (
        "100000",
        "most limiter entries kept in the database (addresses, devices, accounts); expired go first",
    ),
    "LOA_SESSION_HOURS": ("12", "longest an organiser's login lasts, however active"),
    "LOA_SESSION_IDLE_MINUTES": ("60", "an organiser's login ends after this long without a request"),
    "LOA_DEVICE_TOKEN_IDLE_DAYS": (
        "90",
        "a phone's token unused this many days expires; the phone asks for a new login and keeps "
        "its unsent records",
    ),
    "LOA_CLOCK_SKEW_MINUTES": (
        "60",
        "how far in the future a record's time may be (phones' clocks drift); later is rejected",
    ),
    "LOA_MAX_RECORD_AGE_DAYS": (
        "120",
        "oldest record sync accepts, in days (phones stay offline for weeks); older is rejected",
    ),
    "LOA_SESSION_ANSWER_WINDOW_HOURS": (
        "12",
        "a resident's answer joins a session (with the QR code's key) only this close to its start",
    ),
    "LOA_SCANS_PER_ADDRESS_PER_DAY": (
        "30",
        "online scans of one leaflet counted per address and day (one per phone and day in any case)",
    ),
    "LOA_RESIDENT_RECORDS_PER_DAY": ("200", "records one resident's phone may send per day (more is 429)"),
    "LOA_RESIDENT_RECORDS_PER_ADDRESS_PER_DAY": (
        "2000",
        "records residents' phones behind one address may send per day (more is 429)",
    ),
    "LOA_RESIDENT_COMPLAINTS_PER_DAY": (
        "3",
        "complaints one resident's phone may send per day (more is 429)",
    ),
    "LOA_RESIDENT_COMPLAINTS_PER_ADDRESS_PER_DAY": (
        "30",
        "complaints residents' phones behind one address may send per day (more is 429)",
    ),
    "LOA_COMPLAINT_RETENTION_DAYS": (
        "365",
        "days after a complaint is resolved or closed before its contact and photos are deleted",
    ),
    "LOA_PHOTO_MAX_BYTES": (
        "600000",
        "the largest photo of a complaint, in bytes, after the phone compressed it",
    ),
    "LOA_RESIDENT_TOKENS_PER_ADDRESS_PER_DAY": (
        "50",
        "anonymous phone tokens one address may get per day (more is 429)",
    ),
    "LOA_LOG_LEVEL": ("INFO", "level of the JSON request logs on stderr"),
    "LOA_WORKERS": ("4", "threads of the production server (`loa serve`)"),
    "LOA_HOST": (
        "127.0.0.1",
        "address `loa serve` listens on; `0.0.0.0` for every network (a phone on the same Wi-Fi); "
        "`make run` takes it from `HOST`",
    ),
    "LOA_CHANNEL_TIMEOUT": (
        "20",
        "seconds `loa serve` keeps an idle or half-sent connection open before closing it",
    ),
    "LOA_CONNECTION_LIMIT": (
        "1000",
        "most connections `loa serve` holds at once; more wait in the operating system's queue",
    ),
    "PORT": ("5000", "port of `make run` and `loa serve`"),
    "LOA_TEST_DATABASE_URL": (
        "",
        "tests only: run the suite on this PostgreSQL database (`make test` finds one when empty)",
    ),
    "LOA_TEST_CHROMIUM": ("/usr/bin/chromium", "tests only: the Chromium the browser tests drive"),
}


def env(name: str) -> str:
    """The value of a setting: the environment, else its default."""
    default, _ = SETTINGS[name]
    return os.environ.get(name, default)


def env_bool(name: str) -> bool:
    return env(name).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_dir: Path) -> str:
    configured = env("LOA_SECRET_KEY")
    if configured:
        return configured
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create with owner-only permissions before writing the key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


# Wildcard addresses: listening on every network, so not an address a browser can open.
EVERY_NETWORK = {"", "0.0.0.0", "::"}
# TEST-NET-1 (RFC 5737): never routed, only used to ask the kernel which interface it would use.
_NOWHERE = ("192.0.2.1", 9)


def lan_address() -> str:
    """This machine's address on its network (the one its default route leaves by), or
    127.0.0.1 without one. Connecting a UDP socket picks the interface; no packet is sent."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_NOWHERE)
            address = probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    return address if address not in EVERY_NETWORK else "127.0.0.1"


def local_public_url(host: str, port: int) -> str:
    """The address a browser opens for `loa serve --host HOST --port PORT`: HOST itself, or this
    machine's network address when HOST listens on every network."""
    if host in EVERY_NETWORK:
        host = lan_address()
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{port}"


def public_url(host: str, port: int) -> str:
    """LOA_PUBLIC_URL, or when it is empty the address `loa serve` on HOST and PORT answers at."""
    return (env("LOA_PUBLIC_URL") or local_public_url(host, port)).rstrip("/")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class Config:
    """Flask configuration built from the environment at app creation time."""

    def __init__(self) -> None:
        instance = Path(env("LOA_INSTANCE_DIR")).resolve()
        self.INSTANCE_DIR = str(instance)
        self.SQLALCHEMY_DATABASE_URI = env("LOA_DATABASE_URL") or sqlite_url(instance / "loa.sqlite3")
        self.SECRET_KEY = None  # filled lazily by create_app (needs the instance folder)
        self.CONTENT_DIR = env("LOA_CONTENT_DIR")
        self.TRANSLATIONS_DIR = env("LOA_TRANSLATIONS_DIR")
        self.DEFAULT_LANG = env("LOA_DEFAULT_LANG")
        self.BEHIND_PROXY = env_bool("LOA_BEHIND_PROXY")
        self.SYNC_MAX_RECORDS = int(env("LOA_SYNC_MAX_RECORDS"))
        self.MAX_CONTENT_LENGTH = int(env("LOA_MAX_BODY_BYTES"))
        self.PICTURE_MAX_BYTES = int(env("LOA_PICTURE_MAX_BYTES"))
        self.AUDIO_MAX_BYTES = int(env("LOA_AUDIO_MAX_BYTES"))
        self.AUDIO_MAX_SECONDS = float(env("LOA_AUDIO_MAX_MINUTES")) * 60
        self.BROADCAST_BITRATE = int(env("LOA_BROADCAST_BITRATE"))
        self.BROADCAST_SAMPLE_RATE = int(env("LOA_BROADCAST_SAMPLE_RATE"))
        self.BROADCAST_SIGNATURE = env("LOA_BROADCAST_SIGNATURE")
        self.SYNC_RATE_PER_MINUTE = int(env("LOA_SYNC_RATE_PER_MINUTE"))
        self.LOGIN_RATE_PER_MINUTE = int(env("LOA_LOGIN_RATE_PER_MINUTE"))
        self.LOGIN_FREE_FAILURES = int(env("LOA_LOGIN_FREE_FAILURES"))
        self.LOGIN_BACKOFF_MAX_SECONDS = int(env("LOA_LOGIN_BACKOFF_MAX_SECONDS"))
        self.THROTTLE_MAX_KEYS = int(env("LOA_THROTTLE_MAX_KEYS"))
        self.SESSION_HOURS = float(env("LOA_SESSION_HOURS"))
        self.SESSION_IDLE_MINUTES = float(env("LOA_SESSION_IDLE_MINUTES"))
        self.DEVICE_TOKEN_IDLE_DAYS = float(env("LOA_DEVICE_TOKEN_IDLE_DAYS"))
        self.CLOCK_SKEW_MINUTES = int(env("LOA_CLOCK_SKEW_MINUTES"))
        self.MAX_RECORD_AGE_DAYS = int(env("LOA_MAX_RECORD_AGE_DAYS"))
        self.SESSION_ANSWER_WINDOW_HOURS = int(env("LOA_SESSION_ANSWER_WINDOW_HOURS"))
        self.SCANS_PER_ADDRESS_PER_DAY = int(env("LOA_SCANS_PER_ADDRESS_PER_DAY"))
        self.RESIDENT_RECORDS_PER_DAY = int(env("LOA_RESIDENT_RECORDS_PER_DAY"))
        self.RESIDENT_RECORDS_PER_ADDRESS_PER_DAY = int(env("LOA_RESIDENT_RECORDS_PER_ADDRESS_PER_DAY"))
        self.RESIDENT_TOKENS_PER_ADDRESS_PER_DAY = int(env("LOA_RESIDENT_TOKENS_PER_ADDRESS_PER_DAY"))
        self.RESIDENT_COMPLAINTS_PER_DAY = int(env("LOA_RESIDENT_COMPLAINTS_PER_DAY"))
        self.RESIDENT_COMPLAINTS_PER_ADDRESS_PER_DAY = int(env("LOA_RESIDENT_COMPLAINTS_PER_ADDRESS_PER_DAY"))
        self.COMPLAINT_RETENTION_DAYS = int(env("LOA_COMPLAINT_RETENTION_DAYS"))
        self.PHOTO_MAX_BYTES = int(env("LOA_PHOTO_MAX_BYTES"))
        self.LOG_LEVEL = env("LOA_LOG_LEVEL")
        self.WORKERS = int(env("LOA_WORKERS"))
        self.HOST = env("LOA_HOST")
        self.CHANNEL_TIMEOUT = int(env("LOA_CHANNEL_TIMEOUT"))
        self.CONNECTION_LIMIT = int(env("LOA_CONNECTION_LIMIT"))
        self.PORT = int(env("PORT"))
        self.PUBLIC_URL = public_url(self.HOST, self.PORT)
        secure = self.PUBLIC_URL.startswith("https://")
        self.SESSION_COOKIE_SECURE = secure
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_NAME = "loa_session"
        # The cookie is sent again only when the session changes: with a refresh on every request,
        # a page's parallel requests (the service worker saving a language) could each send back
        # the cookie as they read it, dropping a CSRF token another request had just added. The
        # login's lifetime and idle time are kept on the server (server/auth.py).
        self.SESSION_REFRESH_EACH_REQUEST = False
        self.WTF_CSRF_TIME_LIMIT = None  # forms on a phone can stay open for hours
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.COMPRESS_MIMETYPES = [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/manifest+json",
            "image/svg+xml",
            "text/plain",
        ]
        self.COMPRESS_MIN_SIZE = 300
        self.COMPRESS_ALGORITHM = ["br", "gzip"]
        self.BABEL_DEFAULT_LOCALE = self.DEFAULT_LANG
        self.BABEL_TRANSLATION_DIRECTORIES = self.TRANSLATIONS_DIR

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if k.isupper()}


def sync_limits(config: Mapping[str, Any]) -> dict[str, int]:
    """The sync batch limits this server enforces, as phones are told them (the service worker's
    manifest, every sync answer, 413 answers) and as the OpenAPI document states them."""
    return {"max_records": int(config["SYNC_MAX_RECORDS"]), "max_bytes": int(config["MAX_CONTENT_LENGTH"])}


def ensure_secret_key(config: dict) -> None:
    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _secret_key(Path(config["INSTANCE_DIR"]))
