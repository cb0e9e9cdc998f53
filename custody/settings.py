"""Settings, from the environment (CUSTODY_*) or a `.env` file beside the user.

CUSTODY_DATA_DIR          where the embedded database and the ledger key live
                          (default ./custody-data)
CUSTODY_DATABASE_URL      SQLAlchemy URL (default sqlite:///<data dir>/custody.db), e.g.
                          postgresql+psycopg://user@host/dbname
CUSTODY_LEDGER_KEY_FILE   the ledger's private key (default <data dir>/ledger.key, mode 0600)
CUSTODY_ORIGIN            the log's origin: its name in checkpoints and its key's name;
                          set once, at `custody init`
CUSTODY_PUBLIC_URL        the address at which the public reaches this service, e.g.
                          https://custody.example.kz: statements' QR codes open its public
                          check page (docs/statement-qr.md); unset, they carry the version 1
                          text instead
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CUSTODY_", env_file=".env", extra="ignore")

    data_dir: Path = Path("custody-data")
    database_url: str = ""
    ledger_key_file: Path = Path()
    origin: str = "custody.local/ledger"
    timezone: str = "Asia/Almaty"
    public_url: str = ""

    @model_validator(mode="after")
    def _defaults_in_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'custody.db'}"
        self.public_url = _public_url(self.public_url)
        if self.ledger_key_file == Path():
            self.ledger_key_file = self.data_dir / "ledger.key"
        return self

    @property
    def safe_database_url(self) -> str:
        """The URL with any password masked, for messages and logs."""
        return make_url(self.database_url).render_as_string(hide_password=True)


def _public_url(url: str) -> str:
    """http(s)://host[:port][/path] without query, fragment or trailing slash; "" if unset.
    Raises ValueError for anything else (pydantic reports it as a setting error)."""
    if not url.strip():
        return ""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"CUSTODY_PUBLIC_URL must be http(s)://host[/path], not {url!r}")
    return url.strip().rstrip("/")
