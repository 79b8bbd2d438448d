/** Wires and exports the deployed functions; nothing else lives here. */
import "./platform.js"; // first: global options and the admin app, before any function

export { startCall } from "./functions/startCall.js";
export { cancelCall } from "./functions/cancelCall.js";
export { acceptCall } from "./functions/acceptCall.js";
export { declineCall } from "./functions/declineCall.js";
export { endCall } from "./functions/endCall.js";
export { heartbeat } from "./functions/heartbeat.js";
export { inviteToCall } from "./functions/inviteToCall.js";
export { joinCall } from "./functions/joinCall.js";
export { quitCall } from "./functions/quitCall.js";
export { listCalls } from "./functions/listCalls.js";
export { ackCall } from "./functions/ackCall.js";
export { registerDevice } from "./functions/registerDevice.js";
export { unregisterDevice } from "./functions/unregisterDevice.js";
export { sweepTimeouts } from "./functions/sweepTimeouts.js";
export { deadlineTask } from "./functions/deadlineTask.js";
export { webhookTask } from "./functions/webhookTask.js";
export { callApi } from "./functions/callApi.js";
export { pushTask } from "./functions/pushTask.js";
