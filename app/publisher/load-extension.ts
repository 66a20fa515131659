// Page helper: the signed-in publisher member and one of their extensions, or a 404 for anyone else's
// (another publisher's extension is indistinguishable from a missing one).
import "server-only";
import { notFound } from "next/navigation";
import { requirePublisherMember } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { getOwnExtension } from "@/lib/extensions/access";
import { ExtensionError } from "@/lib/extensions/errors";

export async function loadOwnExtension(id: string, path: string) {
  const { actor } = await guardPage((a) => requirePublisherMember(a), path);
  const db = await getDb();
  try {
    return { actor, db, extension: await getOwnExtension(db, actor, id) };
  } catch (error) {
    if (error instanceof ExtensionError && error.code === "not_found") notFound();
    throw error;
  }
}
