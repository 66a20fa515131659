// The seeded demo people and where each one's signed-in browser state is saved by auth.setup.ts.
export const people = {
  publisher: { name: "Pat Publisher", home: "/publisher" },
  enduser: { name: "Eve Enduser", home: "/panel" },
  enduser2: { name: "Uma User", home: "/panel" },
  admin: { name: "Ada Admin", home: "/admin" },
  member: { name: "Mo Member", home: "/panel" },
  developer: { name: "Dana Developer", home: "/publisher" },
} as const;

export type Person = keyof typeof people;

export const storageStateFor = (person: Person) => `e2e/.auth/${process.env.E2E_PORT ?? "3210"}/${person}.json`;
