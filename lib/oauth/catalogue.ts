// Built-in OAuth providers an extension can name in a setup field (`obtain: {type: oauth2, provider: zoom,
// client_id: ext.…, client_secret: ext.…}`) without shipping a provider extension. Each provider is one data
// file in lib/oauth/catalogue/ carrying its documented quirks, so the flow code has no per-provider branches
// beyond reading them, and one contract fixture in test/provider-fixtures/ that plays what its documentation
// says it answers (lib/oauth/provider-contract.db.test.ts runs every one). Adding a provider: a data file, a
// fixture, a line in each list below, and `npm run docs:catalogue` for README's table.
import type { CatalogueEntry, ProviderConfig } from "./provider-config";
import { airtable } from "./catalogue/airtable";
import { asana } from "./catalogue/asana";
import { atlassian } from "./catalogue/atlassian";
import { bitbucket } from "./catalogue/bitbucket";
import { box } from "./catalogue/box";
import { calendly } from "./catalogue/calendly";
import { discord } from "./catalogue/discord";
import { docusign } from "./catalogue/docusign";
import { dropbox } from "./catalogue/dropbox";
import { github } from "./catalogue/github";
import { gitlab } from "./catalogue/gitlab";
import { google } from "./catalogue/google";
import { hubspot } from "./catalogue/hubspot";
import { intercom } from "./catalogue/intercom";
import { linear } from "./catalogue/linear";
import { linkedin } from "./catalogue/linkedin";
import { mailchimp } from "./catalogue/mailchimp";
import { microsoft } from "./catalogue/microsoft";
import { notion } from "./catalogue/notion";
import { pipedrive } from "./catalogue/pipedrive";
import { quickbooks } from "./catalogue/quickbooks";
import { salesforce } from "./catalogue/salesforce";
import { shopify } from "./catalogue/shopify";
import { slack } from "./catalogue/slack";
import { spotify } from "./catalogue/spotify";
import { xero } from "./catalogue/xero";
import { zendesk } from "./catalogue/zendesk";
import { zoom } from "./catalogue/zoom";

/** Every built-in provider's data, in the order README's table lists them. */
export const catalogueEntries: readonly CatalogueEntry[] = [
  slack,
  zoom,
  github,
  atlassian,
  google,
  microsoft,
  spotify,
  salesforce,
  hubspot,
  notion,
  dropbox,
  box,
  linear,
  discord,
  gitlab,
  bitbucket,
  asana,
  airtable,
  zendesk,
  intercom,
  shopify,
  quickbooks,
  xero,
  linkedin,
  calendly,
  docusign,
  pipedrive,
  mailchimp,
];

/** The built-in providers by id, as flows use them. */
export const catalogue: ReadonlyMap<string, ProviderConfig> = new Map(
  catalogueEntries.map(({ docs: _docs, refreshTokens: _refresh, ...config }) => [config.id, { ...config, source: "catalogue" as const }]),
);
