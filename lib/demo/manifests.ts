// The spec's own example extensions, used as demo data: Zoom (partner credentials), Spotify (user
// secrets), an OAuth provider extension (its endpoints discovered from demo mode's local provider) and a
// consumer of it.

export const zoomManifest = `model_version: "1.0"
extension:
  id: dev.mycompany.zoom-integration
  name: Zoom Integration
  version: 1.0.0
  description: Schedule and join Zoom meetings from your workspace.
credentials:
  ext:
    - key: zoom_client_id
      label: Zoom OAuth Client ID
      type: oauth_client_id
      required: true
      help_url: https://marketplace.zoom.us/docs/guides/build/oauth-app
    - key: zoom_client_secret
      label: Zoom OAuth Client Secret
      type: oauth_client_secret
      required: true
      secret: true
setup:
  - secrets:
      title: Connect to Zoom
      fields:
        - key: zoom_connection
          label: Zoom Account
          type: oauth_token
          obtain:
            type: oauth2
            provider: zoom
            client_id: ext.zoom_client_id
            client_secret: ext.zoom_client_secret
            scopes: ["meeting:read", "meeting:write"]
            store_as: org.zoom_access_token
`;

export const spotifyManifest = `model_version: "1.0"
extension:
  id: dev.imperal.spotify
  name: Spotify
  version: 1.0.0
  description: Spotify integration — search, queue, manage your library.
secrets:
  - name: spotify_api_key
    description: Your Spotify API key — get it at developer.spotify.com → your app → Show Client Secret.
    required: true
    write_mode: user
    max_bytes: 200
    rotation_hint_days: 90
    scope: user
  - name: spotify_refresh_token
    description: OAuth refresh token — written by extension after you authorize.
    write_mode: extension
    max_bytes: 4096
    rotation_hint_days: 180
    scope: user
  - name: stripe_webhook_signing_secret
    description: Stripe webhook signing secret (whsec_...) — Dashboard → Developers → Webhooks → Signing secret.
    required: false
    write_mode: user
    max_bytes: 200
    rotation_hint_days: 90
    scope: org
webhooks:
  - path: /callback
    method: GET
  - path: /stripe-webhook
    method: POST
    secret_header: Stripe-Signature
`;

/** The spec's provider extension, pointed at demo mode's local OpenID Connect provider (found by discovery). */
export const providerManifest = (issuer: string) => `model_version: "1.0"
extension:
  id: dev.kiket.ext.my-oauth
  name: My OAuth Provider
  version: 1.0.0
  description: Sign in once with My Service and share the connection.
  capabilities:
    - oauth2-provider
  provides:
    oauth_provider:
      provider_id: my-provider
      display_name: My Service
      icon: bi-cloud
      issuer: ${issuer}
      grant_types:
        - authorization_code
        - refresh_token
      default_scopes:
        - openid
        - email
      available_scopes:
        - id: openid
          description: Sign you in
          default: true
        - id: email
          description: View your email
          default: true
        - id: calendar.read
          description: Read calendars
          consumer: my-calendar
credentials:
  ext:
    - key: my_client_id
      label: My Service OAuth Client ID
      type: oauth_client_id
      required: true
      secret: false
    - key: my_client_secret
      label: My Service OAuth Client Secret
      type: oauth_client_secret
      required: true
      secret: true
`;

export const consumerManifest = `model_version: "1.0"
extension:
  id: dev.kiket.ext.my-calendar
  name: My Calendar
  version: 1.0.0
  description: Your calendars, synced through My Service.
  capabilities:
    - calendar-sync
  requires:
    oauth_provider:
      provider: my-oauth
      scopes:
        - calendar.read
      on_missing: prompt_connect
`;

/** Demo mode's local OAuth provider when none is configured (lib/env.ts computes the real one). */
export const DEFAULT_DEMO_ISSUER = "http://127.0.0.1:3001";

export const demoManifests = (oauthIssuer = DEFAULT_DEMO_ISSUER) => [
  zoomManifest,
  spotifyManifest,
  providerManifest(oauthIssuer),
  consumerManifest,
];
