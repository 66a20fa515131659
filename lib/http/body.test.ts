import { describe, expect, it } from "vitest";
import { readBoundedText } from "./body";

const tooLarge = () => new Error("too large");

describe("readBoundedText", () => {
  it("reads a body within the ceiling", async () => {
    expect(await readBoundedText(new Request("http://x/", { method: "POST", body: "héllo" }), 6, tooLarge)).toBe("héllo");
  });

  it("refuses a declared length over the ceiling without reading, and a streamed one as soon as it passes", async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const streamed = new Request("http://x/", { method: "POST", body: endless, duplex: "half" } as RequestInit);
    await expect(readBoundedText(streamed, 4096, tooLarge)).rejects.toThrow("too large");
    expect(pulled).toBeLessThan(10);
    const declared = new Request("http://x/", { method: "POST", body: "x".repeat(10), headers: { "content-length": "20000000" } });
    await expect(readBoundedText(declared, 4096, tooLarge)).rejects.toThrow("too large");
  });
});
