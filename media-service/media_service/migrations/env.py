"""Alembic environment: the service passes its own connection; the CLI builds one from MEDIA_DATABASE_URL."""

from media_service.models import Base
from media_service.settings import Settings
from storyscape_common.db import run_alembic_env

run_alembic_env(Base.metadata, url_variable="MEDIA_DATABASE_URL", default_url=str(Settings.model_fields["database_url"].default))
