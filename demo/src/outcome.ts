/** What a finished call means to the user who sees it, in words ("Bob is busy"). */
import type { CallView, ListedCall } from "@ringback/client";
import { clock, joinNames } from "./dom.js";

export interface Outcome {
  text: string;
  tone: "info" | "warn" | "bad";
}

/** The banner for the last call, as seen by `me`. */
export function outcomeOf(call: CallView, me: string): Outcome {
  const mine = call.users.find((u) => u.id === me);
  const others = call.users.filter((u) => u.id !== me && u.id !== call.caller.id);
  const byState = (...states: string[]) =>
    joinNames(others.filter((u) => states.includes(u.state)).map((u) => u.name || u.id));
  const iCalled = call.caller.id === me;
  const duration =
    call.connectedAt && call.endedAt
      ? ` · ${clock(call.endedAt.getTime() - call.connectedAt.getTime())}`
      : "";
  if (!iCalled && (mine?.state === "timeout" || mine?.state === "canceled") && !call.connectedAt) {
    return { text: `Missed call from ${call.caller.name}`, tone: "warn" };
  }
  if (mine?.state === "rejected") return { text: `You declined ${call.caller.name}`, tone: "info" };
  if (mine?.state === "quit" && call.state !== "ended") {
    return { text: "You left the call", tone: "info" };
  }
  switch (call.endReason) {
    case "busy":
      return {
        text: `${byState("rejected")} ${others.length > 1 ? "are" : "is"} busy`,
        tone: "warn",
      };
    case "declined":
      return { text: `${byState("rejected")} declined`, tone: "warn" };
    case "no_answer":
      return { text: `No answer from ${byState("timeout", "rejected") || "anyone"}`, tone: "warn" };
    case "canceled":
      // The caller hung up an advanced call nobody answered (main.ts): the answers say why.
      if (iCalled && !call.connectedAt) return unanswered(call, others) ?? CANCELED;
      return CANCELED;
    case "heartbeat_timeout":
      return { text: `Call dropped: connection lost${duration}`, tone: "bad" };
    case "caller_offline":
      return { text: `${call.caller.name} went offline`, tone: "bad" };
    default:
      return { text: `Call ended${duration}`, tone: "info" };
  }
}

const CANCELED: Outcome = { text: "Call canceled", tone: "info" };

/** What the invitees' own answers say when none accepted and none was canceled. */
function unanswered(call: CallView, others: CallView["users"]): Outcome | null {
  if (others.length === 0 || others.some((u) => u.state === "canceled")) return null;
  const names = (us: CallView["users"]) => joinNames(us.map((u) => u.name || u.id));
  const timedOut = others.filter((u) => u.state === "timeout");
  if (timedOut.length > 0) return { text: `No answer from ${names(timedOut)}`, tone: "warn" };
  const rejected = others.filter((u) => u.state === "rejected");
  if (rejected.length !== others.length) return null;
  if (rejected.every((u) => u.declineType === 2)) {
    return { text: `${names(rejected)} ${rejected.length > 1 ? "are" : "is"} busy`, tone: "warn" };
  }
  return { text: `${names(rejected)} declined`, tone: "warn" };
}

/** What an unanswered call's end reason (the server's outcome) means to its caller. */
const UNANSWERED: Record<string, string> = {
  busy: "Busy",
  declined: "Declined",
  no_answer: "No answer",
  canceled: "Canceled",
  caller_offline: "Canceled",
};

export interface HistoryLine {
  who: string;
  /** Which way (↗ out, ↙ in) and the server's outcome: "↗ Busy", "↙ Missed", "↗ Completed". */
  how: string;
  /** "01:23" for a call that connected and ended, else "". */
  duration: string;
  missed: boolean;
  /** False while the listing still says the call is live (the history refetches). */
  ended: boolean;
}

/** One line of the call history, from listCalls' own outcome (end_reason, user_state). */
export function historyLine(c: ListedCall, me: string): HistoryLine {
  const iCalled = c.caller.id === me;
  const who = iCalled
    ? joinNames(c.users.filter((u) => u.id !== me).map((u) => u.name || u.id))
    : c.caller.name;
  const arrow = iCalled ? "↗" : "↙";
  const connected = c.connected_at !== null;
  const mine = c.users.find((u) => u.id === me);
  const missed = !iCalled && !connected && c.user_state !== "rejected" && c.user_state !== null;
  let how: string;
  if (c.state !== "ended") how = connected ? "In call" : "Ringing";
  else if (connected && !iCalled && c.user_state !== "accepted" && c.user_state !== "quit") {
    // A group call that connected without this invitee: what they did about it.
    how = c.user_state === "rejected" ? "Declined" : "Missed";
  } else if (connected) how = c.end_reason === "heartbeat_timeout" ? "Dropped" : "Completed";
  else if (missed) how = "Missed";
  else if (!iCalled) how = mine?.decline_type === 2 ? "Busy" : "Declined";
  else how = UNANSWERED[c.end_reason ?? ""] ?? "Ended";
  const duration = connected && c.state === "ended" ? clock(c.duration * 1000) : "";
  return {
    who,
    how: `${arrow} ${how}`,
    duration,
    missed: missed || how === "Missed",
    ended: c.state === "ended",
  };
}
