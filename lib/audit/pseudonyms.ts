// Pseudonyms for the people a publisher's audit view must not name. A publisher sees the events of its
// own extensions, and many are performed by end users of other organizations: the view shows each such
// person as `user:<22 characters>`, stable for one (publisher, person) pair and unrelated across
// publishers, so two publishers comparing their logs cannot tell they served the same person.
//
// The pseudonym is the person's 16-byte id encrypted as one AES-256 block under a key derived for the
// publisher alone (a keyed pseudorandom permutation, the same construction as NIST SP 800-38G's FF1
// with a 128-bit domain): it is as unlinkable as a keyed hash, and the server — never the publisher —
// can turn a pseudonym typed into the actor filter back into the id it stands for. Other identifiers
// that would link a person across publishers (OAuth connection ids) become one-way keyed references.
import { createCipheriv, createDecipheriv, createHmac } from "node:crypto";
import { isUuid } from "@/lib/db/ids";

/** Where the publisher's key comes from: `Vault.auditKey` (HKDF over the platform's sealed audit key). */
export interface PseudonymKeySource {
  auditKey(purpose: "pseudonym", tenant: string, length?: number): Promise<Buffer>;
}

const USER_PREFIX = "user:";
const PSEUDONYM = /^user:[A-Za-z0-9_-]{22}$/;

/** Pseudonyms as one publisher sees them. Build one per request with `publisherPseudonyms`. */
export class PublisherPseudonyms {
  readonly #permutationKey: Buffer;
  readonly #referenceKey: Buffer;

  /**
   * @param publisherId the publisher whose view this is (the owner of the extension being viewed)
   * @param key 64 bytes: the first 32 key the permutation of user ids, the last 32 the HMAC of references
   */
  constructor(
    readonly publisherId: string,
    key: Buffer,
  ) {
    if (key.length !== 64) throw new RangeError("PublisherPseudonyms needs a 64-byte key");
    this.#permutationKey = Buffer.from(key.subarray(0, 32));
    this.#referenceKey = Buffer.from(key.subarray(32));
  }

  /** `user:` + base64url(AES-256(key, uuid bytes)) for a user id; a keyed reference for anything not a UUID. */
  user(userId: string): string {
    if (!isUuid(userId)) return this.reference("user", userId);
    const cipher = createCipheriv("aes-256-ecb", this.#permutationKey, null).setAutoPadding(false);
    const block = Buffer.concat([cipher.update(Buffer.from(userId.replaceAll("-", ""), "hex")), cipher.final()]);
    return USER_PREFIX + block.toString("base64url");
  }

  /** The user id a pseudonym of this publisher stands for, or null when the text is not one. */
  userIdOf(pseudonym: string): string | null {
    if (!PSEUDONYM.test(pseudonym)) return null;
    const block = Buffer.from(pseudonym.slice(USER_PREFIX.length), "base64url");
    if (block.length !== 16) return null;
    const decipher = createDecipheriv("aes-256-ecb", this.#permutationKey, null).setAutoPadding(false);
    const hex = Buffer.concat([decipher.update(block), decipher.final()]).toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** `<kind>:` + 16 hex digits of HMAC-SHA256: stable within this publisher's view, one-way. */
  reference(kind: string, id: string): string {
    return `${kind}:${createHmac("sha256", this.#referenceKey).update(`${kind}\0${id}`).digest("hex").slice(0, 16)}`;
  }
}

/** The pseudonyms of one publisher's audit view, keyed for that publisher alone. Fails like the vault when its key cannot be unwrapped. */
export async function publisherPseudonyms(keys: PseudonymKeySource, publisherId: string): Promise<PublisherPseudonyms> {
  const key = await keys.auditKey("pseudonym", `publisher:${publisherId}`, 64);
  try {
    return new PublisherPseudonyms(publisherId, key);
  } finally {
    key.fill(0);
  }
}
