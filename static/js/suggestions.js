// "What did you draw?": after the child stops drawing for a moment, ask the
// server which thing the sketch looks like and offer the best guess as one tap
// ("Is it this? 🐼 Panda"). It never gets in the way: drawing goes on while it
// asks, a stale answer (the sketch changed since) is dropped, and any error is
// silent. When the server says guessing is not available, it stops asking; when it
// says "not right now" (503 with Retry-After: no worker answered), it asks later.
// Once the child has picked a thing, the child has said what it is: no more guesses
// until the pick is undone, and a guess changes nothing without the child's own tap.

import { csrfToken } from "./drawings-api.js";

const PAUSE_MS = 1500; // quiet time after the last stroke before asking
const SPACING_MS = 4000; // at most one question this often
const SIDE = 256; // the server normalises to 256 px anyway: send no more

export class SuggestionAsker {
  constructor({ url, pad, bubble, picker, onAccept }) {
    this.url = url;
    this.pad = pad;
    this.bubble = bubble;
    this.picker = picker;
    this.onAccept = onAccept;
    this.timer = null;
    this.lastAsked = 0;
    this.askedVersion = -1;
    this.inFlight = false;
    this.stopped = false;
    this.spacing = SPACING_MS;
    this.suggested = "";
    pad.addEventListener("change", () => this._schedule());
    bubble.addEventListener("click", () => {
      const slug = this.suggested;
      this.hide();
      // Never over the child's own pick (a bubble left from before it, a late answer).
      if (slug && !this.picker.category) this.onAccept(slug);
    });
  }

  hide() {
    this.bubble.hidden = true;
    this.suggested = "";
  }

  /** The picker changed: with a thing picked no guess is offered; without one, ask again. */
  picked(slug) {
    if (slug) {
      clearTimeout(this.timer);
      this.hide();
    } else {
      this.askedVersion = -1;
      this._schedule();
    }
  }

  _schedule(delay = PAUSE_MS) {
    clearTimeout(this.timer);
    if (this.stopped) return;
    if (this.pad.isEmpty()) {
      this.hide();
      return;
    }
    if (this.picker.category) return; // the child has said what it is
    const wait = Math.max(delay, this.lastAsked + this.spacing - Date.now());
    this.timer = setTimeout(() => this._ask(), wait);
  }

  async _ask() {
    const { pad } = this;
    if (this.stopped || pad.isEmpty() || pad.version === this.askedVersion) return;
    if (this.picker.category) return;
    if (this.inFlight || pad.isDrawing()) {
      this._schedule();
      return;
    }
    const version = pad.version;
    this.inFlight = true;
    this.askedVersion = version;
    this.lastAsked = Date.now();
    try {
      const form = new FormData();
      form.append("sketch", await pad.toBlob(SIDE), "sketch.png");
      const response = await fetch(this.url, {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      if (response.status === 429) {
        this.spacing = Math.min(this.spacing * 2, 60_000);
        this.askedVersion = -1; // ask again about these strokes, later
        this._schedule();
        return;
      }
      if (response.status === 503 && response.headers.has("Retry-After")) {
        // No worker answered in time ("no guesses right now"): ask again, later.
        const seconds = Number(response.headers.get("Retry-After")) || 30;
        this.spacing = Math.min(Math.max(this.spacing, seconds * 1000), 60_000);
        this.askedVersion = -1;
        this._schedule();
        return;
      }
      if (!response.ok) {
        // 503 (no guesser installed), 403 (not playing): asking again will not help.
        if (response.status === 503 || response.status === 403) this.stopped = true;
        return;
      }
      this.spacing = SPACING_MS;
      const [best] = await response.json();
      if (pad.version !== version || !best) return; // the drawing moved on
      this._show(best);
    } catch {
      // Offline or a bad answer: the child just sees no bubble.
    } finally {
      this.inFlight = false;
    }
  }

  _show(best) {
    // The server says whether the guess is sure enough (the classifier's calibrated line):
    // a weaker guess is not worth a child's attention.
    if (!best.confident || this.picker.category) {
      this.hide();
      return;
    }
    this.suggested = best.slug;
    this.bubble.querySelector("[data-suggestion-emoji]").textContent = best.emoji;
    this.bubble.querySelector("[data-suggestion-label]").textContent = best.label;
    this.bubble.hidden = false;
  }
}
