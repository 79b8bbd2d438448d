/**
 * The index config (firestore.indexes.json, SCALE.md#hot-spots): every query the server runs
 * has its index, and no single-field index that no query needs is kept on a root collection
 * field whose values grow with time (each such index caps its collection near 500 writes a
 * second). The queries are found in the source, so a new query without its index fails here.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SHARDS, shardGroups, shardOf } from "../../functions/src/adapters/store/shards.js";

interface IndexField {
  fieldPath: string;
  order?: string;
  arrayConfig?: string;
}
interface Config {
  indexes: { collectionGroup: string; fields: IndexField[] }[];
  fieldOverrides: { collectionGroup: string; fieldPath: string; indexes: unknown[] }[];
}

const ROOT = path.resolve(import.meta.dirname, "../..");
const config = JSON.parse(
  fs.readFileSync(path.join(ROOT, "firestore.indexes.json"), "utf8"),
) as Config;

const exempt = (group: string) =>
  new Set(
    config.fieldOverrides
      .filter((o) => o.collectionGroup === group && o.indexes.length === 0)
      .map((o) => o.fieldPath),
  );
const composite = (group: string, fields: string[]) =>
  config.indexes.some(
    (i) =>
      i.collectionGroup === group &&
      fields.every((f, k) => i.fields[k]?.fieldPath === f) &&
      i.fields.length >= fields.length,
  );

/** Root collections and their fields whose values grow with time. */
const TIME_FIELDS: Record<string, string[]> = {
  calls: ["created_at", "updated_at", "deadline_at", "ended_at", "next_deadline_at", "task_at"],
  users: ["updated_at"],
  ringback_rate_limits: ["updated_at"],
  ringback_webhook_events: [
    "created_at",
    "unsent_since",
    "lease_until",
    "delivered_at",
    "failed_at",
    "timestamp",
    "expire_at",
  ],
  ringback_push_jobs: ["created_at", "unsent_since", "lease_until", "expire_at"],
  // Every channel's own outbox below ringback_channels/{channel} (channels/rows.ts).
  ringback_outbox: ["created_at", "unsent_since", "lease_until", "sent_at", "expire_at"],
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("firestore.indexes.json", () => {
  it("exempts every time-growing field of a root collection from single-field indexing", () => {
    for (const [group, fields] of Object.entries(TIME_FIELDS)) {
      const ex = exempt(group);
      for (const f of fields) expect(ex.has(f), `${group}.${f}`).toBe(true);
    }
  });

  it("keeps an index for every query the server runs", () => {
    expect(composite("calls", ["user_ids", "created_at", "__name__"])).toBe(true); // listCalls
    expect(composite("calls", ["shard", "task_at"])).toBe(true); // the sweep
    expect(composite("calls", ["shard", "task_at", "state"])).toBe(true); // orphans
    // No sharded index holds what a heartbeat moves (SCALE.md): it writes no index entry.
    for (const i of config.indexes) {
      expect(i.fields.map((f) => f.fieldPath)).not.toContain("next_deadline_at");
    }
    expect(composite("ringback_webhook_events", ["shard", "unsent_since"])).toBe(true); // backstop
    expect(composite("ringback_push_jobs", ["shard", "unsent_since"])).toBe(true); // push backstop
    expect(composite("ringback_outbox", ["shard", "unsent_since"])).toBe(true); // channels' rows
    // Every field a server query filters or orders on is in a composite index or indexed alone.
    const used = new Set<string>();
    for (const file of sources(path.join(ROOT, "functions", "src"))) {
      const text = fs.readFileSync(file, "utf8");
      for (const m of text.matchAll(/\.(?:where|orderBy)\(\s*"([a-z_]+)"/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(0);
    const inComposite = new Set(config.indexes.flatMap((i) => i.fields.map((f) => f.fieldPath)));
    for (const f of used) {
      const exemptSomewhere = Object.keys(TIME_FIELDS).some((g) => exempt(g).has(f));
      expect(inComposite.has(f) || !exemptSomewhere, `query field ${f}`).toBe(true);
    }
  });
});

describe("shardOf", () => {
  it("is stable and spreads call ids over every shard", () => {
    expect(shardOf("call-1")).toBe(shardOf("call-1"));
    const counts = new Array<number>(SHARDS).fill(0);
    for (let i = 0; i < SHARDS * 200; i++) counts[shardOf(`c${i}-${i * 7919}`)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(100);
    expect(Math.max(...counts)).toBeLessThan(300);
  });
});

describe("shardGroups", () => {
  it("names every shard exactly once, at most 30 to a group (one `in` query each)", () => {
    const groups = shardGroups();
    expect(groups.length).toBe(Math.ceil(SHARDS / 30));
    for (const g of groups) expect(g.length).toBeLessThanOrEqual(30);
    expect(groups.flat().sort((a, b) => a - b)).toEqual(
      Array.from({ length: SHARDS }, (_, i) => i),
    );
  });
});
