"""Alembic environment: the service passes its own connection; the CLI builds one from HISTORY_DATABASE_URL."""

from history_service.models import Base
from history_service.settings import Settings
from storyscape_common.db import run_alembic_env

run_alembic_env(Base.metadata, url_variable="HISTORY_DATABASE_URL", default_url=str(Settings.model_fields["database_url"].default))
