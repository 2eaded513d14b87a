"""Everything in Korean and English: the switch, the pages, the models' words and the catalogue."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Avatar, Child
from drawings import events, lifecycle, protocol
from drawings.consumers import reader_language
from drawings.models import DrawingStatus
from drawings.payloads import drawing_payload
from tests.factories import ChildFactory, DrawingFactory
from tests.fixtures.live import make_child, session_cookie_for, socket
from tests.fixtures.site import play_as

PO_FILE = Path(settings.BASE_DIR) / "locale" / "ko" / "LC_MESSAGES" / "django.po"
SET_LANGUAGE = "/i18n/setlang/"


@pytest.fixture(autouse=True)
def _no_language_left_behind() -> Iterator[None]:
    # LocaleMiddleware activates the request's language in this thread and leaves it there.
    yield
    translation.deactivate()


def korean_client(**kwargs: object) -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="ko", **kwargs)  # type: ignore[arg-type]


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# --- pages in Korean ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_login_page_speaks_korean_to_a_korean_browser() -> None:
    page = text_of(korean_client().get(reverse("accounts:login")))

    assert '<html lang="ko">' in page
    assert "<h1>로그인</h1>" in page
    assert "이메일" in page and "비밀번호" in page
    assert "가족 계정 만들기" in page
    assert "Sign in" not in page


@pytest.mark.django_db
def test_the_canvas_speaks_korean_to_a_playing_child(child: Child, generators_dir: Path) -> None:
    page = text_of(play_as(korean_client(), child).get(reverse("drawings:canvas")))

    assert "내 그림 만들기!" in page
    assert "무엇을 그렸나요?" in page
    assert "내 차례를 기다리는 중…" in page  # the status the script shows while queued
    assert "얼굴" in page  # the generator's category, in Korean
    assert "Make my picture!" not in page


@pytest.mark.django_db
def test_the_family_page_speaks_korean_to_a_parent(child: Child) -> None:
    client = korean_client()
    client.force_login(child.parent)

    page = text_of(client.get(reverse("accounts:family")))

    assert f"{child.parent.display_name}님의 가족" in page
    assert "놀이 모드 시작" in page and "아이 추가하기" in page
    assert re.search(r"\d+살쯤", page)  # "about 7 years old"


@pytest.mark.django_db
def test_the_progress_page_speaks_korean(child: Child) -> None:
    page = text_of(play_as(korean_client(), child).get(reverse("gamification:progress")))

    assert "나의 성장" in page
    assert "연속 기록" in page
    assert "오늘의 퀘스트" in page
    assert "레벨" in page


# --- the switch --------------------------------------------------------------------------


def switch_form(page: str) -> tuple[str, dict[str, str]]:
    """The language switch as a browser would submit it: action and hidden fields."""
    form = re.search(r'<form class="lang-switch"[^>]*action="([^"]+)"(.*?)</form>', page, re.S)
    assert form is not None, "no language switch on the page"
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[2]))
    return form[1], hidden


def signed_out(client: Client) -> str:
    return reverse("accounts:login")


def parent(client: Client) -> str:
    client.force_login(ChildFactory.create().parent)
    return reverse("accounts:family")


def playing_child(client: Client) -> str:
    play_as(client, ChildFactory.create())
    return reverse("drawings:gallery")


@pytest.mark.django_db
@pytest.mark.parametrize("visitor", [signed_out, parent, playing_child])
def test_the_switch_changes_the_language_and_comes_back_to_the_same_page(visitor) -> None:
    client = Client(enforce_csrf_checks=True)
    url = visitor(client)
    english = text_of(client.get(url))
    action, fields = switch_form(english)
    assert action == SET_LANGUAGE and fields["next"] == url
    assert 'value="en" lang="en" aria-pressed="true"' in english

    response = client.post(action, {**fields, "language": "ko"})

    assert response.status_code == 302 and response["Location"] == url
    korean = text_of(client.get(url))
    assert '<html lang="ko">' in korean
    assert 'value="ko" lang="ko" aria-pressed="true"' in korean

    action, fields = switch_form(korean)
    client.post(action, {**fields, "language": "en"})
    assert '<html lang="en">' in text_of(client.get(url))


@pytest.mark.django_db
def test_the_switch_wins_over_the_browser_language() -> None:
    client = korean_client()
    client.post(SET_LANGUAGE, {"language": "en", "next": reverse("accounts:login")})

    assert "<h1>Sign in</h1>" in text_of(client.get(reverse("accounts:login")))


# --- model words, form errors and drawing messages ----------------------------------------


def test_avatar_and_drawing_status_labels_are_korean() -> None:
    with translation.override("ko"):
        assert Avatar.DINOSAUR.label == "공룡"
        assert Avatar.CAT.label == "고양이"
        assert DrawingStatus.QUEUED.label == "차례를 기다리는 중"
        assert DrawingStatus.DONE.label == "완성"
        assert str(Child._meta.verbose_name) == "아이"


@pytest.mark.django_db
def test_the_avatar_picker_and_its_errors_are_korean(child: Child) -> None:
    client = korean_client()
    client.force_login(child.parent)

    page = text_of(client.post(reverse("accounts:child_add"), {"avatar": "cat", "pin": "12"}))

    assert "공룡" in page and "유니콘" in page  # the avatar choices
    assert "표시된 칸을 고쳐 주세요." in page
    assert "필수 항목입니다." in page  # Django's own message, from its Korean catalogue
    assert "태어난 해" in page


@pytest.mark.django_db
def test_signup_and_pin_errors_are_korean(child: Child) -> None:
    page = text_of(
        korean_client().post(
            reverse("accounts:signup"),
            {"email": "new@example.com", "password": "a-long-pass-1", "password_confirm": "x"},
        )
    )
    assert "두 비밀번호가 서로 달라요." in page

    client = korean_client()
    client.force_login(child.parent)
    page = text_of(client.post(reverse("accounts:play_pin", args=[child.pk]), {"pin": "0000"}))
    assert "비밀 숫자가 아니에요." in page


@pytest.mark.django_db
def test_a_failed_drawing_says_sorry_in_korean(child: Child) -> None:
    drawing = DrawingFactory.create(
        child=child, status=DrawingStatus.FAILED, error_message=lifecycle.FRIENDLY_FAILURE
    )

    page = text_of(play_as(korean_client(), child).get(reverse("drawings:gallery")))

    assert "그림 도우미가 이 그림에서 멈춰 버렸어요" in page
    with translation.override("ko"):
        assert "내 스케치는 그대로 있어요" in (drawing_payload(drawing)["error_message"] or "")
    with translation.override("en"):
        assert drawing_payload(drawing)["error_message"] == lifecycle.FRIENDLY_FAILURE


def test_a_live_connection_reads_the_switch_then_the_browser() -> None:
    cookie = {"cookies": {settings.LANGUAGE_COOKIE_NAME: "ko"}}
    browser = {"headers": [(b"accept-language", b"ko-KR,ko;q=0.9,en;q=0.8")]}
    assert reader_language(cookie) == "ko"
    assert reader_language(browser) == "ko"
    assert reader_language({"headers": [(b"accept-language", b"fr, en;q=0.5")]}) == "en"
    assert reader_language({}) == settings.LANGUAGE_CODE


@pytest.mark.django_db(transaction=True)
async def test_the_live_failure_message_arrives_in_the_childs_language() -> None:
    child = await make_child()
    korean = f"; {settings.LANGUAGE_COOKIE_NAME}=ko".encode()
    communicator = socket(await session_cookie_for(child) + korean)
    connected, _ = await communicator.connect()
    assert connected

    failed = {"id": 1, "status": "failed", "error_message": lifecycle.FRIENDLY_FAILURE}
    await sync_to_async(events.send_to_child)(child.pk, protocol.drawing_status(failed))

    message = await communicator.receive_json_from(timeout=5)
    await communicator.disconnect()
    assert "그림 도우미가 이 그림에서 멈춰 버렸어요" in message["drawing"]["error_message"]


# --- the catalogue -----------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgstrs: list[str] = field(default_factory=list)
    fuzzy: bool = False


def read_po(path: Path) -> list[Entry]:
    """A tiny .po reader: enough to check that every message has a translation."""
    entries: list[Entry] = []
    entry, target = Entry(), ""
    values: dict[str, str] = {}

    def finish() -> None:
        nonlocal entry, values
        if "msgid" in values:
            entry.msgid = values.pop("msgid")
            entry.msgid_plural = values.pop("msgid_plural", "")
            entry.msgstrs = [v for k, v in sorted(values.items()) if k.startswith("msgstr")]
            entries.append(entry)
        entry, values = Entry(), {}

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            finish()
        elif line.startswith("#,"):
            entry.fuzzy = entry.fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            values[target] += _unquote(line)
        else:
            target, _, rest = line.partition(" ")
            values[target] = _unquote(rest)
    return [e for e in entries if e.msgid]  # the header has an empty msgid


def _unquote(text: str) -> str:
    return text.strip()[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


PLACEHOLDER = re.compile(r"%\(\w+\)[-.#0-9]*[sdf]|\{\{\s*\w+\s*\}\}|<[^>]+>")


def test_every_message_has_a_korean_translation_with_the_same_placeholders() -> None:
    entries = read_po(PO_FILE)

    assert len(entries) > 200
    for entry in entries:
        assert not entry.fuzzy, entry.msgid
        assert entry.msgstrs and all(s.strip() for s in entry.msgstrs), entry.msgid
        for msgstr in entry.msgstrs:
            assert sorted(set(PLACEHOLDER.findall(msgstr))) == sorted(
                set(PLACEHOLDER.findall(entry.msgid))
            ), entry.msgid


def test_the_compiled_catalogue_is_shipped() -> None:
    # The .mo is committed so that running the site needs no gettext tools.
    assert PO_FILE.with_suffix(".mo").stat().st_size > 0
