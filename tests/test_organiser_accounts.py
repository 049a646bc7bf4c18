"""Organiser pages: login with CSRF, role checks on every route, accounts and devices."""

import pytest

from tests.conftest import PASSWORD, create_account, csrf, first_match, log_in, post_form, token_for

ORGANISER_PAGES = ["/organiser/", "/organiser/users", "/organiser/devices", "/organiser/data-quality"]


@pytest.mark.parametrize("url", ORGANISER_PAGES)
def test_pages_need_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "/organiser/login" in response.headers["Location"]


@pytest.mark.parametrize("url", ORGANISER_PAGES[1:])
def test_staff_get_403(csrf_app, url):
    create_account(csrf_app, "mai")
    client = csrf_app.test_client()
    log_in(client, "mai")
    assert client.get(url).status_code == 403


def test_login_without_csrf_token_is_refused(csrf_app):
    create_account(csrf_app, "organiser", role="organiser")
    client = csrf_app.test_client()
    response = client.post("/organiser/login", data={"username": "organiser", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/organiser/users").status_code == 302


def test_wrong_password(csrf_app):
    create_account(csrf_app, "organiser", role="organiser")
    client = csrf_app.test_client()
    response = log_in(client, "organiser", "nope-nope-nope")
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.get_data(
        as_text=True
    ) or "Wrong username or password" in response.get_data(as_text=True)


def test_login_redirect_stays_on_site(csrf_app):
    create_account(csrf_app, "organiser", role="organiser")
    client = csrf_app.test_client()
    response = post_form(
        client,
        "/organiser/login?next=https://evil.example/x",
        page_url="/organiser/login",
        username="organiser",
        password=PASSWORD,
    )
    assert response.headers["Location"] == "/organiser/"


def post_staff_account(client, username: str, **fields):
    """The accounts page's form: a staff account in province 12 with a long enough password."""
    return post_form(
        client,
        "/organiser/users",
        username=username,
        role="staff",
        province="12",
        password="a long enough password",
        **fields,
    )


def test_create_staff_account_from_the_page(organiser, csrf_app):
    response = post_staff_account(organiser, "lo.thi.mai", display_name="Lò Thị Mai", communes="3637, 3640")
    assert response.status_code == 302
    from server.extensions import db
    from server.models import User

    with csrf_app.app_context():
        user = db.session.execute(db.select(User).filter_by(username="lo.thi.mai")).scalar_one()
        assert user.commune_codes == {3637, 3640} and user.password_hash != "a long enough password"


def test_create_account_with_commune_in_wrong_province_says_so(organiser):
    response = post_staff_account(organiser, "x1", communes="4")
    assert response.status_code == 400 and "không thuộc Lai Châu" in response.get_data(as_text=True)


def test_devices_listed_and_revoked(organiser, csrf_app):
    token = token_for(csrf_app, "mai")
    page = organiser.get("/organiser/devices").get_data(as_text=True)
    assert "mai" in page
    token_id = first_match(r"/organiser/devices/(\d+)/revoke", page)
    assert organiser.post(f"/organiser/devices/{token_id}/revoke").status_code == 400  # no CSRF token
    response = organiser.post(f"/organiser/devices/{token_id}/revoke", data={"csrf_token": csrf(page)})
    assert response.status_code == 302
    from tests.conftest import post_sync

    assert post_sync(csrf_app.test_client(), token, []).status_code == 401


def test_logout(organiser):
    page = organiser.get("/organiser/users").get_data(as_text=True)
    organiser.post("/organiser/logout", data={"csrf_token": csrf(page)})
    assert organiser.get("/organiser/users").status_code == 302


def test_cli_users_and_devices(app, runner):
    from server.cli import cli

    result = runner.invoke(
        cli,
        ["users", "create", "mai", "--role", "staff", "--commune", "3637", "--password", "long enough pw"],
    )
    assert result.exit_code == 0, result.output
    bad = runner.invoke(
        cli,
        ["users", "create", "xy", "--role", "staff", "--commune", "99999999", "--password", "long enough pw"],
    )
    assert bad.exit_code != 0 and "99999999" in bad.output
    token = runner.invoke(cli, ["devices", "enroll", "--user", "mai"]).output.strip()
    assert token.startswith("loa_")
    listing = runner.invoke(cli, ["devices", "list"]).output
    assert "mai" in listing and "never" in listing
    assert runner.invoke(cli, ["users", "list"]).output.startswith("mai")
