// The drawing page: a sketch pad, a category picker, and the cards that show
// each submitted drawing until its picture arrives.
//
// Every word a child reads comes from the template (data-* attributes and
// <template> markup rendered with {% translate %}), never from this file.

import { DraftStore } from "./draft.js";
import { DRAWINGS_API, LiveUpdates, csrfToken, newClientId } from "./live.js";
import { bindSoundToggle, playSound } from "./sounds.js";

// The size of the PNG we send: generators are trained on small squares, and a
// fixed size makes every device's sketch look alike to them.
const EXPORT_SIDE = 512;
// Brush widths as a fraction of the canvas side, so a stroke looks the same on
// a phone, a tablet and in the exported PNG.
const BRUSH_WIDTHS = { small: 4 / 512, medium: 9 / 512, large: 18 / 512 };
const ERASER_SCALE = 2.5;
const PAPER = "#ffffff";
const POST_RETRIES = 3;

// --- the sketch pad -----------------------------------------------------------

const mid = (a, b) => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

function pressureScale(stroke, point) {
  // Only pens report a useful pressure; mice say 0.5 and fingers 0 or 1.
  if (stroke.pointerType !== "pen" || !point.p) return 1;
  return 0.35 + 1.3 * point.p;
}

function lineWidth(stroke, point, side) {
  return Math.max(1, stroke.width * pressureScale(stroke, point) * side);
}

function drawDot(ctx, stroke, side) {
  const point = stroke.points[0];
  ctx.fillStyle = stroke.color;
  ctx.beginPath();
  ctx.arc(point.x * side, point.y * side, lineWidth(stroke, point, side) / 2, 0, Math.PI * 2);
  ctx.fill();
}

// The piece of curve that ends halfway between points i-1 and i; pieces meet at
// midpoints, which turns the polyline into a smooth quadratic spline.
function drawPiece(ctx, stroke, i, side) {
  const p = stroke.points;
  const from = i >= 2 ? mid(p[i - 2], p[i - 1]) : p[0];
  const to = mid(p[i - 1], p[i]);
  ctx.strokeStyle = stroke.color;
  ctx.lineWidth = lineWidth(stroke, p[i - 1], side);
  ctx.beginPath();
  ctx.moveTo(from.x * side, from.y * side);
  ctx.quadraticCurveTo(p[i - 1].x * side, p[i - 1].y * side, to.x * side, to.y * side);
  ctx.stroke();
}

function drawTail(ctx, stroke, side) {
  const p = stroke.points;
  const n = p.length;
  if (n < 2) return;
  const from = mid(p[n - 2], p[n - 1]);
  ctx.strokeStyle = stroke.color;
  ctx.lineWidth = lineWidth(stroke, p[n - 1], side);
  ctx.beginPath();
  ctx.moveTo(from.x * side, from.y * side);
  ctx.lineTo(p[n - 1].x * side, p[n - 1].y * side);
  ctx.stroke();
}

function drawStroke(ctx, stroke, side) {
  if (stroke.points.length === 1) {
    drawDot(ctx, stroke, side);
    return;
  }
  for (let i = 1; i < stroke.points.length; i += 1) drawPiece(ctx, stroke, i, side);
  drawTail(ctx, stroke, side);
}

function prepare(ctx, side) {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.fillStyle = PAPER;
  ctx.fillRect(0, 0, side, side);
}

/**
 * A square canvas that records strokes (in 0..1 coordinates) so it can undo,
 * redo and re-render at any size.
 *
 * Every change is an action on a stack: { stroke } adds one stroke, { wiped }
 * clears the paper and remembers what was on it. Undo moves the newest action
 * to the redo stack; a new stroke empties the redo stack.
 */
export class SketchPad extends EventTarget {
  constructor(canvas) {
    super();
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.strokes = [];
    this._done = []; // actions that undo can take back, newest last
    this._undone = []; // actions that redo can bring back, newest last
    this.version = 0; // bumps on every change: a changed sketch is a new drawing
    this.color = "#111111";
    this.brush = "medium";
    this.erasing = false;
    this._active = null; // { pointerId, stroke, rect }

    canvas.addEventListener("pointerdown", (e) => this._down(e));
    canvas.addEventListener("pointermove", (e) => this._move(e));
    canvas.addEventListener("pointerup", (e) => this._up(e));
    canvas.addEventListener("pointercancel", (e) => this._up(e));
    canvas.addEventListener("lostpointercapture", (e) => this._up(e));
    // A long press must not open a menu or select the page.
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());

    if ("ResizeObserver" in window) {
      new ResizeObserver(() => this.resize()).observe(canvas);
    } else {
      window.addEventListener("resize", () => this.resize());
    }
    this.resize();
  }

  /** Match the backing store to the shown size × devicePixelRatio, within sensible bounds. */
  resize() {
    const shown = this.canvas.getBoundingClientRect().width || EXPORT_SIDE;
    const ratio = Math.min(window.devicePixelRatio || 1, 3);
    const side = Math.round(Math.min(2048, Math.max(256, shown * ratio)));
    if (this.canvas.width !== side || this.canvas.height !== side) {
      this.canvas.width = side;
      this.canvas.height = side;
    }
    this.redraw();
  }

  redraw() {
    const side = this.canvas.width;
    prepare(this.ctx, side);
    for (const stroke of this.strokes) drawStroke(this.ctx, stroke, side);
    if (this._active) drawStroke(this.ctx, this._active.stroke, side);
  }

  isEmpty() {
    return !this.strokes.some((s) => !s.eraser);
  }

  /** A finger or pen is down right now. */
  isDrawing() {
    return this._active !== null;
  }

  hasStrokes() {
    return this.strokes.length > 0;
  }

  canUndo() {
    return this._done.length > 0;
  }

  canRedo() {
    return this._undone.length > 0;
  }

  undo() {
    const action = this._done.pop();
    if (!action) return;
    if (action.stroke) this.strokes.pop();
    else this.strokes = action.wiped;
    this._undone.push(action);
    this._changed();
  }

  redo() {
    const action = this._undone.pop();
    if (!action) return;
    if (action.stroke) this.strokes.push(action.stroke);
    else this.strokes = [];
    this._done.push(action);
    this._changed();
  }

  /** Wipe the paper. Undo brings the drawing back. */
  clear() {
    if (!this.strokes.length) return;
    this._done.push({ wiped: this.strokes });
    this._undone = [];
    this.strokes = [];
    this._changed();
  }

  /** Start from saved strokes (a draft): each one can be undone. */
  load(strokes) {
    this.strokes = [...strokes];
    this._done = this.strokes.map((stroke) => ({ stroke }));
    this._undone = [];
    this._changed();
  }

  /** The sketch as a PNG: EXPORT_SIDE square, strokes flattened onto white paper. */
  toBlob(side = EXPORT_SIDE) {
    const out = document.createElement("canvas");
    out.width = side;
    out.height = side;
    const ctx = out.getContext("2d");
    prepare(ctx, side);
    for (const stroke of this.strokes) drawStroke(ctx, stroke, side);
    return new Promise((resolve, reject) => {
      out.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("toBlob failed"))), "image/png");
    });
  }

  _changed() {
    this.version += 1;
    this.redraw();
    this.dispatchEvent(new Event("change"));
  }

  _point(event, rect) {
    const clamp = (v) => Math.min(1, Math.max(0, v));
    return {
      x: clamp((event.clientX - rect.left) / rect.width),
      y: clamp((event.clientY - rect.top) / rect.height),
      p: event.pressure,
    };
  }

  _down(event) {
    // One stroke at a time: a second finger or a resting palm is ignored.
    if (this._active || (event.pointerType === "mouse" && event.button !== 0)) return;
    event.preventDefault();
    try {
      this.canvas.setPointerCapture(event.pointerId);
    } catch {
      // Synthetic events have no capturable pointer.
    }
    const rect = this.canvas.getBoundingClientRect();
    const scale = this.erasing ? ERASER_SCALE : 1;
    const stroke = {
      color: this.erasing ? PAPER : this.color,
      eraser: this.erasing,
      width: BRUSH_WIDTHS[this.brush] * scale,
      pointerType: event.pointerType,
      points: [this._point(event, rect)],
    };
    this._active = { pointerId: event.pointerId, stroke, rect };
    this.ctx.lineCap = "round";
    this.ctx.lineJoin = "round";
    drawDot(this.ctx, stroke, this.canvas.width);
  }

  _move(event) {
    const active = this._active;
    if (!active || event.pointerId !== active.pointerId) return;
    event.preventDefault();
    const events =
      typeof event.getCoalescedEvents === "function" ? event.getCoalescedEvents() : [];
    const side = this.canvas.width;
    const points = active.stroke.points;
    for (const e of events.length ? events : [event]) {
      const point = this._point(e, active.rect);
      const last = points[points.length - 1];
      // Skip sub-pixel jitter: it only adds points, not ink.
      if (Math.abs(point.x - last.x) * side < 0.75 && Math.abs(point.y - last.y) * side < 0.75) {
        continue;
      }
      points.push(point);
      drawPiece(this.ctx, active.stroke, points.length - 1, side);
    }
  }

  _up(event) {
    const active = this._active;
    if (!active || event.pointerId !== active.pointerId) return;
    this._active = null;
    drawTail(this.ctx, active.stroke, this.canvas.width);
    this.strokes.push(active.stroke);
    this._done.push({ stroke: active.stroke });
    this._undone = [];
    this._changed();
  }
}

// --- talking to the server ----------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class Problem extends Error {
  constructor(message, { retryable }) {
    super(message);
    this.retryable = retryable;
  }
}

/**
 * POST a sketch. Network trouble and server hiccups are retried with the SAME
 * client_id, so the server never makes the drawing twice. Resolves to the
 * Drawing JSON; rejects with a Problem whose message is fit for the child.
 */
async function postDrawing({ blob, category, clientId }, { strings, onRetry }) {
  for (let attempt = 0; ; attempt += 1) {
    const form = new FormData();
    form.append("sketch", blob, "sketch.png");
    form.append("category", category);
    form.append("client_id", clientId);
    let response;
    try {
      response = await fetch(DRAWINGS_API, {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
    } catch {
      response = null;
    }
    if (response && response.ok) return response.json();

    const retryable = !response || response.status >= 500 || response.status === 429;
    if (retryable && attempt < POST_RETRIES) {
      onRetry(attempt + 1);
      await sleep(1000 * 2 ** attempt * (0.75 + Math.random() * 0.5));
      continue;
    }
    if (!response) throw new Problem(strings.offline, { retryable: true });
    let detail = "";
    try {
      const body = await response.json();
      detail = typeof body.detail === "string" ? body.detail : "";
    } catch {
      // Not JSON (a proxy's error page): fall back to our own words.
    }
    throw new Problem(detail || strings.serverTrouble, { retryable });
  }
}

// --- the cards that show a drawing's progress -------------------------------

class SubmissionCard {
  constructor(template, { sketchUrl, categoryLabel, strings }) {
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

  _show(state, text) {
    this.element.dataset.state = state;
    this.message.textContent = text;
    this.retryButton.hidden = true;
    if (this.dismissButton) this.dismissButton.hidden = true;
  }

  sending() {
    this._show("sending", this.strings.sending);
  }

  retrying() {
    this._show("retrying", this.strings.retrying);
  }

  problem(text, { retryable }) {
    this._show(retryable ? "failed" : "rejected", text);
    this.retryButton.hidden = !retryable;
    if (this.dismissButton) this.dismissButton.hidden = retryable;
  }

  /** Show a drawing's state. `quiet`: no sound (a card brought back by a reload, not news). */
  drawing(drawing, { quiet = false } = {}) {
    const before = this.element.dataset.state;
    if (drawing.status === "done") {
      if (before !== "done" && !quiet) playSound("reveal");
      this._show("done", this.strings.done);
      if (drawing.result_url) {
        const img = document.createElement("img");
        img.src = drawing.result_url;
        img.alt = this.strings.resultAlt;
        img.width = 256;
        img.height = 256;
        this.resultSlot.replaceChildren(img);
      }
    } else if (drawing.status === "failed") {
      if (before !== "failed" && !quiet) playSound("oops");
      this.problem(drawing.error_message || this.strings.failed, { retryable: true });
    } else {
      this._show(drawing.status, this.strings[drawing.status] || this.strings.queued);
    }
    if (this.detailLink && this.detailLink.dataset.urlTemplate && drawing.id) {
      // The template renders the detail URL for id 0; swap in the real id.
      this.detailLink.href = this.detailLink.dataset.urlTemplate.replace(
        /\/0\/$/,
        `/${encodeURIComponent(drawing.id)}/`,
      );
      this.detailLink.hidden = drawing.status !== "done";
    }
  }
}

// --- the page -----------------------------------------------------------------

function readJson(id, fallback) {
  const element = document.getElementById(id);
  if (!element) return fallback;
  try {
    return JSON.parse(element.textContent);
  } catch {
    return fallback;
  }
}

/** The stored sketch of a drawing the server already has, to send it again. */
async function fetchSketch(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.blob();
}

function main() {
  const app = document.getElementById("canvas-app");
  if (!app) return;
  const strings = { ...app.dataset };
  const canvas = app.querySelector("canvas");
  const pad = new SketchPad(canvas);
  const categories = new Map(readJson("categories-data", []).map((c) => [c.slug, c]));

  const submitButton = app.querySelector("[data-submit]");
  const hint = app.querySelector("[data-hint]");
  const undoButton = app.querySelector("[data-undo]");
  const redoButton = app.querySelector("[data-redo]");
  const clearButton = app.querySelector("[data-clear]");
  const clearDialog = document.getElementById("clear-dialog");
  const results = document.getElementById("results");
  const cardTemplate = document.getElementById("submission-template");
  const connection = app.querySelector("[data-connection]");
  // Older pictures live in the gallery; keep this column short.
  const maxCards = Number(app.dataset.maxCards);

  // Tools: colours, brush sizes and the eraser are radio buttons, so keyboards
  // and screen readers get them for free.
  for (const input of app.querySelectorAll('input[name="color"]')) {
    const choose = () => {
      pad.erasing = input.value === "eraser";
      if (!pad.erasing) pad.color = input.value;
    };
    input.addEventListener("change", choose);
    if (input.checked) choose();
  }
  for (const input of app.querySelectorAll('input[name="brush"]')) {
    input.addEventListener("change", () => {
      pad.brush = input.value;
    });
    if (input.checked) pad.brush = input.value;
  }

  undoButton?.addEventListener("click", () => pad.undo());
  redoButton?.addEventListener("click", () => pad.redo());
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey)) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) {
      event.preventDefault();
      pad.undo();
    } else if ((key === "z" && event.shiftKey) || key === "y") {
      event.preventDefault();
      pad.redo();
    }
  });
  bindSoundToggle(app.querySelector("[data-sound-toggle]"));

  clearButton?.addEventListener("click", () => {
    if (!pad.hasStrokes()) return;
    if (clearDialog && typeof clearDialog.showModal === "function") {
      clearDialog.returnValue = "";
      clearDialog.showModal();
    } else if (window.confirm(strings.confirmClear)) {
      pad.clear();
    }
  });
  clearDialog?.addEventListener("close", () => {
    if (clearDialog.returnValue === "yes") pad.clear();
  });

  let busy = false; // a submission is being prepared
  let last = null; // the last submission: { key, clientId, card, ... }
  // The client_id last used for these very strokes, kept in the draft: sending
  // them again after a reload reuses it, so the server never makes them twice.
  let sent = null; // { clientId, category, version }

  const selectedCategory = () => app.querySelector('input[name="category"]:checked')?.value || "";

  // The draft: restored first, then saved after every change.
  const draft = new DraftStore(app.dataset.draftKey, () => ({
    strokes: pad.strokes,
    category: selectedCategory(),
    submission:
      sent && sent.version === pad.version
        ? { clientId: sent.clientId, category: sent.category }
        : null,
  }));
  const saved = draft.load();
  if (saved && saved.strokes.length) {
    pad.load(saved.strokes);
    const input = [...app.querySelectorAll('input[name="category"]')].find(
      (candidate) => candidate.value === saved.category,
    );
    if (input) input.checked = true;
    if (saved.submission) sent = { ...saved.submission, version: pad.version };
  }
  pad.addEventListener("change", () => draft.changed());

  function refreshControls() {
    if (undoButton) undoButton.disabled = !pad.canUndo();
    if (redoButton) redoButton.disabled = !pad.canRedo();
    if (clearButton) clearButton.disabled = !pad.hasStrokes();
    if (!submitButton) return;
    let why = "";
    if (pad.isEmpty()) why = strings.hintDraw;
    else if (!selectedCategory()) why = strings.hintCategory;
    submitButton.disabled = Boolean(why) || busy;
    if (hint) {
      hint.textContent = why;
      hint.hidden = !why;
    }
  }
  pad.addEventListener("change", refreshControls);
  for (const input of app.querySelectorAll('input[name="category"]')) {
    input.addEventListener("change", () => {
      refreshControls();
      draft.changed();
    });
  }

  // Live updates for every drawing we sent.
  const live = new LiveUpdates();
  const cardsByDrawing = new Map(); // drawing id -> SubmissionCard
  function showOnCard(card, drawing) {
    const wasDone = card.element.dataset.state === "done";
    card.drawing(drawing);
    // The finished card is taller than the waiting one: bring all of it into
    // view, unless the child is busy drawing the next picture.
    if (!wasDone && drawing.status === "done" && !pad.isDrawing()) {
      card.element.scrollIntoView({ behavior: "smooth", block: "nearest" });
    }
  }
  live.onDrawing((drawing) => {
    const card = cardsByDrawing.get(String(drawing.id));
    if (card) showOnCard(card, drawing);
  });
  live.onStatus((status) => {
    if (!connection) return;
    connection.dataset.status = status;
    connection.textContent = status === "reconnecting" ? strings.reconnecting : "";
    connection.hidden = status !== "reconnecting" || !live.waiting().length;
  });

  /**
   * A card for a drawing sent before this page opened (a reload, a restarted browser): the
   * server lists the ones still on their way or just finished. It follows the same live path
   * as a new card; "Try again" sends the stored sketch with the drawing's own client_id.
   */
  function restoreCard(drawing) {
    const id = String(drawing.id);
    const info = categories.get(drawing.category);
    const card = new SubmissionCard(cardTemplate, {
      sketchUrl: drawing.sketch_url,
      categoryLabel: info ? `${info.emoji} ${info.label}` : drawing.category,
      strings,
    });
    const submission = {
      key: null,
      blob: null,
      category: drawing.category,
      clientId: drawing.client_id,
      version: null, // not the strokes on the pad now
      card,
      drawingId: id,
    };
    card.retryButton.addEventListener("click", async () => {
      card.sending();
      try {
        submission.blob ??= await fetchSketch(drawing.sketch_url);
      } catch {
        card.problem(strings.offline, { retryable: true });
        return;
      }
      send(submission, { fresh: true });
    });
    live.track(drawing);
    cardsByDrawing.set(id, card);
    // Already finished before the reload: shown as it is, without a sound (and the
    // celebration pop-ups only ever come with the live event, which has passed).
    card.drawing(live.drawings.get(id) || drawing, { quiet: true });
    results.append(card.element);
    results.hidden = false;
  }
  for (const drawing of readJson("canvas-drawings", []).slice(0, maxCards)) restoreCard(drawing);
  live.connect();

  async function send(submission, { fresh = false } = {}) {
    const { card } = submission;
    card.sending();
    try {
      let drawing = await postDrawing(submission, { strings, onRetry: () => card.retrying() });
      if (fresh && drawing.status === "failed") {
        // This server keeps a failed drawing as it was for its client_id; a
        // deliberate "Try again" then becomes a new drawing of the same sketch.
        submission.clientId = newClientId();
        if (sent && sent.version === submission.version) {
          sent.clientId = submission.clientId;
          draft.changed();
        }
        drawing = await postDrawing(submission, { strings, onRetry: () => card.retrying() });
      }
      submission.drawingId = String(drawing.id);
      // The same drawing may already have a card: sent before a reload, answered after it.
      const shown = cardsByDrawing.get(submission.drawingId);
      if (shown && shown !== card) shown.element.remove();
      // The server has it now: the copy on this device has done its job.
      if (pad.version === submission.version) draft.discard();
      cardsByDrawing.set(submission.drawingId, card);
      live.track(drawing, { replace: fresh });
      // The socket may have told us "done" before this answer arrived: show the
      // furthest state known, never the older one the POST answer carries.
      showOnCard(card, live.drawings.get(submission.drawingId) || drawing);
    } catch (error) {
      card.problem(error instanceof Problem ? error.message : strings.serverTrouble, {
        retryable: error instanceof Problem ? error.retryable : true,
      });
    }
  }

  async function submit() {
    const category = selectedCategory();
    if (!category || pad.isEmpty() || busy) return;
    const key = `${pad.version}|${category}`;
    const lastState = last?.card.element.dataset.state;
    if (last && last.key === key && last.card.element.isConnected && lastState !== "rejected") {
      // The same sketch again: nothing new to make; show the card we have.
      last.card.element.scrollIntoView({ behavior: "smooth", block: "nearest" });
      if (lastState === "failed") last.card.retryButton.click();
      return;
    }
    busy = true;
    refreshControls();
    try {
      const blob = await pad.toBlob();
      const info = categories.get(category);
      const card = new SubmissionCard(cardTemplate, {
        sketchUrl: URL.createObjectURL(blob),
        categoryLabel: info ? `${info.emoji} ${info.label}` : category,
        strings,
      });
      const version = pad.version;
      const resend = sent && sent.version === version && sent.category === category;
      const clientId = resend ? sent.clientId : newClientId();
      sent = { clientId, category, version };
      draft.changed();
      draft.flush();
      const submission = { key, blob, category, clientId, version, card };
      card.retryButton.addEventListener("click", () => {
        const wasFailedDrawing = Boolean(submission.drawingId);
        send(submission, { fresh: wasFailedDrawing });
      });
      results.prepend(card.element);
      results.hidden = false;
      while (results.children.length > maxCards) results.lastElementChild.remove();
      last = submission;
      card.element.scrollIntoView({ behavior: "smooth", block: "nearest" });
      await send(submission);
    } finally {
      busy = false;
      refreshControls();
    }
  }

  submitButton?.addEventListener("click", () => {
    if (!submitButton.disabled) playSound("submit");
    submit();
  });
  refreshControls();
}

main();
