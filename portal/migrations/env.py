"""Alembic environment: the URL comes from the app's settings, never from a file."""

from alembic import context

from portal.extensions import make_engine
from portal.models import Base

config = context.config
url = config.attributes["database_url"]

if context.is_offline_mode():
    context.configure(
        url=url, target_metadata=Base.metadata, render_as_batch=True, literal_binds=True
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
