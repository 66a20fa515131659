// Request bodies read with a ceiling: a declared Content-Length over it is refused before reading, and a
// body that streams past it is cut off as soon as it does, so an oversized upload costs at most `maxBytes`.

/**
 * The request body as UTF-8 text, at most `maxBytes` bytes.
 *
 * @throws the error `tooLarge()` returns, when the declared or streamed length is over `maxBytes`
 */
export async function readBoundedText(request: Request, maxBytes: number, tooLarge: () => Error): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const reader = request.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
