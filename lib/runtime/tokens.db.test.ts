import { eq } from "drizzle-orm";
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Keyring } from "@/lib/crypto";
import { auditEvents, runtimeSigningKeys } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { RuntimeError } from "./errors";
import { seedRuntimeFixture, type RuntimeFixture } from "@/test/runtime-fixtures";
import { SigningKeys } from "./signing-keys";
import { RUNTIME_AUDIENCE, RUNTIME_TOKEN_TYPE, signRuntimeClaims, verifyRuntimeToken } from "./tokens";

const ISSUER = "http://latchkey.test";
let database: TestDatabase;
let keyring: Keyring;
let fx: RuntimeFixture;

beforeAll(async () => {
  database = await openTestDatabase();
  keyring = await localKeyring();
  fx = await seedRuntimeFixture(database.db);
});
afterAll(async () => {
  await database.close();
});

const newKeys = () => new SigningKeys({ db: database.db, dataKeys: buildVault(database.db, keyring).dataKeys, maxTokenTtlSeconds: 900 });
const claims = () => ({ installationId: fx.alphaOrg1, extensionId: fx.alphaId, orgId: fx.org1, userId: fx.u1, ttlSeconds: 600 });

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "accepted";
  } catch (error) {
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as RuntimeError).code).toBe("invalid_token");
    return (error as RuntimeError).message;
  }
}

describe(`runtime tokens on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  it("mints an ES256 token with the agreed claims and verifies it", async () => {
    const keys = newKeys();
    const { token, expiresAt } = await signRuntimeClaims(keys, ISSUER, claims());
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: "ES256", typ: RUNTIME_TOKEN_TYPE });
    expect(header.kid).toBe((await keys.current()).kid);
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({
      iss: ISSUER,
      aud: RUNTIME_AUDIENCE,
      sub: `installation:${fx.alphaOrg1}`,
      installation: fx.alphaOrg1,
      extension: fx.alphaId,
      org: fx.org1,
      user: fx.u1,
      scopes: ["secrets:read", "secrets:write", "oauth:token", "readiness:read"],
    });
    expect(typeof payload.jti).toBe("string");
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
    const identity = await verifyRuntimeToken(keys, token, { issuer: ISSUER });
    expect(identity).toMatchObject({ installationId: fx.alphaOrg1, extensionId: fx.alphaId, orgId: fx.org1, userId: fx.u1 });
    expect(identity.expiresAt.getTime()).toBe(expiresAt.getTime());
  });

  it("caps the lifetime at 15 minutes whatever is asked", async () => {
    const keys = newKeys();
    const { token } = await signRuntimeClaims(keys, ISSUER, { ...claims(), ttlSeconds: 86_400 });
    const payload = decodeJwt(token);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(900);
  });

  it("stores the private key sealed, one current key shared by every process", async () => {
    const a = newKeys();
    const b = newKeys();
    const [ka, kb] = await Promise.all([a.current(), b.current()]);
    expect(ka.kid).toBe(kb.kid);
    const rows = await database.db.select().from(runtimeSigningKeys).where(eq(runtimeSigningKeys.current, true));
    expect(rows).toHaveLength(1);
    const stored = rows[0]?.ciphertext ?? Buffer.alloc(0);
    expect(stored.includes(Buffer.from("PRIVATE KEY"))).toBe(false);
    expect(Object.keys(rows[0]?.publicJwk ?? {})).not.toContain("d");
    // A token signed in one process verifies in the other (the sealed key opened to the same key).
    const { token } = await signRuntimeClaims(b, ISSUER, claims());
    await expect(verifyRuntimeToken(a, token, { issuer: ISSUER })).resolves.toMatchObject({ userId: fx.u1 });
  });

  it("refuses expired, foreign-key, alg none, HS256, tampered, wrong issuer/audience and unknown-kid tokens", async () => {
    const keys = newKeys();
    const { kid } = await keys.current();
    const verify = (token: string, now?: Date) => verifyRuntimeToken(keys, token, { issuer: ISSUER, now });
    const good = (await signRuntimeClaims(keys, ISSUER, claims())).token;
    expect(await reason(verify(good))).toBe("accepted");

    // Expired: checked at a clock past exp and past the clock-skew tolerance.
    expect(await reason(verify(good, new Date(Date.now() + 600_000 + 61_000)))).toMatch(/expired/);

    // Another key, same kid.
    const other = await generateKeyPair("ES256");
    const payload = decodeJwt(good);
    const foreign = await new SignJWT(payload).setProtectedHeader({ alg: "ES256", kid, typ: RUNTIME_TOKEN_TYPE }).sign(other.privateKey);
    expect(await reason(verify(foreign))).toMatch(/signature/);

    // alg: none.
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const none = `${enc({ alg: "none", kid, typ: RUNTIME_TOKEN_TYPE })}.${enc(payload)}.`;
    expect(await reason(verify(none))).not.toBe("accepted");

    // HS256 keyed with the public JWK (the classic algorithm-confusion attack).
    const [published] = (await keys.jwks()).keys;
    const hs = await new SignJWT(payload)
      .setProtectedHeader({ alg: "HS256", kid, typ: RUNTIME_TOKEN_TYPE })
      .sign(new TextEncoder().encode(JSON.stringify(published)));
    expect(await reason(verify(hs))).toMatch(/algorithm/);

    // Tampered claims: swap the payload, keep the signature.
    const [h, , s] = good.split(".");
    const tampered = `${h}.${enc({ ...payload, org: fx.org2, installation: fx.alphaOrg2, sub: `installation:${fx.alphaOrg2}` })}.${s}`;
    expect(await reason(verify(tampered))).toMatch(/signature/);

    expect(await reason(verifyRuntimeToken(keys, good, { issuer: "http://evil.test" }))).toBe(
      `The token was issued for "${ISSUER}", not this Latchkey (http://evil.test): mint it where LATCHKEY_URL is http://evil.test.`,
    );
    const wrongAud = await new SignJWT({ ...payload, aud: "someone-else" })
      .setProtectedHeader({ alg: "ES256", kid, typ: RUNTIME_TOKEN_TYPE })
      .sign((await keys.current()).privateKey);
    expect(await reason(verify(wrongAud))).toMatch(/aud/);

    const unknownKid = await new SignJWT(payload)
      .setProtectedHeader({ alg: "ES256", kid: "not-a-key", typ: RUNTIME_TOKEN_TYPE })
      .sign(other.privateKey);
    expect(await reason(verify(unknownKid))).toMatch(/does not know/);

    // A validly signed token that claims to live for a day.
    const longLived = await new SignJWT({ ...payload, exp: (payload.iat ?? 0) + 86_400 })
      .setProtectedHeader({ alg: "ES256", kid, typ: RUNTIME_TOKEN_TYPE })
      .sign((await keys.current()).privateKey);
    expect(await reason(verify(longLived))).toMatch(/15 minutes/);

    // Not a runtime token type (e.g. some other JWT the platform signs).
    const untyped = await new SignJWT(payload).setProtectedHeader({ alg: "ES256", kid }).sign((await keys.current()).privateKey);
    expect(await reason(verify(untyped))).not.toBe("accepted");
    expect(await reason(verify("garbage"))).not.toBe("accepted");
  });

  it("rotation keeps old tokens verifiable until they expire, then unpublishes the old key", async () => {
    const keys = new SigningKeys({
      db: database.db,
      dataKeys: buildVault(database.db, keyring).dataKeys,
      maxTokenTtlSeconds: 900,
      refreshMs: 0,
    });
    const before = await keys.current();
    const oldToken = (await signRuntimeClaims(keys, ISSUER, claims())).token;
    const rotated = await keys.rotate({ kind: "user", id: fx.u1 }, { kind: "cli" });
    expect(rotated.retired).toBe(before.kid);
    expect(rotated.kid).not.toBe(before.kid);
    const newToken = (await signRuntimeClaims(keys, ISSUER, claims())).token;
    expect(decodeProtectedHeader(newToken).kid).toBe(rotated.kid);

    // Another process (fresh object) sees both keys and accepts both tokens.
    const elsewhere = newKeys();
    const kids = (await elsewhere.jwks()).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([before.kid, rotated.kid]));
    // Published for a token's whole life plus the 60 s it is accepted past exp (clock skew between hosts).
    const [retiredRow] = await database.db.select().from(runtimeSigningKeys).where(eq(runtimeSigningKeys.kid, before.kid));
    expect((retiredRow?.verifiableUntil?.getTime() ?? 0) - (retiredRow?.retiredAt?.getTime() ?? 0)).toBe((900 + 60) * 1000);
    await expect(verifyRuntimeToken(elsewhere, oldToken, { issuer: ISSUER })).resolves.toBeTruthy();
    await expect(verifyRuntimeToken(elsewhere, newToken, { issuer: ISSUER })).resolves.toBeTruthy();

    const [audit] = await database.db.select().from(auditEvents).where(eq(auditEvents.action, "runtime_key.rotate"));
    expect(audit?.details).toMatchObject({ kid: rotated.kid, retired_kid: before.kid });

    // Once its last token has expired the old key is no longer published, so nothing it signed verifies.
    await database.db
      .update(runtimeSigningKeys)
      .set({ verifiableUntil: new Date(Date.now() - 1000) })
      .where(eq(runtimeSigningKeys.kid, before.kid));
    const later = newKeys();
    expect((await later.jwks()).keys.map((k) => k.kid)).not.toContain(before.kid);
    expect(await reason(verifyRuntimeToken(later, oldToken, { issuer: ISSUER }))).toMatch(/does not know/);
  });

  it("a process signing with the old key switches to the new one after another process rotates", async () => {
    let now = new Date();
    const signer = new SigningKeys({
      db: database.db,
      dataKeys: buildVault(database.db, keyring).dataKeys,
      maxTokenTtlSeconds: 900,
      refreshMs: 30_000,
      now: () => now,
    });
    const before = await signer.current();
    const loadedAt = now.getTime();
    const rotated = await newKeys().rotate({ kind: "system", id: "test" }, { kind: "cli" });
    expect(rotated.retired).toBe(before.kid);
    // Until its refresh interval has passed the signer keeps the key it loaded (still verifiable) ...
    now = new Date(loadedAt + 30_000 - 1);
    expect(decodeProtectedHeader((await signRuntimeClaims(signer, ISSUER, claims())).token).kid).toBe(before.kid);
    // ... and from then on it signs with the new one.
    now = new Date(loadedAt + 30_000);
    const { token } = await signRuntimeClaims(signer, ISSUER, claims());
    expect(decodeProtectedHeader(token).kid).toBe(rotated.kid);
  });

  it("accepts a minting host's clock up to 60 s off (iat, nbf, exp) and refuses beyond, saying why", async () => {
    const keys = newKeys();
    const now = new Date("2026-11-20T10:00:00Z");
    const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
    const mintedAt = async (seconds: number) => (await signRuntimeClaims(keys, ISSUER, claims(), at(seconds))).token;
    const verifyNow = (token: string) => verifyRuntimeToken(keys, token, { issuer: ISSUER, now });

    // The minting host's clock is ahead: iat is in the future by this server's clock.
    expect(await reason(verifyNow(await mintedAt(1)))).toBe("accepted");
    expect(await reason(verifyNow(await mintedAt(59)))).toBe("accepted");
    expect(await reason(verifyNow(await mintedAt(61)))).toBe(
      "The token's iat claim says it is issued 61 s in the future by this server's clock; up to 60 s of clock difference between hosts is accepted. Check the clock of the host that minted it.",
    );

    // The minting host's clock is behind (or this one ahead): exp already passed (tokens here live 600 s).
    expect(await reason(verifyNow(await mintedAt(-600 - 30)))).toBe("accepted");
    expect(await reason(verifyNow(await mintedAt(-600 - 61)))).toBe(
      "The token expired 61 s ago (up to 60 s of clock difference between hosts is accepted); ask the platform for a new one.",
    );

    // nbf gets the same tolerance (Latchkey's own tokens carry none; RFC 7519 §4.1.5).
    const { privateKey, kid } = await keys.current();
    const withNbf = async (seconds: number) =>
      new SignJWT({ ...decodeJwt(await mintedAt(0)), nbf: Math.floor(at(seconds).getTime() / 1000) })
        .setProtectedHeader({ alg: "ES256", kid, typ: RUNTIME_TOKEN_TYPE })
        .sign(privateKey);
    expect(await reason(verifyNow(await withNbf(59)))).toBe("accepted");
    expect(await reason(verifyNow(await withNbf(61)))).toMatch(/nbf claim says it is valid from 61 s in the future.*60 s/);
  });

  it("publishes only public key material in the JWKS", async () => {
    const { keys } = await newKeys().jwks();
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
      expect(key).not.toHaveProperty("d");
    }
  });
});
