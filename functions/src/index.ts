/** Wires and exports the deployed functions; nothing else lives here. */
export { startCall } from "./functions/startCall.js";
export { cancelCall } from "./functions/cancelCall.js";
export { acceptCall } from "./functions/acceptCall.js";
export { declineCall } from "./functions/declineCall.js";
export { endCall } from "./functions/endCall.js";
export { heartbeat } from "./functions/heartbeat.js";
export { sweepTimeouts } from "./functions/sweepTimeouts.js";
