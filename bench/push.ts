/**
 * Offline push alone, against `npm run with-emulators` (its local push recorder stands in
 * for FCM and APNs): `npm run with-emulators -- tsx bench/push.ts [calls]`. The same
 * section `npm run bench` runs (pushLatency.ts); writes bench/results/push.json.
 */
import fs from "node:fs";
import { closeAll } from "../test/support/clients.js";
import { textTable } from "./lib/table.js";
import { pushLatency, pushSection } from "./pushLatency.js";

const out = await pushLatency(Number(process.argv[2] ?? 20), (m) => console.error(m));
fs.mkdirSync("bench/results", { recursive: true });
fs.writeFileSync("bench/results/push.json", JSON.stringify(out, null, 2));
const s = pushSection(out);
console.log(`${s.title}\n${textTable(s.head, s.rows)}`);
for (const n of s.notes ?? []) console.log(n);
if (Object.keys(out.startCall.phases).length > 0) {
  console.log("startCall phases (median ms):", out.startCall.phases);
}
await closeAll();
process.exit(0);
