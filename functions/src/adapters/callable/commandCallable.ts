/**
 * A callable for a core command on an existing call: validated by its schema, run by the
 * signed-in user through the one transaction path, answered with the call's state.
 */
import type { z } from "zod";
import type { Draft } from "../../core/draft.js";
import { runCommand } from "../calls/runCommand.js";
import { deployedContext } from "../deployedContext.js";
import { validated, type CallableHandler } from "./validated.js";

export function commandCallable<S extends z.ZodType<{ call_id: string }>>(
  schema: S,
  command: (d: Draft, actor: string, input: z.output<S>) => void,
): CallableHandler {
  return validated(schema, (caller, data) =>
    runCommand(deployedContext(), data.call_id, caller.uid, (d) => command(d, caller.uid, data)),
  );
}
