import postgres from "postgres";
async function main() {
  const sql = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 4 });
  const run = async (i: number) => {
    const t = performance.now();
    let n = 0;
    for await (const c of await sql.unsafe(`copy (select g, repeat('x', 200) from generate_series(1, 50000) g) to stdout`).readable()) n += c.length;
    console.log(i, n, (performance.now() - t) / 1000);
  };
  await run(1); await run(2); await run(3);
  console.log("one more");
  await run(4);
  await sql.end();
}
void main().catch((e) => console.error("ERR", e));
