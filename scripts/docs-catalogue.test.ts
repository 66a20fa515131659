// README's catalogue table is generated from the catalogue's data: this fails when the data changed and
// `npm run docs:catalogue` was not run, and shows a row a reader relies on.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { catalogueEntries } from "@/lib/oauth/catalogue";
import { catalogueTable } from "@/lib/oauth/catalogue/table";
import { README, withCatalogueTable } from "./docs-catalogue";

describe("README's catalogue table", () => {
  it(`is current with the ${catalogueEntries.length} providers' data (else: npm run docs:catalogue)`, async () => {
    const readme = await readFile(README, "utf8");
    expect(await withCatalogueTable(readme)).toBe(readme);
  });

  it("says what each provider's data says", () => {
    const table = catalogueTable(catalogueEntries);
    expect(table.split("\n")).toHaveLength(catalogueEntries.length + 2);
    expect(table).toContain(
      "| GitHub (`github`) | space (answered `,`) | rotates (each refresh retires the old one) | DELETE, token in a JSON body | yes | form parameters | fixed |",
    );
    expect(table).toContain(
      "| Shopify (`shopify`) | `,` | rotates (each refresh retires the old one) | DELETE, access token as bearer | sent (undocumented) | form parameters | `{shop}` (`endpoint_params.shop`) |",
    );
  });
});
