// The platform URLs the runtime hands out: where an end user fixes a missing secret, where they connect
// an account, and an installation's canonical webhook URL. One place, so the panel and the API agree.
const trim = (baseUrl: string) => baseUrl.replace(/\/+$/, "");

/** The installation's Secrets settings page in the end-user panel. */
export function settingsUrl(baseUrl: string, installationId: string): string {
  return `${trim(baseUrl)}/panel/extensions/${installationId}/settings/secrets`;
}

/** Where the user (re)connects an OAuth provider for this installation, asking for the given scopes. */
export function connectUrl(baseUrl: string, installationId: string, provider: string, scopes: readonly string[]): string {
  const query = new URLSearchParams({ provider, installation: installationId });
  if (scopes.length > 0) query.set("scopes", scopes.join(" "));
  return `${trim(baseUrl)}/panel/connections/connect?${query.toString()}`;
}

/**
 * The canonical public URL of an installation's webhook or OAuth callback path (e.g. "/callback").
 * lib/sdk's webhookUrl builds the same string on the extension's side.
 */
export function webhookUrlFor(baseUrl: string, installationId: string, path: string): string {
  const clean = `/${path.replace(/^\/+/, "")}`;
  return `${trim(baseUrl)}/api/v1/hooks/${installationId}${clean === "/" ? "" : clean}`;
}
