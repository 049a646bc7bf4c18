"""Demo data for a first look: accounts, village sessions, quiz answers, leaflets and scans in
Lai Châu (province 12), with fresh random passwords.

Everything goes through the same paths as real data (accounts.create_user, sync.ingest,
leaflets.get_or_create_leaflets), so the demo exercises the product rather than bypassing it.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import uuid
from pathlib import Path

from flask import current_app

from . import accounts, communes, sync
from .devices import Actor
from .extensions import db
from .models import ORGANISER, STAFF, User
from .web import get_content

DEMO_PROVINCE = 12  # Lai Châu
DEMO_SEED = 15032027
VN = dt.timezone(dt.timedelta(hours=7))
PLACES = ["Nhà văn hóa bản", "Chợ phiên", "Sân Ủy ban nhân dân xã", "Trường tiểu học", "Nhà văn hóa thôn"]


def credentials_path() -> Path:
    """Where the demo accounts and their passwords are kept (mode 600), in the instance folder."""
    return Path(current_app.instance_path) / "demo-credentials.txt"


def shown_path(path: Path) -> str:
    """`path` as an operator reads it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def database_is_empty() -> bool:
    return db.session.execute(db.select(User.id).limit(1)).first() is None


def _password() -> str:
    return secrets.token_urlsafe(12)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(VN).isoformat(timespec="seconds")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def demo_records(commune_codes: list[int], content, rng: random.Random, today: dt.date) -> list[dict]:
    """Sessions over the last months with tally lines and pre/post quiz answers. Residents know
    a little more after the talk than before it, as a real campaign would hope."""
    records = []
    for day_offset in sorted(rng.sample(range(5, 120), 14)):
        commune = rng.choice(commune_codes)
        starts = dt.datetime.combine(
            today - dt.timedelta(days=day_offset), dt.time(8 + rng.randint(0, 6)), VN
        )
        topic = rng.choice(content.topic_ids())
        session_id = _uuid(rng)
        records.append(
            {
                "id": session_id,
                "type": "session",
                "created_at": _stamp(starts),
                "data": {
                    "commune_code": commune,
                    "topic_ids": [topic],
                    "starts_at": _stamp(starts),
                    "place": rng.choice(PLACES),
                    "facilitator": "Cán bộ xã (demo)",
                },
            }
        )
        for _ in range(rng.randint(1, 3)):
            count = rng.randint(8, 45)
            women = rng.randint(count // 3, count)
            minority = rng.randint(count // 2, count)
            records.append(
                {
                    "id": _uuid(rng),
                    "type": "attendance",
                    "created_at": _stamp(starts),
                    "data": {
                        "session_id": session_id,
                        "count": count,
                        "women": women,
                        "ethnic_minority": minority,
                    },
                }
            )
        quiz = content.quiz("vi", content.topic("vi", topic).value.quiz).value
        for phase, knows in (("pre", 0.45), ("post", 0.75)):
            for _ in range(rng.randint(4, 10)):
                answers = {
                    q.id: q.answer if rng.random() < knows else rng.choice([o.id for o in q.options])
                    for q in quiz.questions
                }
                records.append(
                    {
                        "id": _uuid(rng),
                        "type": "quiz_response",
                        "created_at": _stamp(starts),
                        "data": {
                            "quiz_id": quiz.id,
                            "lang": rng.choice(["vi", "vi", "mww"]),
                            "answers": answers,
                            "session_id": session_id,
                            "phase": phase,
                        },
                    }
                )
    return records


def load_demo() -> list[str]:
    """Create the demo data; return the lines to show (with the passwords)."""
    rng = random.Random(DEMO_SEED)
    lai_chau = communes.communes_of(DEMO_PROVINCE)
    staff_communes = [c.code for c in lai_chau if c.division_type.startswith("xã")][:6]
    organiser_pw, staff_pw = _password(), _password()
    accounts.create_user("organiser", organiser_pw, ORGANISER, display_name="Sở Công Thương Lai Châu")
    staff = accounts.create_user(
        "staff",
        staff_pw,
        STAFF,
        display_name="Cán bộ xã (demo)",
        province_code=DEMO_PROVINCE,
        commune_codes=staff_communes,
    )
    content = get_content()
    actor = Actor(
        token_id=None,
        role=STAFF,
        user_id=staff.id,
        username=staff.username,
        commune_codes=frozenset(staff_communes),
        device_id=None,
    )
    records = demo_records(staff_communes, content, rng, dt.date.today())
    result = sync.ingest(records, actor, content)
    scans = _demo_leaflets(staff_communes, content, rng)
    names = ", ".join(communes.commune_name(c) for c in staff_communes)
    path = credentials_path()
    lines = [
        f"demo accounts (passwords are random; also saved in {shown_path(path)}):",
        f"  organiser / {organiser_pw}",
        f"  staff     / {staff_pw}   (communes: {names})",
        f"demo records: {len(result.accepted)} sessions, attendance lines and quiz answers; {scans} leaflet scans",
    ]
    path.touch(mode=0o600, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines


def _demo_leaflets(commune_codes: list[int], content, rng: random.Random) -> int:
    """Leaflets for the demo communes, some of them scanned."""
    from .leaflets.scans import record_scan
    from .leaflets.store import get_or_create_leaflets

    made = get_or_create_leaflets("complaints", "vi", commune_codes, content)
    made += get_or_create_leaflets("counterfeit", "mww", commune_codes[:3], content)
    scans = 0
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for leaflet in made[:-2]:  # the last two were never scanned
        for _ in range(rng.randint(0, 12)):
            record_scan(
                leaflet.code, now - dt.timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
            )
            scans += 1
    return scans
