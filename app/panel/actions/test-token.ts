"use server";
// "Test token": a developer (a member of the extension's publisher who administers this organization)
// mints a runtime token for the installation, to run their extension locally against real secrets. The
// token is returned once, in this response only; its minting is audited (lib/runtime/test-token.ts).
import { z } from "zod";
import type { FormState } from "@/components/publisher/form-state";
import { RuntimeError } from "@/lib/runtime/errors";
import { getRuntimeDeps, mintTestToken } from "@/lib/runtime";
import { runPanelAction } from "./run";

const input = z.object({ installationId: z.string().uuid() });

export async function testTokenAction(_state: FormState, formData: FormData): Promise<FormState> {
  const parsed = input.safeParse({ installationId: formData.get("installationId") });
  if (!parsed.success) return { ok: false, error: "Choose an installation.", attempt: Date.now() };
  return runPanelAction(async (call) => {
    try {
      const minted = await mintTestToken(await getRuntimeDeps(), call.actor, parsed.data.installationId, call.source);
      return {
        ok: true,
        token: minted.token,
        message: `Runtime token for you on this installation, valid until ${minted.expiresAt.toISOString()}. It is shown only now.`,
      };
    } catch (error) {
      if (error instanceof RuntimeError) return { ok: false, error: error.message, code: error.code };
      throw error;
    }
  });
}
