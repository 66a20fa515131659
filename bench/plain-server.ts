// The baseline of `npm run bench:runtime`: the same secret read as GET /api/v1/secrets/{ref}, written as
// plainly as Node allows — node:http, postgres.js and jose, no framework, no audit — so the bench can say
// how far Latchkey's read is from what the machine does at all. Per request: the runtime token verified
// (ES256, every time, against the keys Latchkey publishes at /.well-known/jwks.json), the installation and the user's membership
// checked and the user's secret fetched in one prepared query, the value opened with AES-256-GCM and
// Latchkey's AAD. The data key is unwrapped once at start, as Latchkey's DEK cache would hold it.
// Started by bench/runtime.ts: PORT, DATABASE_URL, LATCHKEY_URL (issuer and JWKS), and the keyring
// settings of the Latchkey it stands beside.
import http from "node:http";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import postgres from "postgres";
import { gcmOpen, encodeAad } from "@/lib/crypto/seal";

import { openDatabase } from "@/lib/db/client";
import { env } from "@/lib/env";
import { SigningKeys } from "@/lib/runtime/signing-keys";
import { createVaultFromEnv } from "@/lib/vault/create";

const { PORT, LATCHKEY_URL: issuer, DATABASE_URL: databaseUrl } = process.env;
if (!PORT || !issuer || !databaseUrl) throw new Error("bench/plain-server.ts needs PORT, LATCHKEY_URL and DATABASE_URL");
const port = Number(PORT);
const sql = postgres(databaseUrl, { max: 10, onnotice: () => {} });
const keys = new Map<string, Buffer>();

async function read(
  jwks: ReturnType<typeof createLocalJWKSet>,
  dataKeys: { unwrap(dekId: string): Promise<Buffer> },
  token: string,
  name: string,
): Promise<[number, unknown]> {
  const { payload } = await jwtVerify(token, jwks, { issuer, audience: "latchkey-runtime", algorithms: ["ES256"] });
  const claims = payload as { installation: string; extension: string; org: string; user: string; scopes: string[] };
  if (!claims.scopes.includes("secrets:read")) return [403, { error: "insufficient_scope" }];
  const [row] = await sql`
    select s.id, v.version, v.dek_id, v.ciphertext
    from installations i
    join org_members m on m.org_id = i.org_id and m.user_id = ${claims.user}
    join secrets s on s.extension_id = i.extension_id and s.scope = 'user' and s.owner_id = ${claims.user} and s.name = ${name}
    join secret_versions v on v.secret_id = s.id and v.version = s.current_version
    where i.id = ${claims.installation} and i.extension_id = ${claims.extension} and i.org_id = ${claims.org}`;
  if (!row) return [404, { error: "secret_not_set" }];
  const dekId = row.dek_id as string;
  let key = keys.get(dekId);
  if (!key) keys.set(dekId, (key = await dataKeys.unwrap(dekId)));
  const aad = { secretId: row.id as string, scope: "user" as const, owner: claims.user, name, version: row.version as number, dekId };
  return [200, { ref: `user.${name}`, value: gcmOpen(key, row.ciphertext as Buffer, encodeAad(aad)).toString("utf8") }];
}

async function main() {
  const database = await openDatabase({ url: databaseUrl });
  const { dataKeys } = await createVaultFromEnv(database.db, env());
  const published = await new SigningKeys({ db: database.db, dataKeys, maxTokenTtlSeconds: 900 }).jwks();
  const jwks = createLocalJWKSet(published as JSONWebKeySet);
  http
    .createServer((req, res) => {
      const name = /^\/api\/v1\/secrets\/user\.([a-z0-9_]+)$/.exec(req.url ?? "")?.[1];
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const answer =
        name && token ? read(jwks, dataKeys, token, name) : Promise.resolve<[number, unknown]>([400, { error: "bad_request" }]);
      void answer
        .catch((): [number, unknown] => [401, { error: "invalid_token" }])
        .then(([status, body]) => {
          res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
          res.end(JSON.stringify(body));
        });
    })
    .listen(port, "127.0.0.1", () => console.log(`plain server on ${port}`));
}

void main();
