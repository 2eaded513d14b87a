// The card that shows one submission: the child's sketch, then the picture.
// Its Submission (submissions.js) decides what the card says; the card only
// draws that, with the words the template put in data-* attributes.

import { DRAWINGS_API, csrfToken } from "./drawings-api.js";
import { playSound } from "./sounds.js";

const PAINTING = new Set(["queued", "running"]);

export class SubmissionCard {
  constructor(template, submission, { sketchUrl, categoryLabel, strings }) {
    this.submission = submission;
    this.strings = strings;
    this.element = template.content.firstElementChild.cloneNode(true);
    this.sketchImg = this.element.querySelector("[data-sketch]");
    this.resultSlot = this.element.querySelector("[data-result-slot]");
    this.message = this.element.querySelector("[data-message]");
    this.category = this.element.querySelector("[data-category]");
    this.retryButton = this.element.querySelector("[data-retry]");
    this.dismissButton = this.element.querySelector("[data-dismiss]");
    this.detailLink = this.element.querySelector("[data-detail-link]");
    // 🎲 "New colours": the finished picture painted again in another colourway (new-colours.js
    // does the same in the gallery); the socket brings the new version to this card.
    this.diceButton = this.element.querySelector("[data-card-new-colours]");
    this.diceBusy = this.element.querySelector("[data-card-new-colours-busy]");
    this.diceButton?.addEventListener("click", () => this._askForNewColours());
    this.sketchImg.src = sketchUrl;
    if (this.category) this.category.textContent = categoryLabel;
    this.dismissButton?.addEventListener("click", () => this.element.remove());
  }

  sending() {
    this.submission.sending();
    this._render();
  }

  retrying() {
    this.submission.retrying();
    this._render();
  }

  problem(text, { retryable }) {
    this.submission.problem(text, { retryable });
    this._render();
  }

  /**
   * Show a drawing's state, unless it is older than what the card shows. Returns
   * the change (see Submission.update) or null. `quiet`: no sound (a card brought
   * back by a reload, not news).
   */
  drawing(drawing, { quiet = false } = {}) {
    const change = this.submission.update(drawing);
    if (!change) return null;
    if (!quiet && change.from !== change.to) {
      if (change.to === "done") playSound("reveal");
      else if (change.to === "failed") playSound("oops");
    }
    this._render();
    if (drawing.status === "done" && drawing.result_url) {
      // Each version has its own address, so a new colourway is never hidden by the cache.
      const versions = drawing.versions || [];
      const shown = versions.length > 1 && versions.find((v) => v.number === drawing.version);
      this._showPicture(shown ? shown.url : drawing.result_url);
    }
    this._renderNewColours(drawing);
    if (this.detailLink && this.detailLink.dataset.urlTemplate && drawing.id) {
      // The template renders the detail URL for id 0; swap in the real id.
      this.detailLink.href = this.detailLink.dataset.urlTemplate.replace(
        /\/0\/$/,
        `/${encodeURIComponent(drawing.id)}/`,
      );
      this.detailLink.hidden = drawing.status !== "done";
    }
    return change;
  }

  _render() {
    const { state, message } = this.submission;
    this.element.dataset.state = state;
    this.message.textContent = message || this.strings[state] || this.strings.queued;
    this.retryButton.hidden = state !== "failed";
    if (this.dismissButton) this.dismissButton.hidden = state !== "rejected";
  }

  _renderNewColours(drawing) {
    if (!this.diceButton) return;
    const painting = PAINTING.has(drawing.new_colours || "");
    this.diceButton.hidden = !drawing.can_new_colours;
    this.diceBusy.hidden = !painting;
  }

  async _askForNewColours() {
    const id = this.submission.drawingId;
    if (!id) return;
    this.diceButton.disabled = true;
    try {
      const response = await fetch(`${DRAWINGS_API}${encodeURIComponent(id)}/new-colours/`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      if (response.ok) this.drawing(await response.json(), { quiet: true });
    } catch {
      // Offline for a moment: the button stays, the child can press it again.
    } finally {
      this.diceButton.disabled = false;
    }
  }

  _showPicture(url) {
    const current = this.resultSlot.querySelector("img");
    if (current && current.getAttribute("src") === url) return;
    const img = document.createElement("img");
    img.src = url;
    img.alt = this.strings.resultAlt;
    img.width = 256;
    img.height = 256;
    this.resultSlot.replaceChildren(img);
  }
}
