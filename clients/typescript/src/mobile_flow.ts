// The mobile app's whole flow through a TypeScript client generated from /api/schema/
// (openapi-typescript types + openapi-fetch, as a React Native / Expo app would use them; no
// hand edits), against a live server:
//
// sign up -> confirm the email (the key from the link in the mail, allauth's headless API) ->
// sign in -> add a child -> list the children -> play with the PIN -> what can be
// drawn -> open the socket (the token in Sec-WebSocket-Protocol, as a browser or React Native
// WebSocket offers it) -> submit a sketch (a binary multipart part) -> the `done` event ->
// download the picture (from the event's `api_picture_url` and the generated call) -> progress, quests and achievements -> leave play mode -> sign out.
//
//   node --experimental-websocket dist/mobile_flow.js http://127.0.0.1:8000 sketch.png MAILS
//
// MAILS: a folder where each mail the server sent is a text file (the tests' SMTP server writes
// one), from which the flow takes the link that confirms the new parent's address.
//
// Prints one JSON object of timings; exits non-zero, saying which step, on anything unexpected.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema.js";

type Drawing = components["schemas"]["Drawing"];
type Achievement = components["schemas"]["Achievement"];
type Answer<T> = { data?: T; error?: unknown; response: Response };

const PASSWORD = "a-phone-and-a-panda-42";
const PIN = "2468";

function expect<T>(step: string, answer: Answer<T>, status: number): T {
  if (answer.response.status !== status) {
    throw new Error(
      `${step}: expected ${status}, got ${answer.response.status}: ${JSON.stringify(answer.error)}`,
    );
  }
  return answer.data as T;
}

function api(baseUrl: string, token?: string) {
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  return createClient<paths>({ baseUrl, headers });
}

// The achievements page by page, as every list of the API pages: by the cursor in `next`
// (null on the last page).
async function everyAchievement(child: ReturnType<typeof api>): Promise<Achievement[]> {
  const found: Achievement[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = expect(
      "achievements",
      await child.GET("/api/v1/achievements/", {
        params: { query: cursor === undefined ? { page_size: 4 } : { cursor, page_size: 4 } },
      }),
      200,
    );
    found.push(...page.results);
    if (!page.next) return found;
    cursor = new URL(page.next).searchParams.get("cursor") ?? undefined;
  }
}

function openSocket(url: string, token: string): Promise<WebSocket> {
  // The token travels as an offered subprotocol, never in the address; the server answers
  // with `icanvas.v1` only, so the token is not echoed back either.
  const socket = new WebSocket(url, ["icanvas.v1", `icanvas.bearer.${token}`]);
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve(socket);
    socket.onerror = () => reject(new Error(`the socket did not open: ${url}`));
  });
}

function whenDone(socket: WebSocket, drawingId: number, timeoutMs: number): Promise<Drawing> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no done event in time")), timeoutMs);
    socket.onmessage = (message: MessageEvent) => {
      const event = JSON.parse(String(message.data)) as { type?: string; drawing?: Drawing };
      if (event.type !== "drawing.status" || event.drawing?.id !== drawingId) return;
      if (event.drawing.status === "failed") reject(new Error(`failed: ${String(message.data)}`));
      if (event.drawing.status === "done") {
        clearTimeout(timer);
        resolve(event.drawing);
      }
    };
  });
}

async function confirmEmail(baseUrl: string, email: string, mailDir: string): Promise<void> {
  // The key from the confirmation mail, sent to allauth's headless API (/api/v1/auth/app/).
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    for (const name of readdirSync(mailDir).sort()) {
      const text = readFileSync(join(mailDir, name), "utf-8");
      const found = /\/accounts\/confirm-email\/([^/\s]+)\//.exec(text);
      if (text.startsWith(`To: ${email}`) && found?.[1]) {
        const answer = await fetch(`${baseUrl}/api/v1/auth/app/auth/email/verify`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ key: decodeURIComponent(found[1]) }),
        });
        // 401: confirmed, not signed in (the phone signs in next).
        if (answer.status !== 200 && answer.status !== 401) {
          throw new Error(`confirm the email: got ${answer.status}: ${await answer.text()}`);
        }
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`confirm the email: no mail to ${email} in ${mailDir}`);
}

async function main(baseUrl: string, sketchPath: string, mailDir: string): Promise<void> {
  const started = performance.now();
  const seconds = (since: number) => Math.round(performance.now() - since) / 1000;
  const anyone = api(baseUrl);
  const email = `phone-${crypto.randomUUID().slice(0, 10)}@example.com`;

  expect(
    "sign up",
    await anyone.POST("/api/v1/auth/signup/", { body: { email, password: PASSWORD } }),
    202,
  );
  await confirmEmail(baseUrl, email, mailDir);
  const signedIn = expect(
    "sign in",
    await anyone.POST("/api/v1/auth/signin/", {
      body: { email, password: PASSWORD, device_name: "TypeScript phone" },
    }),
    201,
  );
  const parent = api(baseUrl, signedIn.token);

  const added = expect(
    "add a child",
    await parent.POST("/api/v1/children/", {
      body: {
        nickname: "Mina",
        avatar: "fox",
        birth_year: 2019,
        time_zone: "Asia/Seoul",
        pin: PIN,
        consent: true,
      },
    }),
    201,
  );
  const children = expect("list children", await parent.GET("/api/v1/children/"), 200);
  if (children.results.map((c) => c.id).join() !== String(added.id)) {
    throw new Error(`list children: ${JSON.stringify(children)}`);
  }
  const played = expect(
    "play with the PIN",
    await parent.POST("/api/v1/children/{id}/play/", {
      params: { path: { id: added.id } },
      body: { pin: PIN, device_name: "TypeScript tablet" },
    }),
    201,
  );
  const child = api(baseUrl, played.token);
  const signedInAfter = seconds(started);

  const things = expect("categories", await child.GET("/api/v1/categories/"), 200);
  const category = things.categories[0]?.slug;
  if (!category) throw new Error("nothing can be drawn");
  const socket = await openSocket(baseUrl.replace(/^http/, "ws") + "/ws/", played.token);

  const submittedAt = performance.now();
  const sketch = new Blob([readFileSync(sketchPath)], { type: "image/png" });
  const drawing = expect(
    "submit a sketch",
    await child.POST("/api/v1/drawings/", {
      body: { sketch, category, client_id: crypto.randomUUID() },
      bodySerializer(body) {
        const form = new FormData();
        form.append("sketch", body.sketch, "sketch.png");
        form.append("category", body.category);
        form.append("client_id", body.client_id);
        return form;
      },
    }),
    201,
  );
  const done = await whenDone(socket, drawing.id, 90_000);
  const submitToDone = seconds(submittedAt);
  socket.close();

  const fresh = expect(
    "read the drawing",
    await child.GET("/api/v1/drawings/{id}/", { params: { path: { id: done.id } } }),
    200,
  );
  if (fresh.api_picture_url !== `/api/v1/drawings/${done.id}/picture.png`) {
    throw new Error(`api_picture_url: ${fresh.api_picture_url}`);
  }
  // The socket's event names the picture's API address itself: it works with the play token.
  if (!done.api_picture_url) {
    throw new Error(`no api_picture_url in the event: ${JSON.stringify(done)}`);
  }
  const heard = await fetch(new URL(done.api_picture_url, baseUrl), {
    headers: { Authorization: `Bearer ${played.token}` },
  });
  if (heard.status !== 200 || heard.headers.get("Content-Type") !== "image/png") {
    throw new Error(`the event's api_picture_url: ${heard.status} ${await heard.text()}`);
  }
  const heardPng = new Uint8Array(await heard.arrayBuffer());
  const picture = expect(
    "download the picture",
    await child.GET("/api/v1/drawings/{id}/picture.png", {
      params: { path: { id: done.id } },
      parseAs: "blob",
    }),
    200,
  );
  const png = new Uint8Array(await picture.arrayBuffer());
  if (String.fromCharCode(...png.slice(1, 4)) !== "PNG") throw new Error("not a PNG");
  if (png.length !== heardPng.length || png.some((byte, i) => byte !== heardPng[i])) {
    throw new Error("the event's picture is not the one the API serves");
  }
  const progress = expect("progress", await child.GET("/api/v1/progress/"), 200);
  if (progress.drawings_done !== 1 || progress.xp_total <= 0) {
    throw new Error(`progress: ${JSON.stringify(progress)}`);
  }
  const quests = expect("quests", await child.GET("/api/v1/quests/"), 200);
  if (quests.results.length !== 3 || quests.next) {
    throw new Error(`quests: ${JSON.stringify(quests)}`);
  }
  const achievements = await everyAchievement(child);
  if (!achievements.some((a) => a.slug === "first-picture" && a.earned)) {
    throw new Error(`achievements: ${JSON.stringify(achievements)}`);
  }

  expect(
    "leave play mode",
    await child.POST("/api/v1/play/leave/", { body: { password: PASSWORD } }),
    204,
  );
  expect("sign out", await parent.POST("/api/v1/auth/signout/"), 204);
  expect("signed out for good", await parent.GET("/api/v1/children/"), 401);
  console.log(
    JSON.stringify({
      client: "typescript",
      picture_bytes: png.length,
      xp: progress.xp_total,
      quests: quests.results.length,
      achievements: achievements.length,
      signed_in_s: signedInAfter,
      submit_to_done_s: submitToDone,
      total_s: seconds(started),
    }),
  );
}

const [baseUrl, sketchPath, mailDir] = process.argv.slice(2);
if (!baseUrl || !sketchPath || !mailDir) {
  throw new Error("usage: mobile_flow.js BASE_URL SKETCH_PNG MAIL_DIR");
}
await main(baseUrl, sketchPath, mailDir);
