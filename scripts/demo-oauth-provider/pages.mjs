// The demo provider's own pages, in Latchkey's look (app/globals.css and the panel's cards and buttons):
// the frame every page shares, and the sign-in and consent pages. They load nothing from elsewhere, and
// every value put into them is escaped with `esc`.

/** HTML-escapes `value` (as text) for element content and quoted attribute values. @param {unknown} value */
export const esc = (value) =>
  String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

// Latchkey's look (app/globals.css and the panel's cards and buttons), inline: the page loads nothing else.
const PAGE_STYLE = `
*{box-sizing:border-box}
body{margin:0;min-height:100vh;background:#f8fafc;color:#0f172a;font:16px/1.5 ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;-webkit-font-smoothing:antialiased}
header{border-bottom:1px solid #e2e8f0;background:#fff}
header div{max-width:28rem;margin:0 auto;padding:.75rem 1rem;display:flex;align-items:center;gap:.5rem;font-weight:600}
main{max-width:28rem;margin:0 auto;padding:2rem 1rem}
.card{background:#fff;border-radius:.75rem;padding:1.25rem;box-shadow:0 1px 2px rgba(15,23,42,.06);outline:1px solid #e2e8f0}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .25rem;letter-spacing:-.01em}
p{margin:.25rem 0}.muted{color:#475569;font-size:.875rem}.small{font-size:.75rem;color:#64748b}
label{display:block;font-size:.875rem;font-weight:500;color:#334155;margin-top:1rem}
input[type=text],input[type=password]{display:block;width:100%;min-height:2.5rem;margin-top:.25rem;padding:.5rem .75rem;border:1px solid #cbd5e1;border-radius:.375rem;font:inherit;background:#fff;color:#0f172a}
input:focus-visible,button:focus-visible,a:focus-visible{outline:2px solid oklch(.55 .2 264);outline-offset:2px}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem;margin-top:1.25rem}
button{min-height:2.5rem;padding:.5rem 1rem;border:0;border-radius:.375rem;background:oklch(.49 .2 264);color:#fff;font:inherit;font-size:.875rem;font-weight:500;cursor:pointer}
button:hover{background:oklch(.42 .18 264)}
a{color:oklch(.42 .18 264);font-size:.875rem;font-weight:500}
ul{margin:.5rem 0 0;padding-left:1.25rem}li{margin:.25rem 0}
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.8125rem;background:#f1f5f9;color:#334155;padding:.0625rem .25rem;border-radius:.25rem}
.note{margin-top:1.5rem;text-align:center}
`;

const LOGO = `<svg aria-hidden="true" width="24" height="24" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#4338ca"/><path d="M11 14v-3a5 5 0 0 1 10 0v3" stroke="#fff" stroke-width="2.5" fill="none"/><rect x="8" y="14" width="16" height="11" rx="2" fill="#fff"/><circle cx="16" cy="19.5" r="2" fill="#4338ca"/></svg>`;

/**
 * A whole page: `title` in the tab and as the heading, `body` (trusted HTML, every value in it escaped
 * with `esc`) in a card, and a line saying what this server is.
 * @param {string} title @param {string} body
 */
export function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Demo OAuth provider</title><style>${PAGE_STYLE}</style></head>
<body><header><div>${LOGO}<span>Demo OAuth provider</span></div></header>
<main><div class="card"><h1>${esc(title)}</h1>${body}</div>
<p class="note small">A local stand-in for a real service's sign-in, started with Latchkey's demo. Nothing you type here leaves this computer.</p></main></body></html>`;
}

// What each OpenID Connect scope lets the client do, in words (others are listed by name).
const SCOPE_WORDS = /** @type {Record<string, string>} */ ({
  openid: "Know who you are at this service",
  email: "See your email address",
  profile: "See your name",
  offline_access: "Keep access while you are away",
  "calendar.read": "Read your calendars",
  "calendar.write": "Change your calendars",
  "files.read": "Read your files",
});

/**
 * The sign-in page of interaction `uid`: a login (any email or user name) and a password (any value),
 * prefilled with the demo account's email.
 * @param {string} uid @param {string} clientName @param {string} demoEmail @param {string | null} problem
 */
export function loginPage(uid, clientName, demoEmail, problem) {
  return page(
    "Sign in to My Service",
    `<p class="muted">${esc(clientName)} asks to connect to your account. Any email and password work here; <code>${esc(demoEmail)}</code> is the demo account.</p>
${problem ? `<p role="alert" style="color:#b91c1c">${esc(problem)}</p>` : ""}
<form method="post" action="/interaction/${esc(uid)}" autocomplete="off">
<input type="hidden" name="prompt" value="login">
<label for="login">Email or user name</label><input id="login" type="text" name="login" required autofocus value="${esc(demoEmail)}">
<label for="password">Password</label><input id="password" type="password" name="password" required>
<div class="actions"><button type="submit">Sign in</button><a href="/interaction/${esc(uid)}/abort">Cancel</a></div>
</form>`,
  );
}

/**
 * The consent page of interaction `uid`: what `clientName` will be able to do for `who`, one line a scope.
 * @param {string} uid @param {string} clientName @param {string} who @param {string[]} scopes
 */
export function consentPage(uid, clientName, who, scopes) {
  const items = scopes.map(
    (scope) => `<li>${esc(SCOPE_WORDS[scope] ?? scope)} <span class="small">(<code>${esc(scope)}</code>)</span></li>`,
  );
  return page(
    `Allow ${clientName} access`,
    `<p class="muted">Signed in as <strong>${esc(who)}</strong>. ${esc(clientName)} will be able to:</p>
<ul>${items.join("")}</ul>
<form method="post" action="/interaction/${esc(uid)}">
<input type="hidden" name="prompt" value="consent">
<div class="actions"><button type="submit">Continue</button><a href="/interaction/${esc(uid)}/abort">Cancel</a></div>
</form>`,
  );
}
