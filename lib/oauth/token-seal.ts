// Sealing a connection's tokens like any vault value: AES-256-GCM under a data key, with an AAD binding
// each ciphertext to its connection, owner, kind and token version, so a ciphertext copied onto another
// connection (or replayed from an older version) fails to open.
import { open, seal, type ValueAad } from "@/lib/crypto";
import type { DataKeys } from "@/lib/crypto/data-keys";

export type TokenKind = "access_token" | "refresh_token";

export interface SealTarget {
  id: string;
  ownerKind: "user" | "org";
  ownerId: string;
}

const aadFor = (c: SealTarget, kind: TokenKind, version: number, dekId: string): ValueAad => ({
  secretId: c.id,
  scope: c.ownerKind,
  owner: c.ownerId,
  // Not a valid secret name (it has a colon), so it can never collide with a vault value's AAD.
  name: `oauth:${kind}`,
  version,
  dekId,
});

export interface SealedTokens {
  dekId: string;
  accessToken: Buffer;
  refreshToken: Buffer | null;
}

/** Seals both tokens under one write key; call before the transaction that stores them (it may create a DEK). */
export function sealTokens(
  dek: { id: string; key: Buffer },
  target: SealTarget,
  version: number,
  tokens: { accessToken: string; refreshToken: string | null },
): SealedTokens {
  const sealOne = (kind: TokenKind, value: string) => {
    const plaintext = Buffer.from(value, "utf8");
    try {
      return seal(dek.key, plaintext, aadFor(target, kind, version, dek.id));
    } finally {
      plaintext.fill(0);
    }
  };
  return {
    dekId: dek.id,
    accessToken: sealOne("access_token", tokens.accessToken),
    refreshToken: tokens.refreshToken === null ? null : sealOne("refresh_token", tokens.refreshToken),
  };
}

/** Opens one sealed token of a connection row. */
export async function openToken(
  dataKeys: DataKeys,
  row: SealTarget & { dekId: string | null; tokenVersion: number },
  kind: TokenKind,
  ciphertext: Buffer | null,
): Promise<string | null> {
  if (!ciphertext || !row.dekId) return null;
  const key = await dataKeys.unwrap(row.dekId);
  try {
    const plaintext = open(key, ciphertext, aadFor(row, kind, row.tokenVersion, row.dekId));
    const value = plaintext.toString("utf8");
    plaintext.fill(0);
    return value;
  } finally {
    key.fill(0);
  }
}

/**
 * The AAD of a connection's access token for one resource (oauth_resource_tokens): the resource is part of
 * the name, so a token sealed for `api://<app-id>` never opens as Graph's, nor as the connection's own.
 */
const resourceAad = (c: SealTarget, resource: string, version: number, dekId: string): ValueAad => ({
  secretId: c.id,
  scope: c.ownerKind,
  owner: c.ownerId,
  name: `oauth:access_token:${resource}`,
  version,
  dekId,
});

/** Seals a connection's access token for one resource, at that resource token's `version`. */
export function sealResourceToken(
  dek: { id: string; key: Buffer },
  target: SealTarget,
  resource: string,
  version: number,
  accessToken: string,
): Buffer {
  const plaintext = Buffer.from(accessToken, "utf8");
  try {
    return seal(dek.key, plaintext, resourceAad(target, resource, version, dek.id));
  } finally {
    plaintext.fill(0);
  }
}

/** Opens a connection's access token for one resource (an oauth_resource_tokens row). */
export async function openResourceToken(
  dataKeys: DataKeys,
  target: SealTarget,
  row: { resource: string; dekId: string; tokenVersion: number; accessToken: Buffer },
): Promise<string> {
  const key = await dataKeys.unwrap(row.dekId);
  try {
    const plaintext = open(key, row.accessToken, resourceAad(target, row.resource, row.tokenVersion, row.dekId));
    const value = plaintext.toString("utf8");
    plaintext.fill(0);
    return value;
  } finally {
    key.fill(0);
  }
}

/** The AAD of a flow's sealed PKCE verifier: bound to its state (by hash) and the person who started it. */
const verifierAad = (stateHash: string, userId: string, dekId: string): ValueAad => ({
  secretId: stateHash,
  scope: "user",
  owner: userId,
  name: "oauth:code_verifier",
  version: 0,
  dekId,
});

export function sealVerifier(dek: { id: string; key: Buffer }, stateHash: string, userId: string, verifier: string): Buffer {
  return seal(dek.key, Buffer.from(verifier, "utf8"), verifierAad(stateHash, userId, dek.id));
}

export async function openVerifier(
  dataKeys: DataKeys,
  row: { stateHash: string; userId: string; dekId: string; codeVerifier: Buffer },
): Promise<string> {
  const key = await dataKeys.unwrap(row.dekId);
  try {
    return open(key, row.codeVerifier, verifierAad(row.stateHash, row.userId, row.dekId)).toString("utf8");
  } finally {
    key.fill(0);
  }
}
