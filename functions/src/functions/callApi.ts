import { onRequest } from "firebase-functions/v2/https";
import { httpDoor } from "../adapters/httpDoor.js";
import { notificationStream } from "../adapters/httpStream.js";
import { acceptCall } from "./acceptCall.js";
import { cancelCall } from "./cancelCall.js";
import { declineCall } from "./declineCall.js";
import { endCall } from "./endCall.js";
import { heartbeat } from "./heartbeat.js";
import { startCall } from "./startCall.js";

/**
 * ZEGO Call's HTTP request protocol (docs/protocol.md#http-api-zego-call-compatible):
 * `POST …/callApi/call/<command>` runs the callable of that name, `GET
 * …/callApi/call/notifications` streams the user's notifications. Streams are mostly idle,
 * so one instance holds many; the timeout stays above RINGBACK_STREAM_SECONDS (at most 3540).
 */
export const callApi = onRequest(
  { invoker: "public", cpu: 1, concurrency: 200, timeoutSeconds: 3600 },
  httpDoor(
    {
      start_call: startCall,
      cancel_call: cancelCall,
      accept_call: acceptCall,
      decline_call: declineCall,
      end_call: endCall,
      heartbeat,
    },
    notificationStream,
  ),
);
