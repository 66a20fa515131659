import NextAuth from "next-auth";
import { authOptions, limitDemoSignIn } from "@/lib/auth/options";

// Demo sign-in attempts are rate-limited per client address before next-auth sees them.
const handler = async (request: Request, context: { params: Promise<{ nextauth: string[] }> }) =>
  (await limitDemoSignIn(request)) ?? NextAuth(authOptions())(request, context);

export { handler as GET, handler as POST };
