// The cold-start floor: a firebase-functions module with one callable and nothing else.
const { onCall } = require("firebase-functions/v2/https");

exports.hello = onCall({ region: "us-central1" }, () => ({ ok: true }));
