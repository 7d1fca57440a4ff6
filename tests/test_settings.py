"""Configuration that lives in two places must agree."""

import tomllib

import settings


def test_the_upload_widget_refuses_what_the_reader_would_refuse():
    config = tomllib.loads((settings.ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == settings.UPLOAD_LIMIT_BYTES
