"""Typed steps: a step's phase and what it found (its checks, its outcome) as columns, read
by code instead of parsing the human-readable ``detail``. Older journals are filled in from
the ``detail`` text those releases wrote: ``phase=<phase>`` on a confirmed step, the checks
as a JSON list on a verified or drilled one, the lockout guard's words on a refused one.

Revision ID: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("steps") as batch:
        batch.add_column(sa.Column("phase", sa.String(20), nullable=True))
        batch.add_column(sa.Column("data", sa.JSON(), nullable=True))
    op.execute(
        "UPDATE steps SET phase = substr(detail, 7) "
        "WHERE step = 'confirmed' AND detail LIKE 'phase=%'"
    )
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "UPDATE steps SET data = CAST(detail AS JSON) "
            "WHERE step IN ('verified', 'drilled') AND detail LIKE '[%'"
        )
        op.execute(
            'UPDATE steps SET data = CAST(\'{"outcome": "refused"}\' AS JSON) '
            "WHERE step = 'failed' AND detail LIKE '%the management path%'"
        )
    else:
        op.execute(
            "UPDATE steps SET data = detail "
            "WHERE step IN ('verified', 'drilled') AND detail LIKE '[%'"
        )
        op.execute(
            'UPDATE steps SET data = \'{"outcome": "refused"}\' '
            "WHERE step = 'failed' AND detail LIKE '%the management path%'"
        )


def downgrade() -> None:
    with op.batch_alter_table("steps") as batch:
        batch.drop_column("data")
        batch.drop_column("phase")
