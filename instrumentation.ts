// Start-up hook. The Node-only work (config and database checks, background workers) lives in
// lib/startup.ts so the Edge bundle never sees it.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { startServer } = await import("@/lib/startup");
    await startServer();
  }
}
