import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { Providers } from "@/components/providers";
import { areasFor } from "@/lib/auth/areas";
import { getActor } from "@/lib/auth/session";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Latchkey", template: "%s · Latchkey" },
  description: "The credential vault of the extension platform.",
  icons: { icon: "/favicon.svg" },
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const actor = await getActor();
  const person = actor ? { name: actor.name, email: actor.email, areas: areasFor(actor) } : null;
  return (
    <html lang="en">
      <body>
        <Providers>
          <AppShell person={person}>{children}</AppShell>
        </Providers>
      </body>
    </html>
  );
}
