// The synthetic audit events bench/audit.ts verifies: realistic field sizes, varied actors and actions.
import type { EntryEvent } from "@/lib/audit/entry";

export function syntheticEvent(i: number): EntryEvent {
  return {
    id: i + 1,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 10),
    actorKind: i % 5 === 0 ? "extension" : "user",
    actorId: `7b0c2c1e-8a57-4d0e-9d43-${String(i % 9973).padStart(12, "0")}`,
    action: ["secret.set", "secret.read", "secret.rotate", "oauth.refresh"][i % 4] ?? "secret.set",
    target: `user.api_key_${i % 50}`,
    extensionId: "0d6e1f36-6a0b-4b6f-9a55-8f0b3c1a2d44",
    orgId: i % 3 === 0 ? null : "3f2a1b0c-1d2e-4f50-8a6b-7c8d9e0f1a2b",
    sourceKind: i % 5 === 0 ? "api" : "ui",
    sourceIp: "203.0.113.7",
    sourceUserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
    outcome: "success",
    details: { byteLength: 32 + (i % 100), fingerprint: "a1b2c3d4e5f60718", version: i % 7 },
  };
}
