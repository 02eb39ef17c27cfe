"""Browser smoke test of the home page: it renders and logs no console errors."""
import pytest

pytestmark = pytest.mark.browser


def test_home_renders_without_console_errors(dash_duo):
    from app import app

    dash_duo.start_server(app)
    dash_duo.wait_for_text_to_equal("h1", "Cluster Observatory", timeout=30)
    logs = dash_duo.get_logs()
    assert logs == [], logs
