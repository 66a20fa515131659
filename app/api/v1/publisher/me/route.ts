// Who the token acts as: used by `latchkey login` to check a token before storing it.
import type { z } from "zod";
import type { publisherMe } from "@/lib/extensions/api-schemas";
import { apiJson, publisherApi } from "../handler";

export const GET = publisherApi(async (_request, call) => {
  const publisher = call.actor.publishers[0];
  return apiJson({
    user: { name: call.actor.name, email: call.actor.email },
    publisher: publisher ? { slug: publisher.slug, name: publisher.name } : null,
  } satisfies z.infer<typeof publisherMe>);
});
