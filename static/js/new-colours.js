// "New colours" (🎲): a finished picture painted again in another colourway, as a new version.
// The gallery and detail pages show a 🎲 button and the versions of each picture; a press asks
// the REST API, the live socket (and, as a fallback, a poll) brings the new version, and it is
// shown when it arrives. A child may tap an earlier version to show it again. Every word shown
// comes from the template (_new_colours.html); the drawing's JSON is the REST/socket shape.

import { DRAWINGS_API, csrfToken, fetchDrawing } from "./drawings-api.js";
import { LiveUpdates } from "./live.js";

const POLL_MS = 3000;
const BUSY = new Set(["queued", "running"]);

// Within one number of versions: nothing asked < asked < painting; a new version beats all.
const STATE_RANK = { "": 0, failed: 0, queued: 1, running: 2 };
const rank = (drawing) =>
  (drawing.versions || []).length * 10 + (STATE_RANK[drawing.new_colours || ""] ?? 0);

async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "X-CSRFToken": csrfToken(),
      Accept: "application/json",
      ...(body ? { "Content-Type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  let json = null;
  try {
    json = await response.json();
  } catch {
    // Not JSON (a proxy's error page).
  }
  return { ok: response.ok, json };
}

class PictureVersions {
  constructor(element, card) {
    this.element = element;
    this.card = card;
    this.id = element.dataset.newColoursFor;
    this.shown = null; // the drawing JSON last shown
    this.pollTimer = null;
    this.button = element.querySelector("[data-new-colours]");
    this.busy = element.querySelector("[data-new-colours-busy]");
    this.failed = element.querySelector("[data-new-colours-failed]");
    this.versions = element.querySelector("[data-versions]");
    this.button.addEventListener("click", () => this.ask());
    this.versions.addEventListener("click", (event) => {
      const thumb = event.target.closest("[data-version]");
      if (thumb) this.pick(Number(thumb.dataset.version));
    });
    if (BUSY.has(element.dataset.state)) this.poll();
  }

  async ask() {
    this.button.disabled = true;
    const { ok, json } = await postJson(`${DRAWINGS_API}${encodeURIComponent(this.id)}/new-colours/`);
    this.button.disabled = false;
    if (ok && json) {
      this.render(json, { force: true });
    } else {
      this.failed.textContent = (json && json.detail) || this.element.dataset.labelFailed;
      this.failed.hidden = false;
    }
  }

  async pick(number) {
    const { ok, json } = await postJson(
      `${DRAWINGS_API}${encodeURIComponent(this.id)}/show-version/`,
      { version: number },
    );
    if (ok && json) this.render(json, { force: true });
  }

  /** Show a drawing JSON (REST answer, socket event, poll): only ever forward, unless forced. */
  render(drawing, { force = false } = {}) {
    if (!drawing || drawing.status !== "done") return;
    if (!force && this.shown && rank(drawing) < rank(this.shown)) return;
    this.shown = drawing;
    const state = drawing.new_colours || "";
    this.element.dataset.state = state;
    this.element.dataset.version = String(drawing.version);
    this.element.dataset.count = String(drawing.versions.length);
    this.button.hidden = !drawing.can_new_colours;
    this.busy.hidden = !BUSY.has(state);
    if (state === "failed") {
      this.failed.textContent = this.element.dataset.labelFailed;
      this.failed.hidden = false;
    } else if (BUSY.has(state)) {
      this.failed.hidden = true;
    }
    const current = drawing.versions.find((v) => v.number === drawing.version);
    if (current) this.showPicture(current.url);
    this.renderVersions(drawing);
    if (BUSY.has(state)) this.poll();
  }

  showPicture(url) {
    // Each version has an address of its own, so a cached earlier picture is never shown.
    const slot = this.card.querySelector("[data-result-slot]");
    const img = slot && slot.querySelector("img");
    if (img && img.getAttribute("src") !== url) img.src = url;
    for (const link of this.card.querySelectorAll("[data-download]")) link.href = url;
  }

  renderVersions(drawing) {
    const thumb = this.element.dataset.thumb || "48";
    const label = this.element.dataset.labelVersion || "{n}";
    this.versions.hidden = drawing.versions.length < 2;
    const buttons = drawing.versions.map((v) => {
      let button = this.versions.querySelector(`[data-version="${v.number}"]`);
      if (!button) {
        button = document.createElement("button");
        button.type = "button";
        button.className = "version-thumb";
        button.dataset.version = String(v.number);
        const img = document.createElement("img");
        img.src = v.url;
        img.alt = label.replace("{n}", String(v.number + 1));
        img.width = Number(thumb);
        img.height = Number(thumb);
        button.append(img);
      }
      button.setAttribute("aria-pressed", v.number === drawing.version ? "true" : "false");
      return button;
    });
    this.versions.replaceChildren(...buttons);
  }

  // The socket brings the news; a poll makes sure a lost event costs nothing.
  poll() {
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(async () => {
      try {
        const fresh = await fetchDrawing(this.id);
        if (fresh) this.render(fresh);
      } catch {
        // Offline for a moment: the next poll or the socket catches up.
      }
      if (BUSY.has(this.element.dataset.state)) this.poll();
    }, POLL_MS);
  }
}

const pictures = new Map();
for (const element of document.querySelectorAll("[data-new-colours-for]")) {
  const card = element.closest("[data-live-drawing]") || document;
  pictures.set(String(element.dataset.newColoursFor), new PictureVersions(element, card));
}
if (pictures.size) {
  const live = new LiveUpdates();
  live.onDrawing((drawing) => {
    const picture = pictures.get(String(drawing.id));
    if (picture) picture.render(drawing);
  });
  live.connect();
}
