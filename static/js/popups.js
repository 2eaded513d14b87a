// Pop-ups that celebrate (XP, a level, an achievement, a quest). However many
// land at once, at most MAX_VISIBLE are on screen; the rest wait in line and
// come out as earlier ones leave. A tap sends one away early.

import { playSound } from "./sounds.js";

const MAX_VISIBLE = 2;
const SHOW_MS = 6000;
const LEAVE_MS = 250;
// Height a pop-up of three lines takes in the region, with the gap after it (px).
const ROOM_PER_POPUP_PX = 112;

const waiting = [];

function region() {
  let element = document.querySelector(".xp-toasts");
  if (!element) {
    element = document.createElement("div");
    element.className = "xp-toasts";
    element.setAttribute("role", "status");
    element.setAttribute("aria-live", "polite");
    document.body.append(element);
  }
  return element;
}

function dismiss(popup) {
  if (popup.dataset.leaving) return;
  popup.dataset.leaving = "true";
  clearTimeout(Number(popup.dataset.timer));
  // Still on screen while it fades, so it still counts towards MAX_VISIBLE.
  setTimeout(() => {
    popup.remove();
    showWaiting();
  }, LEAVE_MS);
}

function present({ lines, sound }) {
  const popup = document.createElement("button");
  popup.type = "button";
  popup.className = "xp-toast";
  for (const text of lines) {
    const line = document.createElement("span");
    line.className = "xp-toast-line";
    line.textContent = text;
    popup.append(line);
  }
  popup.addEventListener("click", () => dismiss(popup));
  region().append(popup);
  popup.dataset.timer = String(setTimeout(() => dismiss(popup), SHOW_MS));
  if (sound) playSound(sound);
}

function showWaiting() {
  const shown = region().children.length;
  // At the foot of a phone's screen there is room for one line under the buttons.
  const limit = atBottom() ? 1 : MAX_VISIBLE;
  for (let free = limit - shown; free > 0 && waiting.length; free -= 1) {
    present(waiting.shift());
  }
}

/** The room the pop-ups may take on screen (px): `above` from the top, or — where the
 * stylesheet puts them at the bottom (a phone: `--celebrations-at: bottom`) — `below`
 * from the bottom. A page keeps what the child must see (the new picture) out of it
 * where the screen has room. */
export function celebrationRoom() {
  const style = getComputedStyle(region());
  const room = MAX_VISIBLE * ROOM_PER_POPUP_PX;
  if (style.getPropertyValue("--celebrations-at").trim() === "bottom") {
    return { above: 0, below: (parseFloat(style.bottom) || 0) + room };
  }
  return { above: (parseFloat(style.top) || 0) + room, below: 0 };
}

function atBottom() {
  return getComputedStyle(region()).getPropertyValue("--celebrations-at").trim() === "bottom";
}

/** Show a pop-up with one line per entry of `lines`, now or when there is room. Where the
 * pop-ups sit at the foot of the screen (a phone), each is one line high so it stays under
 * the buttons: every line then comes as its own pop-up, in turn (the sound with the first),
 * so no piece of news is cut off. */
export function showPopup(lines, { sound = "reward" } = {}) {
  if (!lines || !lines.length) return;
  if (atBottom()) {
    lines.forEach((line, i) => waiting.push({ lines: [line], sound: i === 0 ? sound : null }));
  } else {
    waiting.push({ lines: [...lines], sound });
  }
  showWaiting();
}
