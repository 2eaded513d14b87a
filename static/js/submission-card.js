// The card that shows one submission: the child's sketch, then the picture.
// Its Submission (submissions.js) decides what the card says; the card only
// draws that, with the words the template put in data-* attributes.

import { playSound } from "./sounds.js";

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
    if (drawing.status === "done" && drawing.result_url) this._showPicture(drawing.result_url);
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

  _showPicture(url) {
    const img = document.createElement("img");
    img.src = url;
    img.alt = this.strings.resultAlt;
    img.width = 256;
    img.height = 256;
    this.resultSlot.replaceChildren(img);
  }
}
