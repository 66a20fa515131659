// A link into the OAuth routes (/api/oauth/…), styled as a button. A plain <a>, not next/link: the
// route answers with a redirect to the provider, which must be a full page load, never a client
// navigation or a prefetch.
import type { ComponentProps } from "react";
import { cn } from "@/components/ui/cn";

const styles = {
  primary: "bg-brand-600 text-white hover:bg-brand-700",
  secondary: "bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50",
} as const;

export function OAuthLink({ variant = "primary", className, ...props }: ComponentProps<"a"> & { variant?: keyof typeof styles }) {
  return (
    <a
      className={cn(
        "inline-flex min-h-10 items-center justify-center gap-2 rounded-md px-4 py-2 text-center text-sm font-medium transition-colors",
        styles[variant],
        className,
      )}
      {...props}
    />
  );
}

/** The authorize route for a provider; `params` become its query (installation, field, scopes, return_to). */
export function authorizeHref(providerId: string, params: Record<string, string>): string {
  return `/api/oauth/${encodeURIComponent(providerId)}/authorize?${new URLSearchParams(params).toString()}`;
}
