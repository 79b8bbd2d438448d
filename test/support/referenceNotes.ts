/**
 * The reference model's notifications (test/support/referenceModel.ts): the canonical key a
 * notification is counted under, and the body fields the model predicts, so that the model's
 * notes and the database's compare as multisets.
 */
/** The canonical key of one notification: who, which call, path, and the body fields compared. */
export function noteKey(
  to: string,
  callId: string,
  path: string,
  body: Record<string, unknown>,
): string {
  return `${to} ${callId} ${path} ${JSON.stringify(body)}`;
}

/** The body fields the model predicts, from a full body (the server's) or the model's own. */
export function canonicalBody(
  path: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const ids = (xs: unknown) =>
    ((xs ?? []) as unknown[])
      .map((x) => (typeof x === "string" ? x : (x as { id: string }).id))
      .sort();
  switch (path) {
    case "/call/notify_call_invited": {
      const inviter = body.inviter as { id: string } | string | undefined;
      return {
        caller: typeof body.caller === "string" ? body.caller : (body.caller as { id: string }).id,
        callees: ids(body.callees),
        mode: body.mode,
        timeout: body.timeout,
        ...(inviter ? { inviter: typeof inviter === "string" ? inviter : inviter.id } : {}),
      };
    }
    case "/call/notify_call_canceled":
      return { caller_id: body.caller_id };
    case "/call/notify_call_accept":
      return { callee_id: body.callee_id };
    case "/call/notify_call_decline":
      return { callee_id: body.callee_id, type: body.type };
    case "/call/notify_call_end":
    case "/call/notify_timeout":
      return { id: body.id };
    case "/call/notify_invitation_timeout":
      return {};
    case "/call/notify_invitees_answered_timeout":
      return { invitees: ids(body.invitees) };
    case "/call/notify_user_state_changed":
      return {
        users: ((body.users ?? []) as { id: string; state: string }[])
          .map((u) => `${u.id}:${u.state}`)
          .sort(),
      };
    default:
      return body;
  }
}
