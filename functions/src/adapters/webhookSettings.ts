/**
 * Webhook configuration from the params: on when RINGBACK_WEBHOOK_URL is set. A URL that is
 * not http(s), or a missing secret while a URL is set, is refused with a message that says
 * what to fix, never a silent drop of events.
 */
import { APP_ID, WEBHOOK_URL } from "../params.js";

export interface WebhookSettings {
  enabled: boolean;
  url: string;
  appId: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseWebhookSettings(url: string, appId: string): WebhookSettings {
  const trimmed = url.trim();
  if (trimmed === "") return { enabled: false, url: "", appId };
  let parsed: URL | undefined;
  try {
    parsed = new URL(trimmed);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new ConfigError(
      `RINGBACK_WEBHOOK_URL must be an http:// or https:// URL (or empty for no callbacks), not ${JSON.stringify(url)}.`,
    );
  }
  return { enabled: true, url: trimmed, appId };
}

/** The signing secret; a URL without one is a configuration error. */
export function requireSecret(settings: WebhookSettings, secret: string): string {
  if (settings.enabled && secret === "") {
    throw new ConfigError(
      "RINGBACK_WEBHOOK_SECRET is not set while RINGBACK_WEBHOOK_URL is: set the secret " +
        "(firebase functions:secrets:set RINGBACK_WEBHOOK_SECRET; locally, the environment of npm start).",
    );
  }
  return secret;
}

export const webhookSettings = (): WebhookSettings =>
  parseWebhookSettings(WEBHOOK_URL.value(), APP_ID.value());
