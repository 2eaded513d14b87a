// The drawing in progress, kept on this device so that a reload, a crash or a
// dropped connection loses nothing. One key per child (the key names the child):
// siblings sharing a tablet never see each other's drafts.

import { readItem, removeItem, writeItem } from "./local-store.js";

const FORMAT = 1;
const HEX_COLOR = /^#[0-9a-f]{6}$/i;
// Four decimals of a 0..1 coordinate is a tenth of a pixel on a 2048px canvas.
const round = (value) => Math.round(value * 10000) / 10000;
const unit = (value) => typeof value === "number" && value >= 0 && value <= 1;

function packStroke(stroke) {
  const points = [];
  for (const point of stroke.points) points.push(round(point.x), round(point.y), round(point.p || 0));
  return {
    color: stroke.color,
    eraser: stroke.eraser ? 1 : 0,
    width: stroke.width,
    pointerType: stroke.pointerType,
    points,
  };
}

function unpackStroke(packed) {
  if (!packed || !HEX_COLOR.test(packed.color) || !Array.isArray(packed.points)) return null;
  if (typeof packed.width !== "number" || !(packed.width > 0 && packed.width < 1)) return null;
  const flat = packed.points;
  if (!flat.length || flat.length % 3 !== 0) return null;
  const points = [];
  for (let i = 0; i < flat.length; i += 3) {
    if (!unit(flat[i]) || !unit(flat[i + 1]) || !unit(flat[i + 2])) return null;
    points.push({ x: flat[i], y: flat[i + 1], p: flat[i + 2] });
  }
  return {
    color: packed.color,
    eraser: Boolean(packed.eraser),
    width: packed.width,
    pointerType: typeof packed.pointerType === "string" ? packed.pointerType : "mouse",
    points,
  };
}

/**
 * Saves a snapshot a moment after the last change (a stroke is often followed
 * by another), and at once when the page is hidden or closed.
 *
 *   const draft = new DraftStore(key, () => ({ strokes, category, submission }));
 *   draft.load();        // { strokes, category, submission } or null
 *   draft.changed();     // something changed: save soon
 *   draft.discard();     // the server has the drawing: forget it here
 */
export class DraftStore {
  constructor(key, snapshot, { delayMs = 400 } = {}) {
    this.key = key;
    this.snapshot = snapshot;
    this.delayMs = delayMs;
    this._timer = null;
    this._dirty = false;
    const flush = () => this.flush();
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") flush();
    });
  }

  load() {
    if (!this.key) return null;
    const text = readItem(this.key);
    if (!text) return null;
    try {
      const data = JSON.parse(text);
      if (!data || data.format !== FORMAT || !Array.isArray(data.strokes)) throw new Error("format");
      const strokes = data.strokes.map(unpackStroke);
      if (strokes.some((stroke) => !stroke)) throw new Error("stroke");
      const submission =
        data.submission && typeof data.submission.clientId === "string" ? data.submission : null;
      return { strokes, category: typeof data.category === "string" ? data.category : "", submission };
    } catch {
      // A draft we cannot read is worth nothing; don't trip over it on every visit.
      removeItem(this.key);
      return null;
    }
  }

  changed() {
    if (!this.key) return;
    this._dirty = true;
    clearTimeout(this._timer);
    this._timer = setTimeout(() => this.flush(), this.delayMs);
  }

  flush() {
    clearTimeout(this._timer);
    if (!this.key || !this._dirty) return;
    this._dirty = false;
    const { strokes, category, submission } = this.snapshot();
    if (!strokes.length) {
      removeItem(this.key);
      return;
    }
    const text = JSON.stringify({
      format: FORMAT,
      savedAt: new Date().toISOString(),
      strokes: strokes.map(packStroke),
      category,
      submission: submission || null,
    });
    // If the device is full the drawing stays on screen; only the copy is missing.
    writeItem(this.key, text);
  }

  discard() {
    clearTimeout(this._timer);
    this._dirty = false;
    if (this.key) removeItem(this.key);
  }
}
