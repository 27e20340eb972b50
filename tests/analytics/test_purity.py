"""analytics/ runs without Flask or an ORM session: it is imported here in a clean process."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_analytics_loads_no_flask_and_no_orm():
    code = (
        "import sys, analytics, analytics.charts, analytics.distribution, analytics.trend;"
        "bad = [m for m in ('flask', 'flask_sqlalchemy', 'flask_login', 'sqlalchemy.orm',"
        " 'survey_app') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == ""


def test_ruff_config_bans_flask_in_analytics():
    config = (ROOT / "analytics" / "ruff.toml").read_text()
    assert '"flask".msg' in config
    assert '"sqlalchemy.orm".msg' in config
