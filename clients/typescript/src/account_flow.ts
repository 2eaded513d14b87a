// A parent's account steps through a TypeScript client generated from the app's account
// description, /api/v1/auth/app/openapi.json (allauth's headless API; openapi-typescript types +
// openapi-fetch, as for /api/schema/; no hand edits), against a live server:
//
// sign up (allauth's session token, the email still to confirm) -> confirm the email with the
// key from the mail, in the same session (signed in) -> read the session -> the device token it
// answered works on /api/v1/ -> sign out -> the session token is spent.
//
//   node dist/account_flow.js http://127.0.0.1:8000 MAILS
//
// MAILS: a folder where each mail the server sent is a text file (the tests' SMTP server writes
// one). Prints one JSON object of timings; exits non-zero, saying which step, on anything
// unexpected.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import createClient from "openapi-fetch";
import type { paths } from "./generated/account.js";

const PASSWORD = "a-tablet-and-a-tiger-73";

type Answer = { data?: unknown; error?: unknown; response: Response };

function expectStatus(step: string, answer: Answer, status: number): void {
  if (answer.response.status !== status) {
    const body = JSON.stringify(answer.data ?? answer.error);
    throw new Error(`${step}: expected ${status}, got ${answer.response.status}: ${body}`);
  }
}

async function confirmationKey(email: string, mailDir: string): Promise<string> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    for (const name of readdirSync(mailDir).sort()) {
      const text = readFileSync(join(mailDir, name), "utf-8");
      const found = /\/accounts\/confirm-email\/([^/\s]+)\//.exec(text);
      if (text.startsWith(`To: ${email}`) && found?.[1]) return decodeURIComponent(found[1]);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`confirm the email: no mail to ${email} in ${mailDir}`);
}

function seconds(since: number): number {
  return Math.round(performance.now() - since) / 1000;
}

async function main(baseUrl: string, mailDir: string): Promise<void> {
  const started = performance.now();
  const account = createClient<paths>({ baseUrl });
  const email = `tablet-${crypto.randomUUID().slice(0, 10)}@example.com`;

  // Mandatory verification: signed up, not yet signed in; the pending step is the email.
  const signedUp = await account.POST("/api/v1/auth/app/auth/signup", {
    body: { email, password: PASSWORD },
  });
  expectStatus("sign up", signedUp, 401);
  const pending = signedUp.error;
  if (!pending || !("meta" in pending) || !pending.meta.session_token) {
    throw new Error(`sign up: no session token in ${JSON.stringify(pending)}`);
  }
  if (!pending.data.flows.some((flow) => flow.id === "verify_email" && flow.is_pending)) {
    throw new Error(`sign up: the email is not the pending step: ${JSON.stringify(pending)}`);
  }

  const key = await confirmationKey(email, mailDir);
  const confirmed = await account.POST("/api/v1/auth/app/auth/email/verify", {
    params: { header: { "X-Session-Token": pending.meta.session_token } },
    body: { key },
  });
  expectStatus("confirm the email", confirmed, 200);
  // Signing in starts a new session (allauth rotates it): its token is in this answer.
  const sessionToken = confirmed.data?.meta.session_token;
  const accessToken = confirmed.data?.meta.access_token;
  if (!sessionToken || !accessToken) {
    throw new Error(`confirm the email: no tokens in ${JSON.stringify(confirmed.data?.meta)}`);
  }
  const session = { "X-Session-Token": sessionToken };
  const signedInAfter = seconds(started);

  const read = await account.GET("/api/v1/auth/app/auth/session", {
    params: { header: session },
  });
  expectStatus("read the session", read, 200);
  if (read.data?.data.user.email !== email) {
    throw new Error(`read the session: another user: ${JSON.stringify(read.data)}`);
  }

  // The device token is for the rest of the API (/api/schema/), not this document.
  const children = await fetch(`${baseUrl}/api/v1/children/`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  if (children.status !== 200) throw new Error(`children: got ${children.status}`);

  const signedOut = await account.DELETE("/api/v1/auth/app/auth/session", {
    params: { header: session },
  });
  expectStatus("sign out", signedOut, 401); // allauth answers a signed-out state as 401
  const after = await account.GET("/api/v1/auth/app/auth/session", {
    params: { header: session },
  });
  if (after.response.status !== 401 && after.response.status !== 410) {
    throw new Error(`after signing out: the session still answers ${after.response.status}`);
  }

  console.log(
    JSON.stringify({
      email_confirmed: true,
      signed_out: true,
      signed_in_s: signedInAfter,
      total_s: seconds(started),
    }),
  );
}

const [baseUrl, mailDir] = process.argv.slice(2);
if (!baseUrl || !mailDir) throw new Error("usage: account_flow.js BASE_URL MAIL_DIR");
await main(baseUrl, mailDir);
