"""Families over HTTP, as the phone app makes them: parents signed up and in (knox tokens),
children added with a PIN and consent, each child's play token.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

PASSWORD = "load-test-password-2468"  # noqa: S105 - accounts made by the load test itself


PIN = "2468"


@dataclass
class ChildSession:
    index: int
    child_id: int
    token: str
    ws_url: str
    api_url: str  # submissions go to another web process than the socket when there are two


async def sign_up_family(
    client: httpx.AsyncClient, base_url: str, family: int, children: int, run_tag: str
) -> tuple[str, list[int]]:
    email = f"load-{run_tag}-{family}@example.com"
    answer = await client.post(
        base_url + "/api/v1/auth/signup/", json={"email": email, "password": PASSWORD}
    )
    answer.raise_for_status()
    await asyncio.to_thread(confirm_email, email)
    signed_in = await client.post(
        base_url + "/api/v1/auth/signin/",
        json={"email": email, "password": PASSWORD, "device_name": "Load test"},
    )
    signed_in.raise_for_status()
    parent = signed_in.json()["token"]
    ids = []
    for k in range(children):
        added = await client.post(
            base_url + "/api/v1/children/",
            headers={"Authorization": f"Bearer {parent}"},
            json={
                "nickname": f"Kid {k + 1}",
                "avatar": "panda",
                "birth_year": 2018,
                "time_zone": "Asia/Seoul",
                "pin": PIN,
                "consent": True,
            },
        )
        added.raise_for_status()
        ids.append(int(added.json()["id"]))
    return parent, ids


def confirm_email(email: str) -> None:
    """What the parent's click on the mailed link does: the address is marked confirmed in the
    server's database (this process reads it), since signing in needs a confirmed address."""
    from allauth.account.models import EmailAddress

    if not EmailAddress.objects.filter(email__iexact=email).update(verified=True):
        raise RuntimeError(
            f"no address {email} in the database read here: the load test needs the server's "
            "database (--start, or --database-url) to confirm its parents' addresses"
        )


async def play_token(client: httpx.AsyncClient, base_url: str, parent: str, child_id: int) -> str:
    played = await client.post(
        f"{base_url}/api/v1/children/{child_id}/play/",
        headers={"Authorization": f"Bearer {parent}"},
        json={"pin": PIN, "device_name": "Tablet"},
    )
    played.raise_for_status()
    return str(played.json()["token"])


async def sign_in_children(
    client: httpx.AsyncClient, base_urls: Sequence[str], children: int, per_family: int
) -> list[ChildSession]:
    run_tag = uuid.uuid4().hex[:8]
    families = math.ceil(children / per_family)
    sizes = [min(per_family, children - f * per_family) for f in range(families)]
    made = await asyncio.gather(
        *(
            sign_up_family(client, base_urls[f % len(base_urls)], f, size, run_tag)
            for f, size in enumerate(sizes)
        )
    )
    pairs = [(parent, child_id) for parent, ids in made for child_id in ids]
    tokens = await asyncio.gather(
        *(
            play_token(client, base_urls[i % len(base_urls)], parent, child_id)
            for i, (parent, child_id) in enumerate(pairs)
        )
    )
    sessions = []
    for i, ((_, child_id), token) in enumerate(zip(pairs, tokens, strict=True)):
        ws_base = base_urls[i % len(base_urls)]
        api_base = base_urls[(i + 1) % len(base_urls)]
        sessions.append(
            ChildSession(
                index=i,
                child_id=child_id,
                token=token,
                ws_url=ws_base.replace("http://", "ws://").replace("https://", "wss://") + "/ws/",
                api_url=api_base,
            )
        )
    return sessions


async def categories_of(client: httpx.AsyncClient, session: ChildSession) -> list[str]:
    answer = await client.get(
        session.api_url + "/api/v1/categories/",
        headers={"Authorization": f"Bearer {session.token}"},
    )
    answer.raise_for_status()
    return [c["slug"] for c in answer.json()["categories"]]
