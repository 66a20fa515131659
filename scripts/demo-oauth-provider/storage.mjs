// oidc-provider's storage for the demo provider: grants, tokens, codes and sessions in memory.

/**
 * oidc-provider storage kept in one Map per server, so `revokeGrants()` can find every grant and
 * two servers in one process (parallel tests) never share state.
 */
export function createStorage() {
  /** @type {Map<string, { payload: Record<string, any>, expiresAt: number }>} */
  const records = new Map();

  /** @param {string} key */
  function read(key) {
    const record = records.get(key);
    if (!record) return undefined;
    if (record.expiresAt <= Date.now()) {
      records.delete(key);
      return undefined;
    }
    return record.payload;
  }

  /** @param {(payload: Record<string, any>, key: string) => boolean} matches */
  function deleteWhere(matches) {
    for (const [key, record] of records) if (matches(record.payload, key)) records.delete(key);
  }

  class Adapter {
    /** @param {string} model */
    constructor(model) {
      this.model = model;
    }
    /** @param {string} id */
    key(id) {
      return `${this.model}:${id}`;
    }
    /** @param {string} id @param {Record<string, any>} payload @param {number | undefined} expiresIn */
    async upsert(id, payload, expiresIn) {
      const expiresAt = typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : Infinity;
      records.set(this.key(id), { payload, expiresAt });
    }
    /** @param {string} id */
    async find(id) {
      return read(this.key(id));
    }
    /** @param {string} uid */
    async findByUid(uid) {
      for (const [key, record] of records) {
        if (key.startsWith(`${this.model}:`) && record.payload.uid === uid) return read(key);
      }
      return undefined;
    }
    /** @param {string} userCode */
    async findByUserCode(userCode) {
      for (const [key, record] of records) {
        if (key.startsWith(`${this.model}:`) && record.payload.userCode === userCode) return read(key);
      }
      return undefined;
    }
    /** @param {string} id */
    async consume(id) {
      const payload = read(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    /** @param {string} id */
    async destroy(id) {
      records.delete(this.key(id));
    }
    /** @param {string} grantId */
    async revokeByGrantId(grantId) {
      deleteWhere((payload, key) => key.startsWith(`${this.model}:`) && payload.grantId === grantId);
    }
  }

  /** @param {string} jti @returns {string | undefined} the account an access token was issued to */
  function accountOfAccessToken(jti) {
    const payload = read(`AccessToken:${jti}`);
    return typeof payload?.accountId === "string" ? payload.accountId : undefined;
  }

  /** Deletes every grant and every token or code issued under one. */
  function revokeAllGrants() {
    deleteWhere((payload, key) => key.startsWith("Grant:") || typeof payload.grantId === "string");
  }

  return { Adapter, revokeAllGrants, accountOfAccessToken };
}
