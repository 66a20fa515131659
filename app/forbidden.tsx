import Link from "next/link";
import { Card } from "@/components/ui/card";

export default function Forbidden() {
  return (
    <Card className="mx-auto max-w-lg text-center">
      <p className="text-sm font-semibold text-red-600">403</p>
      <h1 className="mt-1 text-xl font-semibold">You don&apos;t have access to this area</h1>
      <p className="mt-2 text-sm text-slate-600">Your account does not hold the role this page needs.</p>
      <Link href="/" className="mt-4 inline-block text-sm font-medium text-brand-700 hover:underline">
        Go to your areas
      </Link>
    </Card>
  );
}
