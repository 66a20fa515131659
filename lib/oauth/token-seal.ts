// Sealing a connection's tokens like any vault value: AES-256-GCM under a data key, with an AAD binding
// each ciphertext to its connection, owner, kind and token version, so a ciphertext copied onto another
// connection (or replayed from an older version) fails to open.
import { open, seal, type ValueAad } from "@/lib/crypto";
import type { DataKeys } from "@/lib/vault/data-keys";

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
