// The drawing surface: a square canvas that turns pointer events into strokes,
// keeps them for undo and redo, and exports the sketch as the PNG we send.
// It knows nothing of the page around it; canvas-page.js wires it up.

// The size of the PNG we send: generators are trained on small squares, and a
// fixed size makes every device's sketch look alike to them.
const EXPORT_SIDE = 512;
// Brush widths as a fraction of the canvas side, so a stroke looks the same on
// a phone, a tablet and in the exported PNG.
const BRUSH_WIDTHS = { small: 4 / 512, medium: 9 / 512, large: 18 / 512 };
const ERASER_SCALE = 2.5;
const PAPER = "#ffffff";

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
