"""A lock's heartbeat: refreshed with every journal step of its run, so a lock held from
another host can be judged by how long ago its run last did anything.

Revision ID: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("locks") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("locks") as batch:
        batch.drop_column("heartbeat_at")
