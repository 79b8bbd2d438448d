/**
 * The stress run's oracle: after every step it asks the reference model
 * (test/support/referenceModel.ts) to explain what the database holds. A step's commands run
 * concurrently and deadlines fall due while they run, so the oracle searches for one
 * serialization of the step's commands and deadlines that (a) respects real time (a command
 * answered before another was sent comes first; a deadline before a command sent after it,
 * after a command answered before it), (b) gives every command the answer the server gave, and
 * (c) ends in the database's state: every call's state, end reason and users' states (with
 * their deadlines and heartbeats while live), every users/{uid} status, and exactly the
 * notifications the step wrote. No serialization: a difference, reported with the model's
 * closest attempt.
 *
 * Its parts: oracleView.ts (reading the database), oracleChecks.ts (comparing answers and
 * states), oracleSearch.ts (the search for a serialization); this file carries the model's
 * state from step to step.
 */
import type { Firestore } from "firebase-admin/firestore";
import { emptyState, fire, nextDue, shiftTime, type Due, type MState } from "./referenceModel.js";
import { delta } from "./oracleChecks.js";
import { explain, TOL, type Op } from "./oracleSearch.js";
import { readView, type View } from "./oracleView.js";

export { diffState, label } from "./oracleChecks.js";
export { explain, type Op } from "./oracleSearch.js";
export { readView, type View } from "./oracleView.js";

/** The oracle of one scenario: the model's state, carried from step to step. */
export class Oracle {
  state: MState = emptyState();
  private notes: Record<string, number> = {};
  comparisons = 0;
  /** Steps whose overdue deadlines needed the sweep (their deadline tasks were late). */
  nudges = 0;
  nodes = 0;
  maxNodes = 0;

  reset(): void {
    this.state = emptyState();
    this.notes = {};
  }

  /** Before a time jump: the deadlines overdue by `at` apply first, then every live clock moves. */
  jump(at: number, msBack: number): void {
    for (;;) {
      const d = Object.values(this.state.calls)
        .map(nextDue)
        .filter((x): x is Due => x !== undefined && x.at < at - TOL)
        .sort((a, b) => a.at - b.at)[0];
      if (!d) break;
      fire(this.state, d.call_id);
    }
    shiftTime(this.state, msBack);
  }

  /** Explains a step; returns a readable difference, or undefined when the model agrees. */
  async step(db: Firestore, ops: Op[], nudge?: () => Promise<void>): Promise<string | undefined> {
    const { view: v, nudged } = await readView(db, nudge);
    if (nudged) this.nudges += 1;
    return this.compare(v, ops);
  }

  /** Explains what the database holds (`v`) after a step's `ops`; see `step`. */
  compare(v: View, ops: Op[]): string | undefined {
    // Invitation deadlines of calls started in this step come from the ops (see stampTime).
    const stepNotes = delta(this.notes, v.notes);
    // The state's notes are what the model wrote since the last step: none, or those of the
    // deadlines a time jump applied (they belong to this step's comparison).
    const s0 = structuredClone(this.state);
    const r = explain(s0, ops, v, stepNotes);
    this.comparisons += 1;
    this.nodes += r.nodes;
    this.maxNodes = Math.max(this.maxNodes, r.nodes);
    if ("diff" in r) return r.diff;
    this.state = r.state;
    this.state.notes = {};
    this.notes = v.notes;
    return undefined;
  }
}
