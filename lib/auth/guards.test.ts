import { describe, expect, it } from "vitest";
import type { UserActor } from "./actor";
import { AccessError, requireOrgRole, requirePlatformAdmin, requirePublisherMember, requireUser } from "./guards";

const person = (overrides: Partial<UserActor> = {}): UserActor => ({
  kind: "user",
  userId: "u1",
  email: "u1@example.com",
  name: "U One",
  isPlatformAdmin: false,
  publishers: [],
  orgs: [],
  ...overrides,
});

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AccessError) return { code: error.code, status: error.status, message: error.message };
    throw error;
  }
  throw new Error("guard let the caller through");
};

describe("role guards", () => {
  it("treats no actor as signed out (401)", () => {
    expect(refusal(() => requireUser(null))).toMatchObject({ code: "unauthenticated", status: 401 });
    expect(refusal(() => requirePlatformAdmin(null))).toMatchObject({ status: 401 });
  });

  it("lets publisher members in and keeps others out (403)", () => {
    const member = person({ publishers: [{ id: "p1", slug: "acme", name: "Acme", role: "member" }] });
    expect(requirePublisherMember(member, "p1").publisher.slug).toBe("acme");
    expect(refusal(() => requirePublisherMember(member, "p2"))).toMatchObject({ code: "forbidden", status: 403 });
    expect(refusal(() => requirePublisherMember(person()))).toMatchObject({ code: "forbidden" });
  });

  it("ranks organization roles owner > admin > member", () => {
    const admin = person({ orgs: [{ id: "o1", slug: "globex", name: "Globex", role: "admin" }] });
    expect(requireOrgRole(admin, "o1", "member").org.role).toBe("admin");
    expect(requireOrgRole(admin, "o1", "admin").org.slug).toBe("globex");
    expect(refusal(() => requireOrgRole(admin, "o1", "owner")).message).toBe("This needs the owner role in Globex; you are admin.");
    expect(refusal(() => requireOrgRole(admin, "o2"))).toMatchObject({ code: "forbidden" });
  });

  it("admits only platform admins to admin", () => {
    expect(refusal(() => requirePlatformAdmin(person()))).toMatchObject({ code: "forbidden" });
    expect(requirePlatformAdmin(person({ isPlatformAdmin: true })).userId).toBe("u1");
  });
});
