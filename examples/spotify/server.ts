// Runs the Spotify example locally: `npm start` with two variables set, LATCHKEY_URL (where Latchkey
// runs) and LATCHKEY_TOKEN (a runtime token from `npx latchkey token mint` or the panel's Test token
// button), serves app.ts on http://localhost:8787 (PORT to change it). On the platform, the dispatcher
// hands each run a fresh token; here the token is read from the environment on every request.
import { createServer } from "node:http";
import { createClient, InvalidTokenError, LatchkeyError } from "@latchkey/sdk";
import { handleRequest, type AppContext } from "./app.js";

const baseUrl = process.env.LATCHKEY_URL ?? "";
const devMode = ["1", "true", "yes"].includes((process.env.LATCHKEY_DEV_MODE ?? "").toLowerCase());
if (!devMode && (!baseUrl || !process.env.LATCHKEY_TOKEN)) {
  console.error(
    "Set LATCHKEY_URL (e.g. http://localhost:3000) and LATCHKEY_TOKEN (from `npx latchkey token mint --installation ID`), " +
      "or LATCHKEY_DEV_MODE=1 with LATCHKEY_SECRET_SPOTIFY_API_KEY=… to run without Latchkey.",
  );
  process.exit(1);
}

const client = createClient({
  baseUrl,
  token: () => process.env.LATCHKEY_TOKEN ?? "",
  // Dev mode reads LATCHKEY_SECRET_<NAME>; the declarations keep undeclared names failing as on Latchkey.
  declared: {
    spotify_api_key: { writeMode: "user" },
    spotify_refresh_token: { writeMode: "extension" },
    "org.stripe_webhook_signing_secret": {},
    "ext.spotify_client_id": {},
  },
});
const ctx: AppContext = {
  secrets: client.secrets,
  webhookUrl: (path) => client.webhookUrl(path),
  fetch: (input, init) => fetch(input, init),
  readiness: () => client.readiness(),
};

// Ask Latchkey once before serving, so a wrong URL or an expired token shows up now, not on first use.
try {
  const readiness = await client.readiness();
  console.log(
    readiness.ready
      ? `Latchkey at ${baseUrl || "(dev mode)"}: ready.`
      : `Latchkey at ${baseUrl}: not ready yet, missing ${readiness.missing.map((m) => `${m.ref} (${m.reason}, set it at ${m.settings_url})`).join(", ")}.`,
  );
} catch (error) {
  if (error instanceof InvalidTokenError) console.error(`LATCHKEY_TOKEN was refused: ${error.message} Mint a new one.`);
  else console.error(`Cannot use Latchkey at ${baseUrl}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

const port = Number(process.env.PORT ?? 8787);
createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const request = new Request(new URL(req.url ?? "/", `http://localhost:${port}`), {
    method: req.method,
    headers: Object.entries(req.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, String(value)] as [string, string]],
    ),
    body: req.method === "GET" || req.method === "HEAD" ? undefined : Buffer.concat(chunks),
  });
  let response: Response;
  try {
    response = await handleRequest(ctx, request);
  } catch (error) {
    // A Latchkey refusal carries a code and a safe message; anything else stays in this terminal.
    const body = error instanceof LatchkeyError ? { error: error.code, message: error.message } : { error: "internal_error" };
    if (!(error instanceof LatchkeyError)) console.error(error);
    response = Response.json(body, { status: error instanceof LatchkeyError && error.status >= 400 ? error.status : 500 });
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}).listen(port, () => console.log(`Spotify example on http://localhost:${port} — try GET /health, GET /search?q=jazz`));
