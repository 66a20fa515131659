// The two HTTP chores the demo provider's own routes share: reading a request body and answering JSON.

/**
 * @param {import("node:http").IncomingMessage} req
 * @returns {Promise<string>}
 */
export async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {unknown} [body]
 */
export function sendJson(res, status, body) {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
}
