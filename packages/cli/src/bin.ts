// The compiled CLI's entry (dist/latchkey.js, loaded by bin/latchkey.js): runs the CLI on this
// process's arguments and exits with its code.
import { main } from "./index";

process.exitCode = await main(process.argv);
