// The canonical public URL of an installation's webhook or OAuth callback path. Build it with this
// (or client.webhookUrl) instead of hard-coding: it is the URL the panel shows with a Copy button.

/** `<baseUrl>/api/v1/hooks/<installationId><path>`, the URL Latchkey routes to the installation's webhook path. */
export function webhookUrl(path: string, options: { baseUrl: string; installationId: string }): string {
  const base = options.baseUrl.replace(/\/+$/, "");
  const clean = `/${path.replace(/^\/+/, "")}`;
  return `${base}/api/v1/hooks/${encodeURIComponent(options.installationId)}${clean === "/" ? "" : clean}`;
}
