"""Password guessing against one organiser account, as an attacker with many addresses would:
how many guesses get checked, whether the right password then gets in from a stranger's browser
and from the owner's, and what the back-off costs a guesser (from the settings' rule).

Usage: .venv/bin/python bench/guessing.py [--guesses 150] [--addresses 15]
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guesses", type=int, default=150)
    parser.add_argument("--addresses", type=int, default=15)
    args = parser.parse_args()

    from tests.conftest import create_account, csrf, log_in, make_app

    app = make_app(Path(tempfile.mkdtemp(prefix="loa-guessing-")), WTF_CSRF_ENABLED=True)
    create_account(app, "boss", role="organiser")
    owner = app.test_client()
    assert log_in(owner, "boss").status_code == 302
    owner.post(
        "/organiser/logout", data={"csrf_token": csrf(owner.get("/organiser/users").get_data(as_text=True))}
    )

    answers: collections.Counter[int] = collections.Counter()
    per_address = max(1, args.guesses // args.addresses)
    for n in range(args.guesses):
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = f"10.0.{n // per_address}.{n % per_address}"
        answers[log_in(attacker, "boss", f"guess number {n}").status_code] += 1
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    right_stranger = log_in(stranger, "boss").status_code
    right_owner = log_in(owner, "boss").status_code

    free, cap = app.config["LOGIN_FREE_FAILURES"], app.config["LOGIN_BACKOFF_MAX_SECONDS"]
    wait = sum(min(cap, 2 ** (n - free)) for n in range(free, args.guesses))  # guesses after the free ones
    print(f"{args.guesses} guesses at one account from {args.addresses} addresses, as fast as possible:")
    print(
        f"  checked (401): {answers[401]:>5}   refused unchecked (429): {answers[429]:>5}   budget: checked <= {free}"
    )
    print(f"  right password, a stranger's browser: {right_stranger}   budget: 429")
    print(f"  right password, the owner's browser:  {right_owner}   budget: 302 (never locked out)")
    print(f"  time {args.guesses} checked guesses need by the back-off: {wait / 3600:.1f} h")


if __name__ == "__main__":
    main()
