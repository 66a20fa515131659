// The core model: people, the publishers and organizations they belong to, extensions with their
// manifest versions, and installations of an extension into an organization.
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, tstz } from "./types";

export const users = pgTable("users", {
  id: id(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  isPlatformAdmin: boolean("is_platform_admin").notNull().default(false),
  /** Set for seeded demo people; demo sign-in offers only these. */
  demoKey: text("demo_key").unique(),
  createdAt: createdAt(),
});

/** An external sign-in (OIDC subject or GitHub account) linked to a user. */
export const userIdentities = pgTable(
  "user_identities",
  {
    provider: text("provider").notNull(),
    subject: text("subject").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] })],
);

export const publishers = pgTable("publishers", {
  id: id(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const publisherRoles = ["owner", "member"] as const;
export type PublisherRole = (typeof publisherRoles)[number];

export const publisherMembers = pgTable(
  "publisher_members",
  {
    publisherId: uuid("publisher_id")
      .notNull()
      .references(() => publishers.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: publisherRoles }).notNull().default("member"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.publisherId, t.userId] }), index("publisher_members_user_idx").on(t.userId)],
);

export const organizations = pgTable("organizations", {
  id: id(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: createdAt(),
});

export const orgRoles = ["owner", "admin", "member"] as const;
export type OrgRole = (typeof orgRoles)[number];

export const orgMembers = pgTable(
  "org_members",
  {
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: orgRoles }).notNull().default("member"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] }), index("org_members_user_idx").on(t.userId)],
);

export const extensionStatuses = ["draft", "published"] as const;

export const extensions = pgTable(
  "extensions",
  {
    id: id(),
    publisherId: uuid("publisher_id")
      .notNull()
      .references(() => publishers.id, { onDelete: "restrict" }),
    /** The manifest's `extension.id`, e.g. dev.mycompany.zoom-integration. */
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    status: text("status", { enum: extensionStatuses }).notNull().default("draft"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("extensions_publisher_idx").on(t.publisherId)],
);

export const extensionVersions = pgTable(
  "extension_versions",
  {
    id: id(),
    extensionId: uuid("extension_id")
      .notNull()
      .references(() => extensions.id, { onDelete: "cascade" }),
    version: text("version").notNull(),
    /** The manifest exactly as uploaded, so errors can point at its lines. */
    manifestYaml: text("manifest_yaml").notNull(),
    manifest: jsonb("manifest").$type<Record<string, unknown>>().notNull(),
    publishedAt: tstz("published_at"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("extension_versions_ext_version_idx").on(t.extensionId, t.version)],
);

export const installations = pgTable(
  "installations",
  {
    id: id(),
    extensionId: uuid("extension_id")
      .notNull()
      .references(() => extensions.id, { onDelete: "restrict" }),
    orgId: uuid("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    versionId: uuid("version_id")
      .notNull()
      .references(() => extensionVersions.id, { onDelete: "restrict" }),
    installedBy: uuid("installed_by").references(() => users.id, { onDelete: "set null" }),
    /** Wizard progress: the index of the next setup step to run. */
    setupStep: integer("setup_step").notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("installations_ext_org_idx").on(t.extensionId, t.orgId), index("installations_org_idx").on(t.orgId)],
);

export type User = typeof users.$inferSelect;
export type Organization = typeof organizations.$inferSelect;
export type Publisher = typeof publishers.$inferSelect;
export type Extension = typeof extensions.$inferSelect;
export type ExtensionVersion = typeof extensionVersions.$inferSelect;
export type Installation = typeof installations.$inferSelect;
