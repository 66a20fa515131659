// The installation setup wizard: the manifest's `setup` steps normalized for the panel, validation of a
// step before moving on, a tiny safe markdown reader for `info` steps, and the wizard's state (progress
// on installations.setupStep, plain settings in installation_settings, secrets through the vault via
// savePanelSecrets). Every change is audited with the end user as actor. A step's fields are all checked
// before anything is written, and then written together or not at all.
import { and, eq, inArray } from "drizzle-orm";
import { appendAuditEvents } from "@/lib/audit/events";
import { installationSettings, installations, type OrgRole } from "@/lib/db/schema";
import { textProblemMessage } from "@/lib/core/text";
import { declaredSecrets, type DeclaredSecret } from "@/lib/manifest";
import { oauthRequirement } from "@/lib/manifest/oauth";
import { VAULT_MAX_BYTES } from "@/lib/vault/vault";
import { ExtensionError } from "./errors";
import {
  getMemberInstallation,
  listPanelSecrets,
  panelWriteRefusal,
  savePanelSecrets,
  type PanelCall,
  type PanelDeps,
} from "./panel-secrets";

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

export interface SecretField {
  kind: "secret";
  key: string;
  label: string;
  description: string;
  required: boolean;
  /** The declared secret this field saves to; null when the manifest names none the extension declares. */
  ref: string | null;
  /** An `obtain.type: oauth2` field: the provider to connect through OAuth (the panel links to its authorize route), not typed in. */
  oauthProvider: string | null;
  /** Whether a person can type a value here (not OAuth, not `write_mode: extension`, and declared). */
  enterable: boolean;
}

export interface SettingField {
  kind: "setting";
  key: string;
  label: string;
  description: string;
  required: boolean;
  type: "text" | "number" | "boolean" | "select" | "url" | "email";
  options: string[];
  defaultValue: string | null;
}

export type WizardField = SecretField | SettingField;

export interface WizardStep {
  index: number;
  kind: "secrets" | "configure" | "test" | "info";
  title: string;
  description: string;
  /** Skippable: nothing in it is required (test steps can always be skipped). */
  optional: boolean;
  fields: WizardField[];
  endpoint: string | null;
  successMessage: string | null;
  markdown: string | null;
}

const defaultTitles = { secrets: "Secrets", configure: "Settings", test: "Test the connection", info: "Information" } as const;

function secretRefFor(key: string, storeAs: string | null, declared: DeclaredSecret[]): DeclaredSecret | null {
  const candidates = storeAs ? [storeAs] : [`user.${key}`, `org.${key}`];
  for (const ref of candidates) {
    const d = declared.find((x) => x.ref === ref && x.scope !== "ext");
    if (d) return d;
  }
  return null;
}

/** The manifest's setup steps as the wizard shows them, in order. */
export function wizardSteps(manifest: unknown, declared: DeclaredSecret[]): WizardStep[] {
  return arr(obj(manifest).setup).flatMap((raw, index): WizardStep[] => {
    const step = obj(raw);
    const kind = (["secrets", "configure", "test", "info"] as const).find((k) => step[k] !== undefined);
    if (!kind) return [];
    const body = obj(step[kind]);
    const base = {
      index,
      kind,
      title: str(body.title) ?? defaultTitles[kind],
      description: str(body.description) ?? "",
      endpoint: null,
      successMessage: null,
      markdown: null,
    };
    if (kind === "secrets") {
      const fields: SecretField[] = [
        ...arr(body.fields).map((f) => {
          const field = obj(f);
          const key = str(field.key) ?? "";
          const obtain = obj(field.obtain);
          const d = secretRefFor(key, str(obtain.store_as), declared);
          const oauthProvider = obtain.type === "oauth2" ? (str(obtain.provider) ?? "the provider") : null;
          return {
            kind: "secret" as const,
            key,
            label: str(field.label) ?? key,
            description: str(field.description) ?? d?.description ?? "",
            required: typeof field.required === "boolean" ? field.required : (d?.required ?? false),
            ref: d?.ref ?? null,
            oauthProvider,
            enterable: !oauthProvider && d !== null && d.writeMode !== "extension",
          };
        }),
        ...arr(body.collect).flatMap((n) => {
          const name = str(n) ?? "";
          const d = secretRefFor(name, null, declared);
          return [
            {
              kind: "secret" as const,
              key: name,
              label: d?.label ?? name,
              description: d?.description ?? "",
              required: d?.required ?? false,
              ref: d?.ref ?? null,
              oauthProvider: null,
              enterable: d !== null && d.writeMode !== "extension",
            },
          ];
        }),
      ];
      return [{ ...base, fields, optional: !fields.some((f) => f.required && f.enterable) }];
    }
    if (kind === "configure") {
      const fields: SettingField[] = arr(body.fields).map((f) => {
        const field = obj(f);
        const type = str(field.type);
        const def = field.default;
        return {
          kind: "setting",
          key: str(field.key) ?? "",
          label: str(field.label) ?? str(field.key) ?? "",
          description: str(field.description) ?? "",
          required: field.required === true,
          type: type === "number" || type === "boolean" || type === "select" || type === "url" || type === "email" ? type : "text",
          options: arr(field.options).flatMap((o) => (typeof o === "string" ? [o] : [])),
          defaultValue: typeof def === "string" || typeof def === "number" || typeof def === "boolean" ? String(def) : null,
        };
      });
      return [{ ...base, fields, optional: !fields.some((f) => f.required) }];
    }
    if (kind === "test") {
      return [{ ...base, fields: [], optional: true, endpoint: str(body.endpoint), successMessage: str(body.success_message) }];
    }
    return [{ ...base, fields: [], optional: false, markdown: str(body.markdown) ?? "" }];
  });
}

/**
 * Whether an installation of this manifest has anything for its setup page to show: setup steps, or a
 * `requires.oauth_provider` connection to make. The panel offers "Setup" only then.
 */
export function hasSetup(manifest: unknown): boolean {
  return wizardSteps(manifest, declaredSecrets(manifest)).length > 0 || oauthRequirement(manifest) !== null;
}

/**
 * Problems with a step's submitted values, keyed by field, worded for the person filling it in.
 * `setRefs` are the secrets already stored: a required secret that is set may be left blank (kept).
 */
export function validateStep(step: WizardStep, values: Record<string, string>, setRefs: ReadonlySet<string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of step.fields) {
    const value = (values[f.key] ?? "").trim();
    if (f.kind === "secret") {
      if (f.enterable && f.required && !value && !(f.ref && setRefs.has(f.ref))) errors[f.key] = `Enter ${f.label}.`;
      continue;
    }
    if (!value) {
      if (f.required) errors[f.key] = `Enter ${f.label}.`;
      continue;
    }
    // Settings are stored as text (secrets are sealed bytes and keep any character): a NUL cannot be.
    const unstorable = textProblemMessage(f.label, value, { multiline: true });
    if (unstorable) {
      errors[f.key] = unstorable;
      continue;
    }
    if (f.type === "select" && !f.options.includes(value)) errors[f.key] = `Choose one of: ${f.options.join(", ")}.`;
    if (f.type === "number" && !Number.isFinite(Number(value))) errors[f.key] = `${f.label} must be a number.`;
    if (f.type === "boolean" && value !== "true" && value !== "false") errors[f.key] = `${f.label} must be yes or no.`;
    if (f.type === "url" && !/^https?:\/\/[^\s]+$/i.test(value)) errors[f.key] = `${f.label} must be an http(s) URL.`;
    if (f.type === "email" && !/^[^\s@]+@[^\s@]+$/.test(value)) errors[f.key] = `${f.label} must be an email address.`;
  }
  return errors;
}

/**
 * Problems with the values typed into a step's secret fields, keyed by field: a value for a field that
 * takes none (OAuth, `write_mode: extension`, an undeclared secret), one this person may not write (an
 * `org.*` secret for a plain member), one over its secret's max_bytes (counted in UTF-8 bytes, as stored),
 * and two fields saving to one secret. Blank fields are not checked (they keep what is stored).
 */
export function validateSecretValues(
  step: WizardStep,
  values: Record<string, string>,
  declared: readonly DeclaredSecret[],
  role: OrgRole,
): Record<string, string> {
  const errors: Record<string, string> = {};
  const fieldFor = new Map<string, SecretField>();
  for (const f of step.fields) {
    const value = values[f.key] ?? "";
    if (f.kind !== "secret" || !value.trim()) continue;
    const d = f.ref ? declared.find((x) => x.ref === f.ref) : undefined;
    if (f.oauthProvider) {
      errors[f.key] = `${f.label} is connected through ${f.oauthProvider}, not typed in; use its Connect button.`;
      continue;
    }
    if (!d) {
      errors[f.key] = `${f.label} does not save to a secret this extension declares, so it cannot be stored.`;
      continue;
    }
    const refusal = panelWriteRefusal(d, role);
    if (refusal) {
      errors[f.key] = refusal;
      continue;
    }
    const maxBytes = Math.min(d.maxBytes, VAULT_MAX_BYTES);
    const bytes = Buffer.byteLength(value, "utf8");
    if (bytes > maxBytes) {
      errors[f.key] = `${f.label} is limited to ${maxBytes} bytes; the value has ${bytes}.`;
      continue;
    }
    const earlier = fieldFor.get(d.ref);
    if (earlier) {
      errors[f.key] = `${f.label} saves to the same secret as ${earlier.label} (${d.ref}); fill in only one of them.`;
      continue;
    }
    fieldFor.set(d.ref, f);
  }
  return errors;
}

export type InlineNode = { type: "text" | "strong" | "code"; text: string } | { type: "link"; text: string; href: string };

/**
 * A deliberately tiny markdown reader: paragraphs (blank-line separated), **bold**, `code` and
 * [links](https://…) with http(s) targets only. It returns plain data that React renders as text, so no
 * HTML in the input is ever interpreted.
 */
export function parseMarkdown(markdown: string): InlineNode[][] {
  const token = /(\*\*[^*\n]+\*\*|`[^`\n]+`|\[[^\]\n]+\]\([^)\s]+\))/;
  return markdown
    .split(/\n\s*\n/)
    .map((p) => p.trim().replace(/\s*\n\s*/g, " "))
    .filter((p) => p.length > 0)
    .map((p) =>
      p
        .split(token)
        .filter((part) => part.length > 0)
        .map((part): InlineNode => {
          if (part.startsWith("**") && part.endsWith("**") && part.length > 4) return { type: "strong", text: part.slice(2, -2) };
          if (part.startsWith("`") && part.endsWith("`") && part.length > 2) return { type: "code", text: part.slice(1, -1) };
          const link = part.match(/^\[([^\]]+)\]\(([^)\s]+)\)$/);
          if (link) {
            const [, text = "", href = ""] = link;
            return /^https?:\/\//i.test(href) ? { type: "link", text, href } : { type: "text", text };
          }
          return { type: "text", text: part };
        }),
    );
}

/** Everything the wizard page shows for one installation. */
export async function loadWizard(deps: PanelDeps, call: PanelCall, installationId: string) {
  const found = await getMemberInstallation(deps.db, call.actor, installationId);
  const steps = wizardSteps(found.version.manifest, found.declared);
  const [secrets, settingRows] = await Promise.all([
    listPanelSecrets(deps, call, installationId),
    deps.db.select().from(installationSettings).where(eq(installationSettings.installationId, found.installation.id)),
  ]);
  return {
    installation: found.installation,
    extension: { id: found.extension.id, name: found.extension.name },
    org: found.org,
    steps,
    current: Math.min(found.installation.setupStep, steps.length),
    setRefs: new Set(secrets.secrets.filter((s) => s.isSet).map((s) => s.ref)),
    settings: Object.fromEntries(settingRows.map((r) => [r.key, r.value])) as Record<string, string>,
    /** What the extension declares: the secret fields' limits and write modes. */
    declared: found.declared,
    /** `requires.oauth_provider`: the connection the extension asks for at run time (the page offers Connect). */
    oauth: oauthRequirement(found.version.manifest),
  };
}

export type StepMove = "next" | "back" | "skip";

/**
 * Moves the wizard from `stepIndex`. "next" validates and saves the step (secrets to the vault,
 * settings to installation_settings) before advancing; "skip" is allowed only for optional steps.
 * Every field is checked first and every problem returned at once, keyed by field, without moving or
 * saving anything; otherwise the step's secrets are written in one vault transaction (an audit event
 * each) and its settings in one transaction, so a step is never half stored.
 */
export async function submitStep(
  deps: PanelDeps,
  call: PanelCall,
  installationId: string,
  input: { stepIndex: number; move: StepMove; values: Record<string, string> },
): Promise<{ ok: true; current: number } | { ok: false; errors: Record<string, string> }> {
  const wizard = await loadWizard(deps, call, installationId);
  const step = wizard.steps[input.stepIndex];
  if (!step) throw new ExtensionError("not_found", "No such setup step.");
  if (input.move === "skip" && !step.optional) throw new ExtensionError("forbidden", `“${step.title}” is required and cannot be skipped.`);
  if (input.move === "next") {
    const problems = {
      ...validateSecretValues(step, input.values, wizard.declared, wizard.org.role),
      ...validateStep(step, input.values, wizard.setRefs),
    };
    // In the form's order, so the first error named is the first field to fix.
    const errors: Record<string, string> = {};
    for (const f of step.fields) {
      const message = problems[f.key];
      if (message) errors[f.key] = message;
    }
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    const settings = step.fields.flatMap((f) => (f.kind === "setting" && (input.values[f.key] ?? "").trim() ? [f] : []));
    if (settings.length > 0 && wizard.org.role === "member") {
      throw new ExtensionError("forbidden", "Only organization owners and admins can change an extension's settings.");
    }
    const secrets = step.fields.flatMap((f) => {
      const value = input.values[f.key] ?? "";
      return f.kind === "secret" && f.enterable && f.ref && value.trim() ? [{ ref: f.ref, value }] : [];
    });
    await savePanelSecrets(deps, call, installationId, secrets);
    if (settings.length > 0) {
      await deps.db.transaction(async (tx) => {
        for (const f of settings) {
          const value = (input.values[f.key] ?? "").trim();
          await tx
            .insert(installationSettings)
            .values({ installationId: wizard.installation.id, key: f.key, value, updatedBy: call.actor.userId })
            .onConflictDoUpdate({
              target: [installationSettings.installationId, installationSettings.key],
              set: { value, updatedBy: call.actor.userId, updatedAt: new Date() },
            });
        }
        await appendAuditEvents(tx, [
          {
            actor: { kind: "user", id: call.actor.userId },
            source: call.source,
            action: "installation.configure",
            target: wizard.installation.id,
            extensionId: wizard.extension.id,
            orgId: wizard.org.id,
            details: { keys: settings.map((f) => f.key) },
          },
        ]);
      });
    }
  }
  const current = input.move === "back" ? Math.max(0, input.stepIndex - 1) : Math.min(wizard.steps.length, input.stepIndex + 1);
  await deps.db.transaction(async (tx) => {
    await tx
      .update(installations)
      .set({ setupStep: current })
      .where(and(eq(installations.id, wizard.installation.id), inArray(installations.orgId, [wizard.org.id])));
    await appendAuditEvents(tx, [
      {
        actor: { kind: "user", id: call.actor.userId },
        source: call.source,
        action: "installation.setup_step",
        target: wizard.installation.id,
        extensionId: wizard.extension.id,
        orgId: wizard.org.id,
        details: { from: input.stepIndex, to: current, move: input.move },
      },
    ]);
  });
  return { ok: true, current };
}
