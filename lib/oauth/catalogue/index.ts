// Built-in OAuth providers an extension can name in a setup field (`obtain: {type: oauth2, provider: zoom,
// client_id: ext.…, client_secret: ext.…}`) without shipping a provider extension. Each provider is one data
// file in lib/oauth/catalogue/ carrying its documented quirks, so the flow code has no per-provider branches
// beyond reading them, and one contract fixture in test/provider-fixtures/ that plays what its documentation
// says it answers (lib/oauth/provider-contract.db.test.ts runs every one). Adding a provider: a data file, a
// fixture, a line in each list below, and `npm run docs:catalogue` for README's table.
import type { CatalogueEntry, ProviderConfig } from "./types";
import { airtable } from "./airtable";
import { asana } from "./asana";
import { atlassian } from "./atlassian";
import { bitbucket } from "./bitbucket";
import { box } from "./box";
import { calendly } from "./calendly";
import { discord } from "./discord";
import { docusign } from "./docusign";
import { dropbox } from "./dropbox";
import { github } from "./github";
import { gitlab } from "./gitlab";
import { google } from "./google";
import { hubspot } from "./hubspot";
import { intercom } from "./intercom";
import { linear } from "./linear";
import { linkedin } from "./linkedin";
import { mailchimp } from "./mailchimp";
import { microsoft } from "./microsoft";
import { notion } from "./notion";
import { pipedrive } from "./pipedrive";
import { quickbooks } from "./quickbooks";
import { salesforce } from "./salesforce";
import { shopify } from "./shopify";
import { slack } from "./slack";
import { spotify } from "./spotify";
import { xero } from "./xero";
import { zendesk } from "./zendesk";
import { zoom } from "./zoom";

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
