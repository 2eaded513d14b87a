// The magic preview: with "Peek" on, the current sketch goes over the live socket
// at most every half second while it changes, and the picture it would become
// comes back faded beside the canvas. Nothing is stored or paid; the server drops
// stale sketches and says "busy" when it is full, and then we wait a little.
//
// Off by default (the quietest page); the choice is remembered on this device.
// It starts with the first stroke: with no thing picked it sends the confident guess, or
// no thing at all; where the server needs one, the figure says so in the child's words.

const SEND_EVERY_MS = 500;
const BUSY_PAUSE_MS = 2000;
// No answer at all (the socket reconnected, a worker restarted): the same sketch may go again.
const ANSWER_WAIT_MS = 4000;
const PREVIEW_SIDE = 256; // what the generator reads: a smaller message than the 512 export

function blobToDataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

export class MagicPreview {
  constructor({ live, pad, toggle, figure, getCategory }) {
    this.live = live;
    this.pad = pad;
    this.toggle = toggle;
    this.figure = figure;
    this.image = figure.querySelector("img");
    this.note = figure.querySelector("[data-peek-note]");
    this.getCategory = getCategory;
    this.storageKey = toggle.dataset.storageKey;
    this.seq = 0;
    this.shownSeq = -1;
    this.sentVersion = null;
    this.timer = null;
    this.lastSent = 0;
    this.pauseUntil = 0;
    this.sending = false;

    this.enabled = this._remembered();
    this._render();
    toggle.addEventListener("click", () => this.setEnabled(!this.enabled));
    pad.addEventListener("change", () => this.changed());
    live.onMessage((message) => this._heard(message));
    live.onStatus((status) => {
      if (status === "open") this.changed();
    });
  }

  setEnabled(on) {
    this.enabled = on;
    try {
      localStorage.setItem(this.storageKey, on ? "on" : "off");
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    this._render();
    if (on) this.changed();
  }

  /** The sketch or the category changed: send soon, at most every SEND_EVERY_MS. */
  changed() {
    if (!this.enabled) return;
    if (this.needsThing && this.getCategory()) this.needsThing = false; // send it, with the thing
    if (this.pad.isEmpty()) {
      this.figure.hidden = true;
      return;
    }
    if (this.timer) return; // one send is already planned; it reads the latest strokes
    const wait = Math.max(
      0,
      this.lastSent + SEND_EVERY_MS - Date.now(),
      this.pauseUntil - Date.now(),
    );
    this.timer = setTimeout(() => {
      this.timer = null;
      this._send();
    }, wait);
  }

  async _send() {
    const category = this.getCategory();
    const version = `${this.pad.version}|${category}`;
    const unanswered = Date.now() - this.lastSent > ANSWER_WAIT_MS && this.shownSeq < this.seq;
    if (!this.enabled || this.pad.isEmpty()) return;
    if (version === this.sentVersion && !unanswered) return;
    // Told already that a thing is needed: wait for one, not for more strokes.
    if (!category && this.needsThing) return;
    if (this.sending) {
      this.changed();
      return;
    }
    this.sending = true;
    try {
      const sketch = await blobToDataUrl(await this.pad.toBlob(PREVIEW_SIDE));
      this.seq += 1;
      // "type" first: the server lets a message this big through only as a preview.
      const message = { type: "preview", seq: this.seq, sketch };
      if (category) message.category = category;
      if (this.live.send(message)) {
        this.sentVersion = version;
        this.lastSent = Date.now();
        // Ask again if nothing comes back (the server may have lost it).
        setTimeout(() => this.changed(), ANSWER_WAIT_MS + 100);
      }
    } catch {
      // The next change tries again.
    } finally {
      this.sending = false;
    }
  }

  _heard(message) {
    if (message.type === "preview" && typeof message.image === "string") {
      if (!this.enabled || message.seq < this.shownSeq) return; // an older answer, late
      this.shownSeq = message.seq;
      this.image.src = message.image;
      this._explain(false);
      this.figure.hidden = false;
      this.figure.dataset.seq = String(message.seq);
    } else if (message.type === "error" && message.code === "preview_needs_thing") {
      if (!this.enabled || this.getCategory()) return; // a thing came meanwhile: it is on its way
      this._explain(true);
      this.figure.hidden = false;
    } else if (message.type === "preview.busy") {
      this.pauseUntil = Date.now() + BUSY_PAUSE_MS;
      this.sentVersion = null; // send this sketch again once the pause is over
      this.changed();
    }
  }

  /** Show the sentence "pick what you drew" instead of a picture, or the picture again. */
  _explain(needsThing) {
    this.needsThing = needsThing;
    this.image.hidden = needsThing;
    if (this.note) this.note.hidden = !needsThing;
  }

  _remembered() {
    try {
      return localStorage.getItem(this.storageKey) === "on";
    } catch {
      return false;
    }
  }

  _render() {
    this.toggle.setAttribute("aria-pressed", String(this.enabled));
    if (!this.enabled) this.figure.hidden = true;
  }
}
