/**
 * The HTTP door (docs/protocol.md#http-api-zego-call-compatible): ZEGO Call's request
 * protocol, `POST …/call/<command>` answered `{code, message, data?}`, as a thin adapter
 * over the callables themselves. Each command runs through its callable's own handler
 * (`run`), so the schema, the identity check, the transaction and the notifications are the
 * callables', never a second copy; this file only routes, checks credentials and maps
 * refusals to HTTP. `GET …/call/notifications` is the notification stream (stream.ts).
 */
import type { CallableRequest, Request } from "firebase-functions/v2/https";
import type { Response } from "express";
import { HTTP_CORS_ORIGINS } from "../../params.js";
import { credentials, isAnswer } from "./auth.js";
import { fromHttpsError, ok, refusal, type HttpAnswer } from "./codes.js";
import { toHttpsError } from "../callable/httpsErrors.js";

/** A callable as the door runs it: its handler, without the callable protocol's envelope. */
export interface Runnable {
  run(request: CallableRequest<unknown>): unknown;
}

/** The largest request body the door reads (a full startCall body is far below it). */
export const MAX_BODY_BYTES = 256 * 1024;

const STREAM = "notifications";
const ALLOWED_HEADERS = "authorization, content-type, x-firebase-appcheck, last-event-id";

export type StreamHandler = (req: Request, res: Response) => Promise<void>;

/** The request handler of callApi: `commands` by their path name, and the stream. */
export function httpDoor(commands: Record<string, Runnable>, stream: StreamHandler) {
  return async (req: Request, res: Response): Promise<void> => {
    const origin = req.header("origin");
    const cors = origin !== undefined && corsAllows(origin);
    if (cors) {
      res.set({
        "access-control-allow-origin": origin,
        "access-control-expose-headers": "retry-after",
        vary: "Origin",
      });
    }
    const name = /(?:^|\/)call\/([A-Za-z0-9_]+)\/?$/.exec(req.path)?.[1];
    const known = name === STREAM || (name !== undefined && Object.hasOwn(commands, name));
    if (!known) return send(res, refusal(404, "unknown_command", `No command ${req.path}.`));
    const method = name === STREAM ? "GET" : "POST";
    if (req.method === "OPTIONS" && origin !== undefined) {
      if (!cors)
        return send(res, refusal(403, "origin_not_allowed", `Origin ${origin} is not allowed.`));
      res.set({
        "access-control-allow-methods": method,
        "access-control-allow-headers": ALLOWED_HEADERS,
        "access-control-max-age": "3600",
      });
      res.status(204).end();
      return;
    }
    if (req.method !== method) {
      res.set("allow", method);
      return send(res, refusal(405, "method_not_allowed", `Use ${method} for ${name}.`));
    }
    if (name === STREAM) return stream(req, res);
    send(res, await runCommand(commands[name] as Runnable, req));
  };
}

async function runCommand(command: Runnable, req: Request): Promise<HttpAnswer> {
  const raw = rawBody(req);
  if (raw.length > MAX_BODY_BYTES) {
    return refusal(413, "body_too_large", `The body is over ${MAX_BODY_BYTES} bytes.`);
  }
  const creds = await credentials(req);
  if (isAnswer(creds)) return creds;
  let data: unknown;
  try {
    data = JSON.parse(raw.toString("utf8"));
  } catch {
    return refusal(400, "malformed_json", "The body is not JSON.");
  }
  try {
    const result = await command.run({
      data,
      auth: creds.auth,
      app: creds.app,
      rawRequest: req,
      acceptsStreaming: false,
    });
    return ok(result);
  } catch (e) {
    return fromHttpsError(toHttpsError(e));
  }
}

/** The body as sent (the platform keeps the raw bytes next to whatever it parsed). */
function rawBody(req: Request): Buffer {
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
  if (typeof req.body === "string") return Buffer.from(req.body, "utf8");
  return Buffer.from(req.body === undefined ? "" : JSON.stringify(req.body), "utf8");
}

function corsAllows(origin: string): boolean {
  const allowed = HTTP_CORS_ORIGINS.value()
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  return allowed.includes(origin);
}

export function send(res: Response, answer: HttpAnswer): void {
  if (answer.headers) res.set(answer.headers);
  res.status(answer.status).json(answer.body);
}
