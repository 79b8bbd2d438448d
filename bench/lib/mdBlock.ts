/** Writes generated Markdown between a file's `<!-- part:begin -->` and `<!-- part:end -->`. */
import { execSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { mdTable, type Section } from "./table.js";

/** Sections as Markdown: each a heading, its table and its notes. */
export const mdSections = (sections: readonly Section[]): string[] =>
  sections.map((s) =>
    [`#### ${s.title}`, mdTable(s.head, s.rows), ...(s.notes ?? [])].join("\n\n"),
  );

/** Replaces the block `part` of `file` (under `root`) with `md`, then formats the file. */
export function writeBlock(root: string, file: string, part: string, md: string): void {
  const full = path.join(root, file);
  const text = fs.readFileSync(full, "utf8");
  const begin = `<!-- ${part}:begin -->`;
  const end = `<!-- ${part}:end -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${file} lacks the ${begin} … ${end} markers`);
  fs.writeFileSync(full, `${text.slice(0, i + begin.length)}\n\n${md}\n\n${text.slice(j)}`);
  execSync(`npx prettier --write ${JSON.stringify(full)}`, { cwd: root, stdio: "ignore" });
}
