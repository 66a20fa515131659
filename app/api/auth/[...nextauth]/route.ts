// next-auth's routes. Demo sign-in attempts are rate-limited per client address, and every sign-in return
// target is made same-origin (lib/auth/callback-url.ts), before next-auth sees the request.
import NextAuth from "next-auth";
import { withSafeCallbackUrl } from "@/lib/auth/callback-url";
import { authOptions, limitDemoSignIn } from "@/lib/auth/options";
import { env } from "@/lib/env";

const handler = async (request: Request, context: { params: Promise<{ nextauth: string[] }> }) => {
  const safe = await withSafeCallbackUrl(request, env().LATCHKEY_URL);
  return (await limitDemoSignIn(safe)) ?? NextAuth(authOptions())(safe, context);
};

export { handler as GET, handler as POST };
