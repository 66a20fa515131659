"use server";
// "Test token": a developer (a member of the extension's publisher who administers this organization)
// mints a runtime token for the installation, to run their extension locally against real secrets. The
// token is returned once, in this response only; its minting is audited (lib/runtime/test-token.ts).
import { z } from "zod";
import { getRuntimeDeps, mintTestToken } from "@/lib/runtime";
import { panelAction } from "@/app/panel/actions/panel-action";

const input = z.object({ installationId: z.uuid({ error: "Choose an installation." }) });

export const testTokenAction = panelAction({
  input,
  run: async ({ installationId }, call) => {
    const minted = await mintTestToken(await getRuntimeDeps(), call.actor, installationId, call.source);
    // A duration reads the same in every time zone; a raw ISO timestamp reads in none.
    const minutes = Math.max(1, Math.round((minted.expiresAt.getTime() - Date.now()) / 60_000));
    return {
      ok: true,
      token: minted.token,
      message: `Runtime token for you on this installation, valid for the next ${minutes} minutes. It is shown only now.`,
    };
  },
});
