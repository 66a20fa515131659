import Link from "next/link";
import { Card } from "@/components/ui/card";

export const metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <Card className="mx-auto max-w-lg text-center">
      <p className="text-sm font-semibold text-brand-600">404</p>
      <h1 className="mt-1 text-xl font-semibold">This page does not exist</h1>
      <p className="mt-2 text-sm text-slate-600">Check the address, or go back to where you can work.</p>
      <Link href="/" className="mt-4 inline-block text-sm font-medium text-brand-700 hover:underline">
        Go to Latchkey home
      </Link>
    </Card>
  );
}
