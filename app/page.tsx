import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { areasFor } from "@/lib/auth/areas";
import { getActor } from "@/lib/auth/session";

export default async function Home() {
  const actor = await getActor();
  if (!actor) redirect("/signin");
  const [first] = areasFor(actor);
  if (first) redirect(first.href);
  return (
    <Card className="mx-auto max-w-lg text-center">
      <h1 className="text-lg font-semibold">You are signed in, with nothing to manage yet</h1>
      <p className="mt-2 text-sm text-slate-600">Ask an organization owner to invite you, or a publisher to add you as a member.</p>
    </Card>
  );
}
